"""Tesseract, run as separate processes, a few pages at once.

The binary is called directly rather than through pytesseract: a page goes to it as an
uncompressed PGM file (pytesseract would encode a PNG first) and several processes run
side by side from one thread, each with OMP_THREAD_LIMIT=1 (Tesseract's own OpenMP
threads only fight the other processes for the same cores). The isolation layer kills the
whole process group at its deadline, Tesseract included.

Orientation: Tesseract's own detection (``--psm 0/1``, osd.traineddata) costs as much as
reading a page when run apart, and on Chinese pages it is unreliable (it turned upright
Chinese scans upside down here). So pages are read upright (``--psm 3``), and only a page
read with low confidence is read again turned; upright pages, nearly all of them, cost
one pass.
"""

from __future__ import annotations

import csv
import logging
import os
import selectors
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from PIL import Image

from docservice.ingest.extractors.common import normalise_whitespace
from docservice.ingest.options import ExtractOptions

log = logging.getLogger(__name__)

OCR_UNAVAILABLE = "text recognition (OCR) is not available on this server"
GOOD_CONFIDENCE = 60.0
"""Upright pages read at 80-95 here; upside-down or sideways ones at 10-40."""
MIN_WORDS_TO_RETRY = 3
"""A page with fewer words (a photo, a logo) is not worth reading again turned."""
RETRY_TURNS = (180, 90, 270)
UPSIDE_DOWN_SHARE = 0.75
_LIST_LANGS_TIMEOUT_S = 30


@dataclass(frozen=True)
class Tesseract:
    """A Tesseract binary with the languages to read and how many pages to read at once."""

    binary: str
    languages: str
    dpi: int = 300
    workers: int = 2

    def read_pages(self, pages: Iterable[tuple[int, Image.Image]]) -> Iterator[tuple[int, str]]:
        """(key, text) for each (key, page image) of ``pages``, in the order they finish.

        ``pages`` is consumed lazily, one image for each free process, so only a few page
        images exist at once. A page read with low confidence is read again turned
        180, 90 and 270 degrees (scanned upside down or sideways) until one reads well;
        the best reading wins. A page Tesseract fails on reads as "" (logged).
        """
        with tempfile.TemporaryDirectory(prefix="docservice-ocr-") as workdir:
            running: list[_Job] = []
            source = iter(pages)
            try:
                while True:
                    while len(running) < self.workers:
                        item = next(source, None)
                        if item is None:
                            break
                        key, image = item
                        page = _Page(key, Path(workdir) / f"page-{key}")
                        image.save(page.image_path(0), format="PPM")  # "L" is saved as PGM
                        running.append(self._start(page, 0))
                    if not running:
                        return
                    job = _first_finished(running)
                    running.remove(job)
                    turn = job.page.record(job.reading(), job.turn)
                    if turn is None:
                        yield job.page.key, job.page.best.text
                    else:
                        running.append(self._start(job.page, turn))
            finally:
                for job in running:
                    job.stop()

    def _start(self, page: _Page, turn: int) -> _Job:
        stem = page.stem(turn)
        command = [
            self.binary, str(page.image_path(turn)), str(stem),
            "-l", self.languages, "--psm", "3", "--dpi", str(self.dpi), "txt", "tsv",
        ]  # fmt: skip
        env = {**os.environ, "OMP_THREAD_LIMIT": "1"}
        with stem.with_suffix(".log").open("wb") as errors:
            process = subprocess.Popen(
                command, stdin=subprocess.DEVNULL, stdout=errors, stderr=errors, env=env
            )
        return _Job(page=page, turn=turn, stem=stem, process=process)


@dataclass(frozen=True)
class _Reading:
    text: str
    confidence: float
    """Mean word confidence (0-100) weighted by word length."""
    words: int


_NOTHING = _Reading("", -1.0, 0)


@dataclass
class _Page:
    """One page through its readings: upright first, then turned while it reads badly."""

    key: int
    base: Path
    best: _Reading = _NOTHING
    upright_confidence: float = 0.0
    turns_left: list[int] = field(default_factory=lambda: list(RETRY_TURNS))

    def stem(self, turn: int) -> Path:
        return self.base.with_name(f"{self.base.name}-{turn}")

    def image_path(self, turn: int) -> Path:
        path = self.stem(turn).with_suffix(".pgm")
        if turn and not path.exists():
            with Image.open(self.stem(0).with_suffix(".pgm")) as upright:
                upright.rotate(turn, expand=True).save(path, format="PPM")
        return path

    def record(self, reading: _Reading, turn: int) -> int | None:
        """Keep the better reading; the next turn to try, or None when done."""
        if turn == 0:
            self.upright_confidence = reading.confidence
        if reading.confidence > self.best.confidence:
            self.best = reading
        if self.best.confidence >= GOOD_CONFIDENCE or self.best.words < MIN_WORDS_TO_RETRY:
            return None
        if turn == 180 and reading.confidence < UPSIDE_DOWN_SHARE * self.upright_confidence:
            # Clearly worse upside down: the page is upright, just hard to read (a faint
            # scan, a script we have no language pack for). Sideways pages read about
            # as badly both ways, so they go on to 90 and 270 degrees.
            return None
        return self.turns_left.pop(0) if self.turns_left else None


