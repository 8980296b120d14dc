"""A browser set to Chinese (Accept-Language: zh-CN) sees the results, the facet labels and an
error that carries a value in Chinese; the screenshots are kept in test-output/screenshots."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, expect

from tests.e2e_browser.conftest import ALL_DONE, Site, log_in, open_page, screenshot

pytestmark = pytest.mark.browser


def test_a_chinese_browser_reads_results_labels_and_errors_in_chinese(
        site: Site, chromium: Browser) -> None:
    page = open_page(chromium, locale="zh-CN")
    log_in(page, site, "alice@example.com")
    page.goto(site.url + "/upload")
    page.set_input_files("#file-input", files=[
        {"name": name, "mimeType": "text/plain", "buffer": text.encode()}
        for name, text in (("价格表-2024.txt", "2024 报价单 路由器 AX-200"),
                           ("路由器手册.txt", "路由器 AX-200 使用手册"))])
    page.wait_for_function(ALL_DONE, timeout=180_000)
    expect(page.locator(".upload-row .state").first).to_have_text("已索引")
    page.goto(site.url + "/?q=路由器")
    expect(page.locator(".total")).to_have_text("共 2 条结果")
    expect(page.locator("section.facet[data-facet=type] h3")).to_have_text("文件类型")
    screenshot(page, "results-zh-CN")
    page.goto(site.url + "/?q=year:someday")
    expect(page.locator("p.message")).to_have_text(
        "year:someday 不是年份（可试试 year:2024 或 year:FY24）")
    screenshot(page, "query-error-zh-CN")
    page.goto(site.url + "/d/424242")
    expect(page.locator("h1")).to_have_text("未找到")
    expect(page.locator("p.message")).to_have_text("未找到文档 424242")
    screenshot(page, "not-found-zh-CN")
    page.context.close()
