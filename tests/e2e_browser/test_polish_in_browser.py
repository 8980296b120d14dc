"""Deleting a document, changing a password and the duplicate message, in headless Chromium."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

from tests.e2e_browser.conftest import PASSWORD, Site, log_in, open_page, screenshot
from tests.e2e_browser.test_stories_in_browser import _upload

pytestmark = pytest.mark.browser


def test_deleting_a_document_asks_first_then_it_is_in_the_trash(site: Site, chromium: Browser,
                                                         tmp_path: Path) -> None:
    page = open_page(chromium)
    log_in(page, site, "alice@example.com")
    sheet = tmp_path / "old-price-list.txt"
    sheet.write_text("Discontinued price list zqobsolete 2019")
    _upload(page, site, [sheet], visibility="org")
    page.goto(site.url + "/?q=zqobsolete")
    expect(page.locator(".total")).to_have_text("1 result")
    page.locator(".hit-title").first.click()
    document_url = page.url
    expect(page.locator("#delete")).to_contain_text("Moves it to the trash")
    screenshot(page, "document-with-delete-en")
    page.click("#delete a.button.danger")
    expect(page.locator("#confirm-delete h1")).to_have_text("Delete “old-price-list”?")
    expect(page.locator("#confirm-delete")).to_contain_text("restore it from the trash")
    screenshot(page, "delete-confirm-en")
    page.click("#move-to-trash")
    expect(page.locator(".flash.info")).to_contain_text(
        "“old-price-list” was moved to the trash")
    screenshot(page, "delete-done-en")
    page.goto(site.url + "/?q=zqobsolete")
    expect(page.locator(".hits")).to_have_count(0)
    expect(page.locator("main")).to_contain_text("No documents match")
    assert page.goto(document_url).status == 404  # type: ignore[union-attr]
    page.context.close()


def test_a_viewer_sees_no_delete_button(site: Site, chromium: Browser, tmp_path: Path) -> None:
    page = open_page(chromium)
    log_in(page, site, "alice@example.com")
    sheet = tmp_path / "team-note.txt"
    sheet.write_text("team note zqnote")
    _upload(page, site, [sheet])
    page.goto(site.url + "/?q=zqnote")
    page.locator(".hit-title").first.click()
    document_url = page.url.split("?")[0]
    page.context.close()
    viewer = open_page(chromium)
    log_in(viewer, site, "bob@example.com")
    viewer.goto(document_url)
    expect(viewer.locator("#delete")).to_have_count(0)
    assert viewer.goto(document_url + "/delete").status == 403  # type: ignore[union-attr]
    expect(viewer.locator(".message")).to_have_text(
        "you may read this document but not delete it")
    viewer.context.close()


def test_changing_the_password_signs_out_the_other_browser(site: Site, chromium: Browser) -> None:
    laptop, phone = open_page(chromium), open_page(chromium)
    log_in(laptop, site, "alice@example.com")
    log_in(phone, site, "alice@example.com")
    laptop.goto(site.url + "/account")
    laptop.fill("input[name=current_password]", "not-my-password")
    laptop.fill("input[name=new_password]", "battery-staple-2")
    laptop.fill("input[name=new_password_again]", "battery-staple-2")
    laptop.click("#password button.primary")
    expect(laptop.locator("#password .flash.error")).to_have_text("the current password is wrong")
    screenshot(laptop, "password-wrong-en")
    laptop.fill("input[name=current_password]", PASSWORD)
    laptop.fill("input[name=new_password]", "battery-staple-2")
    laptop.fill("input[name=new_password_again]", "battery-staple-2")
    laptop.click("#password button.primary")
    expect(laptop.locator(".flash.info")).to_have_text(
        "Your password was changed. Your other sessions were signed out.")
    screenshot(laptop, "password-changed-en")
    phone.goto(site.url + "/account")
    expect(phone.locator("input[name=password]")).to_be_visible()  # the sign-in form
    assert "/login" in phone.url
    laptop.context.close()
    phone.context.close()


def test_the_duplicate_message_speaks_chinese(site: Site, chromium: Browser,
                                              tmp_path: Path) -> None:
    page = open_page(chromium, locale="zh-CN")
    log_in(page, site, "alice@example.com")
    offer = tmp_path / "报价单.txt"
    offer.write_text("2024 报价单 zqdup")
    _upload(page, site, [offer])
    _upload(page, site, [offer])
    expect(page.locator(".upload-row .state")).to_have_text("重复文件")
    expect(page.locator(".upload-row .reason")).to_have_text(
        "与文档 1 的第 1 版完全相同，未重复存储")
    screenshot(page, "upload-duplicate-zh-CN")
    page.context.close()
