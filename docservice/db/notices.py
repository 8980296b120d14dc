"""Follows and notifications in the caller's unit of work: who follows what a new version
touches, adding a notification once per event, and the views of both. What a notification
names is read through the SQL read rule of the person it is for."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import ColumnElement, and_, exists, func, or_, select
from sqlalchemy.orm import Session

from docservice.db.access import readable
from docservice.db.models import (
    Customer,
    Document,
    EmailPreference,
    Follow,
    Notification,
    SavedSearch,
    User,
    Version,
    WebhookDelivery,
    WebhookEndpoint,
)
from docservice.db.repositories import principal_of
from docservice.db.uow import UnitOfWork
from docservice.domain import Principal
from docservice.views import FollowView, NotificationView

NOTIFY_SEARCH = "notify.search"
"""Outbox kind: a new document was indexed; tell the followers of saved searches it
matches (services/notifications.py)."""
DELIVER_WEBHOOK = "webhook.deliver"
"""Outbox kind: post one delivery to its team webhook (services/webhooks.py)."""
PENDING = "pending"
DEFAULT_EMAIL_MODE = "daily"
NEW_VERSION = "new_version"
NEW_DOCUMENT = "new_document"
REVIEW_DUE = "review_due"
EXPIRING = "expiring"


@dataclass(frozen=True)
class Recipient:
    principal: Principal
    via_kind: str
    via: str


def active_user(session: Session, user_id: int) -> User | None:
    user = session.get(User, user_id)
    return user if user is not None and user.active else None


def may_read(session: Session, principal: Principal, document_id: int) -> bool:
    return session.scalar(select(Document.id).where(Document.id == document_id,
                                                    readable(principal))) is not None


def followers(session: Session, document: Document, version: Version) -> list[Recipient]:
    """People told about ``version``: a document's followers for a later version; for a new
    document, the followers of its customer and of its product. The uploader is not told,
    nor anyone who may not read the document now."""
    if version.number > 1:
        wanted: ColumnElement[bool] = and_(Follow.kind == "document",
                                           Follow.document_id == document.id)
    else:
        rules = []
        if document.customer_id is not None:
            rules.append(and_(Follow.kind == "customer",
                              Follow.customer_id == document.customer_id))
        if document.product:
            rules.append(and_(Follow.kind == "product",
                              func.lower(Follow.product) == document.product.lower()))
        if not rules:
            return []
        wanted = or_(*rules)
    follows = session.scalars(select(Follow).where(wanted).order_by(Follow.id)).all()
    customer = document.customer.name if document.customer else ""
    labels = {"document": document.title, "customer": customer, "product": document.product}
    return readers(session, [(follow.user_id, follow.kind, labels[follow.kind] or "")
                             for follow in follows], document.id, version.uploader_id)


def readers(session: Session, wanted: Sequence[tuple[int, str, str]], document_id: int,
            skip_user: int | None = None) -> list[Recipient]:
    """Each (user, via kind, via) once per user, for active users who may read the
    document now (except ``skip_user``)."""
    found: dict[int, Recipient] = {}
    for user_id, via_kind, via in wanted:
        if user_id in found or user_id == skip_user:
            continue
        user = active_user(session, user_id)
        if user is None:
            continue
        principal = principal_of(user)
        if may_read(session, principal, document_id):
            found[user_id] = Recipient(principal, via_kind, via)
    return list(found.values())


def add_notification(session: Session, user_id: int, key: str, kind: str, document_id: int,
                     version_id: int | None = None, reason: str | None = None) -> int | None:
    """A notification, unless this person has one with ``key`` already; its id if new."""
    if session.scalar(select(Notification.id).where(Notification.user_id == user_id,
                                                    Notification.key == key)) is not None:
        return None
    notification = Notification(user_id=user_id, key=key, kind=kind, document_id=document_id,
                                version_id=version_id, reason=reason)
    session.add(notification)
    session.flush()
    return notification.id


def email_mode(session: Session, user_id: int) -> str:
    return session.scalar(select(EmailPreference.mode)
                          .where(EmailPreference.user_id == user_id)) or DEFAULT_EMAIL_MODE


def readable_notifications(principal: Principal) -> ColumnElement[bool]:
    """The caller's own notifications about documents they may read now."""
    return and_(Notification.user_id == (principal.user_id or -1), readable(principal))


