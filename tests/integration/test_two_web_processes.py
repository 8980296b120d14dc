"""Two web processes on one data directory are one product (embedded tier): a person signs
in on one, uploads, and the other finds the document, accepts the session and the forms.

Each process is a real ``docservice serve`` (waitress, in-process workers) on its own
loopback port, as a load balancer would see them.
"""

from __future__ import annotations

import http.cookiejar
import json
import os
import re
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from docservice.bootstrap import bootstrap
from docservice.services import accounts
from tests.conftest import embedded_settings
from tests.services import ROOT, web_servers

PASSWORD = "correct-horse-1"
INDEXED_TIMEOUT_S = 120
_CSRF = re.compile(r'name="csrf-token" content="([^"]+)"')


@dataclass
class Answer:
    status: int
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode("utf-8")

    def json(self) -> Any:
        return json.loads(self.body)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None  # a 302 is an answer to look at, not to follow


class Browser:
    """One person's browser: one cookie jar, whichever server a request goes to."""

    def __init__(self) -> None:
        self.cookies = http.cookiejar.CookieJar()
        self._opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(
            self.cookies), _NoRedirect())

    def request(self, url: str, data: bytes | None = None,
                headers: dict[str, str] | None = None) -> Answer:
        try:
            with self._opener.open(urllib.request.Request(url, data=data,
                                                          headers=headers or {}),
                                   timeout=30) as response:
                return Answer(response.status, response.read())
        except urllib.error.HTTPError as error:  # 3xx/4xx/5xx carry a body worth reading
            return Answer(error.code, error.read())

    def get(self, url: str) -> Answer:
        return self.request(url)

    def post_form(self, url: str, fields: dict[str, str]) -> Answer:
        return self.request(url, urllib.parse.urlencode(fields).encode(),
                            {"Content-Type": "application/x-www-form-urlencoded"})

    def csrf_token(self, page_url: str) -> str:
        found = _CSRF.search(self.get(page_url).text)
        assert found is not None, page_url
        return found.group(1)

    def upload(self, url: str, filename: str, content: bytes, csrf: str,
               **fields: str) -> Answer:
        boundary = uuid.uuid4().hex
        parts = [f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'
                 f"{value}\r\n".encode() for name, value in fields.items()]
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="file"; '
                     f'filename="{filename}"\r\nContent-Type: text/plain\r\n\r\n'.encode()
                     + content + f"\r\n--{boundary}--\r\n".encode())
        return self.request(url, b"".join(parts), {
            "Content-Type": f"multipart/form-data; boundary={boundary}",
            "X-CSRFToken": csrf, "Accept": "application/json"})


@pytest.fixture
def two_servers(tmp_path: Path) -> Iterator[tuple[str, str]]:
    """Two ``docservice serve`` processes on one data dir, with alice of the sales team."""
    data_dir = tmp_path / "data"
    ctx = bootstrap(embedded_settings(data_dir))  # what `docservice init` does: schema, key
    accounts.create_user(ctx, "alice@example.com", "editor", teams=["sales"],
                         password=PASSWORD)
    ctx.close()
    env = {key: value for key, value in os.environ.items() if not key.startswith("DOCSERVICE_")}
    env.update(DOCSERVICE_DATA_DIR=str(data_dir), DOCSERVICE_WORKERS="1",
               PYTHONPATH=str(ROOT))
    with web_servers(env, tmp_path, count=2) as urls:
        yield urls[0], urls[1]


def _search(browser: Browser, server: str, query: str) -> Answer:
    return browser.get(f"{server}/api/v1/search?" + urllib.parse.urlencode({"q": query}))


@pytest.mark.slow  # starts several docservice processes
def test_two_processes_serve_one_product(two_servers: tuple[str, str]) -> None:
    server_a, server_b = two_servers
    alice = Browser()
    signed_in = alice.post_form(server_a + "/login", {
        "email": "alice@example.com", "password": PASSWORD,
        "csrf_token": alice.csrf_token(server_a + "/login")})
    assert signed_in.status == 302, signed_in.text

    # The session cookie server A signed is good on server B, which never saw the login.
    assert alice.get(server_b + "/api/v1/me").json()["email"] == "alice@example.com"
    assert "alice@example.com" in alice.get(server_b + "/").text
    assert Browser().get(server_b + "/api/v1/me").status == 401

    uploaded = alice.upload(server_a + "/api/v1/documents", "northwind-msa.txt",
                            b"Master services agreement with Northwind Traders.\n"
                            b"Liquidated damages for the Zephyr pilot shall not exceed 10%.",
                            alice.csrf_token(server_a + "/"), category="contract")
    assert uploaded.status == 201, uploaded.text
    document_id = uploaded.json()["document_id"]

    # Server A's workers ingest it; server B finds it in search once that is done.
    deadline = time.monotonic() + INDEXED_TIMEOUT_S
    found = _search(alice, server_b, '"zephyr pilot"').json()
    while not found["hits"]:
        assert time.monotonic() < deadline, "server B never found the upload"
        time.sleep(0.5)
        found = _search(alice, server_b, '"zephyr pilot"').json()
    assert [hit["document_id"] for hit in found["hits"]] == [document_id]
    assert "<mark>" in found["hits"][0]["snippet"]
    page_b = alice.get(f"{server_b}/?q=zephyr+pilot").text
    assert f'data-document-id="{document_id}"' in page_b

    # A form rendered by server A, posted to server B: the CSRF token checks out there.
    token_from_a = alice.csrf_token(f"{server_a}/d/{document_id}")
    edited = alice.post_form(f"{server_b}/d/{document_id}/edit", {
        "csrf_token": token_from_a, "title": "Northwind MSA (signed)", "category": "contract",
        "subtype": "signed", "visibility": "team"})
    assert edited.status == 302, edited.text
    assert "Northwind MSA (signed)" in alice.get(f"{server_a}/d/{document_id}").text
    forged = alice.post_form(f"{server_b}/d/{document_id}/edit", {
        "csrf_token": "forged", "title": "Hijacked", "category": "other"})
    assert forged.status == 400 and "The form expired" in forged.text
    assert "Hijacked" not in alice.get(f"{server_a}/d/{document_id}").text
