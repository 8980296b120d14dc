"""Logging in, with failed attempts limited per account and per address.

Failures are audit events, so the limit holds across every web process.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from docservice.db.models import AuditEvent, utcnow
from docservice.db.repositories import record_event
from docservice.domain import Principal, Role
from docservice.errors import N_, AuthenticationFailed
from docservice.services import accounts
from docservice.services.context import Context

WINDOW = timedelta(minutes=15)
MAX_FAILURES_PER_ACCOUNT = 5
MAX_FAILURES_PER_ADDRESS = 20
FAILED = "login_failed"


class TooManyAttempts(AuthenticationFailed):
    code = "rate_limited"
    http_status = 429


def _recent_failures(ctx: Context, email: str, address: str) -> tuple[int, int]:
    since = utcnow() - WINDOW
    failed = select(func.count()).select_from(AuditEvent).where(
        AuditEvent.action == FAILED, AuditEvent.at >= since)
    with ctx.uow() as uow:
        per_account = uow.session.scalar(failed.where(AuditEvent.actor == email)) or 0
        per_address = uow.session.scalar(failed.where(AuditEvent.detail == address)) or 0
    return per_account, per_address


def log_in(ctx: Context, email: str, password: str, address: str) -> Principal:
    """The principal for these credentials. Raises AuthenticationFailed or TooManyAttempts."""
    principal = check_credentials(ctx, email, password, address)
    with ctx.uow() as uow:
        record_event(uow.session, principal, "login", detail=address)
        uow.commit()
    return principal


def check_credentials(ctx: Context, email: str, password: str, address: str) -> Principal:
    """Like signing in, without the sign-in event: failures count toward the same limits."""
    email = email.strip().lower()
    per_account, per_address = _recent_failures(ctx, email, address)
    if per_account >= MAX_FAILURES_PER_ACCOUNT or per_address >= MAX_FAILURES_PER_ADDRESS:
        raise TooManyAttempts(N_("too many failed logins; wait 15 minutes and try again"))
    try:
        principal = accounts.authenticate(ctx, email, password)
    except AuthenticationFailed:
        stranger = Principal(user_id=None, email=email[:254], role=Role.VIEWER)
        with ctx.uow() as uow:
            record_event(uow.session, stranger, FAILED, detail=address)
            uow.commit()
        raise
    return principal
