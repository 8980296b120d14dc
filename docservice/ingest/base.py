"""The extractor seam: text out of a file whose media type was sniffed from its bytes."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from docservice.domain import ExtractedText

ProgressCallback = Callable[[int, int], None]
"""Called with (pages done, pages total) while a long extraction runs."""


class Extractor(Protocol):
    def __call__(self, path: Path, progress: ProgressCallback | None = None) -> ExtractedText:
        """Text per page and metadata. Raises ExtractionFailed with a plain reason."""


@dataclass(frozen=True)
class ExtractorSpec:
    name: str
    media_types: tuple[str, ...]
    extract: Extractor
    score: int = 10
