"""Scanned contracts and phone photos become searchable text, page by page.

The scans are generated here (see scanned.py): English and Chinese text with noise, a
small rotation, a signature scribble and a red seal. Assertions check key words a person
would search for, on the page they are printed on, allowing for OCR noise elsewhere.
"""

from __future__ import annotations

import os
import re
import stat
import subprocess
import time
import uuid
from pathlib import Path

import pytest
from PIL import Image
from reportlab.pdfgen import canvas

from docservice.config import load_settings
from docservice.domain import ExtractedText
from docservice.errors import ExtractionFailed
from docservice.ingest.base import ExtractorSpec
from docservice.ingest.extractors import pdf as pdf_extractor
from docservice.ingest.isolation import extract_isolated
from docservice.ingest.ocr import OCR_UNAVAILABLE, ocr_problem
from docservice.ingest.ocr.engine import Tesseract
from docservice.ingest.ocr.scans import ink_channel, skew_angle
from docservice.ingest.options import ExtractOptions
from docservice.ingest.registry import Registry, extract
from docservice.ingest.sniff import sniff_media_type
from tests.unit.scanned import (
    CHINESE_CONTRACT,
    ENGLISH_CONTRACT,
    MIXED_PRICE_LIST,
    SEAL_RED,
    image_only_pdf,
    scanned_page,
)

NO_OCR = ExtractOptions(ocr_enabled=False)


def read_isolated(
    path: Path, options: ExtractOptions | None = None, progress: object = None
) -> list[str]:
    media_type = sniff_media_type(path, path.name)
    result = extract_isolated(
        path,
        media_type,
        timeout_s=300,
        memory_mb=2048,
        progress=progress,  # type: ignore[arg-type]
        options=options or ExtractOptions(),
    )
    return result.pages


def squeezed(text: str) -> str:
    """Letters, digits and Chinese only: OCR puts spaces and dots in odd places."""
    return re.sub(r"[\W_]+", "", text).lower()


def assert_found(page: str, *phrases: str) -> None:
    flat = squeezed(page)
    missing = [phrase for phrase in phrases if squeezed(phrase) not in flat]
    assert not missing, f"{missing} not recognised in:\n{page}"


@pytest.fixture(scope="module")
def contract_pdf(tmp_path_factory: pytest.TempPathFactory) -> Path:
    pages = [
        scanned_page(ENGLISH_CONTRACT, angle=3.0, seed=1),
        scanned_page(CHINESE_CONTRACT, angle=-2.5, seed=2),
        scanned_page(MIXED_PRICE_LIST, angle=4.0, seed=3, seal=False),
    ]
    return image_only_pdf(tmp_path_factory.mktemp("scans") / "signed-contract.pdf", pages)


@pytest.mark.slow  # tesseract over whole pages
def test_scanned_contract_pdf_is_read_page_by_page_with_progress(contract_pdf: Path) -> None:
    reports: list[tuple[int, int]] = []
    pages = read_isolated(contract_pdf, progress=lambda done, total: reports.append((done, total)))
    assert len(pages) == 3
    assert_found(pages[0], "SERVICE AGREEMENT", "Globex", "X200 controller", "30 days")
    assert_found(pages[1], "销售合同", "银行转账", "签字盖章之日起生效")
    assert_found(pages[2], "价格表", "Price List", "X300 gateway", "2024年12月31日")
    assert "Globex" not in pages[1] and "银行转账" not in squeezed(pages[0])
    assert reports == [(1, 3), (2, 3), (3, 3)]


def test_scanned_chinese_and_english_image_with_seal_and_signature(tmp_path: Path) -> None:
    path = tmp_path / "contract-photo.png"
    scanned_page(CHINESE_CONTRACT + ENGLISH_CONTRACT[:3], angle=2.0, seed=4).save(path)
    (page,) = read_isolated(path)
    assert_found(page, "上海示例科技有限公司", "付款方式", "SERVICE AGREEMENT", "Globex")


@pytest.mark.slow  # tesseract over whole pages
@pytest.mark.parametrize(("turn", "name"), [(180, "upside-down"), (90, "sideways")])
def test_pages_scanned_the_wrong_way_round_are_read(tmp_path: Path, turn: int, name: str) -> None:
    page = scanned_page(ENGLISH_CONTRACT, angle=2.0, seed=5, seal=False)
    path = tmp_path / f"{name}.png"
    page.rotate(turn, expand=True).save(path)
    (text,) = read_isolated(path)
    assert_found(text, "SERVICE AGREEMENT", "Globex Trading", "X200 controller")


