"""Extraction in a child process: same text as in-process, and limits that turn a hostile
or broken file into a plain failure instead of a hung or crashed worker."""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

import pytest
from reportlab.pdfgen import canvas

from docservice.domain import ExtractedText
from docservice.errors import ExtractionFailed, UnsupportedFileType
from docservice.ingest.base import ExtractorSpec, ProgressCallback
from docservice.ingest.isolation import extract_isolated
from docservice.ingest.registry import Registry, extract

PDF = "application/pdf"
CRASHED = "the reader crashed on this file (it may be damaged)"


def make_pdf(path: Path, pages: int) -> Path:
    pdf = canvas.Canvas(str(path))
    for number in range(1, pages + 1):
        pdf.drawString(72, 720, f"Price list page {number}")
        pdf.showPage()
    pdf.save()
    return path


# Test extractors run in the child, so they live at module level where it can import them.
def sleepy_reader(path: Path, progress: ProgressCallback | None = None) -> ExtractedText:
    for step in range(1, 601):
        if progress:
            progress(step, 600)
        time.sleep(0.1)
    return ExtractedText(pages=["finally"])


def greedy_reader(path: Path, progress: ProgressCallback | None = None) -> ExtractedText:
    hoard = [bytearray(64 * 1024 * 1024) for _ in range(64)]  # 4 GB
    return ExtractedText(pages=[str(len(hoard))])


def crashing_reader(path: Path, progress: ProgressCallback | None = None) -> ExtractedText:
    os.abort()


def buggy_reader(path: Path, progress: ProgressCallback | None = None) -> ExtractedText:
    raise KeyError("a bug, not a bad file")


MISBEHAVING = Registry(
    [
        ExtractorSpec("sleepy", ("test/sleepy",), sleepy_reader),
        ExtractorSpec("greedy", ("test/greedy",), greedy_reader),
        ExtractorSpec("crashing", ("test/crashing",), crashing_reader),
        ExtractorSpec("buggy", ("test/buggy",), buggy_reader),
    ]
)


@pytest.fixture
def pdf_file(tmp_path: Path) -> Path:
    return make_pdf(tmp_path / "prices.pdf", pages=10)


def isolated(
    path: Path,
    media_type: str,
    *,
    timeout_s: float = 60.0,
    memory_mb: int = 1024,
    progress: ProgressCallback | None = None,
    registry: Registry | None = None,
) -> ExtractedText:
    return extract_isolated(
        path,
        media_type,
        timeout_s=timeout_s,
        memory_mb=memory_mb,
        progress=progress,
        registry=registry,
    )


def failure_of(
    path: Path, media_type: str, *, timeout_s: float = 60.0, memory_mb: int = 1024
) -> str:
    """The reason a misbehaving test reader ends with."""
    with pytest.raises(ExtractionFailed) as failure:
        isolated(path, media_type, timeout_s=timeout_s, memory_mb=memory_mb, registry=MISBEHAVING)
    return str(failure.value)


def test_child_returns_what_in_process_extraction_returns(pdf_file: Path) -> None:
    reports: list[tuple[int, int]] = []
    result = isolated(pdf_file, PDF, progress=lambda done, total: reports.append((done, total)))
    assert result == extract(pdf_file, PDF)
    assert result.pages[9] == "Price list page 10"
    assert reports[-1] == (10, 10)


def test_big_results_come_back_whole(tmp_path: Path) -> None:
    text = "\n".join(f"价格表 line {number} " + "x" * 80 for number in range(100_000))
    path = tmp_path / "big.txt"
    path.write_text(text, encoding="utf-8")
    assert "\n".join(isolated(path, "text/plain").pages) == text


def test_slow_file_is_stopped_at_the_deadline(pdf_file: Path) -> None:
    started = time.monotonic()
    reason = failure_of(pdf_file, "test/sleepy", timeout_s=0.5)
    assert reason == "took longer than 0.5 seconds to read"
    assert time.monotonic() - started < 30  # the sleepy reader alone would take 60 s


def test_memory_limit(pdf_file: Path) -> None:
    reason = failure_of(pdf_file, "test/greedy", memory_mb=512)
    assert reason == "needs more memory than allowed to read (limit 512 MB)"


def test_crash_of_the_reader(pdf_file: Path) -> None:
    assert failure_of(pdf_file, "test/crashing") == CRASHED


def test_unexpected_error_in_a_reader_is_reported_as_a_crash(pdf_file: Path) -> None:
    assert failure_of(pdf_file, "test/buggy") == CRASHED


def test_failures_inside_the_child_keep_their_reason(tmp_path: Path) -> None:
    whole = make_pdf(tmp_path / "whole.pdf", pages=3).read_bytes()
    truncated = tmp_path / "truncated.pdf"
    truncated.write_bytes(whole[: len(whole) // 2])
    with pytest.raises(ExtractionFailed) as failure:
        isolated(truncated, PDF)
    assert str(failure.value) == "the file is damaged or incomplete (not a valid PDF)"


def test_empty_and_unsupported_files(tmp_path: Path) -> None:
    empty = tmp_path / "empty.pdf"
    empty.write_bytes(b"")
    with pytest.raises(ExtractionFailed, match="the file is empty"):
        isolated(empty, PDF)
    with pytest.raises(UnsupportedFileType, match="unsupported file type: other"):
        isolated(make_pdf(tmp_path / "a.pdf", 1), "application/octet-stream")


def test_still_works_after_failures(pdf_file: Path) -> None:
    failure_of(pdf_file, "test/sleepy", timeout_s=0.2)
    failure_of(pdf_file, "test/crashing")
    failure_of(pdf_file, "test/greedy", memory_mb=512)
    assert isolated(pdf_file, PDF).pages[0] == "Price list page 1"


def test_several_threads_at_once(tmp_path: Path) -> None:
    files = [make_pdf(tmp_path / f"doc{number}.pdf", pages=number) for number in range(1, 9)]
    results: dict[int, object] = {}

    def work(number: int) -> None:
        try:
            results[number] = len(isolated(files[number - 1], PDF).pages)
        except ExtractionFailed as exc:  # recorded so the assertion shows it
            results[number] = exc

    threads = [threading.Thread(target=work, args=(number,)) for number in range(1, 9)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == {number: number for number in range(1, 9)}
