"""Which extractor reads which media type, and the one entry point that runs it.

Several extractors may claim a media type; the highest score wins (ties: the first
registered). Extractor modules are imported when the default registry is first asked
for, and one that fails to import (its library missing, say) is skipped and logged, not
fatal: its types then read as "unsupported file type".
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Iterable
from dataclasses import replace
from functools import cache
from pathlib import Path

from docservice.domain import ExtractedText, file_kind
from docservice.errors import ExtractionFailed, UnsupportedFileType
from docservice.ingest.base import ExtractorSpec, ProgressCallback
from docservice.ingest.extractors.common import PASSWORD_PROTECTED
from docservice.ingest.metadata import detect_languages
from docservice.ingest.options import DEFAULT_OPTIONS, ExtractOptions
from docservice.ingest.sniff import DOCX, EPUB, PPTX, PROTECTED_OOXML, XLSX, ZIP
from docservice.ingest.zipsafety import check_zip

log = logging.getLogger(__name__)

EXTRACTOR_MODULES = (
    "docservice.ingest.extractors.pdf",
    "docservice.ingest.extractors.word",
    "docservice.ingest.extractors.slides",
    "docservice.ingest.extractors.spreadsheet",
    "docservice.ingest.extractors.plaintext",
    "docservice.ingest.extractors.webpage",
    "docservice.ingest.extractors.images",
    "docservice.ingest.extractors.ole",
    "docservice.ingest.extractors.legacy_word",
    "docservice.ingest.extractors.legacy_slides",
    "docservice.ingest.extractors.legacy_sheet",
    "docservice.ingest.extractors.opendocument",
    "docservice.ingest.extractors.richtext",
    "docservice.ingest.extractors.ebook",
    "docservice.ingest.extractors.mail",
    "docservice.ingest.extractors.archive",
)
"""Modules exposing ``SPECS: tuple[ExtractorSpec, ...]``."""

EMPTY_FILE = "the file is empty"
ODF_PREFIX = "application/vnd.oasis.opendocument."
ZIP_BASED = frozenset(
    {DOCX, PPTX, XLSX, EPUB, ZIP}
    | {ODF_PREFIX + kind for kind in ("text", "spreadsheet", "presentation")}
)


class Registry:
    """Extractor specs by media type; the highest-scoring spec for a type does the work."""

    def __init__(self, specs: Iterable[ExtractorSpec] = ()) -> None:
        self._specs: list[ExtractorSpec] = []
        for spec in specs:
            self.register(spec)

    def register(self, spec: ExtractorSpec) -> None:
        self._specs.append(spec)

    def find(self, media_type: str) -> ExtractorSpec | None:
        """The spec that reads ``media_type`` (parameters like ``; charset=`` ignored)."""
        wanted = _bare(media_type)
        claims = [spec for spec in self._specs if wanted in spec.media_types]
        return max(claims, key=lambda spec: spec.score, default=None)

    def extract(
        self,
        path: Path,
        media_type: str,
        progress: ProgressCallback | None = None,
        options: ExtractOptions = DEFAULT_OPTIONS,
    ) -> ExtractedText:
        """Text per page of the file at ``path``, with its language(s) when it has text.

        Raises ExtractionFailed("the file is empty") for a zero-byte file,
        UnsupportedFileType for a type nobody reads, and ExtractionFailed with a plain
        reason when the file cannot be read. ZIP-based files are checked for
        decompression bombs before their extractor sees them.
        """
        spec = self.check(path, media_type)
        if _bare(media_type) in ZIP_BASED:
            check_zip(path, options)
        extracted = spec.run(path, progress, options)
        if extracted.language is None:
            extracted = replace(extracted, language=detect_languages(extracted.pages))
        return extracted

    def check(self, path: Path, media_type: str) -> ExtractorSpec:
        """The spec that would read ``path``, or the error extraction would end with."""
        if path.stat().st_size == 0:
            raise ExtractionFailed(EMPTY_FILE)
        spec = self.find(media_type)
        if spec is None:
            raise UnsupportedFileType(file_kind(_bare(media_type)))
        return spec


def _bare(media_type: str) -> str:
    return media_type.split(";", 1)[0].strip().lower()


def refuse_protected_office(path: Path, progress: ProgressCallback | None = None) -> ExtractedText:
    """Office 2007+ files saved with a password are encrypted: nothing can be read."""
    raise ExtractionFailed(PASSWORD_PROTECTED)


BUILTIN_SPECS = (
    ExtractorSpec(
        name="protected-office",
        media_types=(PROTECTED_OOXML,),
        extract=refuse_protected_office,
        score=100,
    ),
)


@cache
def default_registry() -> Registry:
    """Every extractor whose module imports, built once per process."""
    registry = Registry(BUILTIN_SPECS)
    for module_name in EXTRACTOR_MODULES:
        try:
            module = importlib.import_module(module_name)
        except Exception:
            # A missing library or a broken extractor costs its own file types only.
            log.error("extractor module %s failed to import; skipped", module_name, exc_info=True)
            continue
        for spec in module.SPECS:
            registry.register(spec)
    return registry


def extract(
    path: Path,
    media_type: str,
    progress: ProgressCallback | None = None,
    options: ExtractOptions = DEFAULT_OPTIONS,
) -> ExtractedText:
    """Text per page of the file at ``path``, read by the default registry.

    Raises ExtractionFailed (or its UnsupportedFileType) with a reason fit to show the uploader.
    """
    return default_registry().extract(path, media_type, progress, options)
