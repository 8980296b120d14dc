"""What an extraction may do and how far it may go, decided once from the settings.

Extractors never read the environment: the service builds one ``ExtractOptions`` (usually
with :meth:`ExtractOptions.from_settings`) and hands it to ``extract_isolated``, which
passes it to the child and on to every extractor that asks for it.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from docservice.config import Settings


@dataclass(frozen=True)
class ExtractOptions:
    """OCR settings and the limits a hostile file runs into; plain data, picklable."""

    ocr_enabled: bool = True
    ocr_languages: str = "eng+chi_sim"
    ocr_dpi: int = 300
    ocr_workers: int = 2
    """Tesseract processes run at once on a file with several scanned pages."""
    ocr_max_pixels: int = 20_000_000
    """Larger page images are scaled down before OCR (300 dpi A3 is 17.5 million pixels)."""
    max_image_pixels: int = 100_000_000
    """Images above this are refused: decoding them alone could exhaust the worker."""
    max_pages: int = 5000
    """Documents declaring more pages (a 5,000-page PDF is already a stretch) are refused."""
    max_archive_members: int = 1000
    """Files of a ZIP archive that are read; any ZIP-based file with ten times as many
    parts is refused outright (Office packages have a few dozen)."""
    max_unpacked_mb: int = 1024
    """Declared uncompressed size a ZIP-based file (DOCX, XLSX, ODT, ZIP...) may have in all."""
    max_compression_ratio: int = 100
    """For members over 1 MB unpacked: more than this many times their packed size is a bomb."""
    max_nesting: int = 2
    """Containers (archives, e-mails) are opened while fewer than this many enclose them:
    an archive in an e-mail is opened, an archive in that archive is not."""
    nesting: int = 0
    """How many containers enclose the file being read (0 for an upload)."""

    @classmethod
    def from_settings(cls, settings: Settings) -> ExtractOptions:
        """Options for the service: OCR as configured, both cores for OCR where there are two."""
        return cls(
            ocr_enabled=settings.ocr_enabled,
            ocr_languages=settings.ocr_languages,
            ocr_workers=max(1, min(2, os.cpu_count() or 1)),
        )

    def inside_container(self) -> ExtractOptions:
        """The options for a file found inside an archive or attached to an e-mail."""
        return replace(self, nesting=self.nesting + 1)


DEFAULT_OPTIONS = ExtractOptions()
