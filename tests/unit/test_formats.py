"""Formats beyond the core: old Office files, OpenDocument, RTF, EPUB, e-mail, ZIP.

Fixtures are written here with the formats' own writers (xlwt, odfpy, the email package,
zipfile); .doc, .ppt and .msg have no writer on PyPI, so those are checked on the shared
corpus (DOCSERVICE_CORPUS) in the corpus-marked tests at the end.
"""

from __future__ import annotations

import zipfile
from datetime import datetime
from email.message import EmailMessage
from pathlib import Path

import docx
import pytest
import xlwt
from odf import dc, draw, presentation, table, text
from odf.opendocument import (
    OpenDocumentPresentation,
    OpenDocumentSpreadsheet,
    OpenDocumentText,
)
from odf.style import MasterPage, PageLayout

from docservice.domain import ExtractedText
from docservice.ingest.isolation import extract_isolated
from docservice.ingest.options import ExtractOptions
from docservice.ingest.sniff import sniff_media_type


def read(path: Path) -> ExtractedText:
    return extract_isolated(
        path, sniff_media_type(path, path.name), timeout_s=120, memory_mb=1024,
        options=ExtractOptions(),
    )


# --- Excel 97-2003 -------------------------------------------------------------------------


def test_xls_one_page_per_sheet(tmp_path: Path) -> None:
    book = xlwt.Workbook(encoding="utf-8")
    prices = book.add_sheet("2024 价格表")
    for row, values in enumerate([["型号", "单价", "生效日期"], ["X200", 1200.0, None]]):
        for column, value in enumerate(values):
            if value is not None:
                prices.write(row, column, value)
    prices.write(1, 2, datetime(2024, 1, 1), xlwt.easyxf(num_format_str="YYYY-MM-DD"))
    book.add_sheet("Discounts").write(0, 0, "Volume discount 5%")
    path = tmp_path / "prices.xls"
    book.save(str(path))
    result = read(path)
    assert result.pages == [
        "2024 价格表\n型号\t单价\t生效日期\nX200\t1200\t2024-01-01",
        "Discounts\nVolume discount 5%",
    ]
    assert result.language == "zh,en"


# --- OpenDocument --------------------------------------------------------------------------


def test_odt_headings_paragraphs_tables_and_properties(tmp_path: Path) -> None:
    document = OpenDocumentText()
    document.meta.addElement(dc.Title(text="X200 产品说明书"))
    document.meta.addElement(dc.Creator(text="Product team"))
    document.text.addElement(text.H(outlinelevel=1, text="X200 产品说明书"))
    document.text.addElement(text.P(text="The X200 controller runs on 24 V."))
    grid = table.Table(name="Specs")
    grid.addElement(table.TableColumn(numbercolumnsrepeated=2))
    for cells in (["Weight", "1.2 kg"], ["功率", "15 W"]):
        row = table.TableRow()
        for value in cells:
            cell = table.TableCell()
            cell.addElement(text.P(text=value))
            row.addElement(cell)
        grid.addElement(row)
    document.text.addElement(grid)
    path = tmp_path / "manual.odt"
    document.save(str(path))
    result = read(path)
    assert result.pages == [
        "X200 产品说明书\nThe X200 controller runs on 24 V.\nWeight\t1.2 kg\n功率\t15 W"
    ]
    assert result.title == "X200 产品说明书"
    assert result.author == "Product team"


def test_ods_one_page_per_sheet(tmp_path: Path) -> None:
    document = OpenDocumentSpreadsheet()
    for name, rows in (("Prices", [["Model", "Price"], ["X200", "1200"]]), ("备注", [["含税"]])):
        sheet = table.Table(name=name)
        for values in rows:
            row = table.TableRow()
            for value in values:
                cell = table.TableCell(valuetype="string")
                cell.addElement(text.P(text=value))
                row.addElement(cell)
            sheet.addElement(row)
        # What spreadsheet programs write after the data: a million empty rows.
        sheet.addElement(table.TableRow(numberrowsrepeated=1_048_000))
        document.spreadsheet.addElement(sheet)
    path = tmp_path / "prices.ods"
    document.save(str(path))
    assert read(path).pages == ["Prices\nModel\tPrice\nX200\t1200", "备注\n含税"]


