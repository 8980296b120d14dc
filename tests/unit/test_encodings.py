"""Text in the encodings Chinese, Taiwanese and Japanese offices write, on every text path:
Outlook messages, mail, plain text, CSV, HTML, ZIP member names; and PDF text layers that
lost the spaces between words."""

from __future__ import annotations

import io
import zipfile
from email.message import EmailMessage
from pathlib import Path

import pytest
from reportlab.pdfgen import canvas

from tests.factories import msg_bytes
from tests.unit.test_formats import read

SUBJECT = {"big5": "報價單 K9 路由器", "gb18030": "报价单 K9 路由器", "gbk": "报价单 K9 路由器"}
BODY = {"big5": "您好，附上K9路由器的報價單，單價八百元，有效期三十天。",
        "gb18030": "您好，附上K9路由器的报价单，单价八百元，有效期三十天。",
        "gbk": "您好，附上K9路由器的报价单，单价八百元，有效期三十天。"}


@pytest.mark.parametrize(("encoding", "properties"), [
    ("big5", {"internet_codepage": 950}),  # the code page only in PR_INTERNET_CPID
    ("gbk", {"message_codepage": 936}),
    ("gbk", {}),  # no code page at all: guessed from the bytes
    ("big5", {}),
])
def test_an_outlook_message_in_its_own_code_page(tmp_path: Path, encoding: str,
                                                 properties: dict[str, int]) -> None:
    path = tmp_path / "mail.msg"
    path.write_bytes(msg_bytes(SUBJECT[encoding], BODY[encoding], encoding, **properties))
    extracted = read(path)
    assert extracted.title == SUBJECT[encoding]
    assert BODY[encoding] in extracted.pages[0]


@pytest.mark.parametrize(("encoding", "text"), [
    ("gb2312", "产品价格表：K9 路由器，单价八百元，含税，有效期三十天。"),
    ("gb18030", "产品价格表：K9 路由器，单价八百元，含税，有效期三十天。"),
    ("big5", "產品價格表：K9 路由器，單價八百元，含稅，有效期三十天。"),
    ("shift_jis", "製品価格表：K9 ルーター、単価は八百円、税込、有効期間は三十日です。"),
    ("utf-16", "产品价格表：K9 路由器，单价八百元，含税，有效期三十天。"),  # with its BOM
])
@pytest.mark.parametrize("suffix", ["txt", "csv", "html"])
def test_text_csv_and_html_in_east_asian_encodings(tmp_path: Path, encoding: str, text: str,
                                                   suffix: str) -> None:
    content = {"txt": text, "csv": f"model,description\nK9,{text}\n",
               "html": f"<html><body><p>{text}</p></body></html>"}[suffix]
    path = tmp_path / f"file.{suffix}"
    path.write_bytes(content.encode(encoding))
    assert text in "\n".join(read(path).pages)


def test_an_e_mail_whose_body_declares_no_charset(tmp_path: Path) -> None:
    message = EmailMessage()
    message["Subject"] = "quotation"
    message.set_content(BODY["gbk"].encode("gbk"), maintype="text", subtype="plain")
    path = tmp_path / "mail.eml"
    path.write_bytes(bytes(message))
    assert BODY["gbk"] in read(path).pages[0]


def test_zip_member_names_written_by_chinese_windows(tmp_path: Path) -> None:
    """Windows' zip writes names in the ANSI code page (GBK), without the UTF-8 flag."""
    names = {name: f"{letter * (len(name.encode('gbk')) - 4)}.txt"
             for name, letter in (("报价单2024.txt", "A"), ("合同扫描件.txt", "B"))}
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for placeholder in names.values():
            archive.writestr(placeholder, "K9 router")
    data = buffer.getvalue()
    for name, placeholder in names.items():
        data = data.replace(placeholder.encode(), name.encode("gbk"))
    path = tmp_path / "files.zip"
    path.write_bytes(data)
    listing = read(path).pages[0]
    assert set(listing.splitlines()) == set(names)


def test_a_pdf_whose_text_layer_has_no_spaces_between_words(tmp_path: Path) -> None:
    path = tmp_path / "glued.pdf"
    pdf = canvas.Canvas(str(path))
    pdf.drawString(60, 800, "PriceListfortheIndustrialRouterSeries")
    pdf.drawString(60, 780, "Thisagreementismadebetweenthebuyerandtheseller")
    pdf.drawString(60, 760, "Internationalization")
    pdf.save()
    text = read(path).pages[0]
    assert "Price List for the Industrial Router Series" in text
    assert "This agreement is made between the buyer and the seller" in text
    assert "Internationalization" in text  # one long word stays whole
