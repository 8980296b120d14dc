"""Who a request acts as: a session (Flask-Login) or an API token (``Bearer``)."""

from __future__ import annotations

import time
from typing import Any

from flask import Flask, current_app, g, request, session
from flask.sessions import SecureCookieSessionInterface
from flask_login import LoginManager, UserMixin, current_user, login_user

from docservice.domain import Principal
from docservice.errors import N_, AuthenticationFailed
from docservice.services import sessions, tokens, users
from docservice.services.context import Context
from docservice.views import Account

SESSION_ID = "sid"
SIGNED_IN_AT = "signed_in_at"


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


def client_address() -> str:
    """The caller's address: the connection's, or behind DOCSERVICE_TRUSTED_PROXIES the one
    the proxies forwarded (ProxyFix sets it)."""
    return request.remote_addr or "unknown"


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


class SessionCookies(SecureCookieSessionInterface):
    """Flask's signed cookie, marked Secure whenever the request came by https (directly or,
    with DOCSERVICE_TRUSTED_PROXIES, through a proxy) and always with
    DOCSERVICE_SECURE_COOKIES."""

    def get_cookie_secure(self, app: Flask) -> bool:
        return bool(app.config["SESSION_COOKIE_SECURE"]) or request.is_secure


def session_settings(ctx: Context) -> dict[str, Any]:
    """Flask settings for the session cookie."""
    return {"PERMANENT_SESSION_LIFETIME": sessions.LIFETIME, "SESSION_COOKIE_HTTPONLY": True,
            "SESSION_COOKIE_SAMESITE": "Lax",
            "SESSION_COOKIE_SECURE": ctx.settings.secure_cookies}


def sign_in(account: Account) -> None:
    """Start a session for ``account``: a new session id, its sign-in time, the user."""
    session.permanent = True
    session[SESSION_ID] = sessions.new_session_id()
    session[SIGNED_IN_AT] = time.time()
    login_user(WebUser(account))


def _session_is_live(ctx: Context) -> bool:
    session_id, since = session.get(SESSION_ID), session.get(SIGNED_IN_AT)
    if not isinstance(session_id, str) or not isinstance(since, int | float):
        return False
    if time.time() - since > sessions.LIFETIME.total_seconds():
        return False
    return not sessions.is_revoked(ctx, session_id)


def init_app(app: Flask, ctx: Context) -> None:
    app.session_interface = SessionCookies()
    manager = LoginManager()
    manager.login_view = "ui.login"
    manager.init_app(app)

    @manager.user_loader
    def load_user(session_id: str) -> WebUser | None:
        user_id, _, stamp = session_id.partition(":")
        if not user_id.isdigit() or not _session_is_live(ctx):
            return None  # signed out (here or on a copy of this cookie) or too old
        account = users.account(ctx, int(user_id))
        if account is None or account.session_stamp != stamp:
            return None  # disabled, deleted, or the password changed since this sign-in
        return WebUser(account)
