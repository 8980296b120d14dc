"""Plain text and Markdown in any common encoding, cut into pages of about 5,000 characters."""

from __future__ import annotations

import re
from pathlib import Path

from docservice.domain import ExtractedText
from docservice.ingest.base import ExtractorSpec, ProgressCallback
from docservice.ingest.extractors.common import (
    clean_field,
    decode_text,
    normalise_whitespace,
    split_pages,
)
from docservice.ingest.sniff import MARKDOWN, TEXT

_FRONT_MATTER_TITLE = re.compile(r"\A---\n(?:.*\n)*?title:\s*(.+)\n(?:.*\n)*?---\n")
_HEADING = re.compile(r"^#{1,2}\s+(.+?)\s*#*$", re.MULTILINE)
_TITLE_SEARCH_CHARS = 2000


def extract_text(path: Path, progress: ProgressCallback | None = None) -> ExtractedText:
    """The text split into pages on line boundaries (long text gets page numbers too)."""
    pages = split_pages(normalise_whitespace(decode_text(path.read_bytes())))
    if progress:
        progress(len(pages), len(pages))
    return ExtractedText(pages=pages)


def extract_markdown(path: Path, progress: ProgressCallback | None = None) -> ExtractedText:
    """As plain text, titled by the front-matter title or the first heading."""
    extracted = extract_text(path, progress)
    head = extracted.pages[0][:_TITLE_SEARCH_CHARS]
    match = _FRONT_MATTER_TITLE.match(head) or _HEADING.search(head)
    title = clean_field(match.group(1).strip("'\"")) if match else None
    return ExtractedText(pages=extracted.pages, title=title)


SPECS = (
    ExtractorSpec(name="text", media_types=(TEXT,), extract=extract_text, score=10),
    ExtractorSpec(name="markdown", media_types=(MARKDOWN,), extract=extract_markdown, score=10),
)
