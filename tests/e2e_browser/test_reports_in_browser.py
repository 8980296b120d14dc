"""A sales leader opens every report in English and Chinese on a generated year of use,
looks at the charts and downloads a table as CSV."""

from __future__ import annotations

import csv
import io
import threading
from collections.abc import Iterator

import pytest
import waitress
from playwright.sync_api import Browser

from bench.usage_population import generate
from docservice.domain import OPERATOR
from docservice.inputs import REPORT_NAMES
from docservice.services import accounts, analytics, passwords
from docservice.services.context import Context
from docservice.web import create_app
from tests.e2e_browser.conftest import PASSWORD, Site, open_page, screenshot

pytestmark = pytest.mark.browser


@pytest.fixture
def leader_site(ctx: Context) -> Iterator[Site]:
    """A year of use by 60 people in six teams over 3,000 documents; a signed-in admin."""
    generate(ctx, documents=3000, people=60, events=20_000)
    analytics.roll_up(ctx)
    accounts.create_user(ctx, "leader@example.com", "admin", password=PASSWORD)
    passwords.reset_password(ctx, OPERATOR, 1, PASSWORD)  # person1: the EMEA lead
    server = waitress.create_server(create_app(ctx), host="127.0.0.1", port=0, threads=4)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    yield Site(ctx, f"http://127.0.0.1:{server.effective_port}")  # type: ignore[union-attr]
    server.close()
    thread.join(timeout=5)


def _log_in(page: object, site: Site, email: str) -> None:
    page.goto(site.url + "/login")  # type: ignore[attr-defined]
    page.fill("input[name=email]", email)  # type: ignore[attr-defined]
    page.fill("input[name=password]", PASSWORD)  # type: ignore[attr-defined]
    page.click("button.primary")  # type: ignore[attr-defined]
    page.wait_for_url(site.url + "/")  # type: ignore[attr-defined]


HEADINGS = {"en-US": {"usage": "Most used material", "search": "Searches and content gaps",
                      "customers": "Use by customer", "freshness": "Freshness",
                      "contribution": "Contribution"},
            "zh-CN": {"usage": "最常用资料", "search": "搜索与内容缺口",
                      "customers": "按客户的使用", "freshness": "时效性",
                      "contribution": "贡献"}}


@pytest.mark.parametrize("locale", ["en-US", "zh-CN"])
def test_every_report_draws_its_charts_in_both_languages(
        chromium: Browser, leader_site: Site, locale: str) -> None:
    page = open_page(chromium, locale)
    _log_in(page, leader_site, "leader@example.com")
    for name in REPORT_NAMES:
        page.goto(f"{leader_site.url}/reports/{name}?since=2026-01-01")
        assert page.locator("h1").inner_text() == HEADINGS[locale][name]
        charts = page.locator("svg.chart")
        assert charts.count() >= 1
        for n in range(charts.count()):
            chart = charts.nth(n)
            assert chart.get_attribute("role") == "img"
            box = chart.bounding_box()
            assert box is not None and box["height"] > 20 and box["width"] > 200
            assert chart.locator(":scope > title").text_content()  # what a screen reader reads
        marks = page.locator("svg.chart rect, svg.chart polyline")
        assert marks.count() > 0
        screenshot(page, f"report-{name}-{locale[:2]}")


def test_the_zero_result_table_downloads_as_csv(chromium: Browser, leader_site: Site) -> None:
    page = open_page(chromium)
    _log_in(page, leader_site, "person1@example.com")  # the EMEA lead: their team's queries
    page.goto(f"{leader_site.url}/reports/search?team_id=1&since=2026-01-01")
    table = page.locator("section[data-table=zero_results]")
    assert "hydrogen tariff 2026" in table.inner_text()
    with page.expect_download() as download:
        table.locator("a.export-csv").click()
    text = download.value.path().read_text(encoding="utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][:2] == ["Query", "Searches"]
    assert {row[0] for row in rows[1:]} >= {"hydrogen tariff 2026", "esg report"}
    page.goto(f"{leader_site.url}/reports/search?team_id=2")
    assert "you lead other teams" in page.locator("body").inner_text()
