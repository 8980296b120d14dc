"""The category the app suggests for a file when the uploader chose none.

A suggestion comes from the file name at upload (so the document is filed at once) and again
from the name and the first pages once the text is extracted. A person's choice always wins:
a document whose category someone chose (at upload or later) is never re-classified.
"""

from __future__ import annotations

from docservice.domain import SUBTYPES, Category
from docservice.errors import N_, Unprocessable
from docservice.ingest.metadata import suggest_category


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
