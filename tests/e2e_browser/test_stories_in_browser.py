"""The three stories of DESIGN.md through the real UI in headless Chromium."""

from __future__ import annotations

import base64
import re
from pathlib import Path

import pytest
from PIL import Image, ImageDraw, ImageFont
from playwright.sync_api import Browser, Page, expect

from tests.e2e_browser.conftest import ALL_DONE, Site, log_in, open_page, screenshot
from tests.factories import pdf_bytes, price_list_rows, write_docx, write_xlsx

pytestmark = pytest.mark.browser

DROP = """([files]) => {
  const data = new DataTransfer();
  for (const f of files) {
    const bytes = Uint8Array.from(atob(f.b64), (c) => c.charCodeAt(0));
    data.items.add(new File([bytes], f.name, {type: f.type}));
  }
  const zone = document.getElementById("dropzone");
  zone.dispatchEvent(new DragEvent("dragenter", {dataTransfer: data, bubbles: true}));
  zone.dispatchEvent(new DragEvent("drop", {dataTransfer: data, bubbles: true,
                                            cancelable: true}));
}"""


def _drop(page: Page, paths: list[Path]) -> None:
    files = [{"name": path.name, "type": "", "b64": base64.b64encode(path.read_bytes()).decode()}
             for path in paths]
    page.evaluate(DROP, [files])


def _upload(page: Page, site: Site, paths: list[Path], **fields: str) -> None:
    page.goto(site.url + "/upload")
    for name, value in fields.items():
        page.select_option(f"select[name={name}]", value) if name in (
            "category", "subtype", "visibility", "customer") else page.fill(
            f"input[name={name}]", value)
    _drop(page, paths)
    expect(page.locator(".upload-row")).to_have_count(len(paths))
    page.wait_for_function(ALL_DONE, timeout=180_000)


def _scan(path: Path, lines: list[str]) -> Path:
    """A 'scanned' contract page: text drawn into an image, no text layer."""
    image = Image.new("L", (1700, 900), 255)
    draw = ImageDraw.Draw(image)
    font = ImageFont.load_default(size=44)
    for number, line in enumerate(lines):
        draw.text((80, 80 + number * 90), line, fill=0, font=font)
    image.save(path)
    return path


def test_story_1_price_list_upload_by_drag_and_drop_then_search_and_download(
        site: Site, chromium: Browser, tmp_path: Path) -> None:
    page = open_page(chromium)
    page.goto(site.url + "/login")
    screenshot(page, "login-en")
    log_in(page, site, "alice@example.com")
    files = [write_xlsx(tmp_path / "price-list-2024.xlsx", "2024", price_list_rows(2024)),
             write_xlsx(tmp_path / "price-list-2023.xlsx", "2023", price_list_rows(2023)),
             write_docx(tmp_path / "2024年产品价格表.docx",
                        ["2024年产品价格表", "工业路由器 AX-200-EU 单价 1260 美元"]),
             write_docx(tmp_path / "router-guide.docx", ["AX-200 router user guide"])]
    _upload(page, site, files, category="product", subtype="price_list", visibility="org",
            tags="2024")
    expect(page.locator(".upload-row .state[data-state=indexed]")).to_have_count(4)
    screenshot(page, "upload-en")

    page.click("nav.mainnav >> text=Search")
    page.fill("input[name=q]", "pricing sheet 2024")
    page.press("input[name=q]", "Enter")
    first = page.locator(".hit").first  # the 2024 price list, in English or in Chinese
    expect(first.locator(".hit-title")).to_contain_text(
        re.compile("price-list-2024|2024年产品价格表"))
    expect(first.locator(".snippet mark").first).to_be_visible()
    expect(page.locator(".facet").first).to_be_visible()
    screenshot(page, "search-en")

    page.fill("input[name=q]", "2024 价格表")
    page.press("input[name=q]", "Enter")
    expect(page.locator(".hit-title").first).to_contain_text(re.compile("2024"))

    page.goto(site.url + "/?q=pricing+sheet+2024+type:xlsx")
    page.locator(".hit-title").first.click()
    expect(page.locator("h1.doc-title")).to_contain_text("price-list-2024")
    with page.expect_download() as download:
        page.click("#download-latest")
    assert download.value.suggested_filename == "price-list-2024.xlsx"
    assert Path(download.value.path()).read_bytes() == files[0].read_bytes()
    page.context.close()


