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
