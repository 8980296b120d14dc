"""PowerPoint 97-2003 presentations (.ppt), read in pure Python: one page per slide, notes too.

The "PowerPoint Document" stream is a tree of records (8-byte headers; containers hold
records). The slide list in the Document container gives the slides in order, each with
the text PowerPoint 97 keeps there and a persist id; the persist directory maps that id
to the Slide record, whose drawing holds the text later versions keep there. Notes
records name the slide they belong to. Master slides are skipped: their placeholder text
("Click to edit Master title style") is on no slide.
"""

from __future__ import annotations

import struct
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from docservice.domain import ExtractedText
from docservice.errors import ExtractionFailed
from docservice.ingest.base import ExtractorSpec, ProgressCallback
from docservice.ingest.extractors.common import normalise_whitespace
from docservice.ingest.extractors.ole import open_ole, read_stream, text_with_properties
from docservice.ingest.sniff import PPT

DAMAGED = "the file is damaged or incomplete (not a valid PowerPoint 97-2003 file)"

_DOCUMENT, _SLIDE, _NOTES = 0x03E8, 0x03EE, 0x03F0
_SLIDE_LIST, _SLIDE_PERSIST, _NOTES_ATOM = 0x0FF0, 0x03F3, 0x03F1
_TEXT_CHARS, _TEXT_BYTES = 0x0FA0, 0x0FA8
_PERSIST_DIRECTORY = 0x1772
_SLIDES_INSTANCE, _NOTES_INSTANCE = 0, 2
_MAX_DEPTH = 32


@dataclass(frozen=True)
class _Record:
    kind: int
    instance: int
    start: int
    end: int
    container: bool


@dataclass
class _Slide:
    persist_id: int
    slide_id: int
    lines: list[str] = field(default_factory=list)


def extract_ppt(path: Path, progress: ProgressCallback | None = None) -> ExtractedText:
    """Each slide's text, then its speaker notes, as that slide's page."""
    with open_ole(path, DAMAGED) as ole:
        stream = read_stream(ole, "PowerPoint Document", DAMAGED)
    pages = _slide_pages(stream)
    if progress:
        progress(len(pages), len(pages))
    return text_with_properties(path, pages)


def _slide_pages(stream: bytes) -> list[str]:
    top = list(_records(stream, 0, len(stream)))
    offsets = _persist_offsets(stream, top)
    by_offset = {record.start - 8: record for record in top}
    document = next((record for record in top if record.kind == _DOCUMENT), None)
    slides = _slide_list(stream, document, _SLIDES_INSTANCE) if document else []
    if not slides:  # no slide list to go by: every text on one page, in stream order
        return [_page_text(list(_texts(stream, top, skip_masters=True)))]
    for slide in slides:
        record = by_offset.get(offsets.get(slide.persist_id, -1))
        if record is not None and record.kind == _SLIDE:
            slide.lines.extend(_texts(stream, [record]))
    by_id = {slide.slide_id: slide for slide in slides}
    for notes in _slide_list(stream, document, _NOTES_INSTANCE) if document else []:
        record = by_offset.get(offsets.get(notes.persist_id, -1))
        if record is not None and record.kind == _NOTES:
            owner = by_id.get(_notes_owner(stream, record) or -1)
            if owner is not None:
                owner.lines.extend([*notes.lines, *_texts(stream, [record])])
    return [_page_text(slide.lines) for slide in slides]


def _page_text(lines: list[str]) -> str:
    return normalise_whitespace("\n".join(dict.fromkeys(line for line in lines if line.strip())))


def _records(data: bytes, start: int, end: int) -> Iterator[_Record]:
    position = start
    while position + 8 <= end:
        version_instance, kind, length = struct.unpack_from("<HHI", data, position)
        body = position + 8
        if body + length > end:
            return  # a truncated record ends the list; what came before is kept
        yield _Record(kind, version_instance >> 4, body, body + length,
                      (version_instance & 0xF) == 0xF)
        position = body + length


def _children(data: bytes, record: _Record) -> Iterator[_Record]:
    return _records(data, record.start, record.end) if record.container else iter(())


def _texts(
    data: bytes, records: list[_Record], depth: int = 0, *, skip_masters: bool = False
) -> Iterator[str]:
    """The text atoms inside ``records``, depth first, in stream order."""
    if depth > _MAX_DEPTH:
        raise ExtractionFailed(DAMAGED)
    for record in records:
        if record.kind == _TEXT_CHARS:
            yield data[record.start : record.end].decode("utf-16-le", errors="replace")
        elif record.kind == _TEXT_BYTES:
            yield data[record.start : record.end].decode("latin-1")
        elif record.container and not (skip_masters and record.kind == 0x03F8):
            yield from _texts(data, list(_children(data, record)), depth + 1,
                              skip_masters=skip_masters)


def _slide_list(data: bytes, document: _Record, instance: int) -> list[_Slide]:
    """Slides (or notes) of the Document's slide list, with the text kept in the list."""
    slides: list[_Slide] = []
    for record in _children(data, document):
        if record.kind != _SLIDE_LIST or record.instance != instance:
            continue
        for atom in _children(data, record):
            if atom.kind == _SLIDE_PERSIST and atom.end - atom.start >= 16:
                persist_id, _flags, _texts_count, slide_id = struct.unpack_from(
                    "<IIiI", data, atom.start
                )
                slides.append(_Slide(persist_id, slide_id))
            elif slides and atom.kind in (_TEXT_CHARS, _TEXT_BYTES):
                slides[-1].lines.extend(_texts(data, [atom]))
    return slides


def _persist_offsets(data: bytes, top: list[_Record]) -> dict[int, int]:
    """Persist id -> stream offset; later edits (saved later in the stream) win."""
    offsets: dict[int, int] = {}
    for record in top:
        if record.kind != _PERSIST_DIRECTORY:
            continue
        position = record.start
        while position + 4 <= record.end:
            (entry,) = struct.unpack_from("<I", data, position)
            first, count = entry & 0xFFFFF, entry >> 20
            position += 4
            for index in range(count):
                if position + 4 > record.end:
                    break
                (offsets[first + index],) = struct.unpack_from("<I", data, position)
                position += 4
    return offsets


def _notes_owner(data: bytes, notes: _Record) -> int | None:
    for atom in _children(data, notes):
        if atom.kind == _NOTES_ATOM and atom.end - atom.start >= 4:
            (slide_id,) = struct.unpack_from("<I", data, atom.start)
            return int(slide_id)
    return None


SPECS = (ExtractorSpec(name="ppt", media_types=(PPT,), extract=extract_ppt, score=20),)