def test_odp_one_page_per_slide_with_notes(tmp_path: Path) -> None:
    document = OpenDocumentPresentation()
    layout = PageLayout(name="layout")
    document.automaticstyles.addElement(layout)
    master = MasterPage(name="master", pagelayoutname=layout)
    document.masterstyles.addElement(master)
    for title, note in (("Launch plan Q3", "Mention the early-bird price"), ("价格策略", "")):
        slide = draw.Page(masterpagename=master)
        frame = draw.Frame(width="20cm", height="3cm", x="1cm", y="1cm")
        box = draw.TextBox()
        box.addElement(text.P(text=title))
        frame.addElement(box)
        slide.addElement(frame)
        if note:
            notes = presentation.Notes()
            notes_frame = draw.Frame(width="20cm", height="3cm", x="1cm", y="1cm")
            notes_box = draw.TextBox()
            notes_box.addElement(text.P(text=note))
            notes_frame.addElement(notes_box)
            notes.addElement(notes_frame)
            slide.addElement(notes)
        document.presentation.addElement(slide)
    path = tmp_path / "plan.odp"
    document.save(str(path))
    assert read(path).pages == ["Launch plan Q3\nMention the early-bird price", "价格策略"]


# --- RTF -----------------------------------------------------------------------------------


def test_rtf_with_chinese_in_its_code_page_and_unicode_escapes(tmp_path: Path) -> None:
    gbk = "".join(f"\\'{byte:02x}" for byte in "报价单".encode("gbk"))
    unicode_escaped = "".join(f"\\u{ord(char)}?" for char in "有效期")
    source = (
        "{\\rtf1\\ansi\\ansicpg936\\deff0{\\fonttbl{\\f0\\fnil\\fcharset134 SimSun;}}"
        "{\\info{\\title X200 quotation}{\\author Sales Ops}}"
        f"\\f0 {gbk} X200\\par Unit price: {{\\b 1200}} USD\\par {unicode_escaped} 30 days\\par}}"
    )
    path = tmp_path / "quotation.rtf"
    path.write_bytes(source.encode("ascii"))
    result = read(path)
    assert result.pages == ["报价单 X200\nUnit price: 1200 USD\n有效期 30 days"]
    assert result.title == "X200 quotation"
    assert result.author == "Sales Ops"


# --- EPUB ----------------------------------------------------------------------------------


def test_epub_chapters_in_reading_order(tmp_path: Path) -> None:
    path = tmp_path / "handbook.epub"
    chapter = "<?xml version='1.0'?><html xmlns='http://www.w3.org/1999/xhtml'><head><title>{0}"\
        "</title></head><body><h1>{0}</h1><p>{1}</p></body></html>"
    with zipfile.ZipFile(path, "w") as book:
        book.writestr("mimetype", "application/epub+zip", compress_type=zipfile.ZIP_STORED)
        book.writestr("META-INF/container.xml", (
            "<?xml version='1.0'?><container version='1.0' "
            "xmlns='urn:oasis:names:tc:opendocument:xmlns:container'><rootfiles>"
            "<rootfile full-path='OEBPS/content.opf' media-type='application/oebps-package+xml'/>"
            "</rootfiles></container>"
        ))
        book.writestr("OEBPS/content.opf", (
            "<?xml version='1.0'?><package xmlns='http://www.idpf.org/2007/opf' version='3.0'>"
            "<metadata xmlns:dc='http://purl.org/dc/elements/1.1/'>"
            "<dc:title>Sales handbook</dc:title><dc:creator>Sales Ops</dc:creator>"
            "<dc:date>2024-03-01</dc:date></metadata>"
            "<manifest><item id='b' href='text/b%20two.xhtml' media-type='application/xhtml+xml'/>"
            "<item id='a' href='text/a.xhtml' media-type='application/xhtml+xml'/>"
            "<item id='css' href='style.css' media-type='text/css'/></manifest>"
            "<spine><itemref idref='a'/><itemref idref='b'/></spine></package>"
        ))
        book.writestr("OEBPS/text/a.xhtml", chapter.format("第一章 客户拜访", "先了解客户需求。"))
        book.writestr("OEBPS/text/b two.xhtml",
                      chapter.format("Chapter 2", "Quote within 24 hours."))
        book.writestr("OEBPS/style.css", "p { color: black }")
    result = read(path)
    assert result.pages == [
        "第一章 客户拜访\n\n先了解客户需求。", "Chapter 2\n\nQuote within 24 hours."
    ]
    assert result.title == "Sales handbook"
    assert result.author == "Sales Ops"
    assert result.created is not None and result.created.year == 2024


# --- e-mail --------------------------------------------------------------------------------


def make_docx(path: Path, line: str) -> Path:
    document = docx.Document()
    document.add_paragraph(line)
    document.save(str(path))
    return path


