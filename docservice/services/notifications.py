"""Notifications: made by outbox handlers (a new version, a new document matching what a
person follows) and by daily jobs (reviews due, contracts expiring), kept in each person's
inbox and handed on to e-mail (services/mail.py) and team webhooks (services/webhooks.py).

A notification is made only for someone who may read its document then, and shown or sent
only while they still may: the inbox joins the SQL read rule, e-mail and webhooks check it
again when they deliver."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import replace
from datetime import date, timedelta

from sqlalchemy import select, update

from docservice.db.models import (
    Document,
    EmailPreference,
    Follow,
    Notification,
    SavedSearch,
    Version,
    utcnow,
)
from docservice.db.notices import (
    EXPIRING,
    NEW_DOCUMENT,
    NEW_VERSION,
    REVIEW_DUE,
    add_notification,
    count_notifications,
    email_mode,
    followers,
    notifications_of,
    owe_deliveries,
    readable_notifications,
    readers,
)
from docservice.db.repositories import record_event
from docservice.db.uow import UnitOfWork
from docservice.domain import Principal
from docservice.errors import N_, InvalidInput, NotFound, PermissionDenied
from docservice.inputs import EmailChoice
from docservice.search.query import parse_query
from docservice.services.context import Context
from docservice.views import Inbox

log = logging.getLogger(__name__)

NOTIFY_VERSION = "notify.version"
"""A version was uploaded: tell the followers of its document (a later version) or of its
customer and product (a new document), and the team's webhooks."""
EMAIL_NOTIFICATION = "email.notification"
"""Send one notification by e-mail now (people who chose immediate e-mail)."""
REVIEW_NOTICE_DAYS = 7
EXPIRY_NOTICE_DAYS = 30
PAGE_SIZE = 50


def _tell(uow: UnitOfWork, user_id: int, key: str, kind: str, document_id: int,
          version_id: int | None, reason: str) -> bool:
    """One notification (once per ``key``), e-mailed at once to who chose so."""
    notification_id = add_notification(uow.session, user_id, key, kind, document_id,
                                       version_id, reason)
    if notification_id is None:
        return False
    if email_mode(uow.session, user_id) == "immediate":
        uow.owe(EMAIL_NOTIFICATION, notification_id=notification_id)
    return True


def on_new_version(ctx: Context, payload: Mapping[str, int]) -> None:
    """The NOTIFY_VERSION handler."""
    with ctx.uow() as uow:
        version = uow.session.get(Version, payload["version_id"])
        if version is None:
            return
        document = version.document
        kind = NEW_VERSION if version.number > 1 else NEW_DOCUMENT
        for recipient in followers(uow.session, document, version):
            _tell(uow, recipient.principal.user_id or 0, f"version:{version.id}", kind,
                  document.id, version.id, f"{recipient.via_kind}:{recipient.via}")
        owe_deliveries(uow, document, version, kind)
        uow.commit()


def on_indexed(ctx: Context, payload: Mapping[str, int]) -> None:
    """The NOTIFY_SEARCH handler: each followed saved search is run against the new
    document alone, as its follower (their read rights trim it like any search)."""
    with ctx.uow() as uow:
        version = uow.session.get(Version, payload["version_id"])
        if version is None:
            return
        rows = uow.session.execute(
            select(Follow.user_id, SavedSearch.name, SavedSearch.query)
            .join(SavedSearch, SavedSearch.id == Follow.saved_search_id)
            .where(Follow.kind == "search").order_by(Follow.id)).all()
        for row in rows:
            found = readers(uow.session, [(row.user_id, "search", row.name)],
                            version.document_id, version.uploader_id)
            if found and _matches(ctx, found[0].principal, row.query, version.document_id):
                _tell(uow, row.user_id, f"version:{version.id}", NEW_DOCUMENT,
                      version.document_id, version.id, f"search:{row.name}")
        uow.commit()


def _matches(ctx: Context, principal: Principal, raw: str, document_id: int) -> bool:
    try:
        query = parse_query(raw, limit=1)
    except InvalidInput:  # saved before a change of the query rules: it matches nothing
        return False
    query = replace(query, only_documents=frozenset({document_id}))
    return ctx.index.search(query, principal.acl_tokens()).total > 0


