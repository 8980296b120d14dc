"""ZIP archives: every member read like an upload, within firm bounds.

The registry has already refused archives whose declared sizes make a decompression
bomb. Here, at most ``max_archive_members`` files are read (the rest are named in a
line), encrypted members are named but not read, and an archive inside an archive is
opened only as deep as ``max_nesting`` allows.
"""

from __future__ import annotations

import zipfile
import zlib
from functools import partial
from pathlib import Path

from docservice.domain import ExtractedText
from docservice.errors import ExtractionFailed
from docservice.ingest.base import ExtractorSpec, ProgressCallback
from docservice.ingest.extractors.common import PASSWORD_PROTECTED, guess_encoding
from docservice.ingest.extractors.contained import check_nesting, contained_pages
from docservice.ingest.options import ExtractOptions
from docservice.ingest.sniff import ZIP
from docservice.ingest.zipsafety import copy_member

DAMAGED = "the file is damaged or incomplete (not a valid ZIP archive)"
EMPTY_ARCHIVE = "the archive holds no files"
MEMBER = "File"
_ENCRYPTED_FLAG = 0x1
_UTF8_FLAG = 0x800


def extract_zip(
    path: Path, progress: ProgressCallback | None, options: ExtractOptions
) -> ExtractedText:
    """A page listing the members, then each member's pages headed "File: <name>"."""
    check_nesting(options)
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise ExtractionFailed(DAMAGED) from exc
    with archive:
        files = [member for member in archive.infolist() if not member.is_dir()]
        _decode_names(files)
        if not files:
            raise ExtractionFailed(EMPTY_ARCHIVE)
        if files and all(member.flag_bits & _ENCRYPTED_FLAG for member in files):
            raise ExtractionFailed(PASSWORD_PROTECTED)
        chosen = files[: options.max_archive_members]
        pages = [_listing(files, len(chosen))]
        for number, member in enumerate(chosen, start=1):
            pages.extend(_member_pages(archive, member, options))
            if progress:
                progress(number, len(chosen))
    return ExtractedText(pages=pages)


def _decode_names(members: list[zipfile.ZipInfo]) -> None:
    """Names without the UTF-8 flag in the code page they were written in (Chinese Windows
    writes GBK, Japanese Shift-JIS), not the CP437 zipfile assumes, guessed from all such
    names together: one short name alone says too little."""
    legacy = [member for member in members if not member.flag_bits & _UTF8_FLAG]
    raw = [member.filename.encode("cp437") for member in legacy]
    if not any(name and not name.isascii() for name in raw):
        return
    encoding = guess_encoding(b"\n".join(raw)) or "cp437"
    for member, name in zip(legacy, raw, strict=True):
        member.filename = name.decode(encoding, errors="replace")


def _listing(files: list[zipfile.ZipInfo], read: int) -> str:
    lines = [member.filename for member in files]
    if read < len(files):
        lines.append(f"[… only the first {read} of {len(files)} files were read]")
    return "\n".join(lines)


def _member_pages(
    archive: zipfile.ZipFile, member: zipfile.ZipInfo, options: ExtractOptions
) -> list[str]:
    if member.flag_bits & _ENCRYPTED_FLAG:
        return [f"{MEMBER}: {member.filename} (not read: {PASSWORD_PROTECTED})"]
    try:
        return contained_pages(
            member.filename, partial(copy_member, archive, member), MEMBER, options
        )
    except (zipfile.BadZipFile, zlib.error, OSError, ValueError, NotImplementedError, EOFError):
        # Unpacking failed (bad CRC, broken deflate data, an unknown compression method).
        return [f"{MEMBER}: {member.filename} (not read: the archive is damaged here)"]


SPECS = (
    ExtractorSpec(name="zip", media_types=(ZIP,), extract=extract_zip, score=20,
                  takes_options=True),
)
