"""Team webhooks against a real HTTP listener on loopback: admins add them, a teammate's
upload is posted in the chosen form (generic JSON signed with HMAC-SHA256, Slack, Microsoft
Teams), an endpoint that is down is tried again with backoff, one that hangs never holds up
the upload, the team is never told of a document it may not read when the message goes out,
and admins see every delivery with its answer."""

from __future__ import annotations

import hashlib
import hmac
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from docservice.config import Settings
from docservice.services.sweeper import start_sweeper
from tests.conftest import embedded_settings
from tests.listener import Listener, http_listener
from tests.web.conftest import Browser, Web, text_of
from tests.web.test_following import settle_outbox

SITE = "https://docs.example.com"


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    # a short sweep: an endpoint that was down is tried again after the 2 s backoff
    return embedded_settings(tmp_path / "data", public_url=SITE, sweep_interval_s=0.5,
                             webhook_timeout_s=1.0)


@pytest.fixture
def listener() -> Iterator[Listener]:
    with http_listener() as found:
        yield found


def _team_id(admin: Browser, name: str) -> int:
    page = text_of(admin.get("/admin/webhooks"))
    marker = f">{name}</option>"
    assert marker in page
    return int(page.split(marker, 1)[0].rsplit('value="', 1)[1].split('"', 1)[0])


def add_webhook(admin: Browser, url: str, style: str, language: str = "en") -> dict[str, Any]:
    created = admin.api("POST", "/api/v1/webhooks", json={
        "team_id": _team_id(admin, "sales"), "name": f"{style} hook", "url": url,
        "style": style, "language": language})
    assert created.status_code == 201, created.get_data(as_text=True)
    return dict(created.get_json())


def deliveries(admin: Browser) -> list[dict[str, Any]]:
    return list(admin.get("/api/v1/webhooks/deliveries").get_json())


def wait_for(check: Any, timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.1)
    raise AssertionError("timed out")


def verify(secret: str, header: str, body: bytes) -> bool:
    """How a receiver checks the signature (README, "Team webhooks")."""
    fields = dict(part.split("=", 1) for part in header.split(","))
    expected = hmac.new(secret.encode(), f"{fields['t']}.".encode() + body,
                        hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, fields["v1"]) and abs(time.time() - int(fields["t"])) < 300


def test_a_teammates_upload_reaches_each_form_of_webhook(web: Web, admin: Browser,
                                                         dave: Browser,
                                                         listener: Listener) -> None:
    page = admin.post("/admin/webhooks", {"team_id": str(_team_id(admin, "sales")),
                                          "name": "sales-bot", "url": listener.url,
                                          "style": "generic", "language": "en"})
    secret = text_of(page).split('id="webhook-secret"', 1)[1].split('value="', 1)[1][:64]
    add_webhook(admin, listener.url + "/slack", "slack")
    add_webhook(admin, listener.url + "/teams", "teams", language="zh-CN")

    outcome = dave.upload("q3-pricing.txt", b"pricing sheet q3", visibility="team")
    received = {r.path: r for r in listener.wait(3)}

    generic = received["/hook"]
    assert generic.json() | {"delivery_id": 0} == {
        "event": "new_document", "delivery_id": 0, "team": "sales",
        "document_id": outcome["document_id"], "version_id": outcome["version_id"],
        "title": "q3-pricing", "category": "product",  # suggested from the name
        "url": f"{SITE}/d/{outcome['document_id']}",
        "text": "New document in team sales: q3-pricing"}
    assert verify(secret, generic.headers["X-Docservice-Signature"], generic.body)
    assert not verify(secret, generic.headers["X-Docservice-Signature"], generic.body + b" ")
    assert received["/hook/slack"].json() == {
        "text": f"New document in team sales: q3-pricing <{SITE}/d/{outcome['document_id']}|Open>"}
    assert "X-Docservice-Signature" not in received["/hook/slack"].headers
    card = received["/hook/teams"].json()
    assert card["@type"] == "MessageCard" and card["text"] == "团队 sales 有新文档：q3-pricing"
    assert card["potentialAction"][0]["targets"][0]["uri"] == f"{SITE}/d/{outcome['document_id']}"

    settle_outbox(web.ctx)
    log = text_of(admin.get("/admin/webhooks"))
    assert log.count('class="badge delivery-delivered"') == 3
    assert {(d["state"], d["response_status"], d["attempts"]) for d in deliveries(admin)} == {
        ("delivered", 200, 1)}


