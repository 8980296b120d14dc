"""Text comes out of every supported format, page by page; bad files fail with a plain reason."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import docx
import openpyxl
import pptx
import pytest
from pypdf import PdfReader, PdfWriter
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen import canvas

from docservice.domain import ExtractedText
from docservice.errors import ExtractionFailed, UnsupportedFileType
from docservice.ingest import registry
from docservice.ingest.base import ExtractorSpec
from docservice.ingest.extractors import spreadsheet
from docservice.ingest.registry import Registry, extract
from docservice.ingest.sniff import sniff_media_type

PASSWORD_REASON = "password protected: upload an unprotected copy"


def read(path: Path) -> ExtractedText:
    """What the service does with an upload: sniff the bytes, then extract."""
    return extract(path, sniff_media_type(path, path.name))


def make_pdf(path: Path, pages: list[list[str]], *, chinese: bool = False, **info: str) -> Path:
    pdf = canvas.Canvas(str(path))
    if chinese:
        pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    for lines in pages:
        pdf.setFont("STSong-Light" if chinese else "Helvetica", 12)
        for number, line in enumerate(lines):
            pdf.drawString(72, 760 - 18 * number, line)
        pdf.showPage()
    if "title" in info:
        pdf.setTitle(info["title"])
    if "author" in info:
        pdf.setAuthor(info["author"])
    pdf.save()
    return path


def encrypt(source: Path, target: Path, user_password: str) -> Path:
    writer = PdfWriter(clone_from=PdfReader(source))
    # RC4 is built into pypdf; AES would need a crypto library in the test environment.
    writer.encrypt(user_password=user_password, owner_password="owner-secret", algorithm="RC4-128")
    with target.open("wb") as file:
        writer.write(file)
    return target


# --- PDF ---------------------------------------------------------------------------------


def test_pdf_text_per_page_with_metadata(tmp_path: Path) -> None:
    path = make_pdf(
        tmp_path / "prices.pdf",
        [["Price list 2024", "Model   X200:    1200 USD"], [], ["Terms and conditions"]],
        title="Price list 2024",
        author="Sales Ops",
    )
    result = read(path)
    assert len(result.pages) == 3
    assert result.pages[0] == "Price list 2024\nModel X200: 1200 USD"
    assert result.pages[1] == ""  # a page without text keeps its place (OCR comes later)
    assert "Terms and conditions" in result.pages[2]
    assert result.title == "Price list 2024"
    assert result.author == "Sales Ops"
    assert isinstance(result.created, datetime)
    assert result.created.tzinfo is not None


def test_chinese_pdf(tmp_path: Path) -> None:
    lines = ["2024年产品价格表", "型号 X200 的报价单，有效期至2024年12月31日。"]
    result = read(make_pdf(tmp_path / "价格表.pdf", [lines], chinese=True))
    assert "2024年产品价格表" in result.pages[0]
    assert "报价单，有效期至2024年12月31日。" in result.pages[0]


def test_pdf_needing_a_password_fails_with_the_reason(tmp_path: Path) -> None:
    plain = make_pdf(tmp_path / "plain.pdf", [["Signed contract"]])
    locked = encrypt(plain, tmp_path / "contract.pdf", user_password="s3cret")
    with pytest.raises(ExtractionFailed) as failure:
        read(locked)
    assert str(failure.value) == PASSWORD_REASON


def test_pdf_encrypted_with_an_empty_password_is_read(tmp_path: Path) -> None:
    plain = make_pdf(tmp_path / "plain.pdf", [["Signed contract"]])
    restricted = encrypt(plain, tmp_path / "restricted.pdf", user_password="")
    assert read(restricted).pages == ["Signed contract"]


def test_truncated_pdf_fails_with_a_plain_reason(tmp_path: Path) -> None:
    whole = make_pdf(tmp_path / "whole.pdf", [["Spec sheet"]] * 5).read_bytes()
    truncated = tmp_path / "truncated.pdf"
    truncated.write_bytes(whole[: len(whole) // 2])
    with pytest.raises(ExtractionFailed) as failure:
        read(truncated)
    assert str(failure.value) == "the file is damaged or incomplete (not a valid PDF)"


# --- Word ----------------------------------------------------------------------------------


def make_docx(path: Path) -> Path:
    document = docx.Document()
    document.core_properties.title = "Service agreement"
    document.core_properties.author = "Legal"
    document.add_heading("Service agreement", level=1)
    document.add_paragraph("The supplier delivers the X200 within 30 days.")
    table = document.add_table(rows=2, cols=2)
    table.cell(0, 0).text, table.cell(0, 1).text = "Model", "Price"
    table.cell(1, 0).text, table.cell(1, 1).text = "X200", "1200"
    document.sections[0].header.paragraphs[0].text = "ACME Corp confidential"
    document.sections[0].footer.paragraphs[0].text = "Page footer 合同"
    document.save(str(path))
    return path


def test_docx_paragraphs_tables_headers_footers_and_properties(tmp_path: Path) -> None:
    result = read(make_docx(tmp_path / "agreement.docx"))
    assert len(result.pages) == 1
    text = result.pages[0]
    assert "The supplier delivers the X200 within 30 days." in text
    assert "Model\tPrice\nX200\t1200" in text
    assert "ACME Corp confidential" in text
    assert "Page footer 合同" in text
    assert result.title == "Service agreement"
    assert result.author == "Legal"
    assert result.modified is not None


def test_docx_named_pdf_is_read_as_docx(tmp_path: Path) -> None:
    disguised = make_docx(tmp_path / "agreement.pdf")
    assert "The supplier delivers the X200" in read(disguised).pages[0]


def test_damaged_docx_fails_with_a_plain_reason(tmp_path: Path) -> None:
    data = make_docx(tmp_path / "whole.docx").read_bytes()
    damaged = tmp_path / "damaged.docx"
    damaged.write_bytes(data[: len(data) // 2])
    with pytest.raises(ExtractionFailed) as failure:
        read(damaged)
    assert str(failure.value) == "the file is damaged or incomplete (not a valid Word document)"


# --- PowerPoint ----------------------------------------------------------------------------


def test_pptx_one_page_per_slide_with_tables_and_notes(tmp_path: Path) -> None:
    presentation = pptx.Presentation()
    title_slide = presentation.slides.add_slide(presentation.slide_layouts[0])
    title_slide.shapes.title.text = "X200 launch plan"
    title_slide.placeholders[1].text = "Q3 campaign\vEMEA and APAC"  # \v: a soft line break
    table_slide = presentation.slides.add_slide(presentation.slide_layouts[5])
    table_slide.shapes.title.text = "价格"
    inches = pptx.util.Inches
    table = table_slide.shapes.add_table(2, 2, inches(1), inches(2), inches(4), inches(1)).table
    table.cell(0, 0).text, table.cell(0, 1).text = "Model", "Price"
    table.cell(1, 0).text, table.cell(1, 1).text = "X200", "1200"
    table_slide.notes_slide.notes_text_frame.text = "Mention the volume discount"
    presentation.core_properties.title = "Launch plan"
    presentation.save(str(tmp_path / "plan.pptx"))

    result = read(tmp_path / "plan.pptx")
    assert len(result.pages) == 2
    assert "X200 launch plan" in result.pages[0]
    assert "Q3 campaign\nEMEA and APAC" in result.pages[0]
    assert "价格" in result.pages[1]
    assert "Model\tPrice\nX200\t1200" in result.pages[1]
    assert "Mention the volume discount" in result.pages[1]
    assert "volume discount" not in result.pages[0]
    assert result.title == "Launch plan"


# --- spreadsheets --------------------------------------------------------------------------


def make_workbook(path: Path, sheets: dict[str, list[list[object]]]) -> Path:
    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    for name, rows in sheets.items():
        sheet = workbook.create_sheet(name)
        for row in rows:
            sheet.append(row)
    workbook.properties.title = "Prices"
    workbook.save(str(path))
    return path


def test_xlsx_one_page_per_sheet(tmp_path: Path) -> None:
    path = make_workbook(
        tmp_path / "prices.xlsx",
        {
            "2024 价格表": [
                ["Model", "Price", "Valid from"],
                ["X200", 1200.0, datetime(2024, 1, 1)],
            ],
            "Discounts": [["Volume", "Rate"], [100, 0.05]],
        },
    )
    result = read(path)
    assert result.pages == [
        "2024 价格表\nModel\tPrice\tValid from\nX200\t1200\t2024-01-01",
        "Discounts\nVolume\tRate\n100\t0.05",
    ]
    assert result.title == "Prices"


def test_xlsx_sheet_is_bounded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(spreadsheet, "MAX_CELLS", 50)
    rows: list[list[object]] = [[f"r{row}c{col}" for col in range(10)] for row in range(20)]
    page = read(make_workbook(tmp_path / "big.xlsx", {"Big": rows})).pages[0]
    assert "r0c0" in page
    assert "r19c9" not in page
    assert page.endswith("[… the rest of this sheet was not read: over 50 cells]")


def test_csv_with_semicolons_in_gb18030(tmp_path: Path) -> None:
    path = tmp_path / "报价单.csv"
    path.write_bytes("型号;单价;备注\nX200;1200;含税价格\nX300;1800;含运费\n".encode("gb18030"))
    assert read(path).pages == ["型号\t单价\t备注\nX200\t1200\t含税价格\nX300\t1800\t含运费"]


# --- plain text, Markdown, HTML ------------------------------------------------------------


def test_gb18030_text(tmp_path: Path) -> None:
    text = "2024年产品价格表\n型号 X200 的报价单，有效期至2024年12月31日。\n售后服务：保修两年。\n"
    path = tmp_path / "报价.txt"
    path.write_bytes(text.encode("gb18030"))
    assert read(path).pages == [text.strip()]


@pytest.mark.parametrize(
    ("text", "encoding"),
    [
        ("Price list / 價格表", "utf-16"),
        ("Price list / 價格表", "big5"),
        ("Price list / 价格表", "utf-8-sig"),
        ("Preisliste für März", "latin-1"),
    ],
)
def test_text_in_other_encodings(tmp_path: Path, text: str, encoding: str) -> None:
    path = tmp_path / "note.txt"
    path.write_bytes(f"{text}\nvalid until December\n".encode(encoding))
    assert read(path).pages == [f"{text}\nvalid until December"]


def test_long_text_is_split_into_pages_on_line_boundaries(tmp_path: Path) -> None:
    lines = [f"Line {number}: the X200 price list applies everywhere." for number in range(2000)]
    path = tmp_path / "long.txt"
    path.write_text("\n".join(lines), encoding="utf-8")
    pages = read(path).pages
    assert len(pages) > 10
    assert all(len(page) <= 5000 for page in pages)
    assert "\n".join(pages).split("\n") == lines  # no line cut in two or lost


def test_markdown_title(tmp_path: Path) -> None:
    path = tmp_path / "guide.md"
    path.write_text("# Sales playbook\n\nCall the customer within 24 hours.\n", encoding="utf-8")
    result = read(path)
    assert result.title == "Sales playbook"
    assert "Call the customer within 24 hours." in result.pages[0]


def test_html_visible_text_and_title(tmp_path: Path) -> None:
    path = tmp_path / "product.html"
    path.write_text(
        "<!DOCTYPE html><html><head><title>X200 产品页</title><style>p {color: red}</style>"
        "<script>var secret = 'tracking code';</script></head><body>"
        "<h1>X200 datasheet</h1><p>Weight: <b>1.2</b> kg, made in <a href='#'>Suzhou</a>.</p>"
        "<div style='display: none'>hidden text</div></body></html>",
        encoding="utf-8",
    )
    result = read(path)
    assert result.title == "X200 产品页"
    assert result.pages == ["X200 datasheet\n\nWeight: 1.2 kg, made in Suzhou."]


# --- what cannot be read -------------------------------------------------------------------


def test_empty_file(tmp_path: Path) -> None:
    empty = tmp_path / "empty.docx"
    empty.write_bytes(b"")
    with pytest.raises(ExtractionFailed) as failure:
        read(empty)
    assert str(failure.value) == "the file is empty"


def test_unsupported_type_names_the_kind(tmp_path: Path) -> None:
    path = tmp_path / "firmware.bin"
    path.write_bytes(bytes(range(256)) * 4)
    with pytest.raises(UnsupportedFileType) as failure:
        read(path)
    assert str(failure.value) == "unsupported file type: other"


def test_password_protected_office_file(tmp_path: Path) -> None:
    path = tmp_path / "budget.xlsx"
    path.write_bytes(b"encrypted package stand-in")
    with pytest.raises(ExtractionFailed) as failure:
        extract(path, "application/x-tika-ooxml-protected")
    assert str(failure.value) == PASSWORD_REASON


# --- the registry itself -------------------------------------------------------------------


def first_reader(path: Path, progress: object = None) -> ExtractedText:
    return ExtractedText(pages=["first"])


def better_reader(path: Path, progress: object = None) -> ExtractedText:
    return ExtractedText(pages=["better"])


def test_highest_score_wins(tmp_path: Path) -> None:
    path = tmp_path / "a.txt"
    path.write_text("x")
    readers = Registry(
        [
            ExtractorSpec("first", ("text/plain",), first_reader, score=10),
            ExtractorSpec("better", ("text/plain",), better_reader, score=30),
        ]
    )
    assert readers.extract(path, "text/plain; charset=utf-8").pages == ["better"]


def test_an_extractor_that_fails_to_import_is_skipped(monkeypatch: pytest.MonkeyPatch) -> None:
    modules = ("docservice.ingest.extractors.no_such_reader", *registry.EXTRACTOR_MODULES)
    monkeypatch.setattr(registry, "EXTRACTOR_MODULES", modules)
    readers = registry.default_registry.__wrapped__()
    assert readers.find("application/pdf") is not None
