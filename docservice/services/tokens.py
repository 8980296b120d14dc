"""Personal API tokens: shown once, stored as a hash, sent as ``Authorization: Bearer``."""

from __future__ import annotations

import hashlib
import secrets

from sqlalchemy import select

from docservice.db.models import ApiToken, User, utcnow
from docservice.db.repositories import principal_of, token_view
from docservice.domain import Principal
from docservice.errors import N_, AuthenticationFailed, InvalidInput, NotFound
from docservice.services import accounts
from docservice.services.context import Context
from docservice.views import TokenView

TOKEN_PREFIX = "ds_"


def token_hash(raw: str) -> str:
    """A fast hash is enough: tokens are 256 random bits, never guessable passwords."""
    return hashlib.sha256(raw.encode()).hexdigest()


def new_secret(prefix: str) -> str:
    return prefix + secrets.token_urlsafe(32)


def create_token(ctx: Context, principal: Principal, name: str = "") -> tuple[int, str]:
    """A new token for the caller: its id and the raw token (the only time it is seen)."""
    if principal.user_id is None:
        raise InvalidInput(N_("the local operator has no account to hold a token"))
    name = name.strip()[:100] or "API token"
    raw = new_secret(TOKEN_PREFIX)
    with ctx.uow() as uow:
        token = ApiToken(user_id=principal.user_id, token_hash=token_hash(raw), name=name)
        uow.session.add(token)
        uow.session.flush()
        token_id = token.id
        uow.commit()
    return token_id, raw


def create_token_for(ctx: Context, email: str, name: str = "") -> tuple[int, str]:
    return create_token(ctx, accounts.principal_for(ctx, email), name)


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
        uow.session.delete(token)
        uow.commit()


def principal_for_token(ctx: Context, raw: str) -> Principal:
    """The principal a bearer token acts as. Raises AuthenticationFailed."""
    with ctx.uow() as uow:
        token = uow.session.scalar(select(ApiToken).where(ApiToken.token_hash == token_hash(raw)))
        user = uow.session.get(User, token.user_id) if token is not None else None
        if token is None or user is None or not user.active:
            raise AuthenticationFailed(N_("invalid or revoked API token"))
        token.last_used_at = utcnow()
        principal = principal_of(user)
        uow.commit()
    return principal
