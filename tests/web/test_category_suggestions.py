"""Uploads without a category are filed by what the file says; a person's choice wins."""

from __future__ import annotations

import io

from bs4 import BeautifulSoup

from tests.web.conftest import Browser, Web, text_of


def _filed_as(browser: Browser, document_id: int) -> str:
    """The Category line of the document page, as a person reads it."""
    page = BeautifulSoup(text_of(browser.get(f"/d/{document_id}")), "html.parser")
    cell = page.select_one("dd.category")
    assert cell is not None
    return " ".join(cell.get_text(" ").split())


def test_a_file_named_like_a_price_list_is_filed_as_one(web: Web, alice: Browser) -> None:
    outcome = alice.upload("X200-pricing-sheet-2024.txt", b"X200 1260 USD", visibility="org")
    assert _filed_as(alice, outcome["document_id"]) == "product · price list suggested"
    web.settle(outcome["version_id"])
    document = alice.get(f"/api/v1/documents/{outcome['document_id']}").get_json()
    assert (document["category"], document["subtype"]) == ("product", "price_list")
    assert document["category_suggested"] is True
    hits = text_of(alice.get("/?q=X200+category:product+subtype:price_list"))
    assert f'data-document-id="{outcome["document_id"]}"' in hits


def test_the_text_files_a_scan_the_name_says_nothing_about(web: Web, alice: Browser) -> None:
    outcome = alice.upload("scan0001.txt", "销售合同\n甲方（盖章）： 乙方签字：\n"
                           "本合同自双方签字盖章之日起生效。".encode())
    assert _filed_as(alice, outcome["document_id"]) == "other suggested"
    web.settle(outcome["version_id"])
    assert _filed_as(alice, outcome["document_id"]) == "contract · signed suggested"
    states = alice.get(f"/api/v1/ingestion?version_ids={outcome['version_id']}").get_json()
    assert states["versions"][0]["category"] == "contract"


def test_the_uploaders_category_is_kept_whatever_the_file_says(web: Web,
                                                                alice: Browser) -> None:
    outcome = alice.upload("X200-pricing-sheet.txt", b"Quotation, price list", category="other")
    web.settle(outcome["version_id"])
    assert _filed_as(alice, outcome["document_id"]) == "other"
    subtype_only = alice.upload("notes.txt", b"meeting notes", subtype="signed")
    assert _filed_as(alice, subtype_only["document_id"]) == "contract · signed"


def test_choosing_a_category_later_ends_the_suggestions(web: Web, alice: Browser) -> None:
    outcome = alice.upload("price-list.txt", b"Price list 2024")
    web.settle(outcome["version_id"])
    doc_id = outcome["document_id"]
    alice.post(f"/d/{doc_id}/edit", {"title": "Autumn fair", "category": "campaign",
                                     "subtype": "plan", "visibility": "team"})
    assert _filed_as(alice, doc_id) == "campaign · plan"
    newer = alice.api("POST", f"/api/v1/documents/{doc_id}/versions", data={
        "file": (io.BytesIO(b"Quotation: price list 2025"), "price-list-2025.txt")})
    web.settle(newer.get_json()["version_id"])
    assert _filed_as(alice, doc_id) == "campaign · plan"


def test_the_suggestion_is_shown_in_chinese(web: Web, alice: Browser) -> None:
    outcome = alice.upload("X200 规格书.txt", b"X200")
    alice.post("/language", {"lang": "zh-CN", "next": "/"})
    assert _filed_as(alice, outcome["document_id"]) == "产品 · 规格书 系统推荐"


def test_the_upload_form_asks_the_app_for_each_files_category(alice: Browser) -> None:
    form = BeautifulSoup(text_of(alice.get("/upload")), "html.parser")
    first = form.select("select[name=category] option")[0]
    assert first["value"] == "" and first.get_text() == "Automatic: suggested for each file"
    suggest = str(form.select_one("#upload-form")["data-suggest"])
    for name, expected in (("销售合同-环球贸易.pdf", ("contract", None)),
                           ("Q3 campaign plan.pptx", ("campaign", "plan")),
                           ("notes.txt", ("other", None))):
        body = alice.get(suggest, query_string={"filename": name}).get_json()
        assert (body["category"], body["subtype"]) == expected, name
    assert alice.get(suggest).status_code == 400
