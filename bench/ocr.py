"""OCR and text-PDF throughput: our pipeline side by side with bare Tesseract, in one run.

    .venv/bin/python -m bench.ocr [--pages 8] [--text-pages 300]

Scanned pages are generated (tests/unit/scanned.py: dense mixed Chinese/English text, a
seal, a signature, noise, a small rotation) at 300 dpi. Bare Tesseract reads the page
PNGs with eng+chi_sim at 300 dpi, one process at a time and two at a time
(OMP_THREAD_LIMIT=1 each). Our pipeline reads an image-only PDF of the same pages through
extract_isolated (render, clean up, deskew, OCR with two processes). Text PDFs compare
extract_isolated with bare pypdfium2 on the same file. Prints a markdown table.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import pypdfium2 as pdfium
from PIL import Image
from reportlab.pdfgen import canvas

from docservice.ingest.isolation import extract_isolated, start_isolation
from docservice.ingest.options import ExtractOptions
from tests.unit.scanned import dense_page, image_only_pdf, scanned_page

LANGUAGES = "eng+chi_sim"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=8, help="scanned pages to OCR")
    parser.add_argument("--text-pages", type=int, default=300, help="pages of the text PDF")
    args = parser.parse_args()
    binary = shutil.which("tesseract")
    assert binary, "tesseract is not installed"
    start_isolation()
    with tempfile.TemporaryDirectory(prefix="bench-ocr-") as folder:
        work = Path(folder)
        scans = _scans(work, args.pages)
        scanned_pdf = image_only_pdf(work / "scans.pdf", [_load(path) for path in scans])
        text_pdf = _text_pdf(work / "text.pdf", args.text_pages)
        rows = [
            ("bare tesseract, 1 process", len(scans), _timed(lambda: _bare(binary, scans, 1))),
            ("bare tesseract, 2 in parallel", len(scans),
             _timed(lambda: _bare(binary, scans, 2))),
            ("our pipeline (image-only PDF, extract_isolated)", len(scans),
             _timed(lambda: _pipeline(scanned_pdf, len(scans)))),
            ("bare pypdfium2 text (text PDF)", args.text_pages,
             _timed(lambda: _bare_text(text_pdf))),
            ("our pipeline (text PDF, extract_isolated)", args.text_pages,
             _timed(lambda: _pipeline(text_pdf, args.text_pages))),
        ]
    _print_table(rows, load=os.getloadavg()[0])


def _scans(work: Path, count: int) -> list[Path]:
    paths = []
    for number in range(count):
        path = work / f"scan-{number}.png"
        scanned_page(dense_page(number), seed=number, angle=(number % 5) - 2.0).save(
            path, dpi=(300, 300)
        )
        paths.append(path)
    return paths


def _load(path: Path) -> Image.Image:
    with Image.open(path) as image:
        return image.copy()


def _text_pdf(path: Path, pages: int) -> Path:
    pdf = canvas.Canvas(str(path))
    for number in range(pages):
        for line in range(45):
            pdf.drawString(50, 800 - 17 * line, f"Page {number} line {line}: the X200 controller "
                           "price list applies to every region and every reseller.")
        pdf.showPage()
    pdf.save()
    return path


def _bare(binary: str, scans: list[Path], parallel: int) -> None:
    env = {**os.environ, "OMP_THREAD_LIMIT": "1"}
    pending = list(scans)
    running: list[subprocess.Popen[bytes]] = []
    while pending or running:
        while pending and len(running) < parallel:
            scan = pending.pop(0)
            command = [binary, str(scan), str(scan.with_suffix("")), "-l", LANGUAGES,
                       "--dpi", "300"]
            running.append(subprocess.Popen(command, stderr=subprocess.DEVNULL, env=env))
        while all(process.poll() is None for process in running):
            time.sleep(0.01)
        running = [process for process in running if process.poll() is None]


def _pipeline(path: Path, expected_pages: int) -> None:
    result = extract_isolated(path, "application/pdf", timeout_s=3600, memory_mb=2048,
                              options=ExtractOptions(ocr_workers=2))
    assert len(result.pages) == expected_pages
    assert all(result.pages), "a page came back empty"


def _bare_text(path: Path) -> None:
    document = pdfium.PdfDocument(path)
    try:
        for page in document:
            textpage = page.get_textpage()
            textpage.get_text_range()
            textpage.close()
            page.close()
    finally:
        document.close()


def _timed(action: Callable[[], None]) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def _print_table(rows: list[tuple[str, int, float]], load: float) -> None:
    reference = {"ocr": rows[1][2] / rows[1][1], "text": rows[3][2] / rows[3][1]}
    print(f"\nload average before the run: {load:.2f} (2 cores)\n")
    print("| run | pages | seconds | s/page | pages/s | s/page vs bare reference |")
    print("|---|---:|---:|---:|---:|---:|")
    for index, (name, pages, seconds) in enumerate(rows):
        per_page = seconds / pages
        base = reference["ocr"] if index < 3 else reference["text"]
        print(f"| {name} | {pages} | {seconds:.2f} | {per_page:.3f} | {pages / seconds:.2f} |"
              f" {per_page / base:.2f}x |")
    print("\nreference: 'bare tesseract, 2 in parallel' for OCR rows, 'bare pypdfium2' for text.")


if __name__ == "__main__":
    main()
