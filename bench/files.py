"""Generated sales documents written as real files: PDF (text layer), DOCX, XLSX, PPTX,
TXT and HTML, the formats a sales team uploads most."""

from __future__ import annotations

import html
import textwrap
from collections.abc import Callable, Sequence
from pathlib import Path

from docx import Document as DocxDocument
from openpyxl import Workbook
from pptx import Presentation
from pptx.util import Inches, Pt
from reportlab.lib.pagesizes import A4
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen import canvas

from bench.generate import SalesDoc

CJK_FONT = "STSong-Light"
LINES_PER_PAGE = 48


def write_pdf(doc: SalesDoc, path: Path) -> None:
    if CJK_FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(CJK_FONT))
    pdf = canvas.Canvas(str(path), pagesize=A4)
    pdf.setTitle(doc.title)
    for text in doc.pages:
        for start in range(0, max(1, len(lines := _lines(text))), LINES_PER_PAGE):
            y = 800
            for line in lines[start:start + LINES_PER_PAGE]:
                pdf.setFont(CJK_FONT if _has_cjk(line) else "Helvetica", 10)
                pdf.drawString(50, y, line)
                y -= 16
            pdf.showPage()
    pdf.save()


def write_docx(doc: SalesDoc, path: Path) -> None:
    document = DocxDocument()
    document.add_heading(doc.title, level=1)
    for text in doc.pages:
        for paragraph in text.split("\n"):
            document.add_paragraph(paragraph)
    document.save(str(path))


def write_xlsx(doc: SalesDoc, path: Path) -> None:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "Price list"
    sheet.append(["Product", "Description", "Unit price (USD)", "Year"])
    for number, paragraph in enumerate(p for page in doc.pages for p in page.split("\n")):
        sheet.append([doc.product or doc.title, paragraph[:2000], 100 + number * 7, doc.year])
    workbook.save(str(path))


def write_pptx(doc: SalesDoc, path: Path) -> None:
    deck = Presentation()
    for number, text in enumerate(doc.pages):
        slide = deck.slides.add_slide(deck.slide_layouts[5])
        slide.shapes.title.text = doc.title if number == 0 else f"{doc.title} ({number + 1})"
        frame = slide.shapes.add_textbox(Inches(0.5), Inches(1.5), Inches(9), Inches(5)
                                         ).text_frame
        frame.word_wrap = True
        frame.text = text
        for paragraph in frame.paragraphs:
            for run in paragraph.runs:
                run.font.size = Pt(10)
    deck.save(str(path))


def write_txt(doc: SalesDoc, path: Path) -> None:
    path.write_text(doc.title + "\n\n" + "\n\f\n".join(doc.pages), encoding="utf-8")


def write_html(doc: SalesDoc, path: Path) -> None:
    body = "".join(f"<section><p>{html.escape(text).replace(chr(10), '</p><p>')}</p></section>"
                   for text in doc.pages)
    path.write_text(f"<!doctype html><html><head><meta charset='utf-8'><title>"
                    f"{html.escape(doc.title)}</title></head><body><h1>{html.escape(doc.title)}"
                    f"</h1>{body}</body></html>", encoding="utf-8")


WRITERS: dict[str, Callable[[SalesDoc, Path], None]] = {
    "pdf": write_pdf, "docx": write_docx, "xlsx": write_xlsx, "pptx": write_pptx,
    "txt": write_txt, "html": write_html}


def write_files(docs: Sequence[SalesDoc], folder: Path, kinds: Sequence[str] = tuple(WRITERS),
                ) -> list[Path]:
    """Each document written in each of ``kinds``, under ``folder``; the paths."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for doc in docs:
        for kind in kinds:
            path = folder / f"generated-{doc.number:05d}.{kind}"
            WRITERS[kind](doc, path)
            paths.append(path)
    return paths


def _lines(text: str) -> list[str]:
    lines: list[str] = []
    for paragraph in text.split("\n"):
        width = 45 if _has_cjk(paragraph) else 95
        lines.extend(textwrap.wrap(paragraph, width) or [""])
    return lines


def _has_cjk(text: str) -> bool:
    return any("\u2e80" <= ch <= "\u9fff" for ch in text)
