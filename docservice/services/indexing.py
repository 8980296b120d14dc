"""Turn documents and versions into search index entries; rebuild the index from the DB."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Collection, Iterable, Iterator, Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from docservice.db.access import document_acl_tokens
from docservice.db.models import Document, Page, Version
from docservice.domain import IndexEntry, IngestState
from docservice.services.context import Context

_YEAR = re.compile(r"(?<!\d)(?:19[89]\d|20[0-4]\d)(?!\d)")
_FISCAL_YEAR = re.compile(r"(?i)(?<![a-z])FY ?(\d{4}|\d{2})(?!\d)")
SHORT_TEXT = 300  # a title or a file name: every year it names counts
YEAR_PAGES = 2
YEAR_CHARS = 20_000


def years_in(*texts: str) -> list[int]:
    """Years (1980-2049, fiscal years like FY24 too) that ``texts`` are about: every year a
    short text (a title, a file name) names, and of a longer text (the first pages) the years
    it names more than half as often as its most named year, so a price list for 2026 that
    mentions the list of 2025 once is about 2026 only."""
    found: set[int] = set()
    for text in texts:
        counts = Counter(_years_named(text))
        if counts and len(text) <= SHORT_TEXT:
            found.update(counts)
        elif counts:
            top = max(counts.values())
            found.update(year for year, count in counts.items() if 2 * count > top)
    return sorted(found)


def _years_named(text: str) -> list[int]:
    years = [int(match) for match in _YEAR.findall(text)]
    for digits in _FISCAL_YEAR.findall(text):
        year = int(digits) if len(digits) == 4 else 2000 + int(digits)
        if 1980 <= year <= 2049:
            years.append(year)
    return years


def page_texts(session: Session, version_id: int) -> list[str]:
    return pages_of(session, [version_id])[version_id]


def pages_of(session: Session, version_ids: Iterable[int]) -> dict[int, list[str]]:
    """The page texts of each version, in page order, in one query."""
    pages: dict[int, list[str]] = {version_id: [] for version_id in version_ids}
    if pages:
        rows = session.execute(select(Page.version_id, Page.text)
                               .where(Page.version_id.in_(pages))
                               .order_by(Page.version_id, Page.number))
        for version_id, text in rows:
            pages[version_id].append(text)
    return pages


def entry_for(session: Session, document: Document, version: Version) -> IndexEntry:
    pages = page_texts(session, version.id)
    customer = document.customer
    return IndexEntry(
        version_id=version.id,
        document_id=document.id,
        version=version.number,
        is_latest=document.latest_version_id == version.id,
        title=" ".join(filter(None, [document.title, version.extracted_title])),
        filename=version.filename,
        pages=pages,
        category=document.category,
        subtype=document.subtype,
        tags=document.tag_names,
        product=document.product,
        customer=customer.name if customer else None,
        customer_industry=customer.industry if customer else None,
        customer_region=customer.region if customer else None,
        customer_stage=customer.stage if customer else None,
        media_type=version.media_type,
        years=years_in(document.title, version.filename,
                       " ".join(pages[:YEAR_PAGES])[:YEAR_CHARS]),
        uploaded_at=version.uploaded_at,
        owner_id=document.owner_id,
        team_id=document.team_id,
        status=document.status,
        acl=document_acl_tokens(document),
        expires_on=document.expires_on,
        language=version.language,
    )


def _searchable(document: Document, finishing: Collection[int]) -> Iterator[Version]:
    terminal = (IngestState.INDEXED.value, IngestState.FAILED.value)
    return (version for version in document.versions
            if version.state in terminal or version.id in finishing)


def document_entries(session: Session, document: Document,
                     finishing: Collection[int] = ()) -> list[IndexEntry]:
    """Entries for every version that finished ingestion (or is finishing now: its id is in
    ``finishing``), with the latest flag current."""
    return [entry_for(session, document, version)
            for version in _searchable(document, finishing)]


def reindex_document(ctx: Context, document_id: int) -> None:
    """Send a document's entries again (metadata, permissions or latest version changed)."""
    with ctx.uow() as uow:
        document = uow.session.get(Document, document_id)
        if document is None:
            ctx.index.delete_document(document_id)
            return
        entries = document_entries(uow.session, document)
    ctx.index.index(entries)


def all_entries(session: Session, batch: int = 200) -> Iterator[Sequence[IndexEntry]]:
    ids = list(session.scalars(select(Document.id).order_by(Document.id)))
    for start in range(0, len(ids), batch):
        documents = session.scalars(
            select(Document).where(Document.id.in_(ids[start:start + batch]))
            .options(selectinload(Document.versions), selectinload(Document.tags),
                     selectinload(Document.acl), selectinload(Document.customer)))
        yield [entry for document in documents for entry in document_entries(session, document)]


def rebuild_index(ctx: Context) -> int:
    """Rebuild the whole index from the database; returns the number of entries."""
    counted = 0

    def stream(session: Session) -> Iterator[IndexEntry]:
        nonlocal counted
        for chunk in all_entries(session):
            counted += len(chunk)
            yield from chunk

    with ctx.uow() as uow:
        ctx.index.rebuild(stream(uow.session))
    return counted
