"""PDF text layer, one string per page, with pypdfium2 (PDFium).

Chosen over pypdf after measuring both on the shared corpus: PDFium reads Chinese fonts
without a Unicode map that pypdf turns into mojibake, opens more damaged files, and was
about 11 times faster in total. Pages without a text layer stay empty strings (scans are
OCR's job), so page numbers stay right.
"""

from __future__ import annotations

import logging
import re
import threading
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from docservice.domain import ExtractedText
from docservice.errors import ExtractionFailed
from docservice.ingest.base import ExtractorSpec, ProgressCallback
from docservice.ingest.extractors.common import (
    PASSWORD_PROTECTED,
    as_utc,
    clean_field,
    normalise_whitespace,
)
from docservice.ingest.sniff import PDF

log = logging.getLogger(__name__)

DAMAGED = "the file is damaged or incomplete (not a valid PDF)"
_LOAD_FAILURES = {
    pdfium_c.FPDF_ERR_PASSWORD: PASSWORD_PROTECTED,
    pdfium_c.FPDF_ERR_SECURITY: "protected by a security scheme we cannot open: "
    "upload an unprotected copy",
}
_PDF_DATE = re.compile(
    r"(?:D:)?(\d{4})(\d{2})?(\d{2})?(\d{2})?(\d{2})?(\d{2})?\s*(?:([Z+-])(\d{2})?'?(\d{2})?'?)?"
)

# PDFium is not thread-safe, and worker threads may call extractors directly.
_PDFIUM_LOCK = threading.Lock()


def extract_pdf(path: Path, progress: ProgressCallback | None = None) -> ExtractedText:
    """Text per page and document info. An empty user password is tried automatically."""
    with _PDFIUM_LOCK:
        document = _open(path)
        try:
            pages = _page_texts(document, progress)
            info = document.get_metadata_dict(skip_empty=True)
        finally:
            document.close()
    return ExtractedText(
        pages=pages,
        title=clean_field(info.get("Title")),
        author=clean_field(info.get("Author")),
        created=parse_pdf_date(info.get("CreationDate")),
        modified=parse_pdf_date(info.get("ModDate")),
    )


def _open(path: Path) -> pdfium.PdfDocument:
    try:
        return pdfium.PdfDocument(path)
    except pdfium.PdfiumError as exc:
        raise ExtractionFailed(_LOAD_FAILURES.get(exc.err_code, DAMAGED)) from exc


def _page_texts(document: pdfium.PdfDocument, progress: ProgressCallback | None) -> list[str]:
    total = len(document)
    pages = []
    for index in range(total):
        pages.append(_page_text(document, index))
        if progress:
            progress(index + 1, total)
    return pages


def _page_text(document: pdfium.PdfDocument, index: int) -> str:
    try:
        page = document[index]
    except pdfium.PdfiumError:
        # One broken page must not cost the rest of the document; it counts as empty.
        log.info("page %d of a PDF could not be loaded", index + 1)
        return ""
    try:
        textpage = page.get_textpage()
        try:
            return normalise_whitespace(textpage.get_text_range(), join_cjk=True)
        finally:
            textpage.close()
    except pdfium.PdfiumError:
        log.info("page %d of a PDF has an unreadable text layer", index + 1)
        return ""
    finally:
        page.close()


def parse_pdf_date(value: str | None) -> datetime | None:
    """A PDF date string (``D:20240131093000+08'00'``) as aware UTC, None if unreadable."""
    match = _PDF_DATE.match(value.strip()) if value else None
    if not match:
        return None
    year, month, day, hour, minute, second, sign, tz_hours, tz_minutes = match.groups()
    try:
        moment = datetime(
            int(year),
            int(month or 1),
            int(day or 1),
            int(hour or 0),
            int(minute or 0),
            int(second or 0),
        )
    except ValueError:
        return None
    if sign in ("+", "-"):
        offset = timedelta(hours=int(tz_hours or 0), minutes=int(tz_minutes or 0))
        try:
            moment = moment.replace(tzinfo=timezone(-offset if sign == "-" else offset))
            return as_utc(moment)
        except (ValueError, OverflowError):  # offset over 24 h, or year 1 shifted below 1
            return None
    return as_utc(moment)


SPECS = (ExtractorSpec(name="pdf-pdfium", media_types=(PDF,), extract=extract_pdf, score=20),)
