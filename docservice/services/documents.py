"""Upload, new version, metadata, versions and latest: the document use cases."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import PurePath
from typing import IO

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from docservice.db.access import (
    readable,
    readable_document,
    readable_version,
    require_team_member,
    writable_document,
)
from docservice.db.models import Document, Version, utcnow
from docservice.db.repositories import apply_meta, document_view, record_event, version_view
from docservice.db.uow import UnitOfWork
from docservice.db.usage import add_event as add_usage
from docservice.domain import (
    ACTIVE,
    CONTRACT_STATUSES,
    SUBTYPES,
    BlobInfo,
    Category,
    IngestState,
    Principal,
    Visibility,
    settled_status,
)
from docservice.domain import DocumentMeta as DocumentMeta
from docservice.errors import (
    N_,
    DocumentNotFound,
    InvalidInput,
    NotFound,
    QueueUnavailable,
    Unprocessable,
)
from docservice.ingest.metadata import title_from_filename
from docservice.queue.base import INGEST_JOB
from docservice.services.classify import chosen_or_suggested
from docservice.services.context import Context
from docservice.services.notifications import NOTIFY_VERSION
from docservice.services.permissions import require_uploader
from docservice.services.review import default_review_by, moved_forward
from docservice.views import DocumentView, VersionView

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class UploadOutcome:
    document_id: int
    version_id: int
    version: int
    state: str
    duplicate: bool = False


def validated_meta(meta: DocumentMeta) -> DocumentMeta:
    try:
        category = Category(meta.category or "")
    except ValueError as exc:
        allowed = ", ".join(c.value for c in Category)
        raise InvalidInput(N_("unknown category %(category)r; use one of %(allowed)s"),
                           category=meta.category, allowed=allowed) from exc
    if meta.subtype and SUBTYPES[category] and meta.subtype not in SUBTYPES[category]:
        raise Unprocessable(N_("subtype %(subtype)r does not belong to %(category)s; "
                               "use one of %(allowed)s"),
                            subtype=meta.subtype, category=category.value,
                            allowed=", ".join(SUBTYPES[category]))
    if category is Category.CONTRACT and meta.status not in CONTRACT_STATUSES:
        raise Unprocessable(N_("a contract's status is one of %(allowed)s"),
                            allowed=", ".join(CONTRACT_STATUSES))
    try:
        Visibility(meta.visibility)
    except ValueError as exc:
        raise InvalidInput(N_("visibility must be private, team, org or custom")) from exc
    return meta


def lifecycle_defaults(ctx: Context, meta: DocumentMeta) -> DocumentMeta:
    """A new document's review date (the category's default unless given) and, for a
    contract, its status from the subtype (draft unless the subtype names one)."""
    if meta.review_by is None:
        meta = replace(meta, review_by=default_review_by(ctx.settings, meta.category,
                                                         meta.subtype))
    if meta.category == Category.CONTRACT.value and meta.status == ACTIVE:
        meta = replace(meta, status=meta.subtype if meta.subtype in CONTRACT_STATUSES
                       else "draft")
    return replace(meta, status=settled_status(meta.category, meta.status))


def _readable_duplicate(session: Session, principal: Principal, key: str) -> Version | None:
    return session.scalar(select(Version).join(Document, Document.id == Version.document_id)
                          .where(Version.blob_key == key, readable(principal))
                          .order_by(Version.id).limit(1))


def _outcome(version: Version, duplicate: bool = False) -> UploadOutcome:
    return UploadOutcome(document_id=version.document_id, version_id=version.id,
                         version=version.number, state=version.state, duplicate=duplicate)


def _enqueue_after_commit(ctx: Context, uow: UnitOfWork, version: Version) -> None:
    version.state = IngestState.QUEUED.value
    version.claimed_at = utcnow()  # when it was queued: the sweeper leaves it to the queue
    version_id = version.id

    def enqueue() -> None:
        try:
            ctx.queue.enqueue(INGEST_JOB, version_id)
        except QueueUnavailable as exc:
            # The version is stored and marked queued, on no queue: the next sweep queues it.
            log.warning("version %s stays queued: %s", version_id, exc.message)
            with ctx.uow() as retry_uow:
                retry_uow.session.execute(update(Version).where(Version.id == version_id)
                                          .values(claimed_at=None))
                retry_uow.commit()

    uow.after_commit(enqueue)


def _new_version(session: Session, principal: Principal, document: Document, blob: BlobInfo,
                 filename: str, note: str | None) -> Version:
    number = (session.scalar(select(func.max(Version.number))
                             .where(Version.document_id == document.id)) or 0) + 1
    version = Version(document_id=document.id, number=number, blob_key=blob.key,
                      filename=PurePath(filename).name, size=blob.size, note=note,
                      uploader_id=principal.user_id, state=IngestState.STORED.value)
    session.add(version)
    session.flush()
    document.latest_version_id = version.id
    return version


@contextmanager
def _stored(ctx: Context, stream: IO[bytes]) -> Iterator[BlobInfo]:
    """Store the bytes; if what follows fails, drop them again unless a version uses them."""
    blob = ctx.blobs.put(stream)
    try:
        yield blob
    except BaseException:
        with ctx.uow() as uow:
            if uow.session.scalar(select(Version.id).where(Version.blob_key == blob.key)) is None:
                ctx.blobs.delete(blob.key)
        raise


def upload(ctx: Context, principal: Principal, stream: IO[bytes], filename: str,
           meta: DocumentMeta) -> UploadOutcome:
    """Store a new document; identical bytes the caller can already read are a duplicate.

    Without a category in ``meta`` the file name suggests one (see classify.py)."""
    require_uploader(principal)
    category, subtype, suggested = chosen_or_suggested(meta.category, meta.subtype, filename)
    meta = validated_meta(lifecycle_defaults(ctx, replace(meta, category=category,
                                                          subtype=subtype)))
    with _stored(ctx, stream) as blob, ctx.uow() as uow:
        existing = _readable_duplicate(uow.session, principal, blob.key)
        if existing is not None:
            return _outcome(existing, duplicate=True)
        team_id = meta.team_id
        require_team_member(uow.session, principal, team_id)
        if team_id is None and principal.team_ids:
            team_id = min(principal.team_ids)
        document = Document(title=(meta.title or title_from_filename(filename)).strip(),
                            owner_id=principal.user_id, team_id=team_id)
        apply_meta(uow.session, document, meta)
        document.category_suggested = suggested
        uow.session.add(document)
        uow.session.flush()
        version = _new_version(uow.session, principal, document, blob, filename, None)
        record_event(uow.session, principal, "upload", document_id=document.id,
                     version_id=version.id, detail=version.filename)
        add_usage(uow.session, principal, "upload", document_id=document.id,
                  version_id=version.id)
        _enqueue_after_commit(ctx, uow, version)
        uow.owe(NOTIFY_VERSION, version_id=version.id)
        uow.commit()
        return _outcome(version)


def add_version(ctx: Context, principal: Principal, document_id: int, stream: IO[bytes],
                filename: str, note: str | None = None) -> UploadOutcome:
    require_uploader(principal)
    with _stored(ctx, stream) as blob, ctx.uow() as uow:
        document = writable_document(uow.session, principal, document_id)
        latest = uow.session.get(Version, document.latest_version_id or -1)
        if latest is not None and latest.blob_key == blob.key:
            return _outcome(latest, duplicate=True)
        version = _new_version(uow.session, principal, document, blob, filename, note)
        if document.category != Category.CONTRACT.value:
            document.review_by = moved_forward(ctx.settings, document.category,
                                               document.subtype, document.review_by)
        record_event(uow.session, principal, "new_version", document_id=document.id,
                     version_id=version.id, detail=note)
        add_usage(uow.session, principal, "new_version", document_id=document.id,
                  version_id=version.id)
        _enqueue_after_commit(ctx, uow, version)
        uow.owe(NOTIFY_VERSION, version_id=version.id)
        uow.commit()
        return _outcome(version)


def get_document(ctx: Context, principal: Principal, document_id: int) -> DocumentView:
    with ctx.uow() as uow:
        return document_view(readable_document(uow.session, principal, document_id))


def latest_version(ctx: Context, principal: Principal, document_id: int) -> VersionView:
    """The newest version of a document the caller may read (DocumentNotFound otherwise)."""
    with ctx.uow() as uow:
        version = uow.session.scalar(
            select(Version).join(Document, Document.latest_version_id == Version.id)
            .where(Document.id == document_id, readable(principal)))
        if version is None:
            raise DocumentNotFound(document_id)
        return version_view(version)


def find_latest(ctx: Context, principal: Principal, *, product: str | None = None,
                category: str | None = None, subtype: str | None = None) -> VersionView:
    """The newest version among readable documents of a product (and category)."""
    query = (select(Version).join(Document, Document.latest_version_id == Version.id)
             .where(readable(principal)))
    if product:
        query = query.where(func.lower(Document.product) == product.lower())
    if category:
        query = query.where(Document.category == category)
    if subtype:
        query = query.where(Document.subtype == subtype)
    query = query.order_by(Version.uploaded_at.desc(), Version.id.desc()).limit(1)
    with ctx.uow() as uow:
        version = uow.session.scalar(query)
        if version is None:
            raise NotFound(N_("no readable document matches that product and category"))
        return version_view(version)


def open_version(ctx: Context, principal: Principal, version_id: int,
                 action: str = "download") -> tuple[VersionView, Iterator[bytes]]:
    """The version's metadata and its bytes, streamed; the download is audited."""
    with ctx.uow() as uow:
        version = readable_version(uow.session, principal, version_id)
        record_event(uow.session, principal, action, document_id=version.document_id,
                     version_id=version.id)
        add_usage(uow.session, principal, "download", document_id=version.document_id,
                  version_id=version.id)
        view = version_view(version)
        uow.commit()
    return view, ctx.blobs.open(version.blob_key)
