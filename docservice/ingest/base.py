"""The extractor seam: text out of a file whose media type was sniffed from its bytes."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol, cast

from docservice.domain import ExtractedText
from docservice.ingest.options import ExtractOptions

ProgressCallback = Callable[[int, int], None]
"""Called with (pages done, pages total) while a long extraction runs."""


class Extractor(Protocol):
    def __call__(self, path: Path, progress: ProgressCallback | None = None) -> ExtractedText:
        """Text per page and metadata. Raises ExtractionFailed with a plain reason."""


class ConfiguredExtractor(Protocol):
    def __call__(
        self, path: Path, progress: ProgressCallback | None, options: ExtractOptions
    ) -> ExtractedText:
        """As :class:`Extractor`, within the limits and OCR settings of ``options``."""


@dataclass(frozen=True)
class ExtractorSpec:
    name: str
    media_types: tuple[str, ...]
    extract: Extractor | ConfiguredExtractor
    score: int = 10
    takes_options: bool = False
    """True when ``extract`` is a :class:`ConfiguredExtractor` (OCR, limits, containers)."""

    def run(
        self, path: Path, progress: ProgressCallback | None, options: ExtractOptions
    ) -> ExtractedText:
        if self.takes_options:
            return cast(ConfiguredExtractor, self.extract)(path, progress, options)
        return cast(Extractor, self.extract)(path, progress)
