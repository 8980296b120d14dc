"""ZIP-based files (DOCX, XLSX, PPTX, OpenDocument, EPUB, plain ZIP) checked before parsing.

A decompression bomb is a few kilobytes that unpack to gigabytes. The central directory
declares every member's sizes, and Python's zipfile never inflates a member past its
declared size (it fails the CRC check instead), so judging the declared sizes up front
is enough: nothing is inflated before the file has passed.
"""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

from docservice.errors import ExtractionFailed
from docservice.ingest.options import ExtractOptions

MB = 1024 * 1024
_RATIO_FLOOR = MB
"""Members smaller than this unpacked are never bombs, however well they compress."""

NOT_A_ZIP = "the file is damaged or incomplete (its ZIP structure cannot be read)"


def check_zip(path: Path, options: ExtractOptions) -> None:
    """Raise ExtractionFailed when the archive at ``path`` would unpack to too much data.

    A file whose ZIP directory cannot be read is left to its extractor, which names the
    format in its own "damaged" message.
    """
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        return
    if len(members) > options.max_archive_members * 10:
        # Office packages have a few dozen parts; tens of thousands mean a crafted file.
        raise ExtractionFailed(f"the file holds {len(members)} parts, too many to read safely")
    unpacked = sum(member.file_size for member in members)
    if unpacked > options.max_unpacked_mb * MB:
        raise ExtractionFailed(_bomb_reason(unpacked))
    for member in members:
        if member.file_size > _RATIO_FLOOR and (
            member.file_size > options.max_compression_ratio * max(member.compress_size, 1)
        ):
            raise ExtractionFailed(_bomb_reason(unpacked))


def _bomb_reason(unpacked: int) -> str:
    return (
        "looks like a decompression bomb: it would unpack to "
        f"{unpacked / MB:,.0f} MB; not read"
    )


def copy_member(archive: zipfile.ZipFile, member: zipfile.ZipInfo, target: Path) -> None:
    """Unpack one member to ``target``; zipfile stops at the size the directory declares."""
    with archive.open(member) as source, target.open("wb") as sink:
        shutil.copyfileobj(source, sink, 1024 * 1024)


def read_member(archive: zipfile.ZipFile, name: str) -> bytes:
    """A member's bytes, or b"" when the archive has no member of that name."""
    try:
        return archive.read(name)
    except KeyError:
        return b""
