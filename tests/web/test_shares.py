"""Share links: one document, no account, expiring, optionally with a password, revocable."""

from __future__ import annotations

import io
from datetime import timedelta

from sqlalchemy import update

from docservice.db.models import ShareLink, utcnow
from tests.web.conftest import Browser, Web, text_of


def _share(alice: Browser, doc_id: int, **body: object) -> dict[str, object]:
    response = alice.api("POST", f"/api/v1/documents/{doc_id}/shares", json=body)
    assert response.status_code == 201, response.get_data(as_text=True)
    return dict(response.get_json())


def test_a_latest_link_follows_new_versions_and_needs_no_account(web: Web,
                                                                  alice: Browser) -> None:
    outcome = alice.upload("deck.txt", b"deck v1", visibility="private")
    doc_id = outcome["document_id"]
    link = _share(alice, doc_id)
    path = str(link["url"]).replace("http://localhost", "")
    visitor = web.browser()
    page = text_of(visitor.get(path))
    assert "deck" in page and "always the latest" in page
    assert visitor.get(path + "/download").data == b"deck v1"
    alice.api("POST", f"/api/v1/documents/{doc_id}/versions",
              data={"file": (io.BytesIO(b"deck v2"), "deck.txt")})
    assert visitor.get(path + "/download").data == b"deck v2"
    assert visitor.get(f"/d/{doc_id}").status_code == 302  # only the shared view
    events = [e["action"] for e in alice.get(f"/api/v1/audit?document_id={doc_id}").get_json()]
    assert {"share_create", "share_open", "share_download"} <= set(events)


def test_a_pinned_link_serves_its_version_only(web: Web, alice: Browser) -> None:
    first = alice.upload("sheet.txt", b"sheet v1")
    alice.api("POST", f"/api/v1/documents/{first['document_id']}/versions",
              data={"file": (io.BytesIO(b"sheet v2"), "sheet.txt")})
    link = _share(alice, first["document_id"], version_id=first["version_id"])
    path = str(link["url"]).replace("http://localhost", "")
    assert web.browser().get(path + "/download").data == b"sheet v1"


def test_a_password_is_asked_once_per_browser(web: Web, alice: Browser) -> None:
    doc_id = alice.upload("secret.txt", b"secret terms")["document_id"]
    path = str(_share(alice, doc_id, password="open sesame")["url"]).replace(
        "http://localhost", "")
    visitor = web.browser()
    asked = visitor.get(path)
    assert asked.status_code == 401 and 'name="password"' in text_of(asked)
    assert visitor.get(path + "/download").status_code == 401
    visitor.refresh_csrf()
    wrong = visitor.post(path, {"password": "nope"})
    assert wrong.status_code == 401 and "wrong password" in text_of(wrong)
    assert visitor.post(path, {"password": "open sesame"}).status_code == 302
    assert visitor.get(path + "/download").data == b"secret terms"
    assert web.browser().get(path + "/download").status_code == 401


def test_revoked_and_expired_links_stop_working(web: Web, alice: Browser) -> None:
    doc_id = alice.upload("r.txt", b"r")["document_id"]
    revoked = _share(alice, doc_id)
    expired = _share(alice, doc_id)
    response = alice.post(f"/shares/{revoked['share_id']}/revoke")
    assert response.status_code == 302
    with web.ctx.uow() as uow:
        uow.session.execute(update(ShareLink).where(ShareLink.id == expired["share_id"])
                            .values(expires_at=utcnow() - timedelta(minutes=1)))
        uow.commit()
    for link in (revoked, expired):
        gone = web.browser().get(str(link["url"]).replace("http://localhost", ""))
        assert gone.status_code == 404 and "expired or was revoked" in text_of(gone)
    assert web.browser().get("/s/sh_made-up").status_code == 404
    listed = alice.get(f"/api/v1/documents/{doc_id}/shares").get_json()
    assert [s["active"] for s in listed] == [False, False]
    assert "revoked" in text_of(alice.get(f"/d/{doc_id}"))


def test_sharing_needs_write_access_and_valid_input(web: Web, alice: Browser,
                                                    bob: Browser) -> None:
    doc_id = alice.upload("s.txt", b"s")["document_id"]
    assert bob.api("POST", f"/api/v1/documents/{doc_id}/shares", json={}).status_code == 403
    assert alice.api("POST", f"/api/v1/documents/{doc_id}/shares",
                     json={"expires_in_days": 9999}).status_code == 400
    assert alice.api("POST", f"/api/v1/documents/{doc_id}/shares",
                     json={"version_id": 424242}).status_code == 422
    assert alice.api("DELETE", "/api/v1/shares/424242").status_code == 404
    link = _share(alice, doc_id)
    assert bob.api("DELETE", f"/api/v1/shares/{link['share_id']}").status_code == 403
    assert alice.api("DELETE", f"/api/v1/shares/{link['share_id']}").status_code == 204


def test_the_document_page_creates_a_link_and_shows_it(web: Web, alice: Browser) -> None:
    doc_id = alice.upload("p.txt", b"p")["document_id"]
    response = alice.post(f"/d/{doc_id}/shares", {"version_id": "", "days": "3",
                                                  "password": ""}, follow_redirects=True)
    page = text_of(response)
    assert "Share link created" in page and "/s/sh_" in page
    bad = alice.post(f"/d/{doc_id}/shares", {"days": "500"}, follow_redirects=True)
    assert "expires after 1 to 365 days" in text_of(bad)
