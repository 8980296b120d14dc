"""RTF: the text (striprtf, which honours the \\ansicpg and font code pages) and \\info fields."""

from __future__ import annotations

import re
from pathlib import Path

from striprtf.striprtf import rtf_to_text

from docservice.domain import ExtractedText
from docservice.errors import ExtractionFailed
from docservice.ingest.base import ExtractorSpec, ProgressCallback
from docservice.ingest.extractors.common import (
    clean_field,
    failing_as,
    normalise_whitespace,
    split_pages,
)
from docservice.ingest.sniff import RTF

DAMAGED = "the file is damaged or incomplete (not a valid RTF document)"
_INFO_FIELD = r"\{\\%s\s+((?:[^{}\\]|\\[^{}])*)\}"
_INFO_SEARCH_CHARS = 20_000


def extract_rtf(path: Path, progress: ProgressCallback | None = None) -> ExtractedText:
    """The text in pages of about 5,000 characters, with the title and author."""
    # RTF is 7-bit: everything beyond ASCII is escaped, so latin-1 decodes any file losslessly.
    source = path.read_bytes().decode("latin-1")
    if not source.lstrip().startswith("{\\rtf"):
        raise ExtractionFailed(DAMAGED)
    with failing_as(DAMAGED):
        text = rtf_to_text(source, errors="replace")
    pages = split_pages(normalise_whitespace(text))
    if progress:
        progress(len(pages), len(pages))
    head = source[:_INFO_SEARCH_CHARS]
    return ExtractedText(pages=pages, title=_info(head, "title"), author=_info(head, "author"))


def _info(source: str, field: str) -> str | None:
    match = re.search(_INFO_FIELD % field, source)
    if not match:
        return None
    with failing_as(DAMAGED):
        return clean_field(rtf_to_text("{\\rtf1 " + match.group(1) + "}", errors="replace"))


SPECS = (ExtractorSpec(name="rtf", media_types=(RTF,), extract=extract_rtf, score=20),)
