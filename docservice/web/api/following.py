"""Saved searches, following, the inbox, the caller's e-mail choice and team webhooks."""

from __future__ import annotations

from typing import Any

from flask import jsonify

from docservice import views
from docservice.inputs import EmailChoice, NewFollow, NewSavedSearch, NewWebhook
from docservice.services import following, notifications, webhooks
from docservice.web.api import models as m
from docservice.web.api.blueprint import bp
from docservice.web.api.common import ctx, plain
from docservice.web.api.contract import endpoint
from docservice.web.auth import current_principal


@bp.get("/notifications")
@endpoint("The caller's notifications, newest first", query=m.InboxParams,
          ok={200: views.Inbox})
def inbox(query: m.InboxParams) -> Any:
    return jsonify(plain(notifications.inbox(ctx(), current_principal(),
                                             unread_only=query.unread, limit=query.limit,
                                             offset=query.offset)))


@bp.post("/notifications/<id:notification_id>/read")
@endpoint("Mark a notification read", ok={204: None})
def mark_read(notification_id: int) -> Any:
    notifications.mark_read(ctx(), current_principal(), notification_id)
    return "", 204


@bp.post("/notifications/read")
@endpoint("Mark every notification read", ok={200: m.ReadCount})
def mark_all_read() -> Any:
    return jsonify({"changed": notifications.mark_all_read(ctx(), current_principal())})


@bp.get("/following")
@endpoint("What the caller follows", ok={200: list[views.FollowView]})
def list_follows() -> Any:
    return jsonify(plain(following.list_follows(ctx(), current_principal())))


@bp.post("/following")
@endpoint("Follow a document, customer, saved search (by id) or product (by name)",
          body=NewFollow, ok={201: views.FollowView})
def follow(body: NewFollow) -> Any:
    return jsonify(plain(following.follow(ctx(), current_principal(), body))), 201


@bp.delete("/following/<id:follow_id>")
@endpoint("Stop following", ok={204: None})
def unfollow(follow_id: int) -> Any:
    following.unfollow(ctx(), current_principal(), follow_id)
    return "", 204


@bp.get("/saved-searches")
@endpoint("The caller's saved searches", ok={200: list[views.SavedSearchView]})
def saved_searches() -> Any:
    return jsonify(plain(following.list_saved_searches(ctx(), current_principal())))


@bp.post("/saved-searches")
@endpoint("Name a search to find it again", body=NewSavedSearch,
          ok={201: views.SavedSearchView}, errors=(409,))
def save_search(body: NewSavedSearch) -> Any:
    return jsonify(plain(following.save_search(ctx(), current_principal(), body))), 201


@bp.delete("/saved-searches/<id:saved_search_id>")
@endpoint("Delete a saved search (and its follow)", ok={204: None})
def delete_saved_search(saved_search_id: int) -> Any:
    following.delete_saved_search(ctx(), current_principal(), saved_search_id)
    return "", 204


@bp.get("/me/email")
@endpoint("How the caller gets notifications by e-mail", ok={200: EmailChoice})
def email_choice() -> Any:
    return jsonify({"mode": notifications.get_email_mode(ctx(), current_principal())})


@bp.put("/me/email")
@endpoint("Choose immediate e-mail, a daily digest or none", body=EmailChoice,
          ok={200: EmailChoice})
def set_email_choice(body: EmailChoice) -> Any:
    notifications.set_email_mode(ctx(), current_principal(), body)
    return jsonify({"mode": body.mode})


@bp.get("/webhooks")
@endpoint("Team webhooks (admins)", ok={200: list[views.WebhookView]})
def list_webhooks() -> Any:
    return jsonify(plain(webhooks.list_webhooks(ctx(), current_principal())))


@bp.post("/webhooks")
@endpoint("Add a team webhook (admins); a generic one's signing secret is shown once",
          body=NewWebhook, ok={201: views.NewWebhookSecret}, errors=(422,))
def create_webhook(body: NewWebhook) -> Any:
    return jsonify(plain(webhooks.create_webhook(ctx(), current_principal(), body))), 201


@bp.delete("/webhooks/<id:webhook_id>")
@endpoint("Remove a team webhook (admins)", ok={204: None})
def delete_webhook(webhook_id: int) -> Any:
    webhooks.delete_webhook(ctx(), current_principal(), webhook_id)
    return "", 204


@bp.get("/webhooks/deliveries")
@endpoint("The latest webhook deliveries and their answers (admins)",
          ok={200: list[views.DeliveryView]})
def deliveries() -> Any:
    return jsonify(plain(webhooks.list_deliveries(ctx(), current_principal())))