def test_story_2_a_scanned_contract_is_found_by_the_team_only(
        site: Site, chromium: Browser, tmp_path: Path) -> None:
    alice = open_page(chromium)
    log_in(alice, site, "alice@example.com")
    scan = _scan(tmp_path / "acme-contract-signed.png", [
        "MASTER SERVICES AGREEMENT", "between Northwind Sales and Acme Corporation",
        "Liquidated damages shall not exceed", "ten percent of the annual fee.",
        "Signed for Acme Corporation"])
    _upload(alice, site, [scan], category="contract", subtype="signed", visibility="team")
    expect(alice.locator(".upload-row .state")).to_have_attribute("data-state", "indexed")
    alice.context.close()

    bob = open_page(chromium)
    log_in(bob, site, "bob@example.com")
    bob.goto(site.url + '/?q="liquidated damages"')
    expect(bob.locator(".hit-title").first).to_contain_text("acme-contract-signed")
    bob.context.close()

    carol = open_page(chromium)
    log_in(carol, site, "carol@example.com")
    carol.goto(site.url + '/?q="liquidated damages"')
    expect(carol.locator(".empty h2")).to_contain_text("No documents match")
    carol.context.close()


def test_story_3_latest_spec_with_older_versions_one_click_away(
        site: Site, chromium: Browser, tmp_path: Path) -> None:
    page = open_page(chromium)
    log_in(page, site, "alice@example.com")
    spec = tmp_path / "ax200-spec.pdf"
    spec.write_bytes(pdf_bytes(["AX-200 specification\nVersion 1\nThroughput 1 Gbit/s"]))
    _upload(page, site, [spec], category="product", subtype="spec", product="AX-200",
            visibility="org")
    page.click(".upload-row a")
    newer = tmp_path / "new" / "ax200-spec.pdf"
    newer.parent.mkdir()
    newer.write_bytes(pdf_bytes(["AX-200 specification\nVersion 2\nThroughput 5 Gbit/s"]))
    page.set_input_files("input[type=file][name=file]", str(newer))
    page.fill("input[name=note]", "faster radio")
    page.click("text=Upload new version")
    expect(page.locator(".flash.info")).to_contain_text("Version 2 uploaded")
    expect(page.locator("tr[data-version-id] .state").first).to_have_attribute(
        "data-state", "indexed", timeout=120_000)
    page.fill(".text-head input[name=q]", "throughput")
    page.click(".text-head button")
    expect(page.locator(".page-text mark").first).to_have_text("Throughput")
    screenshot(page, "document-en")
    with page.expect_download() as download:
        page.click("#download-latest")
    assert Path(download.value.path()).read_bytes() == newer.read_bytes()
    page.locator("tr[data-version-id]").nth(1).locator("text=Text").click()
    expect(page.locator(".page-text")).to_contain_text("1 Gbit/s")
    page.context.close()


def test_switching_the_language_is_remembered(site: Site, chromium: Browser,
                                              tmp_path: Path) -> None:
    page = open_page(chromium)
    log_in(page, site, "alice@example.com")
    report = write_docx(tmp_path / "市场调研报告.docx", ["2024年华东市场调研报告", "价格表 对比"])
    _upload(page, site, [report], category="campaign", subtype="research_report",
            visibility="org")
    page.goto(site.url + "/?q=价格表")
    page.click("button[data-lang=zh-CN]")
    expect(page.locator("nav.mainnav")).to_contain_text("搜索")
    expect(page.locator(".total")).to_contain_text("共")
    screenshot(page, "search-zh-CN")
    page.goto(site.url + "/upload")
    expect(page.locator(".dropzone .big")).to_have_text("将文件或文件夹拖放到这里")
    screenshot(page, "upload-zh-CN")
    page.locator(".upload-row a").count()
    page.goto(site.url + "/?q=市场调研")
    page.locator(".hit-title").first.click()
    expect(page.locator("#download-latest")).to_contain_text("下载最新版本")
    screenshot(page, "document-zh-CN")
    page.click("button[data-lang=en]")
    expect(page.locator("nav.mainnav")).to_contain_text("Search")
    page.context.close()
