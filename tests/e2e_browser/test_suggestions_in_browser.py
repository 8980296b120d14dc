"""What the app suggests to a person in the browser: "did you mean" on the search page and
the category each chosen file will be filed under on the upload page."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

from docservice.services import accounts, documents, ingestion
from docservice.services.documents import DocumentMeta
from tests.e2e_browser.conftest import ALL_DONE, Site, log_in, open_page, screenshot

pytestmark = pytest.mark.browser


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


def test_chosen_files_show_the_category_they_will_be_filed_under(
        site: Site, chromium: Browser, tmp_path: Path) -> None:
    price_list = tmp_path / "X200-pricing-sheet-2024.txt"
    price_list.write_text("X200 router 1260 USD")
    scan = tmp_path / "scan0001.txt"
    scan.write_text("销售合同\n甲方（盖章）： 乙方签字：\n本合同自双方签字盖章之日起生效。")
    page = open_page(chromium)
    log_in(page, site, "alice@example.com")
    page.goto(site.url + "/upload")
    expect(page.locator("#category")).to_have_value("")
    page.set_input_files("#file-input", [str(price_list), str(scan)])
    rows = page.locator(".upload-row")
    expect(rows.nth(0).locator(".category")).to_have_text("product · price list suggested")
    expect(rows.nth(1).locator(".category")).to_have_text("other suggested")
    page.wait_for_function(ALL_DONE, timeout=180_000)
    expect(rows.nth(1).locator(".category")).to_have_text("contract · signed suggested")
    screenshot(page, "upload-suggested-categories-en")

    page.select_option("#category", "campaign")
    other = tmp_path / "X200-price-list-2025.txt"
    other.write_text("X200 router 1300 USD")
    page.set_input_files("#file-input", [str(other)])
    expect(rows.nth(2).locator(".category")).to_have_text("campaign")
    page.wait_for_function(ALL_DONE, timeout=180_000)
    expect(rows.nth(2).locator(".category")).to_have_text("campaign")
    rows.nth(0).locator("a").click()
    expect(page.locator("dd.category")).to_have_text("product · price list suggested")
    screenshot(page, "document-suggested-category-en")
    page.click("button[data-lang=zh-CN]")
    expect(page.locator("dd.category")).to_have_text("产品 · 价格表 系统推荐")
    page.goto(site.url + "/upload")
    page.set_input_files("#file-input", [str(scan)])  # same bytes: where it is filed already
    expect(page.locator(".upload-row .state")).to_have_attribute("data-state", "duplicate")
    expect(page.locator(".upload-row .category")).to_have_text("合同 · 已签署 系统推荐")
    screenshot(page, "upload-suggested-categories-zh-CN")
    page.context.close()