def test_eml_headers_body_and_each_attachment(tmp_path: Path) -> None:
    message = EmailMessage()
    message["Subject"] = "报价单 X200 / quotation"
    message["From"] = "Li Lei <li.lei@example.com>"
    message["To"] = "buyer@globex.example"
    message["Date"] = "Fri, 15 Mar 2024 10:30:00 +0800"
    message.set_content("Dear buyer,\nplease find our quotation attached.\n")
    message.add_alternative("<html><body><p>Dear buyer, <b>HTML copy</b></p></body></html>",
                            subtype="html")
    quote = make_docx(tmp_path / "quote.docx", "X200 unit price 1200 USD")
    message.add_attachment(quote.read_bytes(), maintype="application",
                           subtype="vnd.openxmlformats-officedocument.wordprocessingml.document",
                           filename="报价单.docx")
    message.add_attachment("付款方式：银行转账".encode(), maintype="text", subtype="plain",
                           filename="terms.txt")
    message.add_attachment(bytes(range(256)), maintype="application", subtype="octet-stream",
                           filename="logo.bin")
    path = tmp_path / "quotation.eml"
    path.write_bytes(bytes(message))

    result = read(path)
    first = result.pages[0]
    assert first.startswith("Subject: 报价单 X200 / quotation\nFrom: Li Lei <li.lei@example.com>")
    assert "To: buyer@globex.example" in first
    assert "please find our quotation attached." in first
    assert "HTML copy" not in first  # the plain part is the body; its HTML twin adds nothing
    assert result.pages[1:] == [
        "Attachment: 报价单.docx\nX200 unit price 1200 USD",
        "Attachment: terms.txt\n付款方式：银行转账",
        "Attachment: logo.bin (not read: unsupported file type: other)",
    ]
    assert result.title == "报价单 X200 / quotation"
    assert result.author == "Li Lei <li.lei@example.com>"
    assert result.created == datetime.fromisoformat("2024-03-15T02:30:00+00:00")


def test_eml_with_only_an_html_body_and_a_forwarded_message(tmp_path: Path) -> None:
    forwarded = EmailMessage()
    forwarded["Subject"] = "Original offer"
    forwarded["From"] = "partner@example.com"
    forwarded.set_content("The original offer text.")
    message = EmailMessage()
    message["Subject"] = "Fwd: offer"
    message["From"] = "sales@example.com"
    message.set_content("<html><body><p>See the <i>offer</i> below.</p><script>x()</script>"
                        "</body></html>", subtype="html")
    message.add_attachment(forwarded, filename="offer.eml")
    path = tmp_path / "forward.eml"
    path.write_bytes(bytes(message))
    pages = read(path).pages
    assert pages[0].endswith("See the offer below.")
    assert pages[1].startswith("Attachment: offer.eml\nSubject: Original offer")
    assert "The original offer text." in pages[1]


# --- ZIP -----------------------------------------------------------------------------------


def test_zip_members_are_read_with_their_names(tmp_path: Path) -> None:
    path = tmp_path / "tender.zip"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.write(make_docx(tmp_path / "a.docx", "Technical offer for the X200"),
                      "tender/技术标.docx")
        archive.writestr("tender/price.csv", "Model,Price\nX200,1200\n")
        archive.writestr("tender/empty/", "")
    result = read(path)
    assert result.pages == [
        "tender/技术标.docx\ntender/price.csv",
        "File: tender/技术标.docx\nTechnical offer for the X200",
        "File: tender/price.csv\nModel\tPrice\nX200\t1200",
    ]


# --- formats without a writer: the shared corpus -------------------------------------------


def corpus_file(corpus: Path, name: str) -> Path:
    path = corpus / name
    assert path.is_file(), f"{path} is missing"
    return path


@pytest.mark.corpus
def test_legacy_word_document(corpus: Path) -> None:
    result = read(corpus_file(corpus, "unst__fake.doc"))
    assert result.pages == ["Lorem ipsum dolor sit amet."]
    assert result.author == "Mr. Miagi"


@pytest.mark.corpus
def test_legacy_powerpoint_slides_match_the_pptx_twin(corpus: Path) -> None:
    old = read(corpus_file(corpus, "unst__fake-power-point.ppt")).pages
    assert "Adding a Bullet Slide" in old[0]
    assert "Here is some text in a text box!" in "\n".join(old)


@pytest.mark.corpus
def test_outlook_message_with_attachment(corpus: Path) -> None:
    result = read(corpus_file(corpus, "unst__fake-email-attachment.msg"))
    assert result.pages[0].startswith("Subject: Fake email with attachment")
    assert "Here's the attachments!" in result.pages[0]
    assert result.pages[1].startswith("Attachment: fake-attachment.txt")
