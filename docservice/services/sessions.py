"""Browser sessions: each sign-in gets a random id; signing out revokes that id on the server,
so a copy of the cookie taken before stops working too. A session lasts ``LIFETIME`` from
signing in, however busy it is; a revocation is kept as long as the session could have lived.
"""

from __future__ import annotations

import secrets
from datetime import timedelta

from sqlalchemy import delete, select

from docservice.db.models import RevokedSession, utcnow
from docservice.db.repositories import record_event
from docservice.domain import Principal
from docservice.services.context import Context
from docservice.services.tokens import token_hash

LIFETIME = timedelta(hours=12)


def new_session_id() -> str:
    return secrets.token_urlsafe(24)


def end_session(ctx: Context, principal: Principal, session_id: str | None) -> None:
    """Sign out: the session is revoked and audited (the scheduler forgets expired
    revocations)."""
    with ctx.uow() as uow:
        if session_id:
            uow.session.merge(RevokedSession(session_hash=token_hash(session_id),
                                             expires_at=utcnow() + LIFETIME))
        record_event(uow.session, principal, "logout")
        uow.commit()


def is_revoked(ctx: Context, session_id: str) -> bool:
    with ctx.uow() as uow:
        return uow.session.scalar(select(RevokedSession.session_hash).where(
            RevokedSession.session_hash == token_hash(session_id))) is not None


def purge_expired_revocations(ctx: Context) -> int:
    """Forget sign-outs whose session would have expired anyway (a scheduled task); how
    many."""
    with ctx.uow() as uow:
        gone = uow.session.execute(delete(RevokedSession)
                                   .where(RevokedSession.expires_at < utcnow()))
        uow.commit()
    return int(gone.rowcount)  # type: ignore[attr-defined]
