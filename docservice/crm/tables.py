"""The rows of an uploaded table: CSV (any common encoding) or XLSX, first row the header."""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterator

import charset_normalizer
import openpyxl

from docservice.errors import N_, InvalidInput

MAX_ROWS = 20_000
Row = list[str]


def read_table(data: bytes) -> tuple[Row, list[Row]]:
    """The header and the data rows of ``data`` (XLSX: the first sheet), cells as trimmed
    text; blank rows are left out. Raises InvalidInput for an empty or unreadable file."""
    rows = list(_xlsx_rows(data) if zipfile.is_zipfile(io.BytesIO(data)) else _csv_rows(data))
    rows = [row for row in rows if any(cell for cell in row)]
    if not rows:
        raise InvalidInput(N_("the file holds no rows"))
    if len(rows) > MAX_ROWS + 1:
        raise InvalidInput(N_("the file holds more than %(max)s rows"), max=MAX_ROWS)
    return rows[0], rows[1:]


def _csv_rows(data: bytes) -> Iterator[Row]:
    text = _decode(data)
    try:
        dialect: type[csv.Dialect] | csv.Dialect = csv.Sniffer().sniff(text[:4096], ",;\t")
    except csv.Error:
        dialect = csv.excel
    for row in csv.reader(io.StringIO(text), dialect):
        yield [cell.strip() for cell in row]


def _decode(data: bytes) -> str:
    """UTF-8 (with or without BOM) first; otherwise the encoding charset-normalizer finds
    (Excel in China saves CSV as GBK/GB18030, in Taiwan as Big5)."""
    for bom, codec in ((b"\xef\xbb\xbf", "utf-8-sig"), (b"\xff\xfe", "utf-16"),
                       (b"\xfe\xff", "utf-16")):
        if data.startswith(bom):
            return data.decode(codec)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        best = charset_normalizer.from_bytes(data).best()
        if best is None:
            raise InvalidInput(N_("the file is not text in a known encoding")) from None
        encoding = "gb18030" if best.encoding in ("gb2312", "gbk") else best.encoding
        return data.decode(encoding, errors="replace")


def _xlsx_rows(data: bytes) -> Iterator[Row]:
    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise InvalidInput(N_("the file is neither CSV nor an XLSX workbook")) from exc
    try:
        sheet = book.worksheets[0]
        for values in sheet.iter_rows(values_only=True):
            yield [_cell(value) for value in values]
    finally:
        book.close()


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # record ids typed as numbers
    return str(value).strip()
