"""A scanned page or photo made ready for Tesseract: one grey channel, sane size, level lines.

Colour pages are read through their red channel: red seals (公章) and red stamps, which
sit on top of the text of signed contracts, turn as light as the paper there, while
black, blue and green ink stay dark. The price is that red or yellow text is lost too;
on contracts and forms the text under the seal matters more.

Skew is measured on a small binarised copy by a projection-profile search: rotating the
dark pixels by the right angle makes the text lines line up, which makes the histogram
of their rows (or, on a page lying on its side, of their columns) sharpest.
"""

from __future__ import annotations

import math

import numpy as np
from PIL import Image, ImageOps

MAX_SKEW_DEGREES = 8.0
_COARSE_STEP = 0.5
_FINE_STEP = 0.1
_MIN_CORRECTION = 0.2
_SAMPLE_WIDTH = 1000
_MAX_SAMPLE_POINTS = 40_000
_MIN_INK_POINTS = 200
_MAX_ENLARGEMENT = 2.0


def prepare_page(image: Image.Image, max_pixels: int, *, small_side: int = 0) -> Image.Image:
    """``image`` as a deskewed 8-bit grey page of at most ``max_pixels`` pixels.

    Images whose long side is under ``small_side`` pixels (photos, screenshots) are
    enlarged up to twice: Tesseract misreads letters only a few pixels high.
    """
    grey = ink_channel(ImageOps.exif_transpose(image) or image)
    grey = limit_pixels(enlarge_small(grey, small_side), max_pixels)
    angle = skew_angle(grey)
    if abs(angle) < _MIN_CORRECTION:
        return grey
    # Bilinear, not nearest-neighbour (7 times faster): the stair steps nearest leaves
    # cost Chinese characters here (合同 read as 合后).
    return grey.rotate(-angle, resample=Image.Resampling.BILINEAR, expand=True, fillcolor=255)


def ink_channel(image: Image.Image) -> Image.Image:
    """One 8-bit channel where ink is dark: the red channel of a colour image."""
    if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
        image = _on_white(image)
    if image.mode in ("I", "I;16", "I;16B", "I;16L", "F"):
        return _to_8_bit(image)
    if image.mode in ("RGB", "CMYK", "P", "YCbCr"):
        return image.convert("RGB").getchannel("R")
    return image.convert("L")


def _on_white(image: Image.Image) -> Image.Image:
    """Transparent areas read as paper, not as black."""
    rgba = image.convert("RGBA")
    page = Image.new("RGBA", rgba.size, "white")
    page.alpha_composite(rgba)
    return page.convert("RGB")


def _to_8_bit(image: Image.Image) -> Image.Image:
    values = np.asarray(image, dtype=np.float64)
    low, high = float(values.min()), float(values.max())
    scaled = (values - low) * (255.0 / (high - low)) if high > low else values * 0
    return Image.fromarray(scaled.astype(np.uint8), mode="L")


def enlarge_small(image: Image.Image, small_side: int) -> Image.Image:
    long_side = max(image.size)
    if long_side >= small_side or long_side == 0:
        return image
    factor = min(_MAX_ENLARGEMENT, small_side / long_side)
    size = (round(image.width * factor), round(image.height * factor))
    return image.resize(size, Image.Resampling.LANCZOS)


def limit_pixels(image: Image.Image, max_pixels: int) -> Image.Image:
    """``image`` scaled down to at most ``max_pixels`` pixels (never scaled up)."""
    pixels = image.width * image.height
    if pixels <= max_pixels:
        return image
    factor = math.sqrt(max_pixels / pixels)
    size = (max(1, int(image.width * factor)), max(1, int(image.height * factor)))
    return image.resize(size, Image.Resampling.LANCZOS, reducing_gap=2.0)


def skew_angle(grey: Image.Image, max_degrees: float = MAX_SKEW_DEGREES) -> float:
    """Degrees the text lines of ``grey`` are turned anticlockwise (0.0 when unsure)."""
    points = _ink_points(grey)
    if points is None:
        return 0.0
    ys, xs = points

    def sharpness(degrees: float) -> float:
        radians = math.radians(degrees)
        cos, sin = math.cos(radians), math.sin(radians)
        return max(_profile_sharpness(ys * cos + xs * sin), _profile_sharpness(xs * cos - ys * sin))

    coarse = np.arange(-max_degrees, max_degrees + _COARSE_STEP / 2, _COARSE_STEP)
    best = max(coarse, key=sharpness)
    fine = np.arange(best - _COARSE_STEP, best + _COARSE_STEP + _FINE_STEP / 2, _FINE_STEP)
    best = max(fine, key=sharpness)
    if sharpness(best) <= sharpness(0.0) * 1.02:  # no clear gain: leave the page alone
        return 0.0
    return round(float(best), 2)


def _ink_points(grey: Image.Image) -> tuple[np.ndarray, np.ndarray] | None:
    factor = max(1, grey.width // _SAMPLE_WIDTH)
    small = np.asarray(grey.reduce(factor) if factor > 1 else grey)
    ys, xs = np.nonzero(small < _otsu_threshold(small))
    if len(ys) < _MIN_INK_POINTS or len(ys) > 0.5 * small.size:
        return None  # blank, or a photo rather than a page of text
    if len(ys) > _MAX_SAMPLE_POINTS:
        chosen = np.random.default_rng(0).choice(len(ys), _MAX_SAMPLE_POINTS, replace=False)
        ys, xs = ys[chosen], xs[chosen]
    return ys.astype(np.float64), xs.astype(np.float64)


def _otsu_threshold(pixels: np.ndarray) -> int:
    histogram = np.bincount(pixels.ravel(), minlength=256).astype(np.float64)
    levels = np.arange(256, dtype=np.float64)
    weight_below = np.cumsum(histogram)
    weight_above = weight_below[-1] - weight_below
    mass_below = np.cumsum(histogram * levels)
    mean_below = mass_below / np.maximum(weight_below, 1)
    mean_above = (mass_below[-1] - mass_below) / np.maximum(weight_above, 1)
    between = weight_below * weight_above * (mean_below - mean_above) ** 2
    return int(np.argmax(between)) + 1


def _profile_sharpness(projected: np.ndarray) -> float:
    histogram = np.bincount((projected - projected.min()).astype(np.int64))
    return float(np.dot(histogram, histogram))