def notification_view(notification: Notification, title: str) -> NotificationView:
    via_kind, _, via = (notification.reason or "").partition(":")
    due = via if notification.kind in (REVIEW_DUE, EXPIRING) else None
    return NotificationView(
        notification_id=notification.id, kind=notification.kind,
        document_id=notification.document_id, version_id=notification.version_id,
        title=title, via_kind=None if due is not None else via_kind or None,
        via=None if due is not None else via or None, due=due,
        created_at=notification.created_at.isoformat(), read=notification.read_at is not None)


def notifications_of(session: Session, principal: Principal, *, unread_only: bool = False,
                     limit: int = 50, offset: int = 0) -> list[NotificationView]:
    query = (select(Notification, Document.title)
             .join(Document, Document.id == Notification.document_id)
             .where(readable_notifications(principal)))
    if unread_only:
        query = query.where(Notification.read_at.is_(None))
    rows = session.execute(query.order_by(Notification.id.desc()).limit(limit)
                           .offset(offset)).all()
    return [notification_view(row[0], row[1]) for row in rows]


def count_notifications(session: Session, principal: Principal, unread_only: bool) -> int:
    query = (select(func.count()).select_from(Notification)
             .join(Document, Document.id == Notification.document_id)
             .where(readable_notifications(principal)))
    if unread_only:
        query = query.where(Notification.read_at.is_(None))
    return session.scalar(query) or 0


def follow_views(session: Session, principal: Principal) -> list[FollowView]:
    """What the caller follows; a followed document they may no longer read is left out."""
    user_id = principal.user_id or -1
    follows = session.scalars(select(Follow).where(Follow.user_id == user_id)
                              .order_by(Follow.id)).all()
    titles = dict(session.execute(select(Document.id, Document.title).where(
        Document.id.in_([f.document_id for f in follows if f.document_id]),
        readable(principal))).all())
    customers = dict(session.execute(select(Customer.id, Customer.name).where(
        Customer.id.in_([f.customer_id for f in follows if f.customer_id]))).all())
    searches = dict(session.execute(select(SavedSearch.id, SavedSearch.name).where(
        SavedSearch.user_id == user_id)).all())
    views = []
    for follow in follows:
        target, label = _target(follow, titles, customers, searches)
        if label is None:
            continue
        views.append(FollowView(follow_id=follow.id, kind=follow.kind, target_id=target,
                                label=label, created_at=follow.created_at.isoformat()))
    return views


def _target(follow: Follow, titles: dict[int, str], customers: dict[int, str],
            searches: dict[int, str]) -> tuple[int | None, str | None]:
    if follow.kind == "document":
        return follow.document_id, titles.get(follow.document_id or -1)
    if follow.kind == "customer":
        return follow.customer_id, customers.get(follow.customer_id or -1)
    if follow.kind == "search":
        return follow.saved_search_id, searches.get(follow.saved_search_id or -1)
    return None, follow.product


def follow_condition(user_id: int, kind: str, target_id: int | None,
                     product: str | None) -> ColumnElement[bool]:
    """The follow row of this person for this thing."""
    columns = {"document": Follow.document_id, "customer": Follow.customer_id,
               "search": Follow.saved_search_id}
    rule = (func.lower(Follow.product) == (product or "").lower() if kind == "product"
            else columns[kind] == target_id)
    return and_(Follow.user_id == user_id, Follow.kind == kind, rule)


def owe_search_matches(uow: UnitOfWork, version_ids: list[int]) -> None:
    """Called as versions are indexed: owe NOTIFY_SEARCH for each new document, when
    anyone follows a saved search at all."""
    session = uow.session
    if not version_ids or not session.scalar(select(exists().where(Follow.kind == "search"))):
        return
    for version_id in session.scalars(select(Version.id).where(
            Version.id.in_(version_ids), Version.number == 1)):
        uow.owe(NOTIFY_SEARCH, version_id=version_id)


def owe_deliveries(uow: UnitOfWork, document: Document, version: Version, event: str) -> None:
    """A delivery to each active webhook of the document's team (once per version)."""
    if document.team_id is None:
        return
    session = uow.session
    key = f"version:{version.id}"
    for endpoint in session.scalars(select(WebhookEndpoint).where(
            WebhookEndpoint.team_id == document.team_id, WebhookEndpoint.active)):
        if session.scalar(select(WebhookDelivery.id).where(
                WebhookDelivery.endpoint_id == endpoint.id, WebhookDelivery.key == key)):
            continue
        delivery = WebhookDelivery(endpoint_id=endpoint.id, key=key, event=event,
                                   document_id=document.id, version_id=version.id,
                                   state=PENDING, attempts=0)
        session.add(delivery)
        session.flush()
        uow.owe(DELIVER_WEBHOOK, delivery_id=delivery.id)
