"""Reading the audit log: admins see every event, owners the events of their documents."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import Select, select

from docservice.db.models import AuditEvent, Document, utcnow
from docservice.db.repositories import event_view
from docservice.domain import Principal
from docservice.errors import N_, InvalidInput
from docservice.services.context import Context
from docservice.views import EventView

ACTIONS = ("upload", "new_version", "download", "view", "metadata", "permissions",
           "share_create", "share_open", "share_download", "share_revoke",
           "share_password_failed", "delete", "login",
           "login_failed", "logout", "password_change", "password_reset", "token_create",
           "token_revoke", "team_create", "user_create", "user_update", "customer_create",
           "customer_update", "text", "retry", "save_search", "delete_saved_search", "follow",
           "unfollow", "notification_read", "notifications_read", "email_preference",
           "webhook_create", "webhook_delete", "export", "restore", "query_history_export",
           "query_history_delete", "team_lead", "team_lead_end", "still_current", "trash",
           "trash_restore", "purge", "restore_version", "contract_expired", "integrity_repair")
MAX_LIMIT = 500


@dataclass(frozen=True)
class AuditFilter:
    actor: str | None = None
    document_id: int | None = None
    action: str | None = None
    since: date | None = None
    until: date | None = None
    limit: int = 100
    offset: int = 0


def _start_of(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=utcnow().tzinfo)


def _filtered(query: Select[Any], wanted: AuditFilter) -> Select[Any]:
    if wanted.actor:
        query = query.where(AuditEvent.actor.contains(wanted.actor.strip().lower()))
    if wanted.document_id is not None:
        query = query.where(AuditEvent.document_id == wanted.document_id)
    if wanted.action:
        if wanted.action not in ACTIONS:
            raise InvalidInput(N_("unknown action %(action)s; use one of %(allowed)s"),
                               action=wanted.action, allowed=", ".join(ACTIONS))
        query = query.where(AuditEvent.action == wanted.action)
    if wanted.since:
        query = query.where(AuditEvent.at >= _start_of(wanted.since))
    if wanted.until:
        query = query.where(AuditEvent.at < _start_of(wanted.until + timedelta(days=1)))
    return query


def query_events(ctx: Context, principal: Principal, wanted: AuditFilter) -> list[EventView]:
    """Events newest first, limited to what the caller may see."""
    if not 1 <= wanted.limit <= MAX_LIMIT:
        raise InvalidInput(N_("limit must be between 1 and %(max)s"), max=MAX_LIMIT)
    query = _filtered(select(AuditEvent), wanted)
    if not principal.is_admin:
        owned = select(Document.id).where(Document.owner_id == principal.user_id)
        query = query.where(AuditEvent.document_id.in_(owned))
    query = query.order_by(AuditEvent.id.desc()).limit(wanted.limit).offset(wanted.offset)
    with ctx.uow() as uow:
        events: list[AuditEvent] = list(uow.session.scalars(query))
        return [event_view(event) for event in events]
