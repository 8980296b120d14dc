"""Logging in, with failed attempts slowed per account and address and per address.

An attacker guessing from one address slows only that account from that address (the real
user, elsewhere, signs in as usual) and, past a higher count, that address. Behind a reverse
proxy the client's address comes from its X-Forwarded-For (DOCSERVICE_TRUSTED_PROXIES).
"""

from __future__ import annotations

from docservice.db.repositories import record_event
from docservice.domain import Principal, Role
from docservice.errors import N_, AuthenticationFailed
from docservice.services import accounts
from docservice.services.context import Context
from docservice.services.throttle import Limit, TooManyAttempts, seconds_to_wait

MAX_FAILURES_PER_ACCOUNT = 5  # from one address, before each further try waits
MAX_FAILURES_PER_ADDRESS = 20
FAILED = "login_failed"

__all__ = ["TooManyAttempts", "check_credentials", "log_in"]


def log_in(ctx: Context, email: str, password: str, address: str) -> Principal:
    """The principal for these credentials. Raises AuthenticationFailed or TooManyAttempts."""
    principal = check_credentials(ctx, email, password, address)
    with ctx.uow() as uow:
        record_event(uow.session, principal, "login", detail=address)
        uow.commit()
    return principal


def check_credentials(ctx: Context, email: str, password: str, address: str) -> Principal:
    """Like signing in, without the sign-in event: failures count toward the same limits."""
    email = email.strip().lower()[:254]
    wait = seconds_to_wait(ctx, FAILED, [
        Limit(MAX_FAILURES_PER_ACCOUNT, actor=email, detail=address),
        Limit(MAX_FAILURES_PER_ADDRESS, detail=address)])
    if wait:
        raise TooManyAttempts(N_("too many failed logins; wait a while and try again"), wait)
    try:
        principal = accounts.authenticate(ctx, email, password)
    except AuthenticationFailed:
        stranger = Principal(user_id=None, email=email, role=Role.VIEWER)
        with ctx.uow() as uow:
            record_event(uow.session, stranger, FAILED, detail=address)
            uow.commit()
        raise
    return principal
