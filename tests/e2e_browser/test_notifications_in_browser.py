"""Following and notifications through the real UI: follow a customer and see the inbox count
rise when a teammate uploads a contract for it; an admin adds a team webhook and a loopback
listener receives the teammate's upload; the pages in English and Chinese."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

from docservice.inputs import NewCustomer
from docservice.services import accounts, customers
from tests.e2e_browser.conftest import PASSWORD, Site, log_in, open_page, screenshot
from tests.e2e_browser.test_stories_in_browser import _upload
from tests.listener import http_listener
from tests.web.test_following import settle_outbox

pytestmark = pytest.mark.browser


def test_follow_a_customer_and_the_inbox_count_rises_when_a_teammate_uploads_a_contract(
        site: Site, chromium: Browser, tmp_path: Path) -> None:
    accounts.create_user(site.ctx, "dave@example.com", "editor", teams=["sales"],
                         password=PASSWORD)
    customer_id = customers.create_customer(
        site.ctx, accounts.principal_for(site.ctx, "alice@example.com"),
        NewCustomer(name="Acme Rail"))
    alice = open_page(chromium)
    log_in(alice, site, "alice@example.com")
    alice.goto(f"{site.url}/customers/{customer_id}")
    alice.click("button[data-follow=customer]")
    expect(alice.locator("button[data-follow=customer]")).to_contain_text("Following")
    expect(alice.locator("#unread-count")).to_have_count(0)

    dave = open_page(chromium)
    log_in(dave, site, "dave@example.com")
    contract = tmp_path / "acme-supply-contract.txt"
    contract.write_text("Master supply agreement between Acme Rail and us, valid until 2027.")
    _upload(dave, site, [contract], category="contract", customer="Acme Rail")
    settle_outbox(site.ctx)

    alice.reload()
    expect(alice.locator("#unread-count")).to_have_text("1")
    screenshot(alice, "following-customer-en")
    alice.click("#inbox-link")
    expect(alice.locator(".notice.unread")).to_contain_text(
        "New document for customer Acme Rail: acme-supply-contract")
    screenshot(alice, "inbox-en")
    alice.click("button[data-lang=zh-CN]")
    expect(alice.locator(".notice.unread")).to_contain_text(
        "客户 Acme Rail 有新文档：acme-supply-contract")
    screenshot(alice, "inbox-zh-CN")
    alice.click("#mark-all-read")
    expect(alice.locator("#unread-count")).to_have_count(0)
    alice.goto(f"{site.url}/following")
    expect(alice.locator("table.following")).to_contain_text("Acme Rail")
    screenshot(alice, "following-zh-CN")
    alice.goto(f"{site.url}/?q=supply+agreement")
    alice.fill("form.save-search input[name=name]", "供货合同")
    alice.click("form.save-search button")
    expect(alice.locator("#saved-searches")).to_contain_text("供货合同")
    screenshot(alice, "saved-search-zh-CN")
    alice.goto(f"{site.url}/account")
    alice.check("input[name=mode][value=immediate]")
    alice.click("#email-choice button")
    expect(alice.locator("input[name=mode][value=immediate]")).to_be_checked()
    screenshot(alice, "account-email-zh-CN")


def test_an_admin_adds_a_team_webhook_and_the_listener_receives_the_upload(
        site: Site, chromium: Browser, tmp_path: Path) -> None:
    accounts.create_user(site.ctx, "admin@example.com", "admin", password=PASSWORD)
    with http_listener() as listener:
        admin = open_page(chromium)
        log_in(admin, site, "admin@example.com")
        admin.goto(f"{site.url}/admin/webhooks")
        admin.select_option("select[name=team_id]", label="sales")
        admin.fill("input[name=name]", "sales channel")
        admin.fill("input[name=url]", listener.url)
        admin.select_option("select[name=style]", "generic")
        admin.click("form[action$='/admin/webhooks'] button.primary")
        expect(admin.locator("#webhook-secret input")).to_have_value(
            __import__("re").compile("^[0-9a-f]{64}$"))

        alice = open_page(chromium)
        log_in(alice, site, "alice@example.com")
        sheet = tmp_path / "price-list-2025.txt"
        sheet.write_text("Price list 2025 for the AX-200 series.")
        _upload(alice, site, [sheet], visibility="team")
        received = listener.wait(1)
        settle_outbox(site.ctx)

    assert received[0].json()["title"] == "price-list-2025"
    assert received[0].headers["X-Docservice-Signature"].startswith("t=")
    admin.goto(f"{site.url}/admin/webhooks")
    expect(admin.locator("table.deliveries")).to_contain_text("200")
    screenshot(admin, "webhooks-en")
    admin.click("button[data-lang=zh-CN]")
    expect(admin.locator("table.deliveries")).to_contain_text("已送达")
    screenshot(admin, "webhooks-zh-CN")
