"""Changing one's password, an admin setting someone's, and the sessions that end with it."""

from __future__ import annotations

from bs4 import BeautifulSoup

from tests.web.conftest import PASSWORD, Browser, Web, text_of

NEW = "battery-staple-2"


def _change(browser: Browser, current: str, new: str, again: str | None = None) -> tuple[int, str]:
    """The status and what the password card or the flash says."""
    response = browser.post("/account/password", {"current_password": current,
                                                  "new_password": new,
                                                  "new_password_again": again or new})
    if response.status_code == 302:
        response = browser.get(response.location)
    soup = BeautifulSoup(text_of(response), "html.parser")
    said = soup.select_one("#password .flash.error") or soup.select_one(".flash")
    return response.status_code, said.get_text(strip=True) if said else ""


def test_a_person_changes_their_password_and_their_other_sessions_end(web: Web,
                                                                      alice: Browser) -> None:
    laptop = web.signed_in("alice@example.com")
    page = text_of(alice.get("/account"))
    assert "Change password" in page and 'name="current_password"' in page
    assert _change(alice, PASSWORD, NEW) == (
        200, "Your password was changed. Your other sessions were signed out.")
    assert alice.get("/account").status_code == 200  # this session goes on
    signed_out = laptop.get("/account")
    assert signed_out.status_code == 302 and "/login" in signed_out.location
    assert laptop.get("/api/v1/me").status_code == 401
    assert web.browser().login("alice@example.com", PASSWORD).status_code == 401
    assert web.browser().login("alice@example.com", NEW).status_code == 302


def test_mistakes_are_explained_and_change_nothing(web: Web, alice: Browser) -> None:
    assert _change(alice, "not-my-password", NEW) == (401, "the current password is wrong")
    assert _change(alice, PASSWORD, NEW, NEW + "x") == (
        400, "the two new passwords are not the same")
    assert _change(alice, PASSWORD, "short") == (400, "passwords need at least 8 characters")
    assert _change(alice, PASSWORD, PASSWORD) == (
        400, "the new password is the same as the current one")
    forged = alice.client.post("/account/password", data={
        "current_password": PASSWORD, "new_password": NEW, "new_password_again": NEW})
    assert forged.status_code == 400
    assert web.browser().login("alice@example.com", PASSWORD).status_code == 302


def test_guessing_the_current_password_is_limited_like_signing_in(web: Web,
                                                                  alice: Browser) -> None:
    for attempt in range(5):
        assert _change(alice, f"guess-number-{attempt}", NEW)[0] == 401
    assert _change(alice, PASSWORD, NEW) == (
        429, "too many failed logins; wait a while and try again")
    assert web.browser().login("alice@example.com", PASSWORD).status_code == 429


def test_the_change_is_in_the_audit_log(web: Web, alice: Browser, admin: Browser) -> None:
    _change(alice, PASSWORD, NEW)
    events = admin.get("/api/v1/audit?action=password_change").get_json()
    assert [(e["actor"], e["detail"]) for e in events] == [
        ("alice@example.com", "alice@example.com")]
    assert "password change" in text_of(admin.get("/audit?action=password_change"))


def test_an_admin_sets_a_password_and_that_user_is_signed_out(web: Web, admin: Browser,
                                                             bob: Browser) -> None:
    page = BeautifulSoup(text_of(admin.get("/admin/users")), "html.parser")
    form = next(f for f in page.select("form.reset-password")
                if "bob@example.com" in str(f.select_one("input[name=password]")))
    assert form.select_one("button").get_text(strip=True) == "Set password"
    done = admin.post(str(form["action"]), {"password": NEW})
    assert done.status_code == 302
    flashed = BeautifulSoup(text_of(admin.get("/admin/users")), "html.parser").select(".flash")
    assert [f.get_text(strip=True) for f in flashed] == [
        "Password set. That user's sessions were signed out."]
    assert bob.get("/account").status_code == 302
    assert web.browser().login("bob@example.com", NEW).status_code == 302
    events = admin.get("/api/v1/audit?action=password_reset").get_json()
    assert [(e["actor"], e["detail"]) for e in events] == [
        ("admin@example.com", "bob@example.com")]


def test_only_admins_set_other_peoples_passwords(web: Web, admin: Browser,
                                                 alice: Browser) -> None:
    page = BeautifulSoup(text_of(admin.get("/admin/users")), "html.parser")
    action = next(str(f["action"]) for f in page.select("form.reset-password")
                  if "bob@example.com" in str(f.select_one("input[name=password]")))
    refused = alice.post(action, {"password": NEW})
    assert refused.status_code == 403
    assert "only admins manage users and teams" in text_of(refused)
    short = admin.post(action, {"password": "short"})
    assert "passwords need at least 8 characters" in text_of(admin.get(short.location))
    assert web.browser().login("bob@example.com", PASSWORD).status_code == 302


def test_the_password_card_speaks_chinese(web: Web, alice: Browser) -> None:
    alice.post("/language", {"lang": "zh-CN", "next": "/"})
    page = text_of(alice.get("/account"))
    assert "修改密码" in page and "当前密码" in page and "再次输入新密码" in page
    assert _change(alice, "not-my-password", NEW) == (401, "当前密码错误")
    assert _change(alice, PASSWORD, NEW)[1] == "密码已修改，您在其他地方的登录已退出。"
