"""Word 97-2003 documents (.doc), read in pure Python from the piece table.

A .doc is an OLE container. Its WordDocument stream starts with the FIB, which says
where the piece table (the CLX, in the 0Table or 1Table stream) is; the piece table lists
runs of text stored as cp1252 bytes or UTF-16 (Chinese text is always the latter). This
reads the text of every story (body, footnotes, headers, comments, text boxes) without
formatting, which is what search needs, and keeps field results but not field codes.
Word 6/95 files use another FIB layout and are refused with a reason.
"""

from __future__ import annotations

import re
import struct
from dataclasses import dataclass
from pathlib import Path

from docservice.domain import ExtractedText
from docservice.errors import ExtractionFailed
from docservice.ingest.base import ExtractorSpec, ProgressCallback
from docservice.ingest.extractors.common import (
    PASSWORD_PROTECTED,
    normalise_whitespace,
    split_pages,
)
from docservice.ingest.extractors.ole import open_ole, read_stream, text_with_properties
from docservice.ingest.sniff import DOC

DAMAGED = "the file is damaged or incomplete (not a valid Word 97-2003 document)"
TOO_OLD = "a Word 6.0/95 document: this old format cannot be read; save it as .docx"

_FIB_MAGIC = 0xA5EC
_WORD_97_NFIB = 0x00C1
_F_ENCRYPTED, _F_WHICH_TABLE, _F_OBFUSCATED = 0x0100, 0x0200, 0x8000
_CLX_OFFSET = 0x01A2
_FC_COMPRESSED = 0x40000000
_SPECIAL = str.maketrans({"\r": "\n", "\x07": "\t", "\x0b": "\n", "\x0c": "\n",
                          "\x1e": "-", "\x1f": "", "\x00": ""})
_FIELD_INSTRUCTION = re.compile("\x13[^\x13\x14\x15]*(?:\x14|(\x15))")
_FIELD_END = re.compile("[\x14\x15]")


@dataclass(frozen=True)
class _Fib:
    flags: int
    clx_offset: int
    clx_size: int


def extract_doc(path: Path, progress: ProgressCallback | None = None) -> ExtractedText:
    """All text of the document in pages of about 5,000 characters, with its properties."""
    with open_ole(path, DAMAGED) as ole:
        word = read_stream(ole, "WordDocument", DAMAGED)
        fib = _read_fib(word)
        table = read_stream(ole, "1Table" if fib.flags & _F_WHICH_TABLE else "0Table", DAMAGED)
    text = _piece_text(word, table[fib.clx_offset : fib.clx_offset + fib.clx_size])
    pages = split_pages(normalise_whitespace(_without_field_codes(text).translate(_SPECIAL)))
    if progress:
        progress(len(pages), len(pages))
    return text_with_properties(path, pages)


def _read_fib(word: bytes) -> _Fib:
    if len(word) < _CLX_OFFSET + 8:
        raise ExtractionFailed(DAMAGED)
    magic, nfib = struct.unpack_from("<HH", word, 0)
    (flags,) = struct.unpack_from("<H", word, 0x0A)
    if magic != _FIB_MAGIC:
        raise ExtractionFailed(DAMAGED)
    if flags & (_F_ENCRYPTED | _F_OBFUSCATED):
        raise ExtractionFailed(PASSWORD_PROTECTED)
    if nfib < _WORD_97_NFIB:
        raise ExtractionFailed(TOO_OLD)
    clx_offset, clx_size = struct.unpack_from("<II", word, _CLX_OFFSET)
    return _Fib(flags, clx_offset, clx_size)


def _piece_text(word: bytes, clx: bytes) -> str:
    """The text the piece table points at, every piece in order."""
    pieces = _piece_table(clx)
    count = (len(pieces) - 4) // 12
    if count <= 0:
        raise ExtractionFailed(DAMAGED)
    positions = struct.unpack_from(f"<{count + 1}I", pieces, 0)
    parts = []
    for index in range(count):
        chars = positions[index + 1] - positions[index]
        (fc,) = struct.unpack_from("<I", pieces, 4 * (count + 1) + 8 * index + 2)
        if chars <= 0 or chars > len(word):
            continue
        if fc & _FC_COMPRESSED:
            start = (fc & ~_FC_COMPRESSED) // 2
            parts.append(word[start : start + chars].decode("cp1252", errors="replace"))
        else:
            parts.append(word[fc : fc + 2 * chars].decode("utf-16-le", errors="replace"))
    return "".join(parts)


def _piece_table(clx: bytes) -> bytes:
    """The PlcPcd inside the CLX, after any property modifiers (Prc) before it."""
    position = 0
    while position < len(clx):
        kind = clx[position]
        if kind == 0x01 and position + 3 <= len(clx):
            (size,) = struct.unpack_from("<H", clx, position + 1)
            position += 3 + size
        elif kind == 0x02 and position + 5 <= len(clx):
            (size,) = struct.unpack_from("<I", clx, position + 1)
            return clx[position + 5 : position + 5 + size]
        else:
            break
    raise ExtractionFailed(DAMAGED)


def _without_field_codes(text: str) -> str:
    """Fields are \\x13 code \\x14 result \\x15: keep the result, drop the code."""
    if "\x13" not in text:
        return text
    previous = None
    while previous != text:  # innermost fields first, for nested fields
        previous = text
        text = _FIELD_INSTRUCTION.sub("", text)
    return _FIELD_END.sub("", text)


SPECS = (ExtractorSpec(name="doc", media_types=(DOC,), extract=extract_doc, score=20),)
