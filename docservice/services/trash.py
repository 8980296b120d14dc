"""The trash: deleting moves a document there; its owner and admins list it and restore it
within ``trash_days`` (DOCSERVICE_TRASH_DAYS), after which the daily job purges it
(services/deletion.py). Meanwhile every read path leaves it out: the SQL read rule
(``db.access.readable``) reads no trashed document and the index drops its entries.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from docservice.db.access import in_trash_of, readable, writable_document
from docservice.db.models import Document, utcnow
from docservice.db.repositories import aware, record_event
from docservice.domain import Principal
from docservice.errors import N_, DocumentNotFound
from docservice.services import outbox
from docservice.services.context import Context
from docservice.views import TrashItem

TRASH = "trash"  # audit actions
RESTORE = "trash_restore"


def trash_document(ctx: Context, principal: Principal, document_id: int) -> TrashItem:
    """Move a document the caller may change to the trash (audited). Raises
    DocumentNotFound when they may not read it, PermissionDenied when they may not change
    it."""
    with ctx.uow() as uow:
        document = writable_document(uow.session, principal, document_id,
                                     denied=N_("you may read this document but not delete it"))
        _move_to_trash(uow.session, principal, document)
        uow.owe(outbox.INDEX_PERMISSIONS, run_now=True, document_id=document_id)
        item = _item(ctx, document)
        uow.commit()
    return item


def _move_to_trash(session: Session, principal: Principal, document: Document) -> None:
    """Mark ``document`` trashed and audit it; the caller owes the index update."""
    document.deleted_at = utcnow()
    document.deleted_by = principal.user_id
    record_event(session, principal, TRASH, document_id=document.id, detail=document.title)


def list_trash(ctx: Context, principal: Principal) -> list[TrashItem]:
    """What the caller may restore: their own trashed documents, every one for admins;
    most recently deleted first."""
    with ctx.uow() as uow:
        return [_item(ctx, document) for document in uow.session.scalars(
            select(Document).where(in_trash_of(principal))
            .order_by(Document.deleted_at.desc(), Document.id.desc()))]


def restore_document(ctx: Context, principal: Principal, document_id: int) -> TrashItem:
    """Take a document out of the trash (audited); it is found again everywhere."""
    with ctx.uow() as uow:
        document = _trashed(uow.session, principal, document_id)
        item = _item(ctx, document)
        document.deleted_at = None
        document.deleted_by = None
        record_event(uow.session, principal, RESTORE, document_id=document_id,
                     detail=document.title)
        uow.owe(outbox.INDEX_PERMISSIONS, run_now=True, document_id=document_id)
        uow.commit()
    return item


def title_of(ctx: Context, principal: Principal, document_id: int) -> str:
    """The title of a document the caller may read or restore (to confirm a purge)."""
    with ctx.uow() as uow:
        title = uow.session.scalar(select(Document.title).where(
            Document.id == document_id, or_(readable(principal), in_trash_of(principal))))
    if title is None:
        raise DocumentNotFound(document_id)
    return title


def _trashed(session: Session, principal: Principal, document_id: int) -> Document:
    document = session.scalar(select(Document).where(Document.id == document_id,
                                                     in_trash_of(principal)))
    if document is None:
        raise DocumentNotFound(document_id)
    return document


def _item(ctx: Context, document: Document) -> TrashItem:
    deleted_at = aware(document.deleted_at) or utcnow()
    return TrashItem(
        document_id=document.id, title=document.title, category=document.category,
        owner=document.owner.email if document.owner else None,
        versions=len(document.versions), deleted_at=deleted_at.isoformat(),
        deleted_by=document.deleter.email if document.deleter else None,
        purge_after=(deleted_at + timedelta(days=ctx.settings.trash_days)).date().isoformat())
