"""Following and the inbox as people use them: follow a customer, a document, a product or a
saved search, see the unread count rise when a teammate uploads, read the notification, and
never hear of a document one may not read (also when the rights change before delivery)."""

from __future__ import annotations

import time
from datetime import date, timedelta

from docservice.services import notifications, outbox
from docservice.services.context import Context
from tests.web.conftest import Browser, Web, text_of


def settle_outbox(ctx: Context, timeout: float = 30) -> None:
    """Wait until every owed side effect (notifications, e-mail, webhooks) has run."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        ctx.queue.wait_idle(timeout)
        if outbox.counts(ctx)["pending"] == 0 and ctx.queue.pending() == 0:
            return
        time.sleep(0.1)
    raise AssertionError(f"outbox still owes {outbox.counts(ctx)}")


def upload_and_settle(web: Web, browser: Browser, name: str, body: bytes,
                      **meta: str) -> dict[str, object]:
    outcome = browser.upload(name, body, **meta)
    web.settle(int(outcome["version_id"]))
    settle_outbox(web.ctx)
    return outcome


def unread_badge(browser: Browser) -> str | None:
    page = text_of(browser.get("/"))
    marker = 'id="unread-count">'
    if marker not in page:
        return None
    return page.split(marker, 1)[1].split("<", 1)[0]


def customer_id(browser: Browser, name: str) -> int:
    created = browser.api("POST", "/api/v1/customers", json={"name": name})
    assert created.status_code == 201, created.get_data(as_text=True)
    return int(created.get_json()["customer_id"])


def test_follow_a_customer_and_the_inbox_count_rises_when_a_teammate_uploads(
        web: Web, alice: Browser, dave: Browser, carol: Browser) -> None:
    acme = customer_id(alice, "Acme Rail")
    page = text_of(alice.get(f"/customers/{acme}"))
    assert 'data-follow="customer"' in page and "Follow" in page
    followed = alice.post("/following", {"kind": "customer", "id": str(acme),
                                         "next": f"/customers/{acme}"})
    assert followed.status_code == 302 and followed.location.endswith(f"/customers/{acme}")
    assert "Following" in text_of(alice.get(f"/customers/{acme}"))
    carol.post("/following", {"kind": "customer", "id": str(acme)})  # another team
    assert unread_badge(alice) is None

    outcome = upload_and_settle(web, dave, "acme-contract.txt", b"master supply agreement",
                                customer="Acme Rail", category="contract", visibility="team")

    assert unread_badge(alice) == "1"
    inbox = text_of(alice.get("/inbox"))
    assert "New document for customer Acme Rail: acme-contract" in inbox
    assert f'data-document-id="{outcome["document_id"]}"' in inbox
    assert unread_badge(carol) is None  # marketing may not read the sales team's contract
    assert unread_badge(dave) is None  # the uploader is not told of their own upload

    notification_id = alice.get("/api/v1/notifications").get_json()[
        "notifications"][0]["notification_id"]
    assert alice.post(f"/inbox/{notification_id}/read").status_code == 302
    assert unread_badge(alice) is None
    assert "Mark read" not in text_of(alice.get("/inbox"))
    admin = web.signed_in("admin@example.com")
    audited = admin.get("/api/v1/audit?action=notification_read").get_json()
    assert [(e["actor"], e["document_id"]) for e in audited] == [
        ("alice@example.com", outcome["document_id"])]
    assert admin.get("/api/v1/audit?action=follow").get_json()[0]["detail"] == \
        f"customer {acme}"


def test_followers_of_a_document_hear_of_new_versions_and_products_of_new_documents(
        web: Web, alice: Browser, dave: Browser) -> None:
    first = upload_and_settle(web, dave, "ax200-spec.txt", b"AX-200 spec sheet",
                              product="AX-200", category="product", visibility="team")
    document_id = first["document_id"]
    page = text_of(alice.get(f"/d/{document_id}"))
    assert 'data-follow="document"' in page and 'data-follow="product"' in page
    assert alice.api("POST", "/api/v1/following",
                     json={"kind": "document", "id": document_id}).status_code == 201
    assert alice.api("POST", "/api/v1/following",
                     json={"kind": "product", "product": "ax-200"}).status_code == 201
    dave.api("POST", f"/api/v1/documents/{document_id}/versions",
             data={"file": (__import__("io").BytesIO(b"AX-200 spec sheet v2"), "v2.txt")})
    upload_and_settle(web, dave, "ax200-manual.txt", b"AX-200 manual", product="AX-200",
                      category="product", visibility="org")
    settle_outbox(web.ctx)

    sentences = text_of(alice.get("/inbox"))
    assert "New version of ax200-spec" in sentences
    assert "New document for product AX-200: ax200-manual" in sentences
    listed = alice.get("/api/v1/following").get_json()
    assert {(f["kind"], f["label"]) for f in listed} == {("document", "ax200-spec"),
                                                         ("product", "ax-200")}
    assert alice.api("POST", "/api/v1/notifications/read").get_json() == {"changed": 2}
    assert alice.get("/api/v1/notifications?unread=true").get_json()["total"] == 0


def test_a_followed_saved_search_tells_of_new_matching_documents_only(
        web: Web, alice: Browser, dave: Browser) -> None:
    saved = alice.post("/searches", {"name": "Rail tenders", "query": "tender railway",
                                     "next": "/?q=tender+railway"})
    assert saved.status_code == 302
    page = text_of(alice.get("/?q=tender+railway"))
    assert "Rail tenders" in page and 'data-follow="search"' in page
    assert alice.api("POST", "/api/v1/saved-searches",
                     json={"name": "Rail tenders", "query": "x"}).status_code == 409
    search_id = alice.get("/api/v1/saved-searches").get_json()[0]["saved_search_id"]
    alice.post("/following", {"kind": "search", "id": str(search_id)})

    upload_and_settle(web, dave, "northern-bid.txt", b"railway tender for the northern line",
                      visibility="team")
    upload_and_settle(web, dave, "canteen.txt", b"canteen menu for march", visibility="team")

    found = alice.get("/api/v1/notifications").get_json()["notifications"]
    assert [(n["title"], n["via_kind"], n["via"]) for n in found] == [
        ("northern-bid", "search", "Rail tenders")]
    assert "New document matching your saved search Rail tenders" in text_of(
        alice.get("/inbox"))


def test_a_notification_disappears_when_its_reader_loses_the_right_to_read(
        web: Web, alice: Browser, dave: Browser) -> None:
    acme = customer_id(alice, "Acme Rail")
    alice.api("POST", "/api/v1/following", json={"kind": "customer", "id": acme})
    outcome = upload_and_settle(web, dave, "acme-price.txt", b"acme price list",
                                customer="Acme Rail", visibility="team")
    assert unread_badge(alice) == "1"

    made_private = dave.api("PATCH", f"/api/v1/documents/{outcome['document_id']}",
                            json={"visibility": "private"})
    assert made_private.status_code == 200

    assert unread_badge(alice) is None
    assert "acme-price" not in text_of(alice.get("/inbox"))
    assert alice.get("/api/v1/notifications").get_json()["total"] == 0
    hidden = alice.api("POST", f"/api/v1/notifications/{1}/read")
    assert hidden.status_code == 404


def test_owners_are_reminded_of_reviews_due_and_contracts_expiring_once(
        web: Web, alice: Browser) -> None:
    soon = (date.today() + timedelta(days=3)).isoformat()
    later = (date.today() + timedelta(days=20)).isoformat()
    spec = upload_and_settle(web, alice, "old-spec.txt", b"spec", category="product",
                             review_by=soon)
    contract = upload_and_settle(web, alice, "acme-deal.txt", b"deal", category="contract",
                                 expires_on=later)
    upload_and_settle(web, alice, "fresh.txt", b"fresh", review_by=(
        date.today() + timedelta(days=200)).isoformat())

    assert notifications.remind(web.ctx) == "1 review reminders, 1 expiry reminders"
    assert notifications.remind(web.ctx) == "0 review reminders, 0 expiry reminders"

    found = {n["document_id"]: n for n in
             alice.get("/api/v1/notifications").get_json()["notifications"]}
    assert found[spec["document_id"]]["kind"] == "review_due"
    assert found[contract["document_id"]]["due"] == later
    inbox = text_of(alice.get("/inbox"))
    assert f"old-spec is due for review on {soon}" in inbox
    assert f"Contract acme-deal expires on {later}" in inbox


def test_following_page_lists_and_unfollows_in_chinese(web: Web, alice: Browser) -> None:
    acme = customer_id(alice, "Acme Rail")
    alice.api("POST", "/api/v1/following", json={"kind": "customer", "id": acme})
    alice.post("/language", {"lang": "zh-CN", "next": "/following"})
    page = text_of(alice.get("/following"))
    assert "关注" in page and "Acme Rail" in page
    follow_id = alice.get("/api/v1/following").get_json()[0]["follow_id"]
    assert alice.post(f"/following/{follow_id}/delete").status_code == 302
    assert alice.get("/api/v1/following").get_json() == []
    assert "收件箱" in text_of(alice.get("/inbox"))


def test_bad_follow_requests_are_refused_clearly(web: Web, alice: Browser,
                                                 carol: Browser) -> None:
    bad_kind = alice.api("POST", "/api/v1/following", json={"kind": "planet", "id": 1})
    assert bad_kind.status_code == 400 and "kind" in bad_kind.get_json()["error"]["fields"]
    private = alice.upload("mine.txt", b"mine", visibility="private")
    refused = carol.api("POST", "/api/v1/following",
                        json={"kind": "document", "id": private["document_id"]})
    assert refused.status_code == 404
    assert carol.api("DELETE", "/api/v1/following/999").status_code == 404
    blank = alice.api("POST", "/api/v1/saved-searches", json={"name": " ", "query": "x"})
    assert blank.status_code == 400
