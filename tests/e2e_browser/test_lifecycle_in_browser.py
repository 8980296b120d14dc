"""Keeping material current in headless Chromium: a review date on the Needs-review page, and
version 1 of a spec restored as the latest; in English and Chinese."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

from docservice.db.models import utcnow
from docservice.services import ingestion
from tests.e2e_browser.conftest import Site, log_in, open_page, screenshot
from tests.e2e_browser.test_stories_in_browser import _upload

pytestmark = pytest.mark.browser


def test_a_review_date_set_at_upload_shows_on_the_needs_review_page(
        site: Site, chromium: Browser, tmp_path: Path) -> None:
    due = (utcnow().date() + timedelta(days=5)).isoformat()
    sheet = tmp_path / "ax200-price-list.txt"
    sheet.write_text("AX-200 price list zqreviewme")
    page = open_page(chromium)
    log_in(page, site, "alice@example.com")
    _upload(page, site, [sheet], category="product", review_by=due)
    page.click("nav.mainnav >> text=Needs review")
    row = page.locator(".review-list tbody tr")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("ax200-price-list")
    expect(row.locator(".due")).to_contain_text(due)
    expect(row.locator(".due")).to_contain_text("in 5 days")
    screenshot(page, "needs-review-en")
    zh = open_page(chromium, locale="zh-CN")
    log_in(zh, site, "alice@example.com")
    zh.goto(site.url + "/review")
    expect(zh.locator("h1")).to_have_text("待复审")
    expect(zh.locator(".review-list .due")).to_contain_text("5 天后")
    screenshot(zh, "needs-review-zh")
    row.locator("button", has_text="Still current").click()
    expect(page.locator(".flash.info")).to_contain_text("Marked as still current")
    expect(page.locator(".review-list tbody tr")).to_have_count(0)
    expect(page.locator(".empty-review")).to_be_visible()
    zh.context.close()
    page.context.close()


def test_version_1_of_a_spec_is_restored_as_the_latest(site: Site, chromium: Browser,
                                                        tmp_path: Path) -> None:
    first = tmp_path / "ax200-spec.txt"
    first.write_text("AX-200 spec sheet zqrestoreme weight 12 kg")
    page = open_page(chromium)
    log_in(page, site, "alice@example.com")
    _upload(page, site, [first], category="product", subtype="spec")
    page.goto(site.url + "/?q=zqrestoreme")
    page.locator(".hit-title").first.click()
    second = tmp_path / "v2" / "ax200-spec.txt"
    second.parent.mkdir()
    second.write_text("AX-200 spec sheet zqrestoreme weight 15 kg")
    page.set_input_files("input[name=file]", str(second))
    page.fill("input[name=note]", "new weight")
    page.click("text=Upload new version")
    expect(page.locator(".flash.info")).to_contain_text("Version 2 uploaded")
    ingestion.wait_for_versions(site.ctx, [2], timeout=60)  # the second version's id
    page.reload()
    v1 = page.locator("table.versions tr", has_text="v1")
    v1.locator("summary", has_text="Make latest again").click()
    v1.locator("input[name=note]").fill("v2 had the wrong weight")
    screenshot(page, "restore-version-en")
    v1.locator("button", has_text="Restore v1 as latest").click()
    expect(page.locator(".flash.info")).to_have_text("Restored as version 3, now the latest.")
    latest = page.locator("table.versions tbody tr").first
    expect(latest).to_contain_text("v3")
    expect(latest).to_contain_text("latest")
    expect(latest).to_contain_text("restored from v1: v2 had the wrong weight")
    expect(page.locator("#text")).to_contain_text("12 kg")
    screenshot(page, "restored-version-en")
    zh = open_page(chromium, locale="zh-CN")
    log_in(zh, site, "alice@example.com")
    zh.goto(page.url)
    expect(zh.locator("table.versions")).to_contain_text("重新设为最新")
    zh.locator("table.versions tr", has_text="v2").locator("summary").click()
    screenshot(zh, "restore-version-zh")
    zh.context.close()
    page.context.close()
