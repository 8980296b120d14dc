"""Signing in and out, the language switch and the account page with API tokens."""

from __future__ import annotations

from typing import Any

from flask import flash, make_response, redirect, render_template, request, session, url_for
from flask_login import current_user, login_user, logout_user

from docservice.errors import N_, AuthenticationFailed, InvalidInput
from docservice.services import logins, passwords, sessions, tokens, users
from docservice.web.auth import SESSION_ID, WebUser, client_address, sign_in
from docservice.web.errors import retry_headers
from docservice.web.forms import optional_int
from docservice.web.i18n import COOKIE, LANGUAGES, error_message, gettext
from docservice.web.ui.blueprint import bp, ctx, principal, safe_next

ONE_YEAR = 365 * 24 * 3600
TOKEN_DAYS = (30, 90, 180, 365)  # lifetimes offered on the account page


@bp.route("/login", methods=["GET", "POST"])
def login() -> Any:
    next_url = safe_next(request.values.get("next"))
    if request.method == "GET":
        if current_user.is_authenticated:
            return redirect(next_url)
        return render_template("login.html", next=next_url, email="")
    email = request.form.get("email", "")
    try:
        found = logins.log_in(ctx(), email, request.form.get("password", ""),
                              client_address())
    except AuthenticationFailed as exc:
        return render_template("login.html", next=next_url, email=email,
                               error=error_message(exc)), exc.http_status, retry_headers(exc)
    account = users.account(ctx(), found.user_id or 0)
    if account is None:
        return render_template("login.html", next=next_url, email=email,
                               error=gettext("wrong e-mail or password")), 401
    sign_in(account)
    return redirect(next_url)


@bp.post("/logout")
def logout() -> Any:
    sessions.end_session(ctx(), principal(), session.get(SESSION_ID))
    logout_user()
    session.clear()
    flash(gettext("You are signed out."), "info")
    return redirect(url_for("ui.login"))


@bp.post("/language")
def language() -> Any:
    chosen = request.form.get("lang", "")
    if chosen not in LANGUAGES:
        raise InvalidInput(N_("language must be one of %(allowed)s"), allowed=", ".join(LANGUAGES))
    if current_user.is_authenticated:
        users.set_language(ctx(), principal(), chosen)
    response = make_response(redirect(safe_next(request.form.get("next"))))
    response.set_cookie(COOKIE, chosen, max_age=ONE_YEAR, samesite="Lax", httponly=True,
                        secure=request.is_secure)
    return response


def _account_page(new_token: str | None = None, password_error: str | None = None) -> Any:
    return render_template("account.html", tokens=tokens.list_tokens(ctx(), principal()),
                           new_token=new_token, password_error=password_error,
                           token_days=TOKEN_DAYS, default_days=tokens.DEFAULT_DAYS)


@bp.get("/account")
def account() -> Any:
    return _account_page()


@bp.post("/account/tokens")
def create_token() -> Any:
    form = request.form
    _token_id, raw = tokens.create_token(
        ctx(), principal(), form.get("name", ""),
        expires_in_days=optional_int(form.get("days"), "days") or tokens.DEFAULT_DAYS,
        keep_after_password_change=form.get("keep_after_password_change") == "1")
    return _account_page(new_token=raw)


@bp.post("/account/tokens/<id:token_id>/revoke")
def revoke_token(token_id: int) -> Any:
    tokens.revoke_token(ctx(), principal(), token_id)
    flash(gettext("Token revoked."), "info")
    return redirect(url_for("ui.account"))


@bp.post("/account/password")
def change_password() -> Any:
    form = request.form
    try:
        passwords.change_own_password(ctx(), principal(), form.get("current_password", ""),
                                      form.get("new_password", ""),
                                      form.get("new_password_again", ""),
                                      client_address())
    except (InvalidInput, AuthenticationFailed) as exc:
        return _account_page(password_error=error_message(exc)), exc.http_status, retry_headers(exc)
    account_view = users.account(ctx(), principal().user_id or 0)
    if account_view is not None:  # this session goes on with the new password's stamp
        login_user(WebUser(account_view))
    flash(gettext("Your password was changed. Your other sessions were signed out."), "info")
    return redirect(url_for("ui.account"))
