"""Files named by a scanner, a camera or an office program are titled by what they say; the
file name stays searchable and is shown beside the title."""

from __future__ import annotations

import io
from email.message import EmailMessage

import pytest
from bs4 import BeautifulSoup
from pptx import Presentation

from docservice.ingest.titles import is_uninformative_name
from tests.factories import pdf_bytes
from tests.web.conftest import Browser, Web, text_of


def _docx(paragraphs: list[str]) -> bytes:
    from docx import Document

    document = Document()
    for paragraph in paragraphs:
        document.add_paragraph(paragraph)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _pptx(first_slide_title: str) -> bytes:
    deck = Presentation()
    slide = deck.slides.add_slide(deck.slide_layouts[1])
    slide.shapes.title.text = first_slide_title
    slide.placeholders[1].text = "Agenda and goals"
    buffer = io.BytesIO()
    deck.save(buffer)
    return buffer.getvalue()


def _eml(subject: str) -> bytes:
    message = EmailMessage()
    message["Subject"], message["From"], message["To"] = subject, "li@example.com", "x@example.com"
    message.set_content("Please find the figures below.")
    return bytes(message)


def _title_of(browser: Browser, document_id: int) -> str:
    return str(browser.get(f"/api/v1/documents/{document_id}").get_json()["title"])


@pytest.mark.parametrize(("filename", "content", "title"), [
    ("scan0007.pdf", pdf_bytes(["Page 1\nSALES CONTRACT\nContract No.: SC-2024-0815\n"
                                "Buyer: Globex Trading Ltd\nSeller: Initech GmbH"]),
     "SALES CONTRACT SC-2024-0815 (Globex Trading Ltd / Initech GmbH)"),
    ("新建 Microsoft Word 文档.docx",
     _docx(["销售合同", "合同编号：HT-2024-0815", "甲方：上海环球贸易有限公司",
            "乙方：北京星河科技有限公司"]),
     "销售合同 HT-2024-0815 (上海环球贸易有限公司 / 北京星河科技有限公司)"),
    ("Document1.docx", _docx(["", "Quarterly Partner Newsletter", "Dear partners, ..."]),
     "Quarterly Partner Newsletter"),
    ("Presentation1.pptx", _pptx("Q3 Launch Plan for the K9 Router"),
     "Q3 Launch Plan for the K9 Router"),
    ("final (2).eml", _eml("Revised quotation for the K9 router"),
     "Revised quotation for the K9 router"),
])
def test_a_file_whose_name_says_nothing_is_titled_by_its_content(
        web: Web, alice: Browser, filename: str, content: bytes, title: str) -> None:
    outcome = alice.upload(filename, content, visibility="org")
    web.settle(outcome["version_id"])
    assert _title_of(alice, outcome["document_id"]) == title
    stem = filename.rsplit(".", 1)[0]
    page = BeautifulSoup(text_of(alice.get("/", query_string={"q": stem})), "html.parser")
    hit = page.select_one(f'[data-document-id="{outcome["document_id"]}"]')
    assert hit is not None, f"the file name {stem!r} no longer finds the document"
    shown = " ".join(hit.get_text(" ").split())
    assert filename in shown and title.split()[0] in shown


def test_a_name_a_person_chose_or_a_given_title_is_kept(web: Web, alice: Browser) -> None:
    named = alice.upload("K9 price list.pdf", pdf_bytes(["Draft notes\nK9 1200 USD"]))
    titled = alice.upload("scan0008.pdf", pdf_bytes(["SALES CONTRACT"]), title="Globex deal")
    web.settle(named["version_id"], titled["version_id"])
    assert _title_of(alice, named["document_id"]) == "K9 price list"
    assert _title_of(alice, titled["document_id"]) == "Globex deal"


@pytest.mark.parametrize(("name", "says_nothing"), [
    ("IMG_1234.jpg", True), ("PXL_20240105_101112.jpg", True), ("Book1.xlsx", True),
    ("无标题-1.png", True), ("微信图片_20240101.jpg", True), ("Scan 2024-01-05 10.33.pdf", True),
    ("新建文本文档 (3).txt", True), ("price-list-2024.xlsx", False), ("AX-200.pdf", False),
    ("合同.pdf", False), ("brochure v2 final.pdf", False)])
def test_which_names_say_nothing(name: str, says_nothing: bool) -> None:
    assert is_uninformative_name(name) is says_nothing
