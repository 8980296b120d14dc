"""Hostile and broken uploads end as failed with a reason a salesperson understands,
and the worker reads the next file as if nothing happened.

Every case goes the way the service goes: sniff the bytes, then extract_isolated.
"""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
from collections.abc import Callable
from pathlib import Path

import docx
import openpyxl
import pytest
from msoffcrypto.format.ooxml import OOXMLFile
from pypdf import PdfReader, PdfWriter
from reportlab.pdfgen import canvas

from docservice.domain import ExtractedText
from docservice.errors import ExtractionFailed
from docservice.ingest.isolation import extract_isolated
from docservice.ingest.options import ExtractOptions
from docservice.ingest.sniff import sniff_media_type

PASSWORD = "password protected: upload an unprotected copy"
BOMB = "looks like a decompression bomb"


def read(path: Path, options: ExtractOptions | None = None) -> ExtractedText:
    return extract_isolated(
        path,
        sniff_media_type(path, path.name),
        timeout_s=120,
        memory_mb=1024,
        options=options or ExtractOptions(),
    )


def failure(path: Path, options: ExtractOptions | None = None) -> str:
    with pytest.raises(ExtractionFailed) as raised:
        read(path, options)
    return str(raised.value)


@pytest.fixture
def next_in_queue(tmp_path: Path) -> Callable[[], None]:
    """Checks that an ordinary upload after the hostile one is still read."""

    def check() -> None:
        path = tmp_path / "next.pdf"
        pdf = canvas.Canvas(str(path))
        pdf.drawString(72, 720, "Price list 2024")
        pdf.showPage()
        pdf.save()
        assert read(path).pages == ["Price list 2024"]

    return check


def make_docx(path: Path, text: str = "Service agreement for the X200") -> Path:
    document = docx.Document()
    document.add_paragraph(text)
    document.save(str(path))
    return path


