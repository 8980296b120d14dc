"""API tokens expire (chosen at creation, shown on the account page and in the API) and end
with a password change unless their holder chose to keep them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bs4 import BeautifulSoup
from sqlalchemy import update

from docservice.db.models import ApiToken, utcnow
from tests.web.conftest import PASSWORD, Browser, Web, text_of


def _bearer(web: Web, token: str) -> int:
    return int(web.app.test_client().get(
        "/api/v1/me", headers={"Authorization": f"Bearer {token}"}).status_code)


def _new_token(alice: Browser, **form: str) -> str:
    page = alice.post("/account/tokens", {"name": "CRM sync", **form})
    return text_of(page).split('data-copy value="')[1].split('"')[0]


def _expires(listed: dict[str, object]) -> datetime:
    return datetime.fromisoformat(str(listed["expires_at"])).astimezone(UTC)


def test_tokens_expire_after_the_days_chosen(web: Web, alice: Browser) -> None:
    token = _new_token(alice, days="30")
    listed = alice.get("/api/v1/tokens").get_json()
    assert abs(_expires(listed[0]) - (datetime.now(UTC) + timedelta(days=30))) < timedelta(
        minutes=5)
    page = BeautifulSoup(text_of(alice.get("/account")), "html.parser")
    assert "Expires" in page.get_text() and listed[0]["expires_at"][:10] in page.get_text()
    by_api = alice.api("POST", "/api/v1/tokens", json={"name": "default"})
    assert by_api.status_code == 201
    default = next(t for t in alice.get("/api/v1/tokens").get_json() if t["name"] == "default")
    assert abs(_expires(default) - (datetime.now(UTC) + timedelta(days=90))) < timedelta(
        minutes=5)
    for days in (0, 9999, "soon"):
        refused = alice.api("POST", "/api/v1/tokens", json={"expires_in_days": days})
        assert refused.status_code == 400, days
        assert "expires_in_days" in refused.get_json()["error"]["fields"], days
    week = alice.api("POST", "/api/v1/tokens", json={"name": "week", "expires_in_days": 7})
    assert week.status_code == 201
    listed_week = next(t for t in alice.get("/api/v1/tokens").get_json() if t["name"] == "week")
    assert abs(_expires(listed_week) - (datetime.now(UTC) + timedelta(days=7))) < timedelta(
        minutes=5)
    assert _bearer(web, token) == 200
    with web.ctx.uow() as uow:
        uow.session.execute(update(ApiToken).where(ApiToken.name == "CRM sync")
                            .values(expires_at=utcnow() - timedelta(minutes=1)))
        uow.commit()
    expired = web.app.test_client().get("/api/v1/me",
                                        headers={"Authorization": f"Bearer {token}"})
    assert expired.status_code == 401 and "expired" in expired.get_json()["error"]["message"]


def test_a_password_change_ends_tokens_unless_they_were_kept(web: Web, alice: Browser) -> None:
    ended = _new_token(alice)
    kept = _new_token(alice, keep_after_password_change="1")
    names = {t["token_id"]: t["keep_after_password_change"]
             for t in alice.get("/api/v1/tokens").get_json()}
    assert sorted(names.values()) == [False, True]
    changed = alice.post("/account/password", {"current_password": PASSWORD,
                                               "new_password": "battery-staple-2",
                                               "new_password_again": "battery-staple-2"})
    assert changed.status_code == 302
    assert _bearer(web, ended) == 401 and _bearer(web, kept) == 200
    assert [t["keep_after_password_change"] for t in alice.get("/api/v1/tokens").get_json()
            ] == [True]
