"""Test documents made on the spot: PDFs, Office files, Chinese text, price lists."""

from __future__ import annotations

import io
from collections.abc import Sequence
from pathlib import Path

from docx import Document as DocxDocument
from openpyxl import Workbook
from reportlab.lib.pagesizes import A4
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen import canvas

CJK_FONT = "STSong-Light"


def pdf_bytes(pages: Sequence[str], title: str | None = None) -> bytes:
    """A PDF with a text layer, one string per page (lines split on newlines)."""
    if CJK_FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(CJK_FONT))
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4)
    if title:
        pdf.setTitle(title)
    for text in pages:
        y = 800
        for line in text.splitlines():
            font = CJK_FONT if any(ord(ch) > 0x2E80 for ch in line) else "Helvetica"
            pdf.setFont(font, 11)
            pdf.drawString(60, y, line)
            y -= 16
        pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def write_pdf(path: Path, pages: Sequence[str], title: str | None = None) -> Path:
    path.write_bytes(pdf_bytes(pages, title))
    return path


def write_docx(path: Path, paragraphs: Sequence[str],
               table: Sequence[Sequence[str]] | None = None) -> Path:
    document = DocxDocument()
    for paragraph in paragraphs:
        document.add_paragraph(paragraph)
    if table:
        grid = document.add_table(rows=len(table), cols=len(table[0]))
        for row_cells, row in zip(grid.rows, table, strict=True):
            for cell, value in zip(row_cells.cells, row, strict=True):
                cell.text = value
    document.save(str(path))
    return path


def write_xlsx(path: Path, sheet: str, rows: Sequence[Sequence[object]]) -> Path:
    workbook = Workbook()
    worksheet = workbook.active
    assert worksheet is not None
    worksheet.title = sheet
    for row in rows:
        worksheet.append(list(row))
    workbook.save(str(path))
    return path


def price_list_rows(year: int) -> list[list[object]]:
    factor = 1 + (year - 2023) * 0.05
    return [["Product", "SKU", "Unit price (USD)", "Valid from"],
            ["Industrial router", "AX-200-EU", round(1200 * factor, 2), f"{year}-01-01"],
            ["Edge gateway", "GW-10", round(450 * factor, 2), f"{year}-01-01"],
            ["Support plan", "SP-GOLD", round(300 * factor, 2), f"{year}-01-01"]]


def compound_file(streams: dict[str, bytes]) -> bytes:
    """A compound file (the container of .msg, .doc, .xls) holding ``streams`` at its root,
    each under 4096 bytes and so in the mini stream, as Office writes small streams."""
    import struct

    sector, mini = 512, 64
    free, end, fat_mark = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD
    names = list(streams)
    container = b""
    mini_fat: list[int] = []
    starts = []
    for name in names:
        data = streams[name]
        count = max(1, -(-len(data) // mini))
        first = len(mini_fat)
        starts.append(first)
        mini_fat += [*range(first + 1, first + count), end]
        container += data.ljust(count * mini, b"\0")
    entries = 1 + len(names)
    dir_sectors = -(-entries * 128 // sector)
    minifat_sectors = -(-len(mini_fat) * 4 // sector)
    container_sectors = -(-len(container) // sector)
    fat_sectors = 1
    first_dir = fat_sectors
    first_minifat = first_dir + dir_sectors
    first_container = first_minifat + minifat_sectors
    fat = [fat_mark]
    for first, count in ((first_dir, dir_sectors), (first_minifat, minifat_sectors),
                         (first_container, container_sectors)):
        fat += [*range(first + 1, first + count), end]
    assert len(fat) <= sector // 4, "too many sectors for one FAT sector"
    fat += [free] * (sector // 4 - len(fat))

    def entry(name: str, kind: int, right: int, child: int, start: int, size: int) -> bytes:
        encoded = (name + "\0").encode("utf-16-le")
        return (encoded.ljust(64, b"\0") + struct.pack("<HBB3I", len(encoded), kind, 1, free,
                                                       right, child)
                + bytes(16 + 4 + 16) + struct.pack("<IQ", start, size))

    directory = [entry("Root Entry", 5, free, 1 if names else free, first_container,
                       len(container))]
    for index, name in enumerate(names, start=1):
        right = index + 1 if index < len(names) else free
        directory.append(entry(name, 2, right, free, starts[index - 1], len(streams[name])))
    header = (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(16)
              + struct.pack("<HHHHH", 0x3E, 3, 0xFFFE, 9, 6) + bytes(6)
              + struct.pack("<IIIIIIII", 0, fat_sectors, first_dir, 0, 4096, first_minifat,
                            minifat_sectors, end)
              + struct.pack("<I", 0) + struct.pack("<I", 0) + b"\xff" * (4 * 108))
    body = (struct.pack(f"<{sector // 4}I", *fat)
            + b"".join(directory).ljust(dir_sectors * sector, b"\0")
            + struct.pack(f"<{len(mini_fat)}I", *mini_fat).ljust(minifat_sectors * sector,
                                                                 b"\xff")
            + container.ljust(container_sectors * sector, b"\0"))
    return header + body


def msg_bytes(subject: str, body: str, encoding: str, *, message_codepage: int | None = None,
              internet_codepage: int | None = None) -> bytes:
    """An Outlook .msg whose strings are 8-bit in ``encoding`` (as older Outlook writes
    them), naming its code page in PR_MESSAGE_CODEPAGE and/or PR_INTERNET_CPID, or not."""
    import struct

    properties = bytes(32)
    for tag, value in ((0x3FFD0003, message_codepage), (0x3FDE0003, internet_codepage)):
        if value is not None:
            properties += struct.pack("<IIQ", tag, 6, value)
    return compound_file({
        "__properties_version1.0": properties,
        "__substg1.0_001A001E": b"IPM.Note",
        "__substg1.0_0037001E": subject.encode(encoding),
        "__substg1.0_1000001E": body.encode(encoding),
    })
