"""Search index entries built from documents and versions inside a unit of work."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator, Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from docservice.db.access import document_acl_tokens
from docservice.db.models import Customer, Document, Page, Version, utcnow
from docservice.domain import IndexEntry, IngestState, freshness
from docservice.ingest.years import YEAR_CHARS, YEAR_PAGES, years_in


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


def entry_for(session: Session, document: Document, version: Version,
              pages: list[str] | None = None) -> IndexEntry:
    """``version``'s entry; ``pages`` when the caller read them already (in a batch)."""
    if pages is None:
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
        customer_type=customer.type if customer else None,
        customer_aliases=customer.alias_names if customer else (),
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
        freshness=freshness(document.status, document.review_by or document.expires_on,
                            document.expires_on, utcnow().date()),
    )


SEARCHABLE = (IngestState.INDEXED.value, IngestState.FAILED.value)
"""Versions in these states have an index entry (a failed one: its title and file name)."""


def _searchable(document: Document, finishing: Collection[int]) -> Iterator[Version]:
    return (version for version in document.versions
            if version.state in SEARCHABLE or version.id in finishing)


def document_entries(session: Session, document: Document,
                     finishing: Collection[int] = ()) -> list[IndexEntry]:
    """Entries for every version that finished ingestion (or is finishing now: its id is in
    ``finishing``), with the latest flag current; none for a document in the trash."""
    if document.deleted_at is not None:
        return []
    return [entry_for(session, document, version)
            for version in _searchable(document, finishing)]


def all_entries(session: Session, batch: int = 200) -> Iterator[Sequence[IndexEntry]]:
    ids = list(session.scalars(select(Document.id).where(Document.deleted_at.is_(None))
                               .order_by(Document.id)))
    for start in range(0, len(ids), batch):
        documents = session.scalars(
            select(Document).where(Document.id.in_(ids[start:start + batch]))
            .options(selectinload(Document.versions), selectinload(Document.tags),
                     selectinload(Document.acl),
                     selectinload(Document.customer).selectinload(Customer.aliases)))
        yield [entry for document in documents for entry in document_entries(session, document)]


def entries_between(session: Session, low: int, high: int) -> list[IndexEntry]:
    """The entries the index should hold for versions with ``low <= id < high`` (none for
    documents in the trash)."""
    versions = list(session.scalars(
        select(Version).join(Document, Document.id == Version.document_id)
        .where(Version.id >= low, Version.id < high, Version.state.in_(SEARCHABLE),
               Document.deleted_at.is_(None))
        .options(selectinload(Version.document).selectinload(Document.tags),
                 selectinload(Version.document).selectinload(Document.acl),
                 selectinload(Version.document).selectinload(Document.customer))))
    pages = pages_of(session, [version.id for version in versions])
    return [entry_for(session, version.document, version, pages[version.id])
            for version in versions]
