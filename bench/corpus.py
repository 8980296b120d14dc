"""The shared third-party corpus (``DOCSERVICE_CORPUS``): its files and a pool of its text.

Files are read where they are, never copied into the repository. The text pool (what the
raw extractor reads from the text-layer files, cut into passages) is cached outside the
repository, in ``$DOCSERVICE_CACHE`` or ``~/.cache/docservice``.
"""

from __future__ import annotations

import csv
import hashlib
import json
import logging
import os
import re
from dataclasses import dataclass
from pathlib import Path

from docservice.errors import ExtractionFailed
from docservice.ingest.options import ExtractOptions
from docservice.ingest.registry import extract
from docservice.ingest.sniff import sniff_media_type

PASSAGE_CHARS = (300, 1500)
_PARAGRAPHS = re.compile(r"\n\s*\n|\f")
_OCR_FLAGS = ("IMAGE-ONLY", "raster image")


@dataclass(frozen=True)
class CorpusFile:
    path: Path
    description: str
    needs_ocr: bool

    @property
    def size(self) -> int:
        return self.path.stat().st_size


def corpus_dir() -> Path | None:
    """``$DOCSERVICE_CORPUS/dev`` when it exists."""
    root = os.environ.get("DOCSERVICE_CORPUS")
    if not root:
        return None
    folder = Path(root) / "dev"
    return folder if folder.is_dir() else None


def cache_dir() -> Path:
    folder = Path(os.environ.get("DOCSERVICE_CACHE") or Path.home() / ".cache" / "docservice")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def corpus_files(folder: Path) -> list[CorpusFile]:
    """Every file of the folder, with the flags SOURCES.tsv gives it (scan, bad input)."""
    descriptions: dict[str, str] = {}
    sources = folder.parent / "SOURCES.tsv"
    if sources.exists():
        with sources.open(encoding="utf-8", newline="") as handle:
            for row in csv.DictReader(handle, delimiter="\t"):
                descriptions[row["file"]] = row.get("description", "")
    files = []
    for path in sorted(folder.iterdir()):
        if path.is_file():
            description = descriptions.get(path.name, "")
            files.append(CorpusFile(path, description,
                                    any(flag in description for flag in _OCR_FLAGS)))
    return files


def text_pool(folder: Path | None) -> list[str]:
    """Passages of real text from the corpus (empty without a corpus), in a stable order."""
    if folder is None:
        return []
    files = [item for item in corpus_files(folder) if not item.needs_ocr]
    signature = hashlib.sha256("\n".join(f"{item.path.name}:{item.size}" for item in files)
                               .encode()).hexdigest()[:16]
    cached = cache_dir() / f"bench-corpus-text-{signature}.json"
    if cached.exists():
        passages: list[str] = json.loads(cached.read_text(encoding="utf-8"))
        return passages
    passages = [passage for item in files for passage in _passages(item.path)]
    cached.write_text(json.dumps(passages, ensure_ascii=False), encoding="utf-8")
    return passages


def _passages(path: Path) -> list[str]:
    logging.getLogger("docservice").setLevel(logging.CRITICAL)  # damaged files are expected
    try:
        pages = extract(path, sniff_media_type(path, path.name),
                        options=ExtractOptions(ocr_enabled=False)).pages
    except ExtractionFailed:
        return []
    passages: list[str] = []
    current = ""
    for paragraph in _PARAGRAPHS.split("\n\n".join(pages)):
        text = " ".join(paragraph.split())
        if not text:
            continue
        current = f"{current}\n{text}" if current else text
        if len(current) >= PASSAGE_CHARS[0]:
            passages.append(current[:PASSAGE_CHARS[1]])
            current = ""
    return passages
