"""Security review findings on sessions: where a login may send people, how long and where a
session cookie lives, that signing out ends it everywhere it was copied to, that login time
does not tell who has an account, and that nothing private is kept in a cache."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from urllib.parse import urlsplit

import pytest
from argon2 import PasswordHasher
from werkzeug.test import TestResponse

from docservice.services import accounts
from tests.web.conftest import PASSWORD, Browser, Web, text_of

HOSTILE_NEXT = [
    "/\t/evil.example",          # ?next=/%09/evil.example: browsers drop the tab
    "/\n/evil.example", "/\r/evil.example", "\t//evil.example", " //evil.example",
    "/\\evil.example", "\\/evil.example", "//evil.example", "///evil.example",
    "https://evil.example/", "javascript:alert(1)", "/\x00/evil.example",
    "/\x1f/evil.example", "http:/evil.example",
]


def _where_a_browser_goes(location: str) -> tuple[str, str]:
    """Scheme and host of ``location`` after a browser's URL clean-up (WHATWG: tabs and
    newlines removed, leading and trailing C0 controls and spaces stripped, \\ read as /)."""
    cleaned = location.strip("".join(map(chr, range(0x21))))
    cleaned = "".join(ch for ch in cleaned if ch not in "\t\n\r").replace("\\", "/")
    parts = urlsplit(cleaned)
    return parts.scheme, parts.netloc


@pytest.mark.parametrize("target", HOSTILE_NEXT)
def test_login_sends_people_only_to_pages_of_this_site(web: Web, target: str) -> None:
    browser = web.browser()
    browser.refresh_csrf()
    response = browser.post("/login", {"email": "alice@example.com", "password": PASSWORD,
                                       "next": target})
    assert response.status_code == 302
    assert _where_a_browser_goes(response.location) == ("", "")
    again = browser.get("/login", query_string={"next": target})  # already signed in
    assert _where_a_browser_goes(again.location) == ("", "")


def test_login_keeps_a_page_of_this_site_with_its_query(web: Web) -> None:
    browser = web.browser()
    browser.refresh_csrf()
    response = browser.post("/login", {"email": "alice@example.com", "password": PASSWORD,
                                       "next": "/?q=price+list&sort=date"})
    assert response.location == "/?q=price+list&sort=date"


def _session_cookie(response_headers: list[str]) -> str:
    return next(cookie for cookie in response_headers if cookie.startswith("session="))


def test_the_session_cookie_lasts_twelve_hours_and_stays_on_this_site(web: Web) -> None:
    response = web.browser().login("alice@example.com")
    cookie = _session_cookie(response.headers.getlist("Set-Cookie"))
    expires = parsedate_to_datetime(cookie.split("Expires=")[1].split(";")[0])
    assert abs(expires - (datetime.now(UTC) + timedelta(hours=12))) < timedelta(minutes=5)
    assert "SameSite=Lax" in cookie and "HttpOnly" in cookie
    assert "Secure" not in cookie  # plain http on a laptop: a Secure cookie would never return


def _csrf_token(page: TestResponse) -> str:
    return text_of(page).split('name="csrf-token" content="')[1].split('"')[0]


def test_the_session_cookie_is_secure_when_the_site_is_served_over_https(web: Web) -> None:
    browser = Browser(web.app.test_client())
    page = browser.client.get("/login", base_url="https://docs.example")
    token = _csrf_token(page)
    response = browser.client.post(  # over https a form must come from this site (Referer)
        "/login", base_url="https://docs.example",
        headers={"Referer": "https://docs.example/login"},
        data={"email": "alice@example.com", "password": PASSWORD, "csrf_token": token})
    assert response.status_code == 302
    assert "; Secure" in _session_cookie(response.headers.getlist("Set-Cookie"))


def test_behind_a_configured_proxy_the_forwarded_scheme_makes_the_cookie_secure(
        web: Web) -> None:
    from docservice.web import create_app

    proxied = web.ctx
    proxied.settings = proxied.settings.with_overrides(trusted_proxies=1)
    app = create_app(proxied, {"TESTING": True})
    client = app.test_client()
    forwarded = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.9",
                 "Referer": "https://localhost/login"}
    page = client.get("/login", headers=forwarded)
    token = _csrf_token(page)
    response = client.post("/login", headers=forwarded, data={
        "email": "alice@example.com", "password": PASSWORD, "csrf_token": token})
    assert "; Secure" in _session_cookie(response.headers.getlist("Set-Cookie"))
    # Without the setting the header is anybody's to send, and is not believed.
    plain = web.app.test_client()
    page = plain.get("/login", headers=forwarded)
    token = _csrf_token(page)
    response = plain.post("/login", headers=forwarded, data={
        "email": "alice@example.com", "password": PASSWORD, "csrf_token": token})
    assert "Secure" not in _session_cookie(response.headers.getlist("Set-Cookie"))


def test_a_session_cookie_copied_before_signing_out_does_not_work_after(web: Web,
                                                                       alice: Browser) -> None:
    stolen = web.app.test_client()
    cookie = alice.client.get_cookie("session")
    assert cookie is not None
    stolen.set_cookie("session", cookie.value)
    assert stolen.get("/account").status_code == 200  # the copy works while alice is in
    other_device = web.signed_in("alice@example.com")
    assert alice.post("/logout").status_code == 302
    assert stolen.get("/account").status_code == 302
    assert stolen.get("/api/v1/me").status_code == 401
    assert other_device.get("/account").status_code == 200  # only that session ended


def test_a_session_ends_twelve_hours_after_signing_in_however_busy(web: Web,
                                                                   alice: Browser) -> None:
    assert alice.get("/account").status_code == 200
    with alice.client.session_transaction() as session:
        session["signed_in_at"] = time.time() - 12 * 3600 - 60
    assert alice.get("/account").status_code == 302


def _verifications(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every argon2 verification from now on, by the hash it was checked against."""
    checked: list[str] = []
    real = PasswordHasher.verify

    def counting(self: PasswordHasher, hash: str | bytes, password: str | bytes) -> bool:
        checked.append(str(hash))
        return real(self, hash, password)

    monkeypatch.setattr(PasswordHasher, "verify", counting)
    return checked


