"""Purging a document: its versions, text, tags, grants and share links, its index entries,
and the stored files no other version uses. The audit log keeps who purged what.

Deleting moves a document to the trash first (services/trash.py); it is purged by an admin
at once, or by the daily job once it has been in the trash ``trash_days``. A purged document
answers "not found" on every read path, exactly as one that never existed.
"""

from __future__ import annotations

import logging
from collections.abc import Collection
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import delete, or_, select

from docservice.db.access import in_trash_of, readable
from docservice.db.models import Document, Page, ShareLink, Version, utcnow
from docservice.db.repositories import record_event
from docservice.domain import SCHEDULER, Principal
from docservice.errors import N_, DocumentNotFound, PermissionDenied, StorageUnavailable
from docservice.services.context import Context

log = logging.getLogger(__name__)
DETAIL_LIMIT = 2000
PURGE = "purge"  # audit action


@dataclass(frozen=True)
class DeletedDocument:
    document_id: int
    title: str
    versions: int


def purge_document(ctx: Context, principal: Principal, document_id: int) -> DeletedDocument:
    """Delete a document for good, in the trash or not: admins only. Raises
    DocumentNotFound when the caller cannot see it (or it is gone), PermissionDenied for
    anyone else who can, SearchUnavailable (and nothing is deleted) when the index cannot
    be updated."""
    with ctx.uow() as uow:
        session = uow.session
        document = session.scalar(select(Document).where(
            Document.id == document_id, or_(readable(principal), in_trash_of(principal))))
        if document is None:
            raise DocumentNotFound(document_id)
        if not principal.is_admin:
            raise PermissionDenied(N_("only an admin can delete a document for good; "
                                      "it stays in the trash until then"))
        deleted = DeletedDocument(document_id, document.title, len(document.versions))
        blob_keys = {version.blob_key for version in document.versions}
        version_ids = [version.id for version in document.versions]
        record_event(session, principal, PURGE, document_id=document_id,
                     detail=_detail(document))
        session.execute(delete(ShareLink).where(ShareLink.document_id == document_id))
        session.execute(delete(Page).where(Page.version_id.in_(version_ids)))
        session.delete(document)  # versions, tags and grants go with it
        session.flush()  # holds the rows: an ingestion job cannot index them meanwhile
        # Index first: if the engine is down the user is told and nothing is deleted.
        ctx.index.delete_document(document_id)
        uow.after_commit(lambda: _drop_unused_blobs(ctx, blob_keys))
        uow.commit()
    log.info("document %s purged by %s", document_id, principal.email)
    return deleted


def purge_expired(ctx: Context) -> str:
    """The daily job: purge what has been in the trash longer than ``trash_days``; safe to
    run again (a purged document is gone)."""
    cutoff = utcnow() - timedelta(days=ctx.settings.trash_days)
    with ctx.uow() as uow:
        ids = list(uow.session.scalars(select(Document.id).where(
            Document.deleted_at.is_not(None), Document.deleted_at < cutoff)
            .order_by(Document.id)))
    purged = 0
    for document_id in ids:
        try:
            purge_document(ctx, SCHEDULER, document_id)
            purged += 1
        except DocumentNotFound:  # purged meanwhile (an admin, another run)
            continue
    return f"{purged} documents purged after {ctx.settings.trash_days} days in the trash"


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
