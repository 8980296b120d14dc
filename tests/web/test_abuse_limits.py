"""Security review findings on abuse: a search that occupies the server, uploads into another
team, guessing share-link and account passwords (behind a proxy too)."""

from __future__ import annotations

import io
from datetime import timedelta

from click.testing import CliRunner
from sqlalchemy import select

from docservice.cli import main
from docservice.db.models import AuditEvent
from docservice.search import query as query_module
from docservice.search.spelling import typo_variants
from docservice.services import accounts
from docservice.web import create_app
from tests.web.conftest import Browser, Web, text_of

# ~1,400 misspelt words, 10,000 characters: typo variants for each took 17 s and 2.9 GB.
HUGE_QUERY = " ".join(f"specificaton{n}x" for n in range(700))[:10_000]


def _words_at_the_cap() -> str:
    """As many distinct mistyped words as a query may hold, within its length."""
    words = [f"quotaton{chr(97 + n % 26)}{chr(97 + n // 26)}"
             for n in range(query_module.MAX_QUERY_WORDS)]
    query = " ".join(words)
    assert len(query) <= query_module.MAX_QUERY_LENGTH
    return query


def test_an_oversized_search_is_refused_with_a_reason(web: Web, bob: Browser) -> None:
    api = bob.get("/api/v1/search", query_string={"q": HUGE_QUERY})
    assert api.status_code == 400
    assert api.get_json()["error"]["code"] == "query_too_long"
    assert f"at most {query_module.MAX_QUERY_LENGTH} characters" in (
        api.get_json()["error"]["message"])
    many_words = " ".join(["price"] * (query_module.MAX_QUERY_WORDS + 1))
    refused = bob.get("/api/v1/search", query_string={"q": many_words})
    assert refused.status_code == 400
    assert f"at most {query_module.MAX_QUERY_WORDS} words" in refused.get_json()["error"][
        "message"]
    page = bob.get("/", query_string={"q": HUGE_QUERY})
    assert page.status_code == 400 and "The search could not run" in text_of(page)
    assert f"at most {query_module.MAX_QUERY_LENGTH} characters" in text_of(page)
    chinese = bob.get("/", query_string={"q": HUGE_QUERY},
                      headers={"Accept-Language": "zh-CN"})
    assert f"最多 {query_module.MAX_QUERY_LENGTH} 个字符" in text_of(chinese)
    cli = CliRunner(env={"DOCSERVICE_DATA_DIR": str(web.ctx.settings.data_dir)}).invoke(
        main, ["search", HUGE_QUERY])
    assert cli.exit_code != 0 and "at most" in cli.output


def test_a_search_at_the_cap_answers_with_bounded_typo_work(web: Web, alice: Browser) -> None:
    doc = alice.upload("quote.txt", b"quotation for the industrial router", visibility="org")
    web.settle(doc["version_id"])
    typo_variants.cache_clear()
    response = alice.get("/api/v1/search", query_string={"q": _words_at_the_cap()})
    assert response.status_code == 200
    expanded = typo_variants.cache_info()
    # Each distinct word given typo variants is one cache entry: the work is bounded.
    assert 0 < expanded.currsize <= query_module.MAX_TYPO_WORDS
    typo_variants.cache_clear()
    one_typo = alice.get("/api/v1/search", query_string={"q": "industrail router"})
    assert [hit["document_id"] for hit in one_typo.get_json()["hits"]] == [doc["document_id"]]


def _team_id(web: Web, name: str) -> int:
    from docservice.services import users

    return next(team.team_id for team in users.list_teams(web.ctx) if team.name == name)


def _upload(browser: Browser, content: bytes = b"team file", **fields: object
            ) -> tuple[int, dict[str, object]]:
    response = browser.api("POST", "/api/v1/documents",
                           data={"file": (io.BytesIO(content), "team.txt"), **fields})
    return response.status_code, response.get_json()


def test_editors_upload_only_into_their_own_teams(web: Web, alice: Browser,
                                                  admin: Browser) -> None:
    marketing, sales = _team_id(web, "marketing"), _team_id(web, "sales")
    status, body = _upload(alice, team_id=str(marketing))
    assert status == 403 and "team you belong to" in body["error"]["message"]
    status, body = _upload(alice, team_id="424242")
    assert status == 422 and body["error"]["message"] == "no team with id 424242"
    status, body = _upload(alice, team_id=str(sales))
    assert status == 201
    assert alice.get(f"/api/v1/documents/{body['document_id']}").get_json()["team_id"] == sales
    assert _upload(admin, b"admin file", team_id=str(marketing))[0] == 201  # any team


def test_editing_a_document_keeps_it_within_the_editors_teams(web: Web,
                                                              alice: Browser) -> None:
    doc_id = alice.upload("mine.txt", b"mine")["document_id"]
    team_before = alice.get(f"/api/v1/documents/{doc_id}").get_json()["team_id"]
    moved = alice.api("PATCH", f"/api/v1/documents/{doc_id}",
                      json={"team_id": _team_id(web, "marketing")})
    assert moved.status_code == 403
    assert alice.get(f"/api/v1/documents/{doc_id}").get_json()["team_id"] == team_before
    unknown = alice.api("PATCH", f"/api/v1/documents/{doc_id}", json={"team_id": 424242})
    assert unknown.status_code == 422 and "no team with id" in text_of(unknown)


