"""The category the app suggests for a file when the uploader chose none.

A suggestion comes from the file name at upload (so the document is filed at once) and again
from the name and the first pages once the text is extracted. A person's choice always wins:
a document whose category someone chose (at upload or later) is never re-classified.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from docservice.db.models import Document, Version
from docservice.domain import SUBTYPES, Category
from docservice.errors import N_, Unprocessable
from docservice.ingest.metadata import head_text, suggest_category


def chosen_or_suggested(category: str | None, subtype: str | None,
                        filename: str) -> tuple[str, str | None, bool]:
    """(category, subtype, whether the app suggested them) for an upload.

    The uploader's category stands; a subtype alone names its category; with neither, the
    file name suggests one ("other" when it says nothing)."""
    if category:
        return category, subtype, False
    if subtype:
        owner = category_of_subtype(subtype)
        if owner is None:
            raise Unprocessable(N_("unknown subtype %(subtype)r"), subtype=subtype)
        return owner, subtype, False
    found = suggest_category(filename, "")
    if found is None:
        return Category.OTHER.value, None, True
    return found[0], found[1], True


def category_of_subtype(subtype: str) -> str | None:
    """The category a subtype belongs to (each subtype belongs to one)."""
    return next((category.value for category, subtypes in SUBTYPES.items()
                 if subtype in subtypes), None)


def refine_categories(session: Session, pages: Mapping[int, Sequence[str]]) -> None:
    """After extraction (``pages`` per version id): suggest again from the name and text for
    each version that is its document's latest, if the category is still the app's
    suggestion."""
    if not pages:
        return
    rows = session.execute(
        select(Version.id, Version.filename, Document.id.label("document_id"))
        .join(Document, Document.id == Version.document_id)
        .where(Version.id.in_(pages), Document.category_suggested.is_(True),
               Document.latest_version_id == Version.id)).all()
    for row in rows:
        found = suggest_category(row.filename, head_text(pages[row.id]))
        if found is not None:  # conditional: a person's choice saved meanwhile stands
            session.execute(update(Document).where(Document.id == row.document_id,
                                                   Document.category_suggested.is_(True))
                            .values(category=found[0], subtype=found[1])
                            .execution_options(synchronize_session=False))
