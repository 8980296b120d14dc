"""Changing passwords: people their own (current password required, rate-limited like
signing in), admins anyone's. Either way the user's other sessions are signed out, because
a session carries a stamp of the password it was opened with (accounts.session_stamp)."""

from __future__ import annotations

from docservice.db.models import User
from docservice.db.repositories import end_tokens_with_password, record_event
from docservice.domain import Principal
from docservice.errors import N_, AuthenticationFailed, InvalidInput, NotFound
from docservice.services import accounts, logins
from docservice.services.context import Context
from docservice.services.users import require_admin


def change_own_password(ctx: Context, principal: Principal, current: str, new: str,
                        repeated: str, address: str) -> None:
    """Raises InvalidInput (mismatch, too short), AuthenticationFailed (wrong current
    password) or logins.TooManyAttempts (too many wrong ones, counted with failed logins)."""
    if principal.user_id is None:
        raise InvalidInput(N_("only people with an account have a password"))
    if new != repeated:
        raise InvalidInput(N_("the two new passwords are not the same"))
    accounts.check_new_password(new)
    if new == current:
        raise InvalidInput(N_("the new password is the same as the current one"))
    try:
        logins.check_credentials(ctx, principal.email, current, address)
    except logins.TooManyAttempts:
        raise
    except AuthenticationFailed as exc:
        raise AuthenticationFailed(N_("the current password is wrong")) from exc
    _store(ctx, principal, principal.user_id, new, "password_change")


def reset_password(ctx: Context, principal: Principal, user_id: int, new: str) -> str:
    """An admin sets another user's password; returns that user's e-mail."""
    require_admin(principal)
    accounts.check_new_password(new)
    return _store(ctx, principal, user_id, new, "password_reset")


def _store(ctx: Context, principal: Principal, user_id: int, new: str, action: str) -> str:
    with ctx.uow() as uow:
        user = uow.session.get(User, user_id)
        if user is None:
            raise NotFound(N_("user %(id)s not found"), id=user_id)
        user.password_hash = accounts.hash_secret(new)
        record_event(uow.session, principal, action, detail=user.email)
        end_tokens_with_password(uow.session, principal, user_id)
        uow.commit()
        return user.email