def with_member(source: Path, target: Path, name: str, data: bytes) -> Path:
    """A copy of the ZIP-based file ``source`` with one more member."""
    target.write_bytes(source.read_bytes())
    with zipfile.ZipFile(target, "a", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(name, data)
    return target


ZEROS = bytes(64 * 1024 * 1024)  # 64 MB that deflate to about 64 KB


# --- decompression bombs -------------------------------------------------------------------


def test_docx_bomb(tmp_path: Path, next_in_queue: Callable[[], None]) -> None:
    plain = make_docx(tmp_path / "plain.docx")
    bomb = with_member(plain, tmp_path / "agreement.docx", "word/media/image1.png", ZEROS)
    assert failure(bomb).startswith(BOMB)
    next_in_queue()


def test_xlsx_bomb(tmp_path: Path, next_in_queue: Callable[[], None]) -> None:
    workbook = openpyxl.Workbook()
    workbook.active.append(["Model", "Price"])
    workbook.save(str(tmp_path / "plain.xlsx"))
    bomb = with_member(tmp_path / "plain.xlsx", tmp_path / "prices.xlsx", "xl/bomb.xml", ZEROS)
    assert failure(bomb).startswith(BOMB)
    next_in_queue()


def test_zip_bomb_by_ratio_and_by_total_size(
    tmp_path: Path, next_in_queue: Callable[[], None]
) -> None:
    path = tmp_path / "documents.zip"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("zeros.bin", ZEROS)
    assert failure(path) == f"{BOMB}: it would unpack to 64 MB; not read"
    incompressible = tmp_path / "photos.zip"
    with zipfile.ZipFile(incompressible, "w", compression=zipfile.ZIP_STORED) as archive:
        archive.writestr("a.txt", b"x" * (3 * 1024 * 1024))
    assert failure(incompressible, ExtractOptions(max_unpacked_mb=2)).startswith(BOMB)
    next_in_queue()


def test_zip_with_too_many_files(tmp_path: Path, next_in_queue: Callable[[], None]) -> None:
    path = tmp_path / "many.zip"
    with zipfile.ZipFile(path, "w") as archive:
        for number in range(101):
            archive.writestr(f"note{number}.txt", f"note {number}")
    assert failure(path, ExtractOptions(max_archive_members=10)) == (
        "the file holds 101 parts, too many to read safely"
    )
    next_in_queue()


# --- PDFs ----------------------------------------------------------------------------------


def handmade_pdf(objects: list[bytes]) -> bytes:
    """A PDF written object by object, with a correct cross-reference table."""
    out = b"%PDF-1.4\n"
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{offset:010d} 00000 n \n".encode() for offset in offsets)
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\n".encode()
    return out + f"startxref\n{xref}\n%%EOF\n".encode()


@pytest.mark.parametrize("count", [1, 1_000_000_000])
def test_pdf_whose_page_tree_loops(
    tmp_path: Path, next_in_queue: Callable[[], None], count: int
) -> None:
    path = tmp_path / "loop.pdf"
    path.write_bytes(handmade_pdf([
        b"<< /Type /Catalog /Pages 2 0 R >>",
        f"<< /Type /Pages /Kids [3 0 R] /Count {count} >>".encode(),
        f"<< /Type /Pages /Kids [2 0 R] /Count {count} >>".encode(),
    ]))
    assert failure(path) == "the file is damaged or incomplete (not a valid PDF)"
    next_in_queue()


def test_pdf_with_more_pages_than_allowed(
    tmp_path: Path, next_in_queue: Callable[[], None]
) -> None:
    path = tmp_path / "catalogue.pdf"
    pdf = canvas.Canvas(str(path))
    for number in range(60):
        pdf.drawString(72, 720, f"Catalogue page {number}")
        pdf.showPage()
    pdf.save()
    reason = failure(path, ExtractOptions(max_pages=50))
    assert reason == "the PDF has 60 pages; at most 50 can be read"
    next_in_queue()


def test_password_protected_pdf(tmp_path: Path, next_in_queue: Callable[[], None]) -> None:
    plain = tmp_path / "plain.pdf"
    pdf = canvas.Canvas(str(plain))
    pdf.drawString(72, 720, "Signed contract")
    pdf.showPage()
    pdf.save()
    writer = PdfWriter(clone_from=PdfReader(plain))
    writer.encrypt(user_password="s3cret", owner_password="owner", algorithm="RC4-128")
    locked = tmp_path / "contract.pdf"
    with locked.open("wb") as file:
        writer.write(file)
    assert failure(locked) == PASSWORD
    next_in_queue()


# --- Office files and others ---------------------------------------------------------------


def test_password_protected_word_file(tmp_path: Path, next_in_queue: Callable[[], None]) -> None:
    plain = make_docx(tmp_path / "plain.docx")
    locked = tmp_path / "agreement.docx"
    with plain.open("rb") as source, locked.open("wb") as target:
        OOXMLFile(source).encrypt("s3cret", target)
    assert failure(locked) == PASSWORD
    next_in_queue()


def test_password_protected_opendocument(tmp_path: Path, next_in_queue: Callable[[], None]) -> None:
    path = tmp_path / "offer.odt"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.text")
        archive.writestr("META-INF/manifest.xml", (
            '<manifest:manifest '
            'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0">'
            '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml">'
            '<manifest:encryption-data manifest:checksum-type="SHA1/1K" manifest:checksum="x"/>'
            "</manifest:file-entry></manifest:manifest>"
        ))
        archive.writestr("content.xml", b"\x8f\x13 encrypted bytes")
    assert failure(path) == PASSWORD
    next_in_queue()


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("agreement.docx", "the file is damaged or incomplete (not a valid Word document)"),
        ("contract.pdf", "the file is damaged or incomplete (not a valid PDF)"),
        ("scan.png", "the image is damaged or incomplete"),
        ("prices.xls",
         "the file is damaged or incomplete (an Office 97-2003 file that cannot be read)"),
    ],
)
def test_truncated_files(
    tmp_path: Path, next_in_queue: Callable[[], None], name: str, reason: str
) -> None:
    whole = tmp_path / f"whole-{name}"
    _write_sample(whole)
    data = whole.read_bytes()
    truncated = tmp_path / name
    truncated.write_bytes(data[: len(data) // 2])
    assert failure(truncated) == reason
    next_in_queue()


def _write_sample(path: Path) -> None:
    if path.suffix == ".docx":
        make_docx(path, "Service agreement " * 2000)
    elif path.suffix == ".pdf":
        pdf = canvas.Canvas(str(path))
        for number in range(5):
            pdf.drawString(72, 720, f"Spec sheet page {number}")
            pdf.showPage()
        pdf.save()
    elif path.suffix == ".png":
        from PIL import Image, ImageDraw

        image = Image.new("RGB", (1200, 800), "white")
        ImageDraw.Draw(image).text((50, 50), "Price list 2024", fill="black")
        image.save(path)
    else:
        import xlwt

        book = xlwt.Workbook()
        sheet = book.add_sheet("Prices")
        for row in range(2000):
            sheet.write(row, 0, f"Model X{row}")
        book.save(str(path))


def test_empty_file(tmp_path: Path, next_in_queue: Callable[[], None]) -> None:
    path = tmp_path / "contract.pdf"
    path.write_bytes(b"")
    assert failure(path) == "the file is empty"
    next_in_queue()


def test_a_file_whose_name_lies_is_read_by_its_real_type(
    tmp_path: Path, next_in_queue: Callable[[], None]
) -> None:
    word_named_pdf = make_docx(tmp_path / "price-list.pdf", "Price list for the X200")
    assert read(word_named_pdf).pages == ["Price list for the X200"]
    text_named_xlsx = tmp_path / "budget.xlsx"
    text_named_xlsx.write_text("Budget 2024: 1.2 million", encoding="utf-8")
    assert read(text_named_xlsx).pages == ["Budget 2024: 1.2 million"]
    next_in_queue()


def test_a_gigantic_image_is_refused_before_decoding(
    tmp_path: Path, next_in_queue: Callable[[], None]
) -> None:
    path = tmp_path / "poster.png"
    path.write_bytes(_png_header_only(20_000, 20_000))
    assert failure(path) == "the image is too large to read (400 megapixels)"
    just_over = tmp_path / "banner.png"
    just_over.write_bytes(_png_header_only(11_000, 10_000))  # 110 MP: over our cap only
    assert failure(just_over) == "the image is too large to read (110 megapixels)"
    next_in_queue()


def _png_header_only(width: int, height: int) -> bytes:
    """A PNG declaring ``width`` x ``height`` pixels whose data is one tiny IDAT chunk."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        crc = zlib.crc32(kind + body) & 0xFFFFFFFF
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)  # 8-bit greyscale
    data = zlib.compress(b"\x00" + b"\xff" * width)  # first row only
    chunks = chunk(b"IHDR", header) + chunk(b"IDAT", data) + chunk(b"IEND", b"")
    return b"\x89PNG\r\n\x1a\n" + chunks


def test_archive_nesting_is_bounded(tmp_path: Path, next_in_queue: Callable[[], None]) -> None:
    def zipped(name: str, data: bytes) -> bytes:
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            archive.writestr(name, data)
        return buffer.getvalue()

    inner = zipped("deepest.txt", b"three levels down")
    middle = zipped("inner.zip", inner)
    path = tmp_path / "outer.zip"
    path.write_bytes(zipped("middle.zip", middle))
    text = "\n".join(read(path).pages)
    assert "File: middle.zip" in text
    assert "File: inner.zip (not read: a container inside a container" in text
    assert "three levels down" not in text
    next_in_queue()
