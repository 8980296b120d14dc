"""Spreadsheets (xlsx) and CSV: one page per sheet, rows as tab-separated cells.

A sheet is read up to MAX_CELLS cells, then a note says the rest was left out: a price
list is searchable long before that, and a sheet with a million rows must not exhaust
the worker.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from datetime import date, datetime, time
from pathlib import Path

import openpyxl

from docservice.domain import ExtractedText
from docservice.ingest.base import ExtractorSpec, ProgressCallback
from docservice.ingest.extractors.common import (
    as_utc,
    clean_field,
    decode_text,
    failing_as,
    normalise_whitespace,
)
from docservice.ingest.sniff import CSV, XLSX

MAX_CELLS = 200_000
DAMAGED = "the file is damaged or incomplete (not a valid Excel workbook)"
_DELIMITERS = ",;\t|"


def extract_xlsx(path: Path, progress: ProgressCallback | None = None) -> ExtractedText:
    """Each worksheet as a page headed by its name; cached formula results, not formulas."""
    # A file object, not the path: stored blobs have no .xlsx suffix and openpyxl checks it.
    with failing_as(DAMAGED), path.open("rb") as stream:
        workbook = openpyxl.load_workbook(stream, read_only=True, data_only=True)
        try:
            sheets = workbook.worksheets
            pages = []
            for number, sheet in enumerate(sheets, start=1):
                sheet.reset_dimensions()  # stored dimensions lie often; read the real rows
                rows = table_text(sheet.iter_rows(values_only=True), MAX_CELLS)
                pages.append(f"{sheet.title}\n{rows}")
                if progress:
                    progress(number, len(sheets))
            properties = workbook.properties
        finally:
            workbook.close()
    return ExtractedText(
        pages=pages,
        title=clean_field(properties.title),
        author=clean_field(properties.creator),
        created=as_utc(properties.created),
        modified=as_utc(properties.modified),
    )


def extract_csv(path: Path, progress: ProgressCallback | None = None) -> ExtractedText:
    """The table as one page; a file that is not parseable as CSV is kept as plain text."""
    text = decode_text(path.read_bytes())
    try:
        dialect: type[csv.Dialect] | csv.Dialect = csv.Sniffer().sniff(
            text[:8192], delimiters=_DELIMITERS
        )
    except csv.Error:
        dialect = csv.excel
    try:
        page = table_text(csv.reader(io.StringIO(text, newline=""), dialect), MAX_CELLS)
    except csv.Error:  # e.g. a field longer than the csv module allows
        page = normalise_whitespace(text)
    if progress:
        progress(1, 1)
    return ExtractedText(pages=[page])


def table_text(rows: Iterable[Iterable[object]], max_cells: int) -> str:
    """Rows as lines of tab-separated cells, empty rows skipped, bounded to ``max_cells``."""
    lines = []
    seen = 0
    for row in rows:
        cells = [cell_text(value) for value in row]
        seen += max(1, len(cells))
        if seen > max_cells:
            lines.append(f"[… the rest of this sheet was not read: over {max_cells} cells]")
            break
        while cells and not cells[-1]:
            cells.pop()
        if cells:
            lines.append("\t".join(cells))
    return "\n".join(lines)


def cell_text(value: object) -> str:
    """A cell value as a person reads it: 12 not 12.0, dates without a midnight time."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else format(value, ".15g")
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time() else value.isoformat(" ")
    if isinstance(value, date):
        return value.isoformat()
    return " ".join(str(value).split())


SPECS = (
    ExtractorSpec(name="xlsx", media_types=(XLSX,), extract=extract_xlsx, score=20),
    ExtractorSpec(name="csv", media_types=(CSV,), extract=extract_csv, score=20),
)
