"""Scans made here: printed pages in English and Chinese, as a scanner or a phone leaves them.

Text is drawn with a CJK font from Debian's fonts-wqy-microhei package (installed with the
OCR packages), then the page gets speckle noise, a blue signature scribble, a red seal
over the text, and a small rotation. Shared by the OCR tests and bench/ocr.py.
"""

from __future__ import annotations

import math
import random
from pathlib import Path

from PIL import Image, ImageChops, ImageDraw, ImageFont

CJK_FONT = Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc")
A4_300_DPI = (2480, 3508)
INK = (25, 25, 30)
SEAL_RED = (214, 38, 42)


def font(size: int) -> ImageFont.FreeTypeFont:
    assert CJK_FONT.exists(), f"{CJK_FONT} is missing: apt-get install fonts-wqy-microhei"
    return ImageFont.truetype(str(CJK_FONT), size)


def scanned_page(
    lines: list[str],
    *,
    size: tuple[int, int] = A4_300_DPI,
    text_size: int = 46,
    angle: float = 3.0,
    seed: int = 1,
    seal: bool = True,
    signature: bool = True,
    noise: float = 0.002,
) -> Image.Image:
    """An RGB page with ``lines`` printed from the top, scanned ``angle`` degrees askew."""
    page = Image.new("RGB", size, "white")
    draw = ImageDraw.Draw(page)
    margin = size[0] // 12
    line_height = int(text_size * 1.9)
    for number, line in enumerate(lines):
        draw.text((margin, margin + number * line_height), line, font=font(text_size), fill=INK)
    bottom = margin + len(lines) * line_height
    if signature:
        _scribble(draw, (margin, bottom + 60), random.Random(seed))
    if seal:
        # Stamped across the last lines, as a company seal sits over the signature block:
        # ink on ink, so the text stays dark where the red crosses it.
        stamp = Image.new("RGB", size, "white")
        _seal(ImageDraw.Draw(stamp), (size[0] // 2, max(margin, bottom - 2 * line_height)),
              size[0] // 10)
        page = ImageChops.multiply(page, stamp)
    _speckle(page, noise, random.Random(seed))
    return page.rotate(angle, resample=Image.Resampling.BICUBIC, fillcolor="white")


def _scribble(draw: ImageDraw.ImageDraw, origin: tuple[int, int], rnd: random.Random) -> None:
    x, y = origin
    points = [
        (x + step * 9, y + int(45 * math.sin(step / 2.5) + rnd.randint(-8, 8)))
        for step in range(70)
    ]
    draw.line(points, fill=(20, 30, 140), width=5, joint="curve")


def _seal(draw: ImageDraw.ImageDraw, centre: tuple[int, int], radius: int) -> None:
    x, y = centre
    draw.ellipse((x - radius, y - radius, x + radius, y + radius), outline=SEAL_RED, width=12)
    draw.regular_polygon((x, y, radius // 4), 5, fill=SEAL_RED)
    draw.text((x - radius // 2, y + radius // 3), "合同专用章", font=font(radius // 5),
              fill=SEAL_RED)


def _speckle(page: Image.Image, share: float, rnd: random.Random) -> None:
    pixels = page.load()
    assert pixels is not None
    width, height = page.size
    for _ in range(int(width * height * share)):
        shade = rnd.randint(0, 90)
        pixels[rnd.randrange(width), rnd.randrange(height)] = (shade, shade, shade)


def image_only_pdf(path: Path, pages: list[Image.Image], dpi: int = 300) -> Path:
    """A PDF of page images and nothing else, as a scanner writes it (JPEG inside)."""
    first, *rest = pages
    first.save(path, "PDF", resolution=dpi, save_all=True, append_images=rest, quality=85)
    return path


ENGLISH_CONTRACT = [
    "SERVICE AGREEMENT",
    "between ACME Corporation and Globex Trading Ltd",
    "The supplier delivers the X200 controller within 30 days.",
    "Total price: 12,000 USD including two years of warranty.",
    "Signed by both parties on 15 March 2024.",
]
CHINESE_CONTRACT = [
    "销售合同",
    "甲方：上海示例科技有限公司",
    "乙方：北京远景贸易有限公司",
    "付款方式：银行转账，分两期支付。",
    "本合同自双方签字盖章之日起生效。",
]
MIXED_PRICE_LIST = [
    "2024 价格表 Price List",
    "型号 X200 控制器 单价 1200 元",
    "Model X300 gateway unit price 1800 USD",
    "报价有效期至2024年12月31日。",
]


def dense_page(seed: int) -> list[str]:
    """About 40 lines of mixed text: the density of a real contract page, for benchmarks."""
    rnd = random.Random(seed)
    english = ENGLISH_CONTRACT + MIXED_PRICE_LIST[2:3]
    chinese = CHINESE_CONTRACT + MIXED_PRICE_LIST[1:2] + MIXED_PRICE_LIST[3:]
    return [rnd.choice(english if number % 2 else chinese) for number in range(40)]
