"""Team webhooks: admins give a team outgoing webhooks (Slack-compatible, Microsoft
Teams-compatible or generic JSON signed with HMAC-SHA256); a new document or version of the
team's is posted to each, off the request path (an outbox job per delivery), retried with
the outbox's backoff while the endpoint is down, and every answer is kept for admins.

Signature of a generic webhook (README, "Team webhooks"): the header
``X-Docservice-Signature: t=<unix time>,v1=<hex>`` where ``<hex>`` is
HMAC-SHA256(secret, "<unix time>." + raw body). A receiver recomputes it over the body it
got, compares in constant time, and refuses old times (replays)."""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import secrets
import time
from collections.abc import Mapping
from dataclasses import dataclass

import httpx
from sqlalchemy import select

from docservice.db.access import readable
from docservice.db.models import (
    Document,
    Team,
    WebhookDelivery,
    WebhookEndpoint,
    utcnow,
)
from docservice.db.notices import PENDING
from docservice.db.repositories import record_event
from docservice.domain import Principal, Role
from docservice.errors import N_, NotFound, PermissionDenied, ServiceUnavailable, Unprocessable
from docservice.inputs import NewWebhook
from docservice.services.context import Context
from docservice.services.texts import TEAM_SENTENCES, translator
from docservice.views import DeliveryView, NewWebhookSecret, WebhookView

log = logging.getLogger(__name__)

SIGNATURE_HEADER = "X-Docservice-Signature"
MAX_ATTEMPTS = 10
"""Tries of one delivery (2 s ... 5 min apart: about half an hour) before it is given up."""
DELIVERED, FAILED, WITHHELD = "delivered", "failed", "withheld"
ERROR_LIMIT = 500
OPEN = N_("Open")


def _require_admin(principal: Principal) -> None:
    if not principal.is_admin:
        raise PermissionDenied(N_("only admins manage team webhooks"))


def team_reader(team_id: int) -> Principal:
    """Any member of the team with the fewest rights: what a team channel may be told."""
    return Principal(user_id=None, email=f"team:{team_id}", role=Role.VIEWER,
                     team_ids=frozenset({team_id}))


@dataclass(frozen=True)
class _Message:
    url: str
    style: str
    secret: str
    body: bytes


def deliver(ctx: Context, payload: Mapping[str, int]) -> None:
    """The DELIVER_WEBHOOK handler: post once; an endpoint that is away (no connection, a
    timeout, 429 or 5xx) raises ServiceUnavailable for the outbox to try again later."""
    delivery_id = payload["delivery_id"]
    message = _message(ctx, delivery_id)
    if message is None:
        return
    status, error = _post(ctx, message)
    retry = status is None or status == 429 or status >= 500
    with ctx.uow() as uow:
        delivery = uow.session.get(WebhookDelivery, delivery_id)
        if delivery is None:
            return
        delivery.attempts += 1
        delivery.attempted_at = utcnow()
        delivery.response_status = status
        delivery.error = error[:ERROR_LIMIT] if error else None
        if not retry:
            delivery.state = DELIVERED if status is not None and status < 300 else FAILED
        elif delivery.attempts >= MAX_ATTEMPTS:
            delivery.state = FAILED
        attempts = delivery.attempts
        uow.commit()
    if retry and attempts < MAX_ATTEMPTS:
        raise ServiceUnavailable(N_("the webhook did not answer: %(error)s"), error=error)


def _message(ctx: Context, delivery_id: int) -> _Message | None:
    """What to post, from the document as it is now; None when there is nothing to send
    (done already, endpoint gone or off, or the team may no longer read the document)."""
    with ctx.uow() as uow:
        session = uow.session
        delivery = session.get(WebhookDelivery, delivery_id)
        if delivery is None or delivery.state != PENDING:
            return None
        endpoint = session.get(WebhookEndpoint, delivery.endpoint_id)
        document = session.scalar(select(Document).where(
            Document.id == delivery.document_id,
            readable(team_reader(endpoint.team_id)))) if endpoint else None
        if endpoint is None or not endpoint.active or document is None:
            delivery.state = WITHHELD
            delivery.error = "the team may no longer read the document, or the webhook is off"
            uow.commit()
            return None
        team = session.get(Team, endpoint.team_id)
        body = _body(ctx, endpoint, delivery, document, team.name if team else "")
        return _Message(endpoint.url, endpoint.style, endpoint.secret, body)


def document_link(ctx: Context, document_id: int) -> str:
    base = ctx.settings.public_url or f"http://{ctx.settings.host}:{ctx.settings.port}"
    return f"{base.rstrip('/')}/d/{document_id}"


