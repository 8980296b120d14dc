"""Deleting a document: its versions, text, tags, grants and share links, its index entries,
and the stored files no other version uses. The audit log keeps who deleted what.

Deletion is final (there is no trash): every read path then answers "not found", exactly as
for a document that never existed.
"""

from __future__ import annotations

import logging
from collections.abc import Collection
from dataclasses import dataclass

from sqlalchemy import delete, select

from docservice.db.access import writable_document
from docservice.db.models import Document, Page, ShareLink, Version
from docservice.db.repositories import record_event
from docservice.domain import Principal
from docservice.errors import N_, StorageUnavailable
from docservice.services.context import Context

log = logging.getLogger(__name__)
DETAIL_LIMIT = 2000


@dataclass(frozen=True)
class DeletedDocument:
    document_id: int
    title: str
    versions: int


def delete_document(ctx: Context, principal: Principal, document_id: int) -> DeletedDocument:
    """Delete a document the caller may write. Raises DocumentNotFound when the caller may
    not read it (or it is gone), PermissionDenied when they may read but not change it,
    SearchUnavailable (and nothing is deleted) when the index cannot be updated."""
    with ctx.uow() as uow:
        session = uow.session
        document = writable_document(session, principal, document_id,
                                     denied=N_("you may read this document but not delete it"))
        deleted = DeletedDocument(document_id, document.title, len(document.versions))
        blob_keys = {version.blob_key for version in document.versions}
        version_ids = [version.id for version in document.versions]
        record_event(session, principal, "delete", document_id=document_id,
                     detail=_detail(document))
        session.execute(delete(ShareLink).where(ShareLink.document_id == document_id))
        session.execute(delete(Page).where(Page.version_id.in_(version_ids)))
        session.delete(document)  # versions, tags and grants go with it
        session.flush()  # holds the rows: an ingestion job cannot index them meanwhile
        # Index first: if the engine is down the user is told and nothing is deleted.
        ctx.index.delete_document(document_id)
        uow.after_commit(lambda: _drop_unused_blobs(ctx, blob_keys))
        uow.commit()
    log.info("document %s deleted by %s", document_id, principal.email)
    return deleted


def _detail(document: Document) -> str:
    files = ", ".join(f"v{version.number} {version.filename}" for version in document.versions)
    return f"{document.title} ({files})"[:DETAIL_LIMIT]


def _drop_unused_blobs(ctx: Context, keys: Collection[str]) -> None:
    """Remove the stored files no remaining version uses (identical bytes are stored once)."""
    with ctx.uow() as uow:
        used = set(uow.session.scalars(select(Version.blob_key)
                                       .where(Version.blob_key.in_(list(keys)))))
    for key in set(keys) - used:
        try:
            ctx.blobs.delete(key)
        except StorageUnavailable as exc:
            # The document is gone already; an unused file costs space, not correctness.
            log.warning("stored file %s of a deleted document stays: %s", key, exc.message)
