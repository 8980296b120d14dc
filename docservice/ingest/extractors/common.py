"""Helpers every extractor family shares: decoding bytes, tidying whitespace, paging text."""

from __future__ import annotations

import codecs
import re
from datetime import UTC, datetime

import charset_normalizer

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
# Short Chinese texts are valid in several East Asian codecs at once; our users write
# simplified Chinese first, then traditional, so ties are broken in this order.
_PREFERRED = ("utf_8", "gb18030", "big5", "cp1252", "latin_1")
# Detectors report a subset codec; decode with the superset so rare characters survive.
_SUPERSETS = {"gb2312": "gb18030", "gbk": "gb18030", "big5": "big5hkscs", "ascii": "utf-8"}

_CONTROL = re.compile("[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f\u00ad\u200b\ufeff\ufffe\uffff\ue000-\uf8ff]")
_HSPACE = re.compile("[ \t\f\v\xa0\u1680\u2000-\u200a\u202f\u205f\u3000]+")
_BLANK_LINES = re.compile(r"\n{3,}")
_CJK = "\u2e80-\u2fff\u3001-\u303f\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef"
_SPACE_IN_CJK = re.compile(f"(?<=[{_CJK}]) (?=[{_CJK}])")

PAGE_CHARS = 5000


def guess_encoding(data: bytes, *, partial: bool = False) -> str | None:
    """Python codec name for ``data`` as text, or None when it does not look like text.

    ``partial`` says ``data`` is the head of a longer file, so a multi-byte character
    may be cut at its end.
    """
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return encoding
    bare_utf16 = _bomless_utf16(data)
    if bare_utf16:
        return bare_utf16
    if b"\x00" in data:
        return None
    if _is_utf8(data, partial=partial):
        return "utf-8"
    matches = list(charset_normalizer.from_bytes(data))
    if not matches:
        return None
    least_chaos = min(match.chaos for match in matches)
    calm = [match.encoding for match in matches if match.chaos <= least_chaos + 0.01]
    chosen = next((name for name in _PREFERRED if name in calm), calm[0])
    return _SUPERSETS.get(chosen, chosen)


def decode_text(data: bytes) -> str:
    """``data`` as text in whatever common encoding it is in; latin-1 when nothing fits."""
    encoding = guess_encoding(data) or "latin-1"
    return data.decode(encoding, errors="replace").removeprefix("\ufeff")


def _bomless_utf16(data: bytes) -> str | None:
    """UTF-16 without a byte order mark shows as a NUL in every other byte of ASCII text."""
    sample = data[:4096]
    if len(sample) < 16 or len(sample) % 2:
        sample = sample[: len(sample) - len(sample) % 2]
    if len(sample) < 16:
        return None
    even_nuls = sample[0::2].count(0) / (len(sample) // 2)
    odd_nuls = sample[1::2].count(0) / (len(sample) // 2)
    if even_nuls > 0.4 and odd_nuls < 0.05:
        return "utf-16-be"
    if odd_nuls > 0.4 and even_nuls < 0.05:
        return "utf-16-le"
    return None


def _is_utf8(data: bytes, *, partial: bool) -> bool:
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        decoder.decode(data, final=not partial)
    except UnicodeDecodeError:
        return False
    return True


def normalise_whitespace(text: str, *, join_cjk: bool = False) -> str:
    """One space between words, no blank runs, no control characters, stripped lines.

    ``join_cjk`` removes spaces between two CJK characters: PDF writers put them between
    glyphs, and Chinese does not use spaces, so they only break words apart.
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _HSPACE.sub(" ", _CONTROL.sub("", text))
    if join_cjk:
        text = _SPACE_IN_CJK.sub("", text)
    lines = "\n".join(line.strip() for line in text.split("\n"))
    return _BLANK_LINES.sub("\n\n", lines).strip()


def split_pages(text: str, page_chars: int = PAGE_CHARS) -> list[str]:
    """Pages of about ``page_chars`` characters cut at line ends, so hits get page numbers."""
    pages: list[str] = []
    current: list[str] = []
    size = 0
    for line in _short_lines(text.split("\n"), page_chars):
        if current and size + len(line) > page_chars:
            pages.append("\n".join(current))
            current, size = [], 0
        current.append(line)
        size += len(line) + 1
    pages.append("\n".join(current))
    return pages


def _short_lines(lines: list[str], limit: int) -> list[str]:
    """Lines longer than a page cut at the last space before the limit (or at the limit)."""
    out: list[str] = []
    for line in lines:
        while len(line) > limit:
            cut = line.rfind(" ", limit // 2, limit)
            cut = cut if cut > 0 else limit
            out.append(line[:cut])
            line = line[cut:].lstrip(" ")
        out.append(line)
    return out


def as_utc(moment: datetime | None) -> datetime | None:
    """Aware UTC datetime; naive values from office files are UTC by their standard."""
    if moment is None:
        return None
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def clean_field(value: object) -> str | None:
    """A metadata string tidied for display, or None when there is nothing to show."""
    if not isinstance(value, str):
        return None
    cleaned = normalise_whitespace(value).replace("\n", " ")
    return cleaned or None
