"""Send documents' index entries again, or rebuild the whole index from the database."""

from __future__ import annotations

from collections.abc import Iterator

from sqlalchemy.orm import Session

from docservice.db.index_entries import all_entries, document_entries
from docservice.db.models import Document
from docservice.domain import IndexEntry
from docservice.services.context import Context


def reindex_document(ctx: Context, document_id: int) -> None:
    """Send a document's entries again (metadata, permissions or latest version changed)."""
    with ctx.uow() as uow:
        document = uow.session.get(Document, document_id)
        if document is None:
            ctx.index.delete_document(document_id)
            return
        entries = document_entries(uow.session, document)
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