def test_an_endpoint_that_is_down_is_tried_again_and_the_team_must_still_read_it(
        web: Web, admin: Browser, dave: Browser, listener: Listener) -> None:
    start_sweeper(web.ctx)  # as every running process does; it queues the tries again
    add_webhook(admin, listener.url, "generic")
    listener.statuses = [503, 503]  # down for two tries: both documents' first try
    kept = dave.upload("kept.txt", b"kept for the team", visibility="team")
    listener.wait(1)
    withdrawn = dave.upload("withdrawn.txt", b"withdrawn from the team", visibility="team")
    listener.wait(2)
    wait_for(lambda: {d["response_status"] for d in deliveries(admin)} == {503})
    assert {d["state"] for d in deliveries(admin)} == {"pending"}
    dave.api("PATCH", f"/api/v1/documents/{withdrawn['document_id']}",
             json={"visibility": "private"})  # between the event and the next try

    wait_for(lambda: {d["state"] for d in deliveries(admin)} == {"delivered", "withheld"})
    final = {d["document_id"]: d for d in deliveries(admin)}
    assert (final[kept["document_id"]]["attempts"], final[kept["document_id"]]["response_status"]
            ) == (2, 200)
    assert final[withdrawn["document_id"]]["state"] == "withheld"
    titles = [r.json()["title"] for r in listener.requests]
    assert titles.count("kept") == 2 and titles.count("withdrawn") == 1  # not after private
    assert "503" in text_of(admin.get("/admin/webhooks"))


def test_a_hanging_endpoint_never_holds_up_an_upload(web: Web, admin: Browser, dave: Browser,
                                                     listener: Listener) -> None:
    add_webhook(admin, listener.url, "slack")
    listener.hold = threading.Event()  # the endpoint takes the request and never answers
    started = time.monotonic()
    outcome = dave.upload("urgent.txt", b"urgent", visibility="team")
    uploaded_in = time.monotonic() - started
    listener.wait(1)  # it got the message while the upload was already answered
    wait_for(lambda: any(d["error"] and "Timeout" in d["error"] for d in deliveries(admin)))
    assert uploaded_in < web.ctx.settings.webhook_timeout_s
    web.settle(outcome["version_id"])
    listener.hold.set()


def test_only_admins_see_and_manage_webhooks(web: Web, admin: Browser, alice: Browser) -> None:
    assert alice.get("/api/v1/webhooks").status_code == 403
    assert alice.get("/api/v1/webhooks/deliveries").status_code == 403
    assert alice.get("/admin/webhooks").status_code == 403
    refused = alice.api("POST", "/api/v1/webhooks", json={
        "team_id": 1, "name": "x", "url": "http://127.0.0.1:1/x", "style": "slack"})
    assert refused.status_code == 403
    bad = admin.api("POST", "/api/v1/webhooks", json={
        "team_id": 1, "name": "x", "url": "ftp://example.com", "style": "slack"})
    assert bad.status_code == 400 and "url" in bad.get_json()["error"]["fields"]
    created = add_webhook(admin, "http://127.0.0.1:9/hook", "teams")
    assert created["secret"] == ""  # only generic webhooks sign
    assert admin.api("DELETE", f"/api/v1/webhooks/{created['webhook']['webhook_id']}"
                     ).status_code == 204
    assert [e["action"] for e in admin.get("/api/v1/audit?limit=5").get_json()][:2] == [
        "webhook_delete", "webhook_create"]
