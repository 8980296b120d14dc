"""Excel 97-2003 workbooks (.xls) with xlrd: one page per sheet, like xlsx."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import xlrd

from docservice.domain import ExtractedText
from docservice.errors import ExtractionFailed
from docservice.ingest.base import ExtractorSpec, ProgressCallback
from docservice.ingest.extractors.common import PASSWORD_PROTECTED, failing_as
from docservice.ingest.extractors.ole import text_with_properties
from docservice.ingest.extractors.spreadsheet import MAX_CELLS, table_text
from docservice.ingest.sniff import XLS

DAMAGED = "the file is damaged or incomplete (not a valid Excel 97-2003 workbook)"


def extract_xls(path: Path, progress: ProgressCallback | None = None) -> ExtractedText:
    """Each worksheet as a page headed by its name; dates as dates, 12 not 12.0."""
    with failing_as(DAMAGED):
        workbook = _open(path)
    try:
        with failing_as(DAMAGED):
            pages = []
            for number in range(workbook.nsheets):
                sheet = workbook.sheet_by_index(number)
                rows = table_text(_rows(sheet, workbook.datemode), MAX_CELLS)
                pages.append(f"{sheet.name}\n{rows}")
                workbook.unload_sheet(number)
                if progress:
                    progress(number + 1, workbook.nsheets)
    finally:
        workbook.release_resources()
    return text_with_properties(path, pages)


def _open(path: Path) -> xlrd.book.Book:
    try:
        return xlrd.open_workbook(str(path), on_demand=True, formatting_info=False)
    except xlrd.biffh.XLRDError as exc:
        if "encrypted" in str(exc).lower():
            raise ExtractionFailed(PASSWORD_PROTECTED) from exc
        raise ExtractionFailed(DAMAGED) from exc


def _rows(sheet: xlrd.sheet.Sheet, datemode: int) -> Iterator[list[object]]:
    for row in range(sheet.nrows):
        yield [_value(cell, datemode) for cell in sheet.row(row)]


def _value(cell: xlrd.sheet.Cell, datemode: int) -> object:
    if cell.ctype == xlrd.XL_CELL_DATE:
        try:
            moment: datetime = xlrd.xldate.xldate_as_datetime(cell.value, datemode)
        except (ValueError, OverflowError, xlrd.xldate.XLDateError):
            return cell.value
        return moment
    if cell.ctype == xlrd.XL_CELL_BOOLEAN:
        return bool(cell.value)
    if cell.ctype in (xlrd.XL_CELL_ERROR, xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK):
        return None
    return cell.value


SPECS = (ExtractorSpec(name="xls", media_types=(XLS,), extract=extract_xls, score=20),)
