"""Admin management of users and teams, and each user's own preferences."""

from __future__ import annotations

from dataclasses import asdict

from sqlalchemy import select

from docservice.db.models import Team, User
from docservice.db.repositories import principal_of, record_event, user_view
from docservice.domain import Principal, Role
from docservice.errors import N_, InvalidInput, NotFound, PermissionDenied
from docservice.services import accounts
from docservice.services.context import Context
from docservice.views import Account, TeamView, UserView

LANGUAGES = ("en", "zh-CN")


def require_admin(principal: Principal) -> None:
    if not principal.is_admin:
        raise PermissionDenied(N_("only admins manage users and teams"))


def list_users(ctx: Context, principal: Principal) -> list[UserView]:
    require_admin(principal)
    with ctx.uow() as uow:
        return [user_view(user) for user in uow.session.scalars(select(User).order_by(User.email))]


def list_teams(ctx: Context) -> list[TeamView]:
    """Team names and sizes; every signed-in user may see them (to share with a team)."""
    with ctx.uow() as uow:
        return [TeamView(team_id=team.id, name=team.name, members=len(team.members))
                for team in uow.session.scalars(select(Team).order_by(Team.name))]


def create_user(ctx: Context, principal: Principal, email: str, role: str, teams: list[str],
                password: str, name: str = "") -> int:
    require_admin(principal)
    user_id = accounts.create_user(ctx, email, role, teams=teams, password=password, name=name,
                                   create_teams=False)
    _record(ctx, principal, "user_create", f"{email.strip().lower()} {role}")
    return user_id


def create_team(ctx: Context, principal: Principal, name: str) -> int:
    require_admin(principal)
    team_id = accounts.create_team(ctx, name)
    _record(ctx, principal, "team_create", name.strip())
    return team_id


def _record(ctx: Context, principal: Principal, action: str, detail: str) -> None:
    with ctx.uow() as uow:
        record_event(uow.session, principal, action, detail=detail)
        uow.commit()


def update_user(ctx: Context, principal: Principal, user_id: int, *, role: str | None = None,
                active: bool | None = None, teams: list[str] | None = None) -> None:
    """Change a user's role, teams or whether the account may log in."""
    require_admin(principal)
    with ctx.uow() as uow:
        user = uow.session.get(User, user_id)
        if user is None:
            raise NotFound(N_("user %(id)s not found"), id=user_id)
        if user.id == principal.user_id and (active is False or role not in (None, "admin")):
            raise InvalidInput(N_("you cannot demote or disable your own account"))
        before = user_view(user)
        if role is not None:
            try:
                user.role = Role(role).value
            except ValueError as exc:
                raise InvalidInput(N_("role must be admin, editor or viewer")) from exc
        if active is not None:
            user.active = active
        if teams is not None:
            found = list(uow.session.scalars(select(Team).where(Team.name.in_(teams))))
            missing = set(teams) - {team.name for team in found}
            if missing:
                raise InvalidInput(N_("no team named %(name)s"), name=sorted(missing)[0])
            user.teams = found
        changes = _changes(before, user_view(user))
        if changes:
            record_event(uow.session, principal, "user_update",
                         detail=f"{user.email}: {', '.join(changes)}")
        uow.commit()


def _changes(before: UserView, after: UserView) -> list[str]:
    """What an admin changed about a user, as the audit log says it."""
    changes = []
    if before.role != after.role:
        changes.append(f"role {before.role} -> {after.role}")
    if before.active != after.active:
        changes.append("enabled" if after.active else "disabled")
    if before.teams != after.teams:
        changes.append(f"teams {', '.join(before.teams) or '-'} -> "
                       f"{', '.join(after.teams) or '-'}")
    return changes


def set_language(ctx: Context, principal: Principal, language: str) -> None:
    if language not in LANGUAGES:
        raise InvalidInput(N_("language must be one of %(allowed)s"), allowed=", ".join(LANGUAGES))
    if principal.user_id is None:
        return
    with ctx.uow() as uow:
        user = uow.session.get(User, principal.user_id)
        if user is not None:
            user.language = language
            uow.commit()


def account(ctx: Context, user_id: int) -> Account | None:
    """The signed-in user's own account, or None if it is gone or disabled."""
    with ctx.uow() as uow:
        user = uow.session.get(User, user_id)
        if user is None or not user.active:
            return None
        return Account(**asdict(user_view(user)), language=user.language,
                       principal=principal_of(user),
                       session_stamp=accounts.session_stamp(user.password_hash))
