"""Word documents (docx and its macro/template variants): all text as one page.

The WordprocessingML is walked directly, in document order, so text in tables, content
controls, text boxes and tracked insertions is found too; python-docx opens the package
and reads the core properties.
"""

from __future__ import annotations

from pathlib import Path

from docx.opc.constants import CONTENT_TYPE as CT
from docx.opc.part import Part, XmlPart
from docx.oxml.ns import qn
from docx.oxml.parser import parse_xml
from docx.package import Package
from lxml.etree import _Element

from docservice.domain import ExtractedText
from docservice.ingest.base import ExtractorSpec, ProgressCallback
from docservice.ingest.extractors.common import (
    as_utc,
    clean_field,
    failing_as,
    normalise_whitespace,
)
from docservice.ingest.sniff import DOCX

DAMAGED = "the file is damaged or incomplete (not a valid Word document)"
_SIDE_PARTS = (CT.WML_FOOTNOTES, CT.WML_ENDNOTES, CT.WML_HEADER, CT.WML_FOOTER)

_P, _TBL, _TR, _TC = qn("w:p"), qn("w:tbl"), qn("w:tr"), qn("w:tc")
_T, _TAB, _BR, _CR = qn("w:t"), qn("w:tab"), qn("w:br"), qn("w:cr")
_TEXTBOX = qn("w:txbxContent")
# Drawings carry a modern copy and a legacy VML copy of the same text box; read one.
_FALLBACK = "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"


def extract_docx(path: Path, progress: ProgressCallback | None = None) -> ExtractedText:
    """Body, footnotes, headers and footers as one page, with title, author and dates."""
    with failing_as(DAMAGED):
        package = Package.open(str(path))
        body = block_lines(_root(package.main_document_part))
        side_parts = [part for part in package.iter_parts() if part.content_type in _SIDE_PARTS]
        # Every section repeats the same header and footer: keep each distinct line once.
        side = dict.fromkeys(line for part in side_parts for line in block_lines(_root(part)))
        properties = package.core_properties
        text = normalise_whitespace("\n".join([*body, *side]))
        result = ExtractedText(
            pages=[text],
            title=clean_field(properties.title),
            author=clean_field(properties.author),
            created=as_utc(properties.created),
            modified=as_utc(properties.modified),
        )
    if progress:
        progress(1, 1)
    return result


def _root(part: Part) -> _Element:
    return part.element if isinstance(part, XmlPart) else parse_xml(part.blob)


def block_lines(container: _Element) -> list[str]:
    """Lines of the paragraphs and tables inside ``container``, in document order."""
    lines: list[str] = []
    for child in container:
        if child.tag == _P:
            lines.extend(_paragraph_lines(child))
        elif child.tag == _TBL:
            lines.extend(_table_lines(child))
        elif child.tag != _FALLBACK:
            lines.extend(block_lines(child))
    return lines


def _paragraph_lines(paragraph: _Element) -> list[str]:
    """The paragraph's text, then the text of any text box anchored in it."""
    pieces: list[str] = []
    boxes: list[str] = []
    _collect_runs(paragraph, pieces, boxes)
    return ["".join(pieces), *boxes]


def _collect_runs(element: _Element, pieces: list[str], boxes: list[str]) -> None:
    for child in element:
        if child.tag == _T:
            pieces.append(child.text or "")
        elif child.tag == _TAB:
            pieces.append("\t")
        elif child.tag in (_BR, _CR):
            pieces.append("\n")
        elif child.tag == _TEXTBOX:
            boxes.extend(block_lines(child))
        elif child.tag != _FALLBACK:
            _collect_runs(child, pieces, boxes)


def _table_lines(table: _Element) -> list[str]:
    """One line per row, cells separated by tabs; nested tables are flattened into cells."""
    rows = []
    for row in table.iter(_TR):
        if _owning_table(row) is not table:
            continue
        cells = [cell for cell in row.iter(_TC) if _owning_table(cell) is table]
        rows.append("\t".join(" ".join(block_lines(cell)) for cell in cells))
    return rows


def _owning_table(element: _Element) -> _Element | None:
    parent = element.getparent()
    while parent is not None and parent.tag != _TBL:
        parent = parent.getparent()
    return parent


SPECS = (ExtractorSpec(name="docx", media_types=(DOCX,), extract=extract_docx, score=20),)
