"""Signing in and out, rate limits, CSRF, language choice, API tokens and the first admin."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from docservice.cli import main
from docservice.services import accounts, logins
from docservice.web.server import ADMIN_EMAIL, ensure_admin
from tests.web.conftest import PASSWORD, Browser, Web, text_of


def test_pages_need_a_session_and_send_people_to_login(web: Web) -> None:
    browser = web.browser()
    response = browser.get("/upload")
    assert response.status_code == 302
    assert response.location.startswith("/login?next=/upload")


def test_login_goes_to_the_page_asked_for_and_logout_ends_the_session(web: Web) -> None:
    browser = web.browser()
    browser.refresh_csrf()
    response = browser.post("/login", {"email": "Alice@Example.com", "password": PASSWORD,
                                       "next": "/customers"})
    assert response.status_code == 302 and response.location == "/customers"
    assert "alice@example.com" in text_of(browser.get("/customers"))
    assert browser.post("/logout").status_code == 302
    assert browser.get("/customers").status_code == 302


def test_login_never_redirects_to_another_site(web: Web) -> None:
    browser = web.browser()
    browser.refresh_csrf()
    response = browser.post("/login", {"email": "alice@example.com", "password": PASSWORD,
                                       "next": "//evil.example/"})
    assert response.location == "/"


def test_wrong_password_says_so_and_the_session_is_permanent_on_success(web: Web) -> None:
    browser = web.browser()
    response = browser.login("alice@example.com", "not-the-password")
    assert response.status_code == 401
    assert "wrong e-mail or password" in text_of(response)
    response = browser.login("alice@example.com")
    cookie = response.headers.get("Set-Cookie", "")
    assert "session=" in cookie and "Expires=" in cookie and "HttpOnly" in cookie


def test_failed_logins_are_limited_per_account(web: Web) -> None:
    browser = web.browser()
    for _ in range(logins.MAX_FAILURES_PER_ACCOUNT):
        assert browser.login("bob@example.com", "guess-guess").status_code == 401
    blocked = browser.login("bob@example.com")  # even the right password waits now
    assert blocked.status_code == 429
    assert "too many failed logins" in text_of(blocked)
    assert web.browser().login("alice@example.com").status_code == 302


def test_failed_logins_are_limited_per_address(web: Web) -> None:
    browser = web.browser()
    for number in range(logins.MAX_FAILURES_PER_ADDRESS):
        browser.login(f"nobody{number}@example.com", "guess-guess")
    assert browser.login("alice@example.com").status_code == 429


def test_forms_without_a_csrf_token_are_refused(alice: Browser) -> None:
    response = alice.client.post("/customers", data={"name": "Acme"})
    assert response.status_code == 400
    assert "form expired" in text_of(response)
    api = alice.client.post("/api/v1/customers", json={"name": "Acme"})
    assert api.status_code == 400 and api.get_json()["error"]["code"] == "csrf_failed"


def test_language_follows_the_browser_then_the_remembered_choice(web: Web) -> None:
    browser = web.browser()
    page = browser.get("/login", headers={"Accept-Language": "zh-CN,zh;q=0.9,en;q=0.5"})
    assert '<html lang="zh-CN">' in text_of(page) and "登录" in text_of(page)
    english = browser.get("/login", headers={"Accept-Language": "en-US"})
    assert "Sign in" in text_of(english)
    browser.refresh_csrf()
    switched = browser.post("/language", {"lang": "zh-CN", "next": "/login"})
    assert switched.status_code == 302 and "lang=zh-CN" in switched.headers["Set-Cookie"]
    assert "登录" in text_of(browser.get("/login", headers={"Accept-Language": "en-US"}))
    assert browser.post("/language", {"lang": "fr"}).status_code == 400


def test_the_language_choice_is_kept_on_the_account(web: Web) -> None:
    first = web.signed_in("alice@example.com")
    first.post("/language", {"lang": "zh-CN", "next": "/"})
    elsewhere = web.signed_in("alice@example.com")  # another browser, no cookie
    assert "搜索" in text_of(elsewhere.get("/", headers={"Accept-Language": "en"}))


def test_api_tokens_are_shown_once_and_work_as_bearer(alice: Browser, web: Web) -> None:
    page = alice.post("/account/tokens", {"name": "CRM sync"})
    token = text_of(page).split('data-copy value="')[1].split('"')[0]
    assert token.startswith("ds_")
    assert token not in text_of(alice.get("/account"))
    client = web.app.test_client()
    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert me.status_code == 200 and me.get_json()["email"] == "alice@example.com"
    created = client.post("/api/v1/customers", json={"name": "Token Corp"},
                          headers={"Authorization": f"Bearer {token}"})
    assert created.status_code == 201  # bearer callers need no CSRF token
    token_id = alice.api("GET", "/api/v1/tokens").get_json()[0]["token_id"]
    assert alice.post(f"/account/tokens/{token_id}/revoke").status_code == 302
    refused = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert refused.status_code == 401
    assert refused.get_json()["error"]["code"] == "unauthorized"


def test_create_token_command_prints_a_working_token(web: Web, tmp_path: Path) -> None:
    env = {"DOCSERVICE_DATA_DIR": str(web.ctx.settings.data_dir)}
    result = CliRunner(env=env).invoke(main, ["create-token", "bob@example.com", "--name",
                                              "script", "--json"])
    assert result.exit_code == 0, result.output
    token = json.loads(result.output)["token"]
    me = web.app.test_client().get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert me.get_json()["email"] == "bob@example.com"
    missing = CliRunner(env=env).invoke(main, ["create-token", "nobody@example.com"])
    assert missing.exit_code == 1 and "not found" in missing.output


def test_first_run_creates_an_admin_with_a_generated_password(ctx) -> None:  # type: ignore[no-untyped-def]
    password = ensure_admin(ctx)
    assert password and accounts.authenticate(ctx, ADMIN_EMAIL, password).is_admin
    assert ensure_admin(ctx) is None


def test_first_admin_takes_the_configured_password(ctx) -> None:  # type: ignore[no-untyped-def]
    ctx.settings = ctx.settings.with_overrides(admin_password="from-the-env-1")
    assert ensure_admin(ctx) is None
    assert accounts.authenticate(ctx, ADMIN_EMAIL, "from-the-env-1").is_admin
