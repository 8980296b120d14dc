"""An upload's type comes from its bytes; the name only tells CSV and Markdown from text."""

from __future__ import annotations

import io
import struct
import zipfile
from collections.abc import Callable
from pathlib import Path

import docx
import openpyxl
import pptx
import pytest
from PIL import Image
from reportlab.pdfgen import canvas

from docservice.domain import file_kind
from docservice.ingest.sniff import sniff_media_type

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
PPTX = "application/vnd.openxmlformats-officedocument.presentationml.presentation"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ODT = "application/vnd.oasis.opendocument.text"


def write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def pdf_bytes() -> bytes:
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer)
    pdf.drawString(72, 720, "Price list 2024")
    pdf.save()
    return buffer.getvalue()


def docx_bytes() -> bytes:
    document = docx.Document()
    document.add_paragraph("Service agreement")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def pptx_bytes() -> bytes:
    presentation = pptx.Presentation()
    presentation.slides.add_slide(presentation.slide_layouts[0])
    buffer = io.BytesIO()
    presentation.save(buffer)
    return buffer.getvalue()


def xlsx_bytes() -> bytes:
    workbook = openpyxl.Workbook()
    workbook.active.append(["model", "price"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def zip_bytes(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in members.items():
            compression = zipfile.ZIP_STORED if name == "mimetype" else zipfile.ZIP_DEFLATED
            archive.writestr(name, data, compress_type=compression)
    return buffer.getvalue()


def ole_bytes(*stream_names: str) -> bytes:
    """A minimal compound file (the container of .doc/.xls/.msg) holding the named streams."""
    sector = 512
    stream_sectors = 8  # 4096 bytes each: at the mini-stream cutoff, so in regular sectors
    fat = [0xFFFFFFFD, 0xFFFFFFFE]  # sector 0 holds the FAT, sector 1 the directory
    starts = []
    for _ in stream_names:
        first = len(fat)
        starts.append(first)
        fat += [*range(first + 1, first + stream_sectors), 0xFFFFFFFE]
    fat += [0xFFFFFFFF] * (sector // 4 - len(fat))

    def entry(name: str, kind: int, right: int, child: int, start: int, size: int) -> bytes:
        encoded = (name + "\0").encode("utf-16-le")
        return (
            encoded.ljust(64, b"\0")
            + struct.pack("<HBB3I", len(encoded), kind, 1, 0xFFFFFFFF, right, child)
            + bytes(16 + 4 + 16)
            + struct.pack("<IQ", start, size)
        )

    entries = [entry("Root Entry", 5, 0xFFFFFFFF, 1, 0xFFFFFFFE, 0)]
    for index, name in enumerate(stream_names, start=1):
        right = index + 1 if index < len(stream_names) else 0xFFFFFFFF
        entries.append(entry(name, 2, right, 0xFFFFFFFF, starts[index - 1], 4096))
    directory = b"".join(entries).ljust(sector, b"\0")
    header = (
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
        + bytes(16)
        + struct.pack("<HHHHH", 0x3E, 3, 0xFFFE, 9, 6)
        + bytes(6)
        + struct.pack("<IIIIIIIII", 0, 1, 1, 0, 4096, 0xFFFFFFFE, 0, 0xFFFFFFFE, 0)
        + struct.pack("<I", 0)
        + b"\xff" * (4 * 108)
    )
    streams = b"".join(b"x" * 4096 for _ in stream_names)
    return header + struct.pack(f"<{sector // 4}I", *fat) + directory + streams


def image_bytes(fmt: str) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "white").save(buffer, format=fmt)
    return buffer.getvalue()


def test_empty_file(tmp_path: Path) -> None:
    assert sniff_media_type(write(tmp_path, "empty.pdf", b"")) == "application/x-empty"


def test_pdf_even_with_junk_before_the_header(tmp_path: Path) -> None:
    assert sniff_media_type(write(tmp_path, "a.pdf", pdf_bytes())) == "application/pdf"
    prefixed = write(tmp_path, "mail-gateway.bin", b"\r\n" * 200 + pdf_bytes())
    assert sniff_media_type(prefixed) == "application/pdf"


@pytest.mark.parametrize(
    ("builder", "expected"), [(docx_bytes, DOCX), (pptx_bytes, PPTX), (xlsx_bytes, XLSX)]
)
def test_office_files_by_their_zip_members(
    tmp_path: Path, builder: Callable[[], bytes], expected: str
) -> None:
    assert sniff_media_type(write(tmp_path, "upload", builder())) == expected


def test_the_name_does_not_override_the_bytes(tmp_path: Path) -> None:
    disguised = write(tmp_path, "contract.pdf", docx_bytes())
    assert sniff_media_type(disguised, "contract.pdf") == DOCX
    assert sniff_media_type(write(tmp_path, "notes.csv", pdf_bytes()), "notes.csv") == (
        "application/pdf"
    )


def test_truncated_docx_is_still_known_as_word(tmp_path: Path) -> None:
    data = docx_bytes()
    assert sniff_media_type(write(tmp_path, "cut.docx", data[: len(data) // 2])) == DOCX


def test_odf_and_epub_by_their_mimetype_member(tmp_path: Path) -> None:
    odt = zip_bytes({"mimetype": ODT.encode(), "content.xml": b"<office:document-content/>"})
    assert sniff_media_type(write(tmp_path, "a.odt", odt)) == ODT
    epub = zip_bytes({"mimetype": b"application/epub+zip", "OEBPS/a.xhtml": b"<html/>"})
    assert sniff_media_type(write(tmp_path, "a.epub", epub)) == "application/epub+zip"


def test_other_zip_archives(tmp_path: Path) -> None:
    archive = zip_bytes({"photos/a.jpg": b"\xff\xd8\xff", "readme.txt": b"hello"})
    assert sniff_media_type(write(tmp_path, "a.docx", archive)) == "application/zip"


@pytest.mark.parametrize(
    ("streams", "expected"),
    [
        (("WordDocument", "1Table"), "application/msword"),
        (("Workbook",), "application/vnd.ms-excel"),
        (("PowerPoint Document", "Current User"), "application/vnd.ms-powerpoint"),
        (("__properties_version1.0", "__nameid_version1.0"), "application/vnd.ms-outlook"),
        (("EncryptionInfo", "EncryptedPackage"), "application/x-tika-ooxml-protected"),
        (("SomethingElse",), "application/x-ole-storage"),
    ],
)
def test_legacy_office_files_by_stream_names(
    tmp_path: Path, streams: tuple[str, ...], expected: str
) -> None:
    assert sniff_media_type(write(tmp_path, "file.xlsx", ole_bytes(*streams))) == expected


def test_damaged_ole_file_does_not_raise(tmp_path: Path) -> None:
    damaged = ole_bytes("WordDocument")[:700]
    assert sniff_media_type(write(tmp_path, "a.doc", damaged)) == "application/x-ole-storage"


@pytest.mark.parametrize(
    ("fmt", "expected"),
    [
        ("PNG", "image/png"),
        ("JPEG", "image/jpeg"),
        ("TIFF", "image/tiff"),
        ("GIF", "image/gif"),
        ("BMP", "image/bmp"),
        ("WEBP", "image/webp"),
    ],
)
def test_images_by_magic(tmp_path: Path, fmt: str, expected: str) -> None:
    path = write(tmp_path, "scan.pdf", image_bytes(fmt))
    assert sniff_media_type(path, "scan.pdf") == expected
    assert file_kind(expected) != "other"


def test_heic_photo(tmp_path: Path) -> None:
    ftyp = struct.pack(">I", 24) + b"ftypheic" + struct.pack(">I", 0) + b"mif1heic"
    assert sniff_media_type(write(tmp_path, "IMG_0001.HEIC", ftyp + bytes(100))) == "image/heic"


def test_rtf(tmp_path: Path) -> None:
    path = write(tmp_path, "a.doc", b"{\\rtf1\\ansi\\deff0 {\\pard Quotation\\par}}")
    assert sniff_media_type(path) == "application/rtf"


@pytest.mark.parametrize(
    "data",
    [
        b"\xef\xbb\xbf\n  <!DOCTYPE html><html><body>Hi</body></html>",
        "<html><head><title>报价</title></head></html>".encode("utf-16"),
        b'<?xml version="1.0"?>\n<!-- generator -->\n<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML'
        b' 1.0//EN" "x"><html xmlns="http://www.w3.org/1999/xhtml"></html>',
        b"<head><meta charset='utf-8'><title>Datasheet</title></head><body>x</body>",
    ],
)
def test_html(tmp_path: Path, data: bytes) -> None:
    assert sniff_media_type(write(tmp_path, "page.txt", data), "page.txt") == "text/html"


def test_email_headers(tmp_path: Path) -> None:
    mail = (
        b"Return-Path: <sales@example.com>\r\nReceived: from mx.example.com\r\n"
        b"\tby mail.example.com; Tue, 2 Jan 2024 10:00:00 +0800\r\n"
        b"From: Sales <sales@example.com>\r\nSubject: Quotation\r\nMIME-Version: 1.0\r\n\r\n"
        b"Please find the quotation attached.\r\n"
    )
    assert sniff_media_type(write(tmp_path, "quote.txt", mail), "quote.txt") == "message/rfc822"


def test_text_that_only_mentions_headers_is_text(tmp_path: Path) -> None:
    note = b"Meeting notes\nFrom: the sales team\nSubject: pricing\n"
    assert sniff_media_type(write(tmp_path, "notes.txt", note)) == "text/plain"


@pytest.mark.parametrize(
    ("text", "encoding"),
    [
        ("2024年产品价格表：型号 X200，单价 1200 元，有效期至十二月底。\n", "gb18030"),
        ("2024年產品價格表：型號 X200，單價 1200 元，有效期至十二月底。\n", "big5"),
        ("Pricing sheet 2024 / 价格表\n", "utf-16"),
        ("Pricing sheet 2024 / 价格表\n", "utf-8"),
        ("Preisliste für Kunden - gültig bis März\n", "latin-1"),
    ],
)
def test_text_in_common_encodings(tmp_path: Path, text: str, encoding: str) -> None:
    path = write(tmp_path, "price.pdf", (text * 20).encode(encoding))
    assert sniff_media_type(path, "price.pdf") == "text/plain"


def test_name_refines_text_only(tmp_path: Path) -> None:
    table = b"model,price\nX200,1200\n"
    assert sniff_media_type(write(tmp_path, "p.csv", table), "prices.CSV") == "text/csv"
    assert sniff_media_type(write(tmp_path, "r.md", b"# Readme\n"), "readme.md") == "text/markdown"
    assert sniff_media_type(write(tmp_path, "p2.csv", table)) == "text/plain"


def test_only_the_head_of_the_file_is_read(tmp_path: Path) -> None:
    data = b"Price list\n" * 2000 + bytes(range(256)) * 100
    assert sniff_media_type(write(tmp_path, "long.txt", data)) == "text/plain"


def test_binary_garbage(tmp_path: Path) -> None:
    garbage = bytes((i * 7919) % 256 for i in range(4096))
    assert sniff_media_type(write(tmp_path, "x.txt", garbage)) == "application/octet-stream"
