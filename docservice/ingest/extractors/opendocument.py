"""OpenDocument text, spreadsheets and presentations (ODT, ODS, ODP) from their XML.

content.xml is walked with lxml (no entity expansion, no network): paragraphs and headings
in document order for text, one page per sheet for spreadsheets (rows as tab-separated
cells), one page per slide with its notes for presentations. meta.xml gives title,
author and dates. Encrypted members (a password-protected file) are reported as such.
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterator
from pathlib import Path

from lxml import etree

from docservice.domain import ExtractedText
from docservice.errors import ExtractionFailed
from docservice.ingest.base import ExtractorSpec, ProgressCallback
from docservice.ingest.extractors.common import (
    PASSWORD_PROTECTED,
    clean_field,
    failing_as,
    normalise_whitespace,
    parse_iso_date,
    split_pages,
)
from docservice.ingest.extractors.spreadsheet import MAX_CELLS, table_text
from docservice.ingest.zipsafety import read_member

DAMAGED = "the file is damaged or incomplete (not a valid OpenDocument file)"
ODT = "application/vnd.oasis.opendocument.text"
ODS = "application/vnd.oasis.opendocument.spreadsheet"
ODP = "application/vnd.oasis.opendocument.presentation"

_NS = {
    "office": "urn:oasis:names:tc:opendocument:xmlns:office:1.0",
    "text": "urn:oasis:names:tc:opendocument:xmlns:text:1.0",
    "table": "urn:oasis:names:tc:opendocument:xmlns:table:1.0",
    "draw": "urn:oasis:names:tc:opendocument:xmlns:drawing:1.0",
    "presentation": "urn:oasis:names:tc:opendocument:xmlns:presentation:1.0",
    "dc": "http://purl.org/dc/elements/1.1/",
    "meta": "urn:oasis:names:tc:opendocument:xmlns:meta:1.0",
    "manifest": "urn:oasis:names:tc:opendocument:xmlns:manifest:1.0",
}
_TEXT = f"{{{_NS['text']}}}"
_TABLE = f"{{{_NS['table']}}}"
_BLOCKS = {_TEXT + "p", _TEXT + "h"}
_INLINE_BREAKS = {_TEXT + "line-break": "\n", _TEXT + "tab": "\t"}
_SPACE = _TEXT + "s"
_NOTES = f"{{{_NS['presentation']}}}notes"
_MAX_REPEAT = 100
"""Repeated rows or cells beyond this are read once: spreadsheets repeat empty cells by the
million (a column to the last of 16,384), and a value repeated so often says nothing more."""
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)


def extract_odf(path: Path, progress: ProgressCallback | None = None) -> ExtractedText:
    """Text per page as the kind of document decides, with title, author and dates."""
    with failing_as(DAMAGED), zipfile.ZipFile(path) as archive:
        if b"encryption-data" in read_member(archive, "META-INF/manifest.xml"):
            raise ExtractionFailed(PASSWORD_PROTECTED)
        kind = read_member(archive, "mimetype").decode("ascii", "replace").strip()
        body = _body(etree.fromstring(archive.read("content.xml"), _PARSER), kind)
        meta_xml = read_member(archive, "meta.xml")
        meta = etree.fromstring(meta_xml, _PARSER) if meta_xml else None
        pages = _pages(body, kind)
    if progress:
        progress(len(pages), len(pages))
    return ExtractedText(
        pages=pages,
        title=clean_field(_meta(meta, "dc:title")),
        author=clean_field(_meta(meta, "meta:initial-creator") or _meta(meta, "dc:creator")),
        created=parse_iso_date(_meta(meta, "meta:creation-date")),
        modified=parse_iso_date(_meta(meta, "dc:date")),
    )


def _body(root: etree._Element, kind: str) -> etree._Element:
    name = {ODS: "spreadsheet", ODP: "presentation"}.get(kind, "text")
    body = root.find(f"office:body/office:{name}", _NS)
    if body is None:
        raise ExtractionFailed(DAMAGED)
    return body


def _pages(body: etree._Element, kind: str) -> list[str]:
    if kind == ODS:
        return [
            f"{sheet.get(_TABLE + 'name', '')}\n{table_text(_rows(sheet), MAX_CELLS)}"
            for sheet in body.iterfind("table:table", _NS)
        ] or [""]
    if kind == ODP:
        slides = body.iterfind("draw:page", _NS)
        return [normalise_whitespace("\n".join(_lines(slide))) for slide in slides] or [""]
    return split_pages(normalise_whitespace("\n".join(_lines(body))))


def _lines(element: etree._Element) -> Iterator[str]:
    """Paragraph and heading texts in document order; table rows as tab-separated cells."""
    for child in element:
        if child.tag in _BLOCKS:
            yield _inline_text(child)
        elif child.tag == _TABLE + "table":
            yield table_text(_rows(child), MAX_CELLS)
        elif isinstance(child.tag, str):  # comments and processing instructions have none
            yield from _lines(child)


def _inline_text(element: etree._Element) -> str:
    pieces = [element.text or ""]
    for child in element:
        if child.tag in _INLINE_BREAKS:
            pieces.append(_INLINE_BREAKS[child.tag])
        elif child.tag == _SPACE:
            pieces.append(" ")
        elif child.tag == _NOTES or not isinstance(child.tag, str):
            pass
        else:
            pieces.append(_inline_text(child))
        pieces.append(child.tail or "")
    return "".join(pieces)


def _rows(table: etree._Element) -> Iterator[list[str]]:
    for row in table.iter(_TABLE + "table-row"):
        cells: list[str] = []
        for cell in row:
            if cell.tag not in (_TABLE + "table-cell", _TABLE + "covered-table-cell"):
                continue
            text = "\n".join(_inline_text(p) for p in cell.iterfind("text:p", _NS))
            cells.extend([text] * _repeat(cell, "number-columns-repeated", text))
        for _ in range(_repeat(row, "number-rows-repeated", "".join(cells))):
            yield cells


def _repeat(element: etree._Element, attribute: str, text: str) -> int:
    try:
        count = int(element.get(_TABLE + attribute, "1"))
    except ValueError:
        return 1
    return min(count, _MAX_REPEAT) if text.strip() else min(count, 1)


def _meta(meta: etree._Element | None, name: str) -> str | None:
    if meta is None:
        return None
    found = meta.find(f"office:meta/{name}", _NS)
    return found.text if found is not None else None


SPECS = (
    ExtractorSpec(name="opendocument", media_types=(ODT, ODS, ODP), extract=extract_odf, score=20),
)
