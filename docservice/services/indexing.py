"""Send documents' index entries again, or rebuild the whole index from the database."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from docservice.db.index_entries import all_entries, document_entries
from docservice.db.models import Document
from docservice.domain import IndexEntry
from docservice.services.context import Context


def reindex_document(ctx: Context, document_id: int) -> None:
    """Send a document's entries again (metadata, permissions or latest version changed)."""
    reindex_documents(ctx, [document_id])


def reindex_documents(ctx: Context, document_ids: Sequence[int]) -> None:
    """Send the documents' entries again in one write; a document gone or in the trash
    leaves the index."""
    entries: list[IndexEntry] = []
    with ctx.uow() as uow:
        found = {document.id: document for document in uow.session.scalars(
            select(Document).where(Document.id.in_(document_ids)))}
        for document_id in dict.fromkeys(document_ids):
            document = found.get(document_id)
            if document is None or document.deleted_at is not None:
                ctx.index.delete_document(document_id)
            else:
                entries.extend(document_entries(uow.session, document))
    if entries:
        ctx.index.index(entries)


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
