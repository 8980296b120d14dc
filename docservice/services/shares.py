"""Share links: an expiring, revocable link to one version or always the latest.

Opening a link needs no account and reveals only the shared document.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from docservice.db.access import writable_document
from docservice.db.models import Document, ShareLink, Version, utcnow
from docservice.db.repositories import (
    aware,
    document_view,
    record_event,
    share_is_active,
    share_view,
    version_view,
)
from docservice.db.usage import add_event as add_usage
from docservice.domain import Principal, Role
from docservice.errors import N_, AuthenticationFailed, InvalidInput, NotFound, Unprocessable
from docservice.services.accounts import hash_secret, verify_secret
from docservice.services.context import Context
from docservice.services.throttle import Limit, TooManyAttempts, seconds_to_wait
from docservice.services.tokens import new_secret, token_hash
from docservice.views import DocumentView, ShareView, VersionView

MAX_DAYS = 365
SHARE_PREFIX = "sh_"
MIN_PASSWORD = 8
WRONG_PASSWORD = "share_password_failed"
FREE_TRIES_PER_ADDRESS = 5  # wrong passwords for one link from one address before waits
FREE_TRIES_PER_LINK = 20


class ShareNotFound(NotFound):
    def __init__(self) -> None:
        super().__init__(N_("this share link does not exist, has expired or was revoked"))


class SharePasswordRequired(AuthenticationFailed):
    code = "share_password"

    def __init__(self, wrong: bool) -> None:
        super().__init__(N_("wrong password for this share link") if wrong
                         else "this share link is protected by a password")
        self.wrong = wrong


@dataclass(frozen=True)
class CreatedShare:
    share_id: int
    token: str
    expires_at: datetime


@dataclass(frozen=True)
class SharedItem:
    share_id: int
    document: DocumentView
    version: VersionView
    pinned: bool
    expires_at: datetime | None


def create_share(ctx: Context, principal: Principal, document_id: int, *,
                 version_id: int | None = None, expires_in_days: int = 7,
                 password: str | None = None) -> CreatedShare:
    """A new link; ``version_id`` pins one version, None follows the latest."""
    if not 1 <= expires_in_days <= MAX_DAYS:
        raise InvalidInput(N_("a share link expires after 1 to %(days)s days"), days=MAX_DAYS)
    if password is not None and len(password) < MIN_PASSWORD:
        raise InvalidInput(N_("a share link password needs at least %(count)s characters"),
                           count=MIN_PASSWORD)
    raw = new_secret(SHARE_PREFIX)
    with ctx.uow() as uow:
        writable_document(uow.session, principal, document_id)
        if version_id is not None:
            version = uow.session.get(Version, version_id)
            if version is None or version.document_id != document_id:
                raise Unprocessable(N_("version %(id)s is not a version of this document"),
                                    id=version_id)
        share = ShareLink(token_hash=token_hash(raw), document_id=document_id,
                          version_id=version_id, created_by=principal.user_id,
                          expires_at=utcnow() + timedelta(days=expires_in_days),
                          password_hash=hash_secret(password) if password else None)
        uow.session.add(share)
        uow.session.flush()
        record_event(uow.session, principal, "share_create", document_id=document_id,
                     version_id=version_id, detail=f"share {share.id}")
        created = CreatedShare(share.id, raw, share.expires_at or utcnow())
        uow.commit()
    return created


def list_shares(ctx: Context, principal: Principal, document_id: int) -> list[ShareView]:
    with ctx.uow() as uow:
        writable_document(uow.session, principal, document_id)
        shares = uow.session.scalars(select(ShareLink).where(ShareLink.document_id == document_id)
                                     .order_by(ShareLink.id.desc()))
        return [share_view(share) for share in shares]


def revoke_share(ctx: Context, principal: Principal, share_id: int) -> int:
    """Revoke a link; returns its document id."""
    with ctx.uow() as uow:
        share = uow.session.get(ShareLink, share_id)
        if share is None:
            raise NotFound(N_("share link %(id)s not found"), id=share_id)
        writable_document(uow.session, principal, share.document_id)
        share.revoked_at = share.revoked_at or utcnow()
        record_event(uow.session, principal, "share_revoke", document_id=share.document_id,
                     detail=f"share {share.id}")
        uow.commit()
        return share.document_id


def _visitor(share: ShareLink) -> Principal:
    return Principal(user_id=None, email=f"share-link:{share.id}", role=Role.VIEWER)


def _unlocked_share(ctx: Context, session: Session, token: str, password: str | None,
                    unlocked: bool, address: str) -> ShareLink:
    share = session.scalar(select(ShareLink).where(ShareLink.token_hash == token_hash(token)))
    if share is None or not share_is_active(share):
        raise ShareNotFound()
    if share.password_hash and not unlocked:
        if not password:
            raise SharePasswordRequired(wrong=False)
        _check_tries(ctx, share, address)
        if not verify_secret(share.password_hash, password):
            _record_wrong_password(ctx, share, address)
            raise SharePasswordRequired(wrong=True)
    return share


def _check_tries(ctx: Context, share: ShareLink, address: str) -> None:
    """Wrong passwords slow the next try, from that address and for the link as a whole."""
    wait = seconds_to_wait(ctx, WRONG_PASSWORD, [
        Limit(FREE_TRIES_PER_ADDRESS, detail=_tried_from(share, address)),
        Limit(FREE_TRIES_PER_LINK, detail_prefix=f"share {share.id} from ")])
    if wait:
        raise TooManyAttempts(N_("too many wrong passwords for this link; wait a while and "
                                 "try again"), wait)


def _tried_from(share: ShareLink, address: str) -> str:
    return f"share {share.id} from {address}"


def _record_wrong_password(ctx: Context, share: ShareLink, address: str) -> None:
    with ctx.uow() as uow:  # its own transaction: the caller's ends with the error
        record_event(uow.session, _visitor(share), WRONG_PASSWORD,
                     document_id=share.document_id, detail=_tried_from(share, address))
        uow.commit()


def _shared_version(session: Session, share: ShareLink) -> Version:
    document = session.get(Document, share.document_id)
    if document is None or document.deleted_at is not None:  # in the trash: no link opens
        raise ShareNotFound()
    version_id = share.version_id or document.latest_version_id
    version = session.get(Version, version_id or -1)
    if version is None:
        raise ShareNotFound()
    return version


def open_share(ctx: Context, token: str, *, password: str | None = None,
               unlocked: bool = False, address: str = "unknown") -> SharedItem:
    """What a link shows; ``unlocked`` says the visitor gave the password earlier. Raises
    SharePasswordRequired, or TooManyAttempts after wrong passwords from ``address``."""
    with ctx.uow() as uow:
        share = _unlocked_share(ctx, uow.session, token, password, unlocked, address)
        version = _shared_version(uow.session, share)
        item = SharedItem(share.id, document_view(version.document), version_view(version),
                          share.version_id is not None, aware(share.expires_at))
        add_usage(uow.session, _visitor(share), "share", document_id=share.document_id)
        record_event(uow.session, _visitor(share), "share_open", document_id=share.document_id,
                     version_id=version.id, detail=f"share {share.id}")
        uow.commit()
    return item


def download_share(ctx: Context, token: str, *, password: str | None = None,
                   unlocked: bool = False, address: str = "unknown"
                   ) -> tuple[VersionView, Iterator[bytes]]:
    """The shared version's metadata and bytes; the download is audited."""
    with ctx.uow() as uow:
        share = _unlocked_share(ctx, uow.session, token, password, unlocked, address)
        version = _shared_version(uow.session, share)
        view, blob_key = version_view(version), version.blob_key
        record_event(uow.session, _visitor(share), "share_download",
                     document_id=share.document_id, version_id=version.id,
                     detail=f"share {share.id}")
        uow.commit()
    return view, ctx.blobs.open(blob_key)
