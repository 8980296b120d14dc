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
from docservice.ingest import isolation
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


MISBEHAVING_SPECS = [
    ExtractorSpec("sleepy", ("test/sleepy",), sleepy_reader),
    ExtractorSpec("greedy", ("test/greedy",), greedy_reader),
    ExtractorSpec("crashing", ("test/crashing",), crashing_reader),
    ExtractorSpec("buggy", ("test/buggy",), buggy_reader),
]
MISBEHAVING = Registry(MISBEHAVING_SPECS)


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


# --- warm children: reused from file to file, replaced when something went wrong ----------


def pid_reader(path: Path, progress: ProgressCallback | None = None) -> ExtractedText:
    """Which process read the file."""
    return ExtractedText(pages=[str(os.getpid())])


_HOARD: list[bytearray] = []


def hoarding_reader(path: Path, progress: ProgressCallback | None = None) -> ExtractedText:
    """Reads fine but keeps 300 MB for good, as a leaking native reader would."""
    _HOARD.append(bytearray(300 * 1024 * 1024))
    return ExtractedText(pages=["hoarded"])


def hungry_reader(path: Path, progress: ProgressCallback | None = None) -> ExtractedText:
    """Needs 300 MB while it reads, then lets go."""
    needed = bytearray(300 * 1024 * 1024)
    return ExtractedText(pages=[f"needed {len(needed) // 2**20} MB"])


WARM = Registry(
    [
        *MISBEHAVING_SPECS,
        ExtractorSpec("pid", ("test/pid",), pid_reader),
        ExtractorSpec("hoarding", ("test/hoarding",), hoarding_reader),
        ExtractorSpec("hungry", ("test/hungry",), hungry_reader),
    ]
)


def reader_pid(path: Path, memory_mb: int = 1024) -> str:
    return isolated(path, "test/pid", memory_mb=memory_mb, registry=WARM).pages[0]


def test_one_child_reads_file_after_file(pdf_file: Path) -> None:
    assert reader_pid(pdf_file) == reader_pid(pdf_file) != str(os.getpid())


def test_a_reused_child_still_stops_a_slow_file_at_the_deadline(pdf_file: Path) -> None:
    warm = reader_pid(pdf_file)
    assert reader_pid(pdf_file) == warm
    started = time.monotonic()
    with pytest.raises(ExtractionFailed, match=r"^took longer than 0.5 seconds to read$"):
        isolated(pdf_file, "test/sleepy", timeout_s=0.5, registry=WARM)
    assert time.monotonic() - started < 10
    assert reader_pid(pdf_file) != warm  # the stopped child was replaced
    assert isolated(pdf_file, PDF).pages[0] == "Price list page 1"


@pytest.mark.parametrize("media_type", ["test/crashing", "test/buggy", "test/greedy"])
def test_a_child_that_crashed_or_ran_out_of_memory_is_replaced(
    pdf_file: Path, media_type: str
) -> None:
    warm = reader_pid(pdf_file, memory_mb=512)
    with pytest.raises(ExtractionFailed):
        isolated(pdf_file, media_type, memory_mb=512, registry=WARM)
    assert reader_pid(pdf_file, memory_mb=512) != warm


def test_a_child_is_replaced_after_its_share_of_files(
    pdf_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(isolation, "FILES_PER_CHILD", 3)
    first = [reader_pid(pdf_file, memory_mb=768) for _ in range(3)]
    assert len(set(first)) == 1
    assert reader_pid(pdf_file, memory_mb=768) != first[0]


def test_a_file_is_not_blamed_for_what_earlier_files_left_in_the_child(pdf_file: Path) -> None:
    memory_mb = 700  # a child's modules take about 220 MB: room for one 300 MB buffer, not two
    warm = reader_pid(pdf_file, memory_mb=memory_mb)
    assert isolated(pdf_file, "test/hoarding", memory_mb=memory_mb, registry=WARM).pages == [
        "hoarded"
    ]
    result = isolated(pdf_file, "test/hungry", memory_mb=memory_mb, registry=WARM)
    assert result.pages == ["needed 300 MB"]
    assert reader_pid(pdf_file, memory_mb=memory_mb) != warm