@pytest.mark.slow  # tesseract over whole pages
def test_multi_page_tiff_keeps_page_numbers(tmp_path: Path) -> None:
    first = scanned_page(ENGLISH_CONTRACT, seed=6, seal=False)
    second = scanned_page(CHINESE_CONTRACT, seed=7, angle=-3.0)
    path = tmp_path / "fax.tiff"
    first.save(path, save_all=True, append_images=[second], compression="tiff_lzw", dpi=(300, 300))
    pages = read_isolated(path)
    assert len(pages) == 2
    assert_found(pages[0], "SERVICE AGREEMENT")
    assert_found(pages[1], "销售合同", "北京远景贸易有限公司")


@pytest.mark.parametrize(("suffix", "pillow_format"), [
    (".jpg", "JPEG"), (".bmp", "BMP"), (".gif", "GIF"), (".webp", "WEBP"), (".heic", "HEIF"),
])
def test_common_photo_formats(tmp_path: Path, suffix: str, pillow_format: str) -> None:
    import pillow_heif

    pillow_heif.register_heif_opener()
    photo = scanned_page(MIXED_PRICE_LIST, size=(1400, 600), text_size=34, angle=1.0,
                         seal=False, signature=False)
    path = tmp_path / f"price-list{suffix}"
    photo.save(path, pillow_format, quality=90)
    (page,) = read_isolated(path)
    assert_found(page, "Price List", "X300 gateway", "报价有效期")