def remind(ctx: Context, today: date | None = None) -> str:
    """The daily job: tell owners of documents due for review within REVIEW_NOTICE_DAYS
    (or overdue) and of contracts expiring within EXPIRY_NOTICE_DAYS, once per date."""
    today = today or date.today()
    review_by = today + timedelta(days=REVIEW_NOTICE_DAYS)
    expiring_by = today + timedelta(days=EXPIRY_NOTICE_DAYS)
    told = {REVIEW_DUE: 0, EXPIRING: 0}
    with ctx.uow() as uow:
        due = uow.session.execute(select(Document.id, Document.owner_id, Document.review_by)
                                  .where(Document.review_by <= review_by,
                                         Document.owner_id.is_not(None))).all()
        expiring = uow.session.execute(
            select(Document.id, Document.owner_id, Document.expires_on)
            .where(Document.category == "contract", Document.expires_on >= today,
                   Document.expires_on <= expiring_by, Document.owner_id.is_not(None))).all()
        for kind, rows in ((REVIEW_DUE, due), (EXPIRING, expiring)):
            for document_id, owner, day in rows:
                owner_id = owner or 0  # the query leaves out documents without an owner
                if readers(uow.session, [(owner_id, kind, "")], document_id) and _tell(
                        uow, owner_id, f"{kind}:{document_id}:{day}", kind, document_id, None,
                        f"{kind}:{day}"):
                    told[kind] += 1
        uow.commit()
    return f"{told[REVIEW_DUE]} review reminders, {told[EXPIRING]} expiry reminders"


def _person(principal: Principal) -> int:
    if principal.user_id is None:
        raise PermissionDenied(N_("only a person with an account has an inbox"))
    return principal.user_id


def inbox(ctx: Context, principal: Principal, *, unread_only: bool = False,
          limit: int = PAGE_SIZE, offset: int = 0) -> Inbox:
    """The caller's notifications, newest first, about documents they may read now."""
    _person(principal)
    with ctx.uow() as uow:
        session = uow.session
        return Inbox(notifications=notifications_of(session, principal,
                                                    unread_only=unread_only, limit=limit,
                                                    offset=offset),
                     unread=count_notifications(session, principal, True),
                     total=count_notifications(session, principal, unread_only))


def unread_count(ctx: Context, principal: Principal) -> int:
    if principal.user_id is None:
        return 0
    with ctx.uow() as uow:
        return count_notifications(uow.session, principal, True)


def mark_read(ctx: Context, principal: Principal, notification_id: int) -> None:
    """Mark one of the caller's notifications read (NotFound for anyone else's)."""
    _person(principal)
    with ctx.uow() as uow:
        found = uow.session.scalar(select(Notification).join(
            Document, Document.id == Notification.document_id).where(
            Notification.id == notification_id, readable_notifications(principal)))
        if found is None:
            raise NotFound(N_("notification %(id)s not found"), id=notification_id)
        if found.read_at is None:
            found.read_at = utcnow()
            record_event(uow.session, principal, "notification_read",
                         document_id=found.document_id, detail=str(notification_id))
        uow.commit()


def mark_all_read(ctx: Context, principal: Principal) -> int:
    """Mark every unread notification of the caller read; how many there were."""
    user_id = _person(principal)
    with ctx.uow() as uow:
        unread = list(uow.session.scalars(select(Notification.id).where(
            Notification.user_id == user_id, Notification.read_at.is_(None))))
        if unread:
            uow.session.execute(update(Notification).where(Notification.id.in_(unread))
                                .values(read_at=utcnow()))
        changed = len(unread)
        if changed:
            record_event(uow.session, principal, "notifications_read", detail=str(changed))
        uow.commit()
    return changed


def get_email_mode(ctx: Context, principal: Principal) -> str:
    with ctx.uow() as uow:
        return email_mode(uow.session, _person(principal))


def set_email_mode(ctx: Context, principal: Principal, choice: EmailChoice) -> None:
    """How the caller wants notifications e-mailed: immediate, daily (a digest) or off."""
    user_id = _person(principal)
    with ctx.uow() as uow:
        preference = uow.session.get(EmailPreference, user_id)
        if preference is None:
            preference = EmailPreference(user_id=user_id)
            uow.session.add(preference)
        preference.mode = choice.mode
        record_event(uow.session, principal, "email_preference", detail=choice.mode)
        uow.commit()
