"""Shared by the Office 97-2003 readers: the OLE container and its summary properties.

Also the reader of last resort for OLE files the sniffer could not name: one whose
directory is broken (a truncated .doc or .xls) is damaged, any other is unsupported.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import olefile

from docservice.domain import ExtractedText
from docservice.errors import ExtractionFailed, UnsupportedFileType
from docservice.ingest.base import ExtractorSpec, ProgressCallback
from docservice.ingest.extractors.common import PASSWORD_PROTECTED, as_utc, clean_field
from docservice.ingest.sniff import OLE

log = logging.getLogger(__name__)

ENCRYPTION_STREAMS = ("EncryptedSummary", "EncryptionInfo", "\x06DataSpaces")
DAMAGED = "the file is damaged or incomplete (an Office 97-2003 file that cannot be read)"


@dataclass(frozen=True)
class OleProperties:
    title: str | None = None
    author: str | None = None
    created: datetime | None = None
    modified: datetime | None = None


def text_with_properties(path: Path, pages: list[str]) -> ExtractedText:
    """``pages`` with the title, author and dates of the OLE file at ``path``."""
    properties = ole_properties(path)
    return ExtractedText(
        pages=pages,
        title=properties.title,
        author=properties.author,
        created=properties.created,
        modified=properties.modified,
    )


@contextmanager
def open_ole(path: Path, damaged: str) -> Iterator[olefile.OleFileIO]:
    """The OLE container at ``path``; fails as ``damaged`` when it cannot be parsed."""
    try:
        ole = olefile.OleFileIO(str(path))
    except MemoryError:
        raise
    except Exception as exc:
        # olefile raises OSError, struct errors and its own assertion-like errors.
        raise ExtractionFailed(damaged) from exc
    with ole:
        if any(ole.exists(name) for name in ENCRYPTION_STREAMS):
            raise ExtractionFailed(PASSWORD_PROTECTED)
        yield ole


def read_stream(ole: olefile.OleFileIO, name: str, damaged: str) -> bytes:
    """The stream's bytes; fails as ``damaged`` when it is missing or unreadable."""
    if not ole.exists(name):
        raise ExtractionFailed(damaged)
    try:
        data: bytes = ole.openstream(name).read()
    except MemoryError:
        raise
    except Exception as exc:
        raise ExtractionFailed(damaged) from exc
    return data


def ole_properties(path: Path) -> OleProperties:
    """Title, author and dates from the SummaryInformation stream; empty when unreadable."""
    try:
        with olefile.OleFileIO(str(path)) as ole:
            meta = ole.get_metadata()
    except MemoryError:
        raise
    except Exception:
        # Properties are a nicety: a file whose text was read keeps it without them.
        log.info("unreadable OLE properties in %s", path.name, exc_info=True)
        return OleProperties()
    codepage = _codec(meta.codepage)
    return OleProperties(
        title=clean_field(_text(meta.title, codepage)),
        author=clean_field(_text(meta.author, codepage)),
        created=_moment(meta.create_time),
        modified=_moment(meta.last_saved_time),
    )


def _codec(codepage: object) -> str:
    if codepage == 65001:
        return "utf-8"
    if isinstance(codepage, int) and codepage > 0:
        name = f"cp{codepage}"
        try:
            "".encode(name)
        except LookupError:
            return "cp1252"
        return name
    return "cp1252"


def _text(value: object, codec: str) -> str | None:
    if isinstance(value, bytes):
        return value.decode(codec, errors="replace").rstrip("\x00")
    return value if isinstance(value, str) else None


def _moment(value: object) -> datetime | None:
    if not isinstance(value, datetime) or value.year < 1980:
        return None  # unset FILETIMEs read as 1601
    return as_utc(value)


def refuse_unknown_ole(path: Path, progress: ProgressCallback | None = None) -> ExtractedText:
    """Damaged when the container is broken, else unsupported: no text is read either way."""
    with open_ole(path, DAMAGED):
        raise UnsupportedFileType("other")


SPECS = (ExtractorSpec(name="ole-unknown", media_types=(OLE,), extract=refuse_unknown_ole),)
