"""The inbox, the following list with saved searches, follow buttons, the e-mail choice on
the account page and the admins' team webhooks with their delivery log."""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from docservice.errors import N_
from docservice.inputs import EmailChoice, NewFollow, NewSavedSearch, NewWebhook
from docservice.services import following, notifications, users, webhooks
from docservice.services.texts import sentence
from docservice.views import NotificationView
from docservice.web.i18n import gettext
from docservice.web.ui.blueprint import attempt, bp, ctx, principal, safe_next
from docservice.web.ui.search_page import page_number
from docservice.web.validation import validated

INBOX_PAGE = 30


def _notice_text(notification: NotificationView) -> str:
    return sentence(notification, gettext)


def _followed(kind: str, target_id: int | None = None, product: str | None = None) -> int | None:
    return following.following(ctx(), principal(), kind, target_id, product)


@bp.app_context_processor
def _notice_helpers() -> dict[str, Any]:
    """``unread_notifications()`` for the top bar and ``followed(kind, id)`` for the follow
    buttons; both ask only when a page uses them."""
    def unread() -> int:
        if not current_user.is_authenticated:
            return 0
        return notifications.unread_count(ctx(), principal())

    def mode() -> str:
        return notifications.get_email_mode(ctx(), principal())

    return {"unread_notifications": unread, "followed": _followed, "notice_text": _notice_text,
            "email_mode": mode}


def _back(default: str) -> Any:
    return redirect(safe_next(request.form.get("next"), default))


@bp.get("/inbox")
def inbox() -> Any:
    unread_only = request.args.get("unread") == "1"
    page = page_number()
    found = notifications.inbox(ctx(), principal(), unread_only=unread_only, limit=INBOX_PAGE,
                                offset=(page - 1) * INBOX_PAGE)
    return render_template("inbox.html", inbox=found, unread_only=unread_only, page=page,
                           page_size=INBOX_PAGE)


@bp.post("/inbox/<id:notification_id>/read")
def mark_read(notification_id: int) -> Any:
    notifications.mark_read(ctx(), principal(), notification_id)
    return _back(url_for("ui.inbox"))


@bp.post("/inbox/read")
def mark_all_read() -> Any:
    changed = notifications.mark_all_read(ctx(), principal())
    flash(gettext("%(count)s marked read.", count=changed), "info")
    return _back(url_for("ui.inbox"))


@bp.get("/following")
def following_list() -> Any:
    return render_template("following.html",
                           follows=following.list_follows(ctx(), principal()),
                           searches=following.list_saved_searches(ctx(), principal()),
                           email_mode=notifications.get_email_mode(ctx(), principal()))


@bp.post("/following")
def follow() -> Any:
    form = request.form
    wanted = validated(NewFollow, {"kind": form.get("kind", ""),
                                   **({"id": form["id"]} if form.get("id") else {}),
                                   **({"product": form["product"]} if form.get("product")
                                      else {})})
    attempt(lambda: following.follow(ctx(), principal(), wanted),
            N_("You follow it now."))
    return _back(url_for("ui.following_list"))


@bp.post("/following/<id:follow_id>/delete")
def unfollow(follow_id: int) -> Any:
    following.unfollow(ctx(), principal(), follow_id)
    flash(gettext("You no longer follow it."), "info")
    return _back(url_for("ui.following_list"))


@bp.post("/searches")
def save_search() -> Any:
    form = request.form
    wanted = validated(NewSavedSearch, {"name": form.get("name", ""),
                                        "query": form.get("query", "")})
    attempt(lambda: following.save_search(ctx(), principal(), wanted),
            N_("Search saved."))
    return _back(url_for("ui.search", q=wanted.query))


@bp.post("/searches/<id:saved_search_id>/delete")
def delete_saved_search(saved_search_id: int) -> Any:
    following.delete_saved_search(ctx(), principal(), saved_search_id)
    flash(gettext("Saved search deleted."), "info")
    return _back(url_for("ui.following_list"))


@bp.post("/account/email")
def set_email_mode() -> Any:
    choice = validated(EmailChoice, {"mode": request.form.get("mode", "")})
    attempt(lambda: notifications.set_email_mode(ctx(), principal(), choice), N_("Saved."))
    return redirect(url_for("ui.account"))


def _webhooks_page(secret: str | None = None) -> Any:
    return render_template("admin_webhooks.html",
                           webhooks=webhooks.list_webhooks(ctx(), principal()),
                           deliveries=webhooks.list_deliveries(ctx(), principal()),
                           teams=users.list_teams(ctx()), secret=secret)


@bp.get("/admin/webhooks")
def admin_webhooks() -> Any:
    return _webhooks_page()


@bp.post("/admin/webhooks")
def create_webhook() -> Any:
    form = request.form
    wanted = validated(NewWebhook, {name: form.get(name, "") for name in
                                    ("team_id", "name", "url", "style", "language")})
    created = webhooks.create_webhook(ctx(), principal(), wanted)
    flash(gettext("Webhook added."), "info")
    return _webhooks_page(secret=created.secret or None)


@bp.post("/admin/webhooks/<id:webhook_id>/delete")
def delete_webhook(webhook_id: int) -> Any:
    webhooks.delete_webhook(ctx(), principal(), webhook_id)
    flash(gettext("Webhook removed."), "info")
    return redirect(url_for("ui.admin_webhooks"))
