"""A live server (waitress, embedded tier) and Debian's Chromium driven by Playwright."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import waitress
from playwright.sync_api import Browser, Page, sync_playwright

from docservice.services import accounts
from docservice.services.context import Context
from docservice.web import create_app

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
PASSWORD = "correct-horse-1"
SCREENSHOTS = Path(__file__).parents[2] / "test-output" / "screenshots"
ALL_DONE = """() => {
  const states = [...document.querySelectorAll(".upload-row .state")];
  return states.length > 0 && states.every((s) => ["indexed", "failed", "duplicate"]
    .includes(s.dataset.state));
}"""  # every row on the upload page has finished


@dataclass
class Site:
    ctx: Context
    url: str


@pytest.fixture
def site(ctx: Context) -> Iterator[Site]:
    accounts.create_user(ctx, "alice@example.com", "editor", teams=["sales"], password=PASSWORD,
                         name="Alice")
    accounts.create_user(ctx, "bob@example.com", "viewer", teams=["sales"], password=PASSWORD)
    accounts.create_user(ctx, "carol@example.com", "editor", teams=["marketing"],
                         password=PASSWORD)
    server = waitress.create_server(create_app(ctx), host="127.0.0.1", port=0, threads=8)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    yield Site(ctx, f"http://127.0.0.1:{server.effective_port}")  # type: ignore[union-attr]
    server.close()
    thread.join(timeout=5)


@pytest.fixture(scope="session")
def chromium() -> Iterator[Browser]:
    assert Path(CHROMIUM).exists(), "install Debian's chromium (apt-get install -y chromium)"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True,
                                             args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def open_page(chromium: Browser, locale: str = "en-US") -> Page:
    context = chromium.new_context(locale=locale, accept_downloads=True,
                                   viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(30_000)
    return page


def log_in(page: Page, site: Site, email: str) -> None:
    page.goto(site.url + "/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", PASSWORD)
    page.click("button.primary")
    page.wait_for_url(site.url + "/")


def screenshot(page: Page, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