def _body(ctx: Context, endpoint: WebhookEndpoint, delivery: WebhookDelivery,
          document: Document, team: str) -> bytes:
    translate = translator(endpoint.language)
    text = translate(TEAM_SENTENCES.get(delivery.event, TEAM_SENTENCES["new_document"]),
                     team=team, title=document.title)
    link = document_link(ctx, document.id)
    content: dict[str, object]
    if endpoint.style == "slack":
        content = {"text": f"{text} <{link}|{translate(OPEN)}>"}
    elif endpoint.style == "teams":
        content = {"@type": "MessageCard", "@context": "https://schema.org/extensions",
                   "summary": text, "title": document.title, "text": text,
                   "potentialAction": [{"@type": "OpenUri", "name": translate(OPEN),
                                        "targets": [{"os": "default", "uri": link}]}]}
    else:
        content = {"event": delivery.event, "delivery_id": delivery.id, "team": team,
                   "document_id": document.id, "version_id": delivery.version_id,
                   "title": document.title, "category": document.category,
                   "url": link, "text": text}
    return json.dumps(content, ensure_ascii=False).encode()


def signature(secret: str, body: bytes, timestamp: int) -> str:
    """The value of SIGNATURE_HEADER for ``body`` sent at ``timestamp``."""
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"t={timestamp},v1={mac.hexdigest()}"


def _post(ctx: Context, message: _Message) -> tuple[int | None, str | None]:
    """(HTTP status, error text); status None when no answer came."""
    headers = {"Content-Type": "application/json; charset=utf-8",
               "User-Agent": "docservice-webhook"}
    if message.style == "generic":
        headers[SIGNATURE_HEADER] = signature(message.secret, message.body, int(time.time()))
    try:
        response = httpx.post(message.url, content=message.body, headers=headers,
                              timeout=ctx.settings.webhook_timeout_s, follow_redirects=False)
    except httpx.HTTPError as exc:
        return None, f"{type(exc).__name__}: {exc}"
    error = None if response.status_code < 300 else response.text[:ERROR_LIMIT]
    return response.status_code, error


def create_webhook(ctx: Context, principal: Principal, wanted: NewWebhook) -> NewWebhookSecret:
    _require_admin(principal)
    with ctx.uow() as uow:
        if uow.session.get(Team, wanted.team_id) is None:
            raise Unprocessable(N_("no team with id %(id)s"), id=wanted.team_id)
        endpoint = WebhookEndpoint(team_id=wanted.team_id, name=wanted.name.strip(),
                                   url=wanted.url.strip(), style=wanted.style,
                                   language=wanted.language, secret=secrets.token_hex(32),
                                   active=True)
        uow.session.add(endpoint)
        uow.session.flush()
        record_event(uow.session, principal, "webhook_create",
                     detail=f"{endpoint.name} ({endpoint.style}) {endpoint.url}")
        view = _view(endpoint, uow.session.get(Team, endpoint.team_id))
        secret = endpoint.secret
        uow.commit()
    return NewWebhookSecret(webhook=view, secret=secret if wanted.style == "generic" else "")


def _view(endpoint: WebhookEndpoint, team: Team | None) -> WebhookView:
    return WebhookView(webhook_id=endpoint.id, team_id=endpoint.team_id,
                       team=team.name if team else "", name=endpoint.name, url=endpoint.url,
                       style=endpoint.style, language=endpoint.language,
                       active=endpoint.active, created_at=endpoint.created_at.isoformat())


def list_webhooks(ctx: Context, principal: Principal) -> list[WebhookView]:
    _require_admin(principal)
    with ctx.uow() as uow:
        rows = uow.session.execute(select(WebhookEndpoint, Team).join(
            Team, Team.id == WebhookEndpoint.team_id).order_by(Team.name,
                                                               WebhookEndpoint.name)).all()
        return [_view(endpoint, team) for endpoint, team in rows]


def delete_webhook(ctx: Context, principal: Principal, webhook_id: int) -> None:
    _require_admin(principal)
    with ctx.uow() as uow:
        endpoint = uow.session.get(WebhookEndpoint, webhook_id)
        if endpoint is None:
            raise NotFound(N_("webhook %(id)s not found"), id=webhook_id)
        record_event(uow.session, principal, "webhook_delete",
                     detail=f"{endpoint.name} {endpoint.url}")
        uow.session.delete(endpoint)
        uow.commit()


def list_deliveries(ctx: Context, principal: Principal, limit: int = 100,
                    ) -> list[DeliveryView]:
    """The latest deliveries, newest first, with what each endpoint answered (admins)."""
    _require_admin(principal)
    with ctx.uow() as uow:
        rows = uow.session.execute(
            select(WebhookDelivery, WebhookEndpoint.name)
            .join(WebhookEndpoint, WebhookEndpoint.id == WebhookDelivery.endpoint_id)
            .order_by(WebhookDelivery.id.desc()).limit(limit)).all()
        return [DeliveryView(
            delivery_id=row[0].id, webhook_id=row[0].endpoint_id, webhook=row[1],
            event=row[0].event, document_id=row[0].document_id, state=row[0].state,
            attempts=row[0].attempts, response_status=row[0].response_status,
            error=row[0].error, created_at=row[0].created_at.isoformat(),
            attempted_at=row[0].attempted_at.isoformat() if row[0].attempted_at else None)
            for row in rows]
