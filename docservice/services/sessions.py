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
    """Sign out: the session is revoked (expired revocations are cleared) and audited."""
    with ctx.uow() as uow:
        uow.session.execute(delete(RevokedSession).where(RevokedSession.expires_at < utcnow()))
        if session_id:
            uow.session.merge(RevokedSession(session_hash=token_hash(session_id),
                                             expires_at=utcnow() + LIFETIME))
        record_event(uow.session, principal, "logout")
        uow.commit()


def is_revoked(ctx: Context, session_id: str) -> bool:
    with ctx.uow() as uow:
        return uow.session.scalar(select(RevokedSession.session_hash).where(
            RevokedSession.session_hash == token_hash(session_id))) is not None
