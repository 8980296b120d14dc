"""Users, teams and the principal a request acts as."""

from __future__ import annotations

import hashlib
import re
import secrets
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from docservice.db.models import Team, User
from docservice.db.repositories import principal_of, user_by_email
from docservice.domain import OPERATOR, Principal, Role
from docservice.errors import N_, AuthenticationFailed, Conflict, InvalidInput
from docservice.services.context import Context

_hasher = PasswordHasher()
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+$")
MIN_PASSWORD = 8


def hash_secret(secret: str) -> str:
    return _hasher.hash(secret)


def verify_secret(secret_hash: str, secret: str) -> bool:
    try:
        return _hasher.verify(secret_hash, secret)
    except (VerificationError, InvalidHashError):
        return False


@cache
def _stand_in_hash() -> str:
    """A hash no password matches, checked when there is no account's hash to check, so a
    login takes as long whether the account exists or not."""
    return hash_secret(secrets.token_urlsafe(32))


def create_team(ctx: Context, name: str) -> int:
    name = name.strip()
    if not name:
        raise InvalidInput(N_("a team needs a name"))
    with ctx.uow() as uow:
        if uow.session.scalar(select(Team).where(Team.name == name)):
            raise Conflict(N_("team %(name)s already exists"), name=name)
        team = Team(name=name)
        uow.session.add(team)
        uow.session.flush()
        team_id = team.id
        uow.commit()
    return team_id


def _team_named(session: Session, name: str, create: bool) -> Team:
    team = session.scalar(select(Team).where(Team.name == name))
    if team is None:
        if not create:
            raise InvalidInput(N_("no team named %(name)s"), name=name)
        team = Team(name=name)
        session.add(team)
    return team


def create_user(ctx: Context, email: str, role: str, *, teams: list[str] | None = None,
                password: str | None = None, name: str = "",
                create_teams: bool = True) -> int:
    email = email.strip().lower()
    if not _EMAIL.match(email):
        raise InvalidInput(N_("%(email)r is not an e-mail address"), email=email)
    try:
        role_value = Role(role)
    except ValueError as exc:
        raise InvalidInput(N_("role must be admin, editor or viewer, not %(role)r"),
                           role=role) from exc
    if password is not None:
        check_new_password(password)
    with ctx.uow() as uow:
        if uow.session.scalar(select(User).where(User.email == email)):
            raise Conflict(N_("user %(email)s already exists"), email=email)
        user = User(email=email, name=name or email.split("@")[0], role=role_value.value,
                    password_hash=hash_secret(password) if password else None)
        user.teams = [_team_named(uow.session, team, create_teams) for team in teams or []]
        uow.session.add(user)
        uow.session.flush()
        user_id = user.id
        uow.commit()
    return user_id


def user_id_of(ctx: Context, email: str) -> int:
    """The id of the account ``email``. Raises UserNotFound."""
    with ctx.uow() as uow:
        return user_by_email(uow.session, email).id


def create_first_admin(ctx: Context, email: str, password: str, name: str) -> bool:
    """Create an admin account if there is no user at all yet; whether it did. Of two
    processes starting on a new installation at once, one creates it."""
    with ctx.uow() as uow:
        if uow.session.scalar(select(User.id).limit(1)) is not None:
            return False
    try:
        create_user(ctx, email, "admin", password=password, name=name)
    except (Conflict, IntegrityError):  # the other process was first
        return False
    return True


def principal_for(ctx: Context, email: str | None) -> Principal:
    """The principal of user ``email``; the local operator (admin) when ``email`` is None."""
    if email is None:
        return OPERATOR
    with ctx.uow() as uow:
        user = user_by_email(uow.session, email)
        if not user.active:
            raise AuthenticationFailed(N_("account %(email)s is disabled"), email=email)
        return principal_of(user)


def authenticate(ctx: Context, email: str, password: str) -> Principal:
    with ctx.uow() as uow:
        user = uow.session.scalar(select(User).where(User.email == email.strip().lower()))
        if user is not None and user.active and user.password_hash:
            if verify_secret(user.password_hash, password):
                return principal_of(user)
        else:
            verify_secret(_stand_in_hash(), password)  # as slow as checking a real account
        raise AuthenticationFailed(N_("wrong e-mail or password"))


def check_new_password(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise InvalidInput(N_("passwords need at least %(count)s characters"), count=MIN_PASSWORD)


def session_stamp(password_hash: str | None) -> str:
    """Changes whenever the password does: a session carrying an older stamp is signed out.

    A digest of the (salted) hash, so the signed, readable session cookie reveals nothing."""
    return hashlib.sha256((password_hash or "").encode()).hexdigest()[:16]


def generate_password() -> str:
    return secrets.token_urlsafe(12)
