"""Personal API tokens: shown once, stored as a hash, sent as ``Authorization: Bearer``.

A token expires after the days chosen at creation (``DEFAULT_DAYS``, at most ``MAX_DAYS``) and
ends when its owner's password changes, unless it was made to be kept. Making and revoking
tokens is audited."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from sqlalchemy import select

from docservice.db.models import ApiToken, User, utcnow
from docservice.db.repositories import (
    aware,
    principal_of,
    record_event,
    token_described,
    token_view,
)
from docservice.domain import Principal
from docservice.errors import N_, AuthenticationFailed, InvalidInput, NotFound
from docservice.services import accounts
from docservice.services.context import Context
from docservice.views import TokenView

TOKEN_PREFIX = "ds_"
DEFAULT_DAYS = 90
MAX_DAYS = 365


def token_hash(raw: str) -> str:
    """A fast hash is enough: tokens are 256 random bits, never guessable passwords."""
    return hashlib.sha256(raw.encode()).hexdigest()


def new_secret(prefix: str) -> str:
    return prefix + secrets.token_urlsafe(32)


def create_token(ctx: Context, principal: Principal, name: str = "", *,
                 expires_in_days: int = DEFAULT_DAYS,
                 keep_after_password_change: bool = False) -> tuple[int, str]:
    """A new token for the caller: its id and the raw token (the only time it is seen)."""
    if principal.user_id is None:
        raise InvalidInput(N_("the local operator has no account to hold a token"))
    if not 1 <= expires_in_days <= MAX_DAYS:
        raise InvalidInput(N_("a token expires after 1 to %(days)s days"), days=MAX_DAYS)
    name = name.strip()[:100] or "API token"
    raw = new_secret(TOKEN_PREFIX)
    with ctx.uow() as uow:
        token = ApiToken(user_id=principal.user_id, token_hash=token_hash(raw), name=name,
                         expires_at=utcnow() + timedelta(days=expires_in_days),
                         keep_after_password_change=keep_after_password_change)
        uow.session.add(token)
        uow.session.flush()
        token_id = token.id
        record_event(uow.session, principal, "token_create", detail=token_described(token))
        uow.commit()
    return token_id, raw


def create_token_for(ctx: Context, email: str, name: str = "", *,
                     expires_in_days: int = DEFAULT_DAYS) -> tuple[int, str]:
    return create_token(ctx, accounts.principal_for(ctx, email), name,
                        expires_in_days=expires_in_days)


def list_tokens(ctx: Context, principal: Principal) -> list[TokenView]:
    with ctx.uow() as uow:
        rows = uow.session.scalars(select(ApiToken).where(ApiToken.user_id == principal.user_id)
                                   .order_by(ApiToken.id))
        return [token_view(row) for row in rows]


def revoke_token(ctx: Context, principal: Principal, token_id: int) -> None:
    """Delete one of the caller's tokens (admins may delete anyone's)."""
    with ctx.uow() as uow:
        token = uow.session.get(ApiToken, token_id)
        if token is None or (token.user_id != principal.user_id and not principal.is_admin):
            raise NotFound(N_("token %(id)s not found"), id=token_id)
        record_event(uow.session, principal, "token_revoke", detail=token_described(token))
        uow.session.delete(token)
        uow.commit()


def principal_for_token(ctx: Context, raw: str) -> Principal:
    """The principal a bearer token acts as. Raises AuthenticationFailed."""
    with ctx.uow() as uow:
        token = uow.session.scalar(select(ApiToken).where(ApiToken.token_hash == token_hash(raw)))
        user = uow.session.get(User, token.user_id) if token is not None else None
        if token is None or user is None or not user.active:
            raise AuthenticationFailed(N_("invalid or revoked API token"))
        expires = aware(token.expires_at)
        if expires is not None and expires <= utcnow():
            raise AuthenticationFailed(N_("this API token has expired; create a new one"))
        token.last_used_at = utcnow()
        principal = principal_of(user)
        uow.commit()
    return principal
