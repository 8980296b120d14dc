"""What the app suggests to a person in the browser: "did you mean" on the search page."""

from __future__ import annotations

import io

from playwright.sync_api import Browser, expect

from docservice.services import accounts, documents, ingestion
from docservice.services.documents import DocumentMeta
from tests.e2e_browser.conftest import Site, log_in, open_page, screenshot


def _add(site: Site, filename: str, text: str, **meta: str) -> int:
    alice = accounts.principal_for(site.ctx, "alice@example.com")
    outcome = documents.upload(site.ctx, alice, io.BytesIO(text.encode()), filename,
                               DocumentMeta(visibility="org", **meta))
    states = ingestion.wait_for_versions(site.ctx, [outcome.version_id], timeout=120)
    assert states[outcome.version_id] == "indexed", states
    return outcome.document_id


def test_did_you_mean_runs_the_corrected_search(site: Site, chromium: Browser) -> None:
    _add(site, "warranty-policy.txt", "Warranty policy: five years on every AX-200 router.")
    page = open_page(chromium)
    log_in(page, site, "alice@example.com")
    page.fill("input[name=q]", "warranty polcy")
    page.press("input[name=q]", "Enter")
    expect(page.locator(".suggestion")).to_have_text("Did you mean: warranty policy")
    screenshot(page, "did-you-mean-en")
    page.click(".suggestion a")
    expect(page.locator("input[name=q]")).to_have_value("warranty policy")
    expect(page.locator(".hit-title").first).to_contain_text("warranty-policy")
    expect(page.locator(".suggestion")).to_have_count(0)

    page.goto(site.url + "/?q=warranty+category:contract")
    expect(page.locator(".empty .suggestion")).to_have_text("Try a broader search: warranty")
    page.click("button[data-lang=zh-CN]")
    expect(page.locator(".empty .suggestion")).to_have_text("试试范围更宽的搜索： warranty")
    screenshot(page, "broader-search-zh-CN")
    page.click(".suggestion a")
    expect(page.locator(".hit-title").first).to_contain_text("warranty-policy")
    page.goto(site.url + "/?q=warranty+polcy")
    expect(page.locator(".suggestion")).to_have_text("您是不是要找： warranty policy")
    page.context.close()
