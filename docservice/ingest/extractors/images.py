"""Images (scans and phone photos): OCR page by page, every page of a multi-page TIFF.

Images are refused above ``max_image_pixels`` (decoding a 20000 x 20000 image alone takes
over a gigabyte) and scaled down to ``ocr_max_pixels`` before OCR. Without an OCR engine
an image has no text to offer, so it fails with a reason instead of indexing nothing.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from PIL import Image

from docservice.domain import ExtractedText
from docservice.errors import ExtractionFailed
from docservice.ingest.base import ExtractorSpec, ProgressCallback
from docservice.ingest.ocr import OCR_UNAVAILABLE, find_tesseract, prepare_page
from docservice.ingest.options import ExtractOptions

DAMAGED = "the image is damaged or incomplete"
HEIF_TYPES = ("image/heic", "image/avif")
_MULTI_PAGE_TYPES = ("TIFF", "MPO")  # GIF and WebP frames are animation, not pages
_PIXELS_IN_MESSAGE = re.compile(r"\((\d+) pixels\)")
_SMALL_SIDE = 1600
"""Photos and screenshots whose long side is below this are enlarged for OCR."""


def extract_image(
    path: Path, progress: ProgressCallback | None, options: ExtractOptions
) -> ExtractedText:
    """Recognised text, one page per image page; fails when OCR cannot run here."""
    engine = find_tesseract(options)
    if engine is None:
        raise ExtractionFailed(OCR_UNAVAILABLE)
    with open_image(path, options) as image:
        total = _page_count(image, options)
        pages = [""] * total
        frames = _prepared_frames(image, total, options)
        for done, (index, text) in enumerate(engine.read_pages(frames), start=1):
            pages[index] = text
            if progress:
                progress(done, total)
    return ExtractedText(pages=pages)


@contextmanager
def open_image(path: Path, options: ExtractOptions) -> Iterator[Image.Image]:
    """The image at ``path``, opened lazily; refused when too large or unreadable."""
    _enable_heif()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)  # our cap decides
            image = Image.open(path)
    except Image.DecompressionBombError as exc:
        match = _PIXELS_IN_MESSAGE.search(str(exc))
        raise ExtractionFailed(too_large(int(match.group(1)) if match else None)) from exc
    except (OSError, ValueError, SyntaxError) as exc:  # Pillow's plugins raise all three
        raise ExtractionFailed(DAMAGED) from exc
    with image:
        check_size(image, options)
        yield image


def too_large(pixels: int | None) -> str:
    size = f" ({pixels / 1_000_000:,.0f} megapixels)" if pixels else ""
    return f"the image is too large to read{size}"


def check_size(image: Image.Image, options: ExtractOptions) -> None:
    pixels = image.width * image.height
    if pixels > options.max_image_pixels:
        raise ExtractionFailed(too_large(pixels))


def _page_count(image: Image.Image, options: ExtractOptions) -> int:
    frames = getattr(image, "n_frames", 1) if image.format in _MULTI_PAGE_TYPES else 1
    if frames > options.max_pages:
        raise ExtractionFailed(
            f"the image has {frames:,} pages; at most {options.max_pages:,} can be read"
        )
    return frames


def _prepared_frames(
    image: Image.Image, total: int, options: ExtractOptions
) -> Iterator[tuple[int, Image.Image]]:
    for index in range(total):
        try:
            image.seek(index)
            check_size(image, options)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", Image.DecompressionBombWarning)
                image.load()
        except (OSError, ValueError, EOFError) as exc:
            raise ExtractionFailed(DAMAGED) from exc
        yield index, prepare_page(image, options.ocr_max_pixels, small_side=_SMALL_SIDE)


def _enable_heif() -> None:
    """HEIC/AVIF through pillow-heif when it is installed (registering twice is harmless)."""
    try:
        import pillow_heif
    except ImportError:
        return
    pillow_heif.register_heif_opener()


SPECS = (
    ExtractorSpec(
        name="image-ocr",
        media_types=(
            "image/png",
            "image/jpeg",
            "image/tiff",
            "image/gif",
            "image/bmp",
            "image/webp",
            *HEIF_TYPES,
        ),
        extract=extract_image,
        score=20,
        takes_options=True,
    ),
)
