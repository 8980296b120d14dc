"""Categories the app suggested, suggested again once a version's text is extracted."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from docservice.db.models import Document, Version
from docservice.domain import ACTIVE, CONTRACT_STATUSES, Category, settled_status
from docservice.ingest.metadata import head_text, suggest_category


def refine_categories(session: Session, pages: Mapping[int, Sequence[str]]) -> None:
    """After extraction (``pages`` per version id): suggest again from the name and text for
    each version that is its document's latest, if the category is still the app's
    suggestion."""
    if not pages:
        return
    rows = session.execute(
        select(Version.id, Version.filename, Document.id.label("document_id"), Document.status)
        .join(Document, Document.id == Version.document_id)
        .where(Version.id.in_(pages), Document.category_suggested.is_(True),
               Document.latest_version_id == Version.id)).all()
    for row in rows:
        found = suggest_category(row.filename, head_text(pages[row.id]))
        if found is not None:  # conditional: a person's choice saved meanwhile stands
            session.execute(update(Document).where(Document.id == row.document_id,
                                                   Document.category_suggested.is_(True))
                            .values(category=found[0], subtype=found[1],
                                    status=_status(found[0], found[1], row.status))
                            .execution_options(synchronize_session=False))


def _status(category: str, subtype: str | None, status: str) -> str:
    """The status fitting a suggested category: a signed contract's is signed."""
    if category == Category.CONTRACT.value and status == ACTIVE and subtype in CONTRACT_STATUSES:
        return subtype
    return settled_status(category, status)
