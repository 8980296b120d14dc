"""Who a request acts as: a session (Flask-Login) or an API token (``Bearer``)."""

from __future__ import annotations

from datetime import timedelta

from flask import Flask, current_app, g, request
from flask_login import LoginManager, UserMixin, current_user

from docservice.domain import Principal
from docservice.errors import N_, AuthenticationFailed
from docservice.services import tokens, users
from docservice.services.context import Context
from docservice.views import Account

SESSION_LIFETIME = timedelta(hours=12)


class WebUser(UserMixin):
    """The signed-in account as the pages need it."""

    def __init__(self, account: Account) -> None:
        self.id = account.user_id
        self.email: str = account.email
        self.name: str = account.name
        self.role: str = account.role
        self.teams: list[str] = list(account.teams)
        self.language: str | None = account.language
        self.principal: Principal = account.principal
        self.session_stamp: str = account.session_stamp

    def get_id(self) -> str:
        """What the session keeps: the user and a stamp of their password, so changing the
        password signs out every other session (see load_user)."""
        return f"{self.id}:{self.session_stamp}"

    @property
    def is_admin(self) -> bool:
        return self.principal.is_admin

    @property
    def can_upload(self) -> bool:
        return self.principal.can_upload


def app_context() -> Context:
    ctx: Context = current_app.extensions["docservice"]
    return ctx


def bearer_token() -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, value = header.partition(" ")
    return value.strip() if scheme.lower() == "bearer" and value.strip() else None


def current_principal() -> Principal:
    """The caller's principal. Raises AuthenticationFailed when nobody is signed in."""
    if "principal" in g:
        principal: Principal = g.principal
        return principal
    raw = bearer_token()
    if raw is not None:
        g.principal = tokens.principal_for_token(app_context(), raw)
        g.via_token = True
        return g.principal
    if current_user.is_authenticated:
        g.principal = current_user.principal
        return g.principal
    raise AuthenticationFailed(N_("sign in or send an API token (Authorization: Bearer ...)"))


def init_app(app: Flask, ctx: Context) -> None:
    manager = LoginManager()
    manager.login_view = "ui.login"
    manager.init_app(app)
    app.config.setdefault("PERMANENT_SESSION_LIFETIME", SESSION_LIFETIME)
    app.config.setdefault("SESSION_COOKIE_HTTPONLY", True)
    app.config.setdefault("SESSION_COOKIE_SAMESITE", "Lax")

    @manager.user_loader
    def load_user(session_id: str) -> WebUser | None:
        user_id, _, stamp = session_id.partition(":")
        account = users.account(ctx, int(user_id)) if user_id.isdigit() else None
        if account is None or account.session_stamp != stamp:
            return None  # disabled, deleted, or the password changed since this sign-in
        return WebUser(account)
