"""Notifications by e-mail through a real SMTP server on loopback: immediate or a daily
digest as each person chooses on their account page, in their language, and never naming a
document they may no longer read when the message goes out."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from docservice.config import Settings
from docservice.services import mail
from tests.conftest import embedded_settings
from tests.mailbox import Mailbox, body_of, free_port, smtp_server
from tests.web.conftest import Browser, Web, text_of
from tests.web.test_following import customer_id, upload_and_settle

SITE = "https://docs.example.com"


@pytest.fixture
def smtp_port() -> int:
    return free_port()


@pytest.fixture
def settings(tmp_path: Path, smtp_port: int) -> Settings:
    return embedded_settings(tmp_path / "data", smtp_host="127.0.0.1", smtp_port=smtp_port,
                             smtp_security="none", smtp_from="docs@example.com",
                             public_url=SITE)


@pytest.fixture
def mailbox(smtp_port: int) -> Iterator[Mailbox]:
    with smtp_server(smtp_port) as box:
        yield box


def choose(browser: Browser, mode: str) -> None:
    assert browser.post("/account/email", {"mode": mode}).status_code == 302
    assert f'value="{mode}" checked' in text_of(browser.get("/account"))


def test_immediate_e_mail_in_the_readers_language(web: Web, mailbox: Mailbox, alice: Browser,
                                                   bob: Browser, dave: Browser) -> None:
    acme = customer_id(alice, "Acme Rail")
    alice.api("POST", "/api/v1/following", json={"kind": "customer", "id": acme})
    bob.api("POST", "/api/v1/following", json={"kind": "product", "product": "AX-200"})
    for person in (alice, bob):
        choose(person, "immediate")
    bob.post("/language", {"lang": "zh-CN"})

    outcome = upload_and_settle(web, dave, "acme-contract.txt", b"master supply agreement",
                                customer="Acme Rail", product="AX-200", category="contract",
                                visibility="team")

    arrived = mailbox.wait(2)
    english = mailbox.to("alice@example.com")[0]
    assert english["Subject"] == "docservice: New document for customer Acme Rail: acme-contract"
    assert english["From"] == "docs@example.com"
    assert f"{SITE}/d/{outcome['document_id']}" in body_of(english)
    assert f"{SITE}/account" in body_of(english)
    chinese = mailbox.to("bob@example.com")[0]
    assert chinese["Subject"] == "docservice：产品 AX-200 有新文档：acme-contract"
    assert "账户页面" in body_of(chinese)
    assert len(arrived) == 2  # one each; the uploader gets none
    assert mail.send_digests(web.ctx) == "0 digests sent"  # sent already: not again


def test_daily_digest_once_and_only_what_the_reader_may_still_read(
        web: Web, mailbox: Mailbox, alice: Browser, dave: Browser) -> None:
    acme = customer_id(alice, "Acme Rail")
    alice.api("POST", "/api/v1/following", json={"kind": "customer", "id": acme})
    assert 'value="daily" checked' in text_of(alice.get("/account"))  # the default
    kept = upload_and_settle(web, dave, "acme-price.txt", b"price list", customer="Acme Rail",
                             visibility="team")
    withdrawn = upload_and_settle(web, dave, "acme-draft.txt", b"draft offer",
                                  customer="Acme Rail", visibility="team")
    assert mailbox.messages == []  # nothing until the digest

    # between the event and the delivery, the draft becomes the uploader's alone
    assert dave.api("PATCH", f"/api/v1/documents/{withdrawn['document_id']}",
                    json={"visibility": "private"}).status_code == 200
    assert mail.send_digests(web.ctx) == "1 digests sent"

    digest = mailbox.wait(1)[0]
    assert digest["To"] == "alice@example.com"
    assert digest["Subject"] == "docservice: 1 new notifications"
    text = body_of(digest)
    assert "New document for customer Acme Rail: acme-price" in text
    assert f"{SITE}/d/{kept['document_id']}" in text
    assert "acme-draft" not in text and f"/d/{withdrawn['document_id']}" not in text
    assert mail.send_digests(web.ctx) == "0 digests sent"


def test_immediate_e_mail_waits_for_the_mail_server_and_checks_rights_again(
        web: Web, smtp_port: int, alice: Browser, dave: Browser) -> None:
    acme = customer_id(alice, "Acme Rail")
    alice.api("POST", "/api/v1/following", json={"kind": "customer", "id": acme})
    choose(alice, "immediate")
    hidden = dave.upload("acme-secret.txt", b"secret", customer="Acme Rail", visibility="team")
    shown = dave.upload("acme-public.txt", b"public", customer="Acme Rail", visibility="team")
    web.settle(hidden["version_id"], shown["version_id"])  # the mail server is down meanwhile
    notification_ids = {n["title"]: n["notification_id"] for n in
                        alice.get("/api/v1/notifications").get_json()["notifications"]}
    assert set(notification_ids) == {"acme-secret", "acme-public"}
    dave.api("PATCH", f"/api/v1/documents/{hidden['document_id']}",
             json={"visibility": "private"})

    with smtp_server(smtp_port) as mailbox:
        for notification_id in notification_ids.values():  # what the outbox runs again
            mail.email_notification(web.ctx, {"notification_id": notification_id})
        subjects = [m["Subject"] for m in mailbox.wait(1)]
    assert subjects == ["docservice: New document for customer Acme Rail: acme-public"]