@dataclass
class _Job:
    page: _Page
    turn: int
    stem: Path
    process: subprocess.Popen[bytes]
    pidfd: int | None = field(default=None)

    def __post_init__(self) -> None:
        try:
            self.pidfd = os.pidfd_open(self.process.pid)
        except (AttributeError, OSError):  # kernels before 5.3: _first_finished polls
            self.pidfd = None

    def reading(self) -> _Reading:
        returncode = self.process.wait()
        self._close()
        text_path, table_path = self.stem.with_suffix(".txt"), self.stem.with_suffix(".tsv")
        if returncode != 0 or not text_path.exists():
            log_text = self.stem.with_suffix(".log").read_text(errors="replace")[-500:]
            log.warning("tesseract failed on page %s (exit %s): %s", self.page.key, returncode,
                        log_text)
            return _NOTHING
        text = normalise_whitespace(text_path.read_text(errors="replace"), join_cjk=True)
        confidence, words = _word_confidence(table_path)
        return _Reading(text, confidence, words)

    def stop(self) -> None:
        self.process.kill()
        self.process.wait()
        self._close()

    def _close(self) -> None:
        if self.pidfd is not None:
            os.close(self.pidfd)
            self.pidfd = None


def _word_confidence(table: Path) -> tuple[float, int]:
    """(mean confidence weighted by word length, word count) from Tesseract's TSV output."""
    if not table.exists():
        return 0.0, 0
    total = weight = words = 0.0
    with table.open(encoding="utf-8", errors="replace", newline="") as rows:
        for row in csv.DictReader(rows, delimiter="\t", quoting=csv.QUOTE_NONE):
            word = (row.get("text") or "").strip()
            if row.get("level") != "5" or not word:
                continue
            try:
                confidence = float(row.get("conf") or 0)
            except ValueError:
                continue
            total += confidence * len(word)
            weight += len(word)
            words += 1
    return (total / weight if weight else 0.0), int(words)


def _first_finished(jobs: list[_Job]) -> _Job:
    """Block until one of ``jobs`` has exited; its process is not reaped yet."""
    if all(job.pidfd is not None for job in jobs):
        with selectors.DefaultSelector() as selector:
            for job in jobs:
                selector.register(job.pidfd, selectors.EVENT_READ, job)  # type: ignore[arg-type]
            ready = selector.select()
            finished: _Job = ready[0][0].data
            return finished
    while True:
        for job in jobs:
            if job.process.poll() is not None:
                return job
        time.sleep(0.02)


def find_tesseract(options: ExtractOptions) -> Tesseract | None:
    """The OCR engine ``options`` ask for, or None when OCR is off or cannot run here.

    Requested languages that are not installed are dropped (and logged); with none
    left, there is no engine.
    """
    engine, problem = _resolve(options)
    if problem and options.ocr_enabled:
        log.warning("%s", problem)
    return engine


def ocr_problem(options: ExtractOptions) -> str | None:
    """What keeps OCR from working as configured, for a start-up warning; None when fine."""
    return _resolve(options)[1]


def _resolve(options: ExtractOptions) -> tuple[Tesseract | None, str | None]:
    if not options.ocr_enabled:
        return None, "OCR is switched off: scanned pages and images are not read"
    binary = shutil.which("tesseract")
    if binary is None:
        return None, "tesseract is not installed: OCR is off, scans stay unsearchable"
    wanted = [language for language in options.ocr_languages.split("+") if language]
    installed = installed_languages(binary)
    languages = [language for language in wanted if language in installed]
    missing = [language for language in wanted if language not in installed]
    problem = f"tesseract lacks the language packs {', '.join(missing)}" if missing else None
    if not languages:
        return None, problem
    engine = Tesseract(
        binary=binary,
        languages="+".join(languages),
        dpi=options.ocr_dpi,
        workers=max(1, options.ocr_workers),
    )
    return engine, problem


def installed_languages(binary: str) -> set[str]:
    """Language packs Tesseract reports (``tesseract --list-langs``), empty when it fails."""
    try:
        listing = subprocess.run(
            [binary, "--list-langs"],
            capture_output=True,
            text=True,
            timeout=_LIST_LANGS_TIMEOUT_S,
            check=True,
        )
    except (OSError, subprocess.SubprocessError):
        log.warning("tesseract --list-langs failed", exc_info=True)
        return set()
    lines = listing.stdout.splitlines()
    return {line.strip() for line in lines[1:] if line.strip()}
