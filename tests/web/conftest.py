"""A real embedded app (SQLite, Tantivy, worker threads) behind Flask's test client."""

from __future__ import annotations

import io
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from docservice.services import accounts, ingestion, outbox
from docservice.services.context import Context
from docservice.web import create_app

PASSWORD = "correct-horse-1"
_CSRF = re.compile(r'name="csrf-token" content="([^"]+)"')


class Browser:
    """A person with a browser: signs in, fills forms (with their CSRF token), reads pages."""

    def __init__(self, client: FlaskClient) -> None:
        self.client = client
        self.token = ""

    def refresh_csrf(self) -> str:
        page = self.client.get("/login")
        found = _CSRF.search(page.get_data(as_text=True))
        if found is None:  # already signed in: /login redirects, any page carries the token
            found = _CSRF.search(self.client.get("/account").get_data(as_text=True))
        assert found is not None
        self.token = found.group(1)
        return self.token

    def login(self, email: str, password: str = PASSWORD) -> TestResponse:
        self.refresh_csrf()
        response = self.client.post("/login", data={"email": email, "password": password,
                                                    "csrf_token": self.token})
        self.refresh_csrf()
        return response

    def get(self, path: str, **kwargs: Any) -> TestResponse:
        return self.client.get(path, **kwargs)

    def post(self, path: str, data: dict[str, Any] | None = None, **kwargs: Any) -> TestResponse:
        return self.client.post(path, data={"csrf_token": self.token, **(data or {})}, **kwargs)

    def api(self, method: str, path: str, **kwargs: Any) -> TestResponse:
        headers = {"X-CSRFToken": self.token, **kwargs.pop("headers", {})}
        return self.client.open(path, method=method, headers=headers, **kwargs)

    def upload(self, filename: str, content: bytes, **meta: str) -> dict[str, Any]:
        response = self.api("POST", "/api/v1/documents",
                            data={"file": (io.BytesIO(content), filename), **meta})
        assert response.status_code in (200, 201), response.get_data(as_text=True)
        return dict(response.get_json())


@dataclass
class Web:
    ctx: Context
    app: Flask

    def browser(self) -> Browser:
        return Browser(self.app.test_client())

    def signed_in(self, email: str) -> Browser:
        browser = self.browser()
        assert browser.login(email).status_code == 302
        return browser

    def settle(self, *version_ids: int) -> None:
        states = ingestion.wait_for_versions(self.ctx, list(version_ids), timeout=120)
        assert set(states.values()) <= {"indexed", "failed"}, states

    def drain_outbox(self, timeout: float = 60.0) -> None:
        """Wait until the side effects queued so far (index updates) have run."""
        deadline = time.monotonic() + timeout
        while outbox.counts(self.ctx)[outbox.PENDING]:
            assert time.monotonic() < deadline, outbox.counts(self.ctx)
            time.sleep(0.05)


@pytest.fixture
def web(ctx: Context) -> Iterator[Web]:
    accounts.create_user(ctx, "admin@example.com", "admin", password=PASSWORD)
    accounts.create_user(ctx, "alice@example.com", "editor", teams=["sales"], password=PASSWORD)
    accounts.create_user(ctx, "bob@example.com", "viewer", teams=["sales"], password=PASSWORD)
    accounts.create_user(ctx, "carol@example.com", "editor", teams=["marketing"],
                         password=PASSWORD)
    yield Web(ctx, create_app(ctx, {"TESTING": True}))


@pytest.fixture
def alice(web: Web) -> Browser:
    return web.signed_in("alice@example.com")


@pytest.fixture
def bob(web: Web) -> Browser:
    return web.signed_in("bob@example.com")


@pytest.fixture
def carol(web: Web) -> Browser:
    return web.signed_in("carol@example.com")


@pytest.fixture
def dave(web: Web) -> Browser:
    """Alice's teammate in sales, who uploads."""
    accounts.create_user(web.ctx, "dave@example.com", "editor", teams=["sales"],
                         password=PASSWORD)
    return web.signed_in("dave@example.com")


@pytest.fixture
def admin(web: Web) -> Browser:
    return web.signed_in("admin@example.com")


def text_of(response: TestResponse) -> str:
    return response.get_data(as_text=True)
