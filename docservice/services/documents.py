"""Upload, new version, metadata, versions and latest: the document use cases."""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import PurePath
from typing import IO

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from docservice.db.models import AclEntry, Customer, Document, DocumentTag, Version
from docservice.db.uow import UnitOfWork
from docservice.domain import SUBTYPES, BlobInfo, Category, IngestState, Principal, Visibility
from docservice.errors import DocumentNotFound, InvalidInput, QueueUnavailable, VersionNotFound
from docservice.queue.base import INGEST_JOB
from docservice.services import audit
from docservice.services.classify import chosen_or_suggested
from docservice.services.context import Context
from docservice.services.permissions import (
    can_read,
    require_read,
    require_uploader,
    require_write,
)

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class DocumentMeta:
    title: str | None = None
    category: str | None = "other"  # None at upload: the app suggests one (classify.py)
    subtype: str | None = None
    tags: Sequence[str] = ()
    product: str | None = None
    customer: str | None = None
    visibility: str = "team"
    team_id: int | None = None
    status: str = "active"
    expires_on: date | None = None
    review_by: date | None = None
    acl: Sequence[tuple[str, str]] = field(default_factory=tuple)


@dataclass(frozen=True)
class UploadOutcome:
    document_id: int
    version_id: int
    version: int
    state: str
    duplicate: bool = False


def title_from_filename(filename: str) -> str:
    stem = PurePath(filename).stem
    return " ".join(stem.replace("_", " ").split()) or filename


def validated_meta(meta: DocumentMeta) -> DocumentMeta:
    try:
        category = Category(meta.category or "")
    except ValueError as exc:
        allowed = ", ".join(c.value for c in Category)
        raise InvalidInput(f"unknown category {meta.category!r}; use one of {allowed}") from exc
    if meta.subtype and SUBTYPES[category] and meta.subtype not in SUBTYPES[category]:
        raise InvalidInput(f"subtype {meta.subtype!r} does not belong to {category.value}; "
                           f"use one of {', '.join(SUBTYPES[category])}")
    try:
        Visibility(meta.visibility)
    except ValueError as exc:
        raise InvalidInput("visibility must be private, team, org or custom") from exc
    return meta


def _customer_id(session: Session, name: str | None) -> int | None:
    """The customer named ``name`` (any letter case), created as a prospect if new."""
    name = (name or "").strip()
    if not name:
        return None
    # SQL lower() folds only ASCII in SQLite: try the exact name first, then case-folded.
    customer = session.scalar(select(Customer).where(Customer.name == name)) or \
        session.scalar(select(Customer).where(func.lower(Customer.name) == name.lower()))
    if customer is None:
        customer = Customer(name=name)
        session.add(customer)
        session.flush()
    return customer.id


def apply_meta(session: Session, document: Document, meta: DocumentMeta) -> None:
    document.category = meta.category or Category.OTHER.value
    document.subtype = meta.subtype or None
    document.product = meta.product or None
    document.customer_id = _customer_id(session, meta.customer)
    document.visibility = meta.visibility
    document.status = meta.status
    document.expires_on = meta.expires_on
    document.review_by = meta.review_by
    tags = sorted({tag.strip().lower() for tag in meta.tags if tag.strip()})
    document.tags = [DocumentTag(tag=tag) for tag in tags]
    document.acl = [AclEntry(principal=who, permission=perm) for who, perm in meta.acl]


def _readable_duplicate(session: Session, principal: Principal, key: str) -> Version | None:
    for version in session.scalars(select(Version).where(Version.blob_key == key)):
        if can_read(principal, version.document):
            return version
    return None


def _outcome(version: Version, duplicate: bool = False) -> UploadOutcome:
    return UploadOutcome(document_id=version.document_id, version_id=version.id,
                         version=version.number, state=version.state, duplicate=duplicate)


def _enqueue_after_commit(ctx: Context, uow: UnitOfWork, version: Version) -> None:
    version.state = IngestState.QUEUED.value
    version_id = version.id

    def enqueue() -> None:
        try:
            ctx.queue.enqueue(INGEST_JOB, version_id)
        except QueueUnavailable as exc:
            # The version is stored and marked queued: a worker picks it up when it starts.
            log.warning("version %s stays queued: %s", version_id, exc.message)

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
    meta = validated_meta(replace(meta, category=category, subtype=subtype))
    with _stored(ctx, stream) as blob, ctx.uow() as uow:
        existing = _readable_duplicate(uow.session, principal, blob.key)
        if existing is not None:
            return _outcome(existing, duplicate=True)
        team_id = meta.team_id
        if team_id is None and principal.team_ids:
            team_id = min(principal.team_ids)
        document = Document(title=(meta.title or title_from_filename(filename)).strip(),
                            owner_id=principal.user_id, team_id=team_id)
        apply_meta(uow.session, document, meta)
        document.category_suggested = suggested
        uow.session.add(document)
        uow.session.flush()
        version = _new_version(uow.session, principal, document, blob, filename, None)
        audit.record(uow.session, principal, "upload", document_id=document.id,
                     version_id=version.id, detail=version.filename)
        _enqueue_after_commit(ctx, uow, version)
        uow.commit()
        return _outcome(version)


def add_version(ctx: Context, principal: Principal, document_id: int, stream: IO[bytes],
                filename: str, note: str | None = None) -> UploadOutcome:
    require_uploader(principal)
    with _stored(ctx, stream) as blob, ctx.uow() as uow:
        document = require_write(principal, uow.session.get(Document, document_id),
                                 document_id)
        latest = uow.session.get(Version, document.latest_version_id or -1)
        if latest is not None and latest.blob_key == blob.key:
            return _outcome(latest, duplicate=True)
        version = _new_version(uow.session, principal, document, blob, filename, note)
        audit.record(uow.session, principal, "new_version", document_id=document.id,
                     version_id=version.id, detail=note)
        _enqueue_after_commit(ctx, uow, version)
        uow.commit()
        return _outcome(version)


def get_document(session: Session, principal: Principal, document_id: int) -> Document:
    return require_read(principal, session.get(Document, document_id), document_id)


def get_version(session: Session, principal: Principal, version_id: int) -> Version:
    version = session.get(Version, version_id)
    if version is None or not can_read(principal, version.document):
        raise VersionNotFound(version_id)
    return version


def latest_version(session: Session, principal: Principal, document_id: int) -> Version:
    document = get_document(session, principal, document_id)
    version = session.get(Version, document.latest_version_id or -1)
    if version is None:
        raise DocumentNotFound(document_id)
    return version


def find_latest(session: Session, principal: Principal, *, product: str | None = None,
                category: str | None = None, subtype: str | None = None) -> Version:
    """The newest version among readable documents of a product (and category)."""
    query = select(Version).join(Document, Document.latest_version_id == Version.id)
    if product:
        query = query.where(func.lower(Document.product) == product.lower())
    if category:
        query = query.where(Document.category == category)
    if subtype:
        query = query.where(Document.subtype == subtype)
    query = query.order_by(Version.uploaded_at.desc(), Version.id.desc())
    for version in session.scalars(query):
        if can_read(principal, version.document):
            return version
    raise InvalidInput("no readable document matches that product and category")


def open_version(ctx: Context, principal: Principal, version_id: int,
                 action: str = "download") -> tuple[Version, Iterator[bytes]]:
    """The version's metadata and its bytes, streamed; the download is audited."""
    with ctx.uow() as uow:
        version = get_version(uow.session, principal, version_id)
        audit.record(uow.session, principal, action, document_id=version.document_id,
                     version_id=version.id)
        uow.commit()
    return version, ctx.blobs.open(version.blob_key)
