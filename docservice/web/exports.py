"""A report's table as CSV or XLSX (openpyxl), with the column names in the reader's
language. Text that a spreadsheet would run as a formula (``=``, ``+``, ``-``, ``@`` first)
is written with a leading apostrophe."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence

from openpyxl import Workbook

from docservice.views import ReportTable, Value

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _safe(value: Value) -> Value:
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def _rows(table: ReportTable, header: Sequence[str]) -> list[list[Value]]:
    return [list(header), *([_safe(cell) for cell in row.cells] for row in table.rows)]


def as_csv(table: ReportTable, header: Sequence[str]) -> bytes:
    """UTF-8 with a byte order mark, so that Excel opens Chinese text right."""
    out = io.StringIO()
    csv.writer(out).writerows(_rows(table, header))
    return ("\ufeff" + out.getvalue()).encode()


def as_xlsx(table: ReportTable, header: Sequence[str]) -> bytes:
    book = Workbook(write_only=True)
    sheet = book.create_sheet(table.name[:31])
    for row in _rows(table, header):
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
