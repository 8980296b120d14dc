"""A query of a product code: the document listing the code comes before one that only
mentions it (a mail's subject)."""

from __future__ import annotations

import io
from email.message import EmailMessage

from openpyxl import Workbook

from tests.web.conftest import Browser, Web


def _mail(subject: str, body: str) -> bytes:
    message = EmailMessage()
    message["Subject"], message["From"], message["To"] = subject, "li@example.com", "x@example.com"
    message.set_content(body)
    return bytes(message)


def _price_list(codes: list[str]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["Model", "Description", "Unit price (USD)", "Lead time"])
    for number, code in enumerate(codes):
        sheet.append([code, f"Industrial router, {4 + number % 4} ports, DIN rail",
                      1000 + 37 * number, "4 weeks"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_the_document_listing_a_code_outranks_a_mail_naming_it_in_its_subject(
        web: Web, alice: Browser) -> None:
    codes = [f"{family}-{number}-EU" for family in ("AX", "BX", "CX")
             for number in range(100, 1000, 90)]
    sheet = alice.upload("routers 2024.xlsx", _price_list(codes), visibility="org")
    mail = alice.upload("re delivery.eml", _mail("Re: AX-280-EU delivery date",
                                                 "Thanks, noted. Regards, Li"), visibility="org")
    web.settle(sheet["version_id"], mail["version_id"])
    found = alice.get("/api/v1/search", query_string={"q": "AX-280-EU"}).get_json()["hits"]
    assert [hit["document_id"] for hit in found] == [sheet["document_id"], mail["document_id"]]
    both = alice.get("/api/v1/search", query_string={"q": "AX-280-EU delivery"}).get_json()
    assert both["hits"][0]["document_id"] == mail["document_id"]  # more than a code: by text