def _shared_with_password(alice: Browser, password: str = "open sesame") -> str:
    doc_id = alice.upload("secret.txt", b"secret terms")["document_id"]
    link = alice.api("POST", f"/api/v1/documents/{doc_id}/shares", json={"password": password})
    assert link.status_code == 201, text_of(link)
    return str(link.get_json()["url"]).replace("http://localhost", "")


def _visitor(web: Web, address: str) -> Browser:
    browser = Browser(web.app.test_client())
    browser.client.environ_base["REMOTE_ADDR"] = address
    browser.refresh_csrf()
    return browser


def _age_failures(web: Web, action: str, by: timedelta) -> None:
    """Let time pass for the failed attempts recorded so far."""
    with web.ctx.uow() as uow:
        for event in uow.session.scalars(select(AuditEvent).where(AuditEvent.action == action)):
            event.at = event.at - by
        uow.commit()


def test_share_passwords_have_a_minimum_length(web: Web, alice: Browser) -> None:
    doc_id = alice.upload("short.txt", b"short")["document_id"]
    short = alice.api("POST", f"/api/v1/documents/{doc_id}/shares", json={"password": "x"})
    assert short.status_code == 400
    assert "at least 8 characters" in short.get_json()["error"]["message"]
    page = alice.post(f"/d/{doc_id}/shares", {"days": "3", "password": "abc"},
                      follow_redirects=True)
    assert "at least 8 characters" in text_of(page)


def test_guessing_a_share_password_is_slowed_per_link_and_address(web: Web,
                                                                  alice: Browser) -> None:
    path = _shared_with_password(alice)
    guesser = _visitor(web, "198.51.100.7")
    for number in range(5):
        assert guesser.post(path, {"password": f"guess-{number}"}).status_code == 401
    blocked = guesser.post(path, {"password": "open sesame"})  # even the right one waits
    assert blocked.status_code == 429 and int(blocked.headers["Retry-After"]) > 0
    assert "too many wrong passwords" in text_of(blocked)
    assert _visitor(web, "192.0.2.44").post(path, {"password": "open sesame"}
                                            ).status_code == 302  # another visitor
    _age_failures(web, "share_password_failed", timedelta(minutes=1))
    assert guesser.post(path, {"password": "guess-5"}).status_code == 401  # the wait is over
    again = guesser.post(path, {"password": "guess-6"})
    assert again.status_code == 429  # and the next one is longer
    assert int(again.headers["Retry-After"]) > int(blocked.headers["Retry-After"])
    events = alice.get("/api/v1/audit?action=share_password_failed").get_json()
    assert len(events) == 6 and all("198.51.100.7" in e["detail"] for e in events)


def test_wrong_logins_slow_that_account_from_that_address_only(web: Web) -> None:
    guesser = _visitor(web, "198.51.100.7")
    for _ in range(5):
        assert guesser.login("bob@example.com", "guess-guess").status_code == 401
    blocked = guesser.login("bob@example.com")
    assert blocked.status_code == 429 and int(blocked.headers["Retry-After"]) > 0
    assert _visitor(web, "192.0.2.44").login("bob@example.com").status_code == 302  # bob
    _age_failures(web, "login_failed", timedelta(minutes=1))
    assert guesser.login("bob@example.com", "guess-6").status_code == 401
    longer = guesser.login("bob@example.com", "guess-7")
    assert int(longer.headers["Retry-After"]) > int(blocked.headers["Retry-After"])
    _age_failures(web, "login_failed", timedelta(minutes=20))
    assert guesser.login("bob@example.com").status_code == 302  # forgotten after a while


def test_behind_a_trusted_proxy_each_client_address_counts_on_its_own(web: Web) -> None:
    web.ctx.settings = web.ctx.settings.with_overrides(trusted_proxies=1)
    proxied = Web(web.ctx, create_app(web.ctx, {"TESTING": True}))

    def through_proxy(client_address: str) -> Browser:
        browser = Browser(proxied.app.test_client())
        browser.client.environ_base.update(REMOTE_ADDR="10.0.0.2",
                                           HTTP_X_FORWARDED_FOR=client_address)
        return browser

    guesser = through_proxy("198.51.100.7")
    for number in range(25):
        guesser.login(f"nobody{number}@example.com", "guess-guess")
    assert guesser.login("alice@example.com").status_code == 429
    assert through_proxy("192.0.2.44").login("alice@example.com").status_code == 302
    failed = proxied.ctx
    admin = accounts.principal_for(failed, None)
    from docservice.services import auditlog

    events = auditlog.query_events(failed, admin, auditlog.AuditFilter(action="login_failed"))
    assert {event.detail for event in events} == {"198.51.100.7"}