def test_an_unknown_account_costs_a_login_as_much_as_a_known_one(
        web: Web, monkeypatch: pytest.MonkeyPatch) -> None:
    accounts.create_user(web.ctx, "gone@example.com", "viewer", password=PASSWORD)
    from docservice.services import users

    gone = next(u for u in users.list_users(web.ctx, accounts.principal_for(web.ctx, None))
                if u.email == "gone@example.com")
    users.update_user(web.ctx, accounts.principal_for(web.ctx, None), gone.user_id,
                      active=False)
    checked = _verifications(monkeypatch)
    counts = {}
    for email in ("alice@example.com", "nobody@example.com", "gone@example.com"):
        before = len(checked)
        assert web.browser().login(email, "not-the-password").status_code == 401
        counts[email] = len(checked) - before
    assert counts == {"alice@example.com": 1, "nobody@example.com": 1, "gone@example.com": 1}


def _doc(alice: Browser, web: Web) -> dict[str, int]:
    outcome = alice.upload("terms.txt", b"confidential discount terms", visibility="private")
    web.settle(outcome["version_id"])
    return outcome


def test_private_pages_and_files_are_never_cached(web: Web, alice: Browser) -> None:
    doc = _doc(alice, web)
    token_page = alice.post("/account/tokens", {"name": "script"})
    share = alice.api("POST", f"/api/v1/documents/{doc['document_id']}/shares", json={})
    share_path = share.get_json()["url"].replace("http://localhost", "")
    responses = {
        "account with a new token": token_page,
        "account": alice.get("/account"),
        "document page": alice.get(f"/d/{doc['document_id']}"),
        "download": alice.get(f"/v/{doc['version_id']}/download"),
        "latest download": alice.get(f"/d/{doc['document_id']}/latest"),
        "search page": alice.get("/?q=discount"),
        "api document": alice.get(f"/api/v1/documents/{doc['document_id']}"),
        "api text": alice.get(f"/api/v1/versions/{doc['version_id']}/text"),
        "api download": alice.get(f"/api/v1/versions/{doc['version_id']}/download"),
        "share page": web.browser().get(share_path),
        "share download": web.browser().get(share_path + "/download"),
    }
    assert {name: r.status_code for name, r in responses.items()} == dict.fromkeys(responses, 200)
    uncached = {name for name, response in responses.items()
                if "no-store" in response.headers.get("Cache-Control", "")}
    assert uncached == set(responses)
    assert "no-store" not in web.browser().get("/static/app.css").headers.get(
        "Cache-Control", "")
