"""Errors with values, plurals and labels, as a Chinese-speaking user sees them in the pages
and the API; English callers keep the English ``message``."""

from __future__ import annotations

from bs4 import BeautifulSoup

from tests.web.conftest import Browser, Web, text_of

MISSING = 987654


def _chinese(browser: Browser) -> Browser:
    browser.post("/language", {"lang": "zh-CN", "next": "/"})
    return browser


def _message(page: str) -> str:
    found = BeautifulSoup(page, "html.parser").select_one("p.message")
    assert found is not None, page
    return found.get_text(strip=True)


def test_a_missing_document_is_reported_in_chinese_on_the_page(alice: Browser) -> None:
    response = _chinese(alice).get(f"/d/{MISSING}")
    assert response.status_code == 404
    page = text_of(response)
    assert _message(page) == f"未找到文档 {MISSING}"
    assert "<h1>未找到</h1>" in page


def test_the_api_adds_the_message_in_the_callers_language(alice: Browser) -> None:
    english = alice.api("GET", f"/api/v1/documents/{MISSING}").get_json()["error"]
    assert english == {"code": "not_found", "message": f"document {MISSING} not found",
                       "localized_message": f"document {MISSING} not found"}
    chinese = alice.api("GET", f"/api/v1/documents/{MISSING}",
                        headers={"Accept-Language": "zh-CN,zh;q=0.9"}).get_json()["error"]
    assert chinese == {"code": "not_found", "message": f"document {MISSING} not found",
                       "localized_message": f"未找到文档 {MISSING}"}


def test_a_query_mistake_with_its_value_is_explained_in_chinese(alice: Browser) -> None:
    response = _chinese(alice).get("/?q=year:someday")
    assert response.status_code == 400
    assert _message(text_of(response)) == "year:someday 不是年份（可试试 year:2024 或 year:FY24）"


def test_a_form_error_with_a_value_is_flashed_in_chinese(admin: Browser) -> None:
    _chinese(admin).post("/admin/teams", {"name": "sales"})
    page = text_of(admin.get("/admin/users"))
    assert "团队 sales 已存在" in page


def test_codes_are_labelled_in_each_language_and_a_users_tag_is_shown_as_written(
        web: Web, alice: Browser) -> None:
    outcome = alice.upload("prices.txt", b"router price list", category="product",
                           subtype="price_list", tags="<b>emea</b>,latest")
    web.settle(outcome["version_id"])
    english = text_of(alice.get("/?q=router"))
    assert "price list" in english and "file type" in english
    assert "&lt;b&gt;emea&lt;/b&gt;" in english and "<b>emea</b>" not in english
    chinese = text_of(_chinese(alice).get("/?q=router"))
    assert "价格表" in chinese and "文件类型" in chinese
    assert "&lt;b&gt;emea&lt;/b&gt;" in chinese and "<b>emea</b>" not in chinese
    assert ">latest<" in chinese  # a tag, not the message "latest" (最新)