def test_pages_with_a_text_layer_are_not_ocrd(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "prices.pdf"
    pdf = canvas.Canvas(str(path))
    pdf.drawString(72, 720, "Price list 2024: the X200 costs 1200 USD")
    pdf.showPage()
    pdf.save()

    def no_ocr_expected(options: ExtractOptions) -> Tesseract:
        raise AssertionError("a page with a text layer went to OCR")

    monkeypatch.setattr(pdf_extractor, "find_tesseract", no_ocr_expected)
    assert extract(path, "application/pdf").pages == ["Price list 2024: the X200 costs 1200 USD"]


@pytest.mark.slow  # tesseract over whole pages
def test_text_and_scanned_pages_in_one_pdf(tmp_path: Path) -> None:
    scan = tmp_path / "scan.png"
    scanned_page(CHINESE_CONTRACT, seed=8).save(scan)
    path = tmp_path / "mixed.pdf"
    pdf = canvas.Canvas(str(path), pagesize=(595, 842))
    pdf.drawString(72, 760, "Cover letter for the signed contract")
    pdf.showPage()
    pdf.drawImage(str(scan), 0, 0, width=595, height=842)
    pdf.showPage()
    pdf.save()
    pages = read_isolated(path)
    assert pages[0] == "Cover letter for the signed contract"
    assert_found(pages[1], "销售合同", "付款方式")


def test_without_ocr_scanned_pages_stay_empty_and_images_fail(
    contract_pdf: Path, tmp_path: Path
) -> None:
    assert read_isolated(contract_pdf, NO_OCR) == ["", "", ""]
    image = tmp_path / "scan.png"
    scanned_page(ENGLISH_CONTRACT, size=(800, 600), text_size=20).save(image)
    with pytest.raises(ExtractionFailed) as failure:
        read_isolated(image, NO_OCR)
    assert str(failure.value) == OCR_UNAVAILABLE


def test_missing_tesseract_is_the_same_as_ocr_off(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    image = tmp_path / "scan.png"
    scanned_page(ENGLISH_CONTRACT, size=(800, 600), text_size=20).save(image)
    monkeypatch.setenv("PATH", str(tmp_path))  # no tesseract on it
    with pytest.raises(ExtractionFailed) as failure:
        extract(image, "image/png")
    assert str(failure.value) == OCR_UNAVAILABLE
    scanned_pdf = image_only_pdf(tmp_path / "scan.pdf", [Image.open(image).convert("RGB")])
    assert extract(scanned_pdf, "application/pdf").pages == [""]


@pytest.mark.slow  # tesseract over whole pages
def test_missing_language_pack_falls_back_to_the_installed_ones(tmp_path: Path) -> None:
    image = tmp_path / "scan.png"
    scanned_page(ENGLISH_CONTRACT, seal=False).save(image)
    options = ExtractOptions(ocr_languages="eng+no_such_language")
    assert_found(extract(image, "image/png", options=options).pages[0], "SERVICE AGREEMENT")


def test_options_follow_the_settings_and_problems_are_named(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = load_settings(environ={"DOCSERVICE_OCR_ENABLED": "false",
                                      "DOCSERVICE_OCR_LANGUAGES": "eng"})
    options = ExtractOptions.from_settings(settings)
    assert (options.ocr_enabled, options.ocr_languages) == (False, "eng")
    assert ocr_problem(options) == "OCR is switched off: scanned pages and images are not read"
    assert ocr_problem(ExtractOptions()) is None
    assert ocr_problem(ExtractOptions(ocr_languages="eng+klingon")) == (
        "tesseract lacks the language packs klingon"
    )
    monkeypatch.setenv("PATH", str(tmp_path))
    assert ocr_problem(ExtractOptions()) == (
        "tesseract is not installed: OCR is off, scans stay unsearchable"
    )


@pytest.mark.slow  # tesseract over whole pages
def test_skew_is_measured() -> None:
    for angle in (-4.0, 2.5, 5.0):
        page = ink_channel(scanned_page(ENGLISH_CONTRACT + CHINESE_CONTRACT, angle=angle))
        assert skew_angle(page) == pytest.approx(angle, abs=0.3)
    assert skew_angle(Image.new("L", (800, 600), 255)) == 0.0


def test_red_seals_fade_and_ink_stays() -> None:
    page = Image.new("RGB", (2, 1))
    page.putpixel((0, 0), SEAL_RED)
    page.putpixel((1, 0), (20, 30, 140))  # a blue ballpoint signature
    grey = ink_channel(page)
    assert grey.getpixel((0, 0)) > 200
    assert grey.getpixel((1, 0)) < 60


FAKE_TESSERACT = """#!/bin/sh
if [ "$1" = "--list-langs" ]; then printf 'List of available languages (1):\\neng\\n'; exit 0; fi
echo "start $(date +%s.%N) $OMP_THREAD_LIMIT" >> "{log}"
sleep 0.5
echo "page text" > "$2.txt"
echo "end $(date +%s.%N)" >> "{log}"
"""


def test_pages_are_recognised_two_at_a_time(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    log = tmp_path / "calls.log"
    binary = tmp_path / "bin" / "tesseract"
    binary.parent.mkdir()
    binary.write_text(FAKE_TESSERACT.format(log=log))
    binary.chmod(binary.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("PATH", f"{binary.parent}{os.pathsep}{os.environ['PATH']}")
    blank = [scanned_page(["x"], size=(300, 200), seal=False, signature=False)] * 4
    pages = extract(image_only_pdf(tmp_path / "four.pdf", blank), "application/pdf").pages
    assert pages == ["page text"] * 4
    events = [line.split() for line in log.read_text().splitlines()]
    assert {fields[2] for fields in events if fields[0] == "start"} == {"1"}  # OMP_THREAD_LIMIT
    assert _most_at_once(events) == 2


def _most_at_once(events: list[list[str]]) -> int:
    running = most = 0
    for kind, *_ in sorted(events, key=lambda fields: float(fields[1])):
        running += 1 if kind == "start" else -1
        most = max(most, running)
    return most


def lingering_reader(path: Path, progress: object = None) -> ExtractedText:
    """Starts a helper process (as OCR does) that would outlive a killed child."""
    marker = path.read_text()
    subprocess.Popen(["sh", "-c", f"sleep 300; echo {marker}"])
    time.sleep(60)
    return ExtractedText(pages=["too late"])


def test_processes_an_extraction_starts_die_with_it_at_the_deadline(tmp_path: Path) -> None:
    marker = f"ocr-helper-{uuid.uuid4().hex}"
    path = tmp_path / "slow.bin"
    path.write_text(marker)
    readers = Registry([ExtractorSpec("lingering", ("test/lingering",), lingering_reader)])
    with pytest.raises(ExtractionFailed, match="took longer than 2 seconds"):
        extract_isolated(path, "test/lingering", timeout_s=2, memory_mb=1024, registry=readers)
    deadline = time.monotonic() + 5
    while _processes_naming(marker) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not _processes_naming(marker)


def _processes_naming(marker: str) -> list[str]:
    found = []
    for entry in Path("/proc").iterdir():
        try:
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        if marker in command:
            found.append(command)
    return found
