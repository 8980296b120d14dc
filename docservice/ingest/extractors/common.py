"""Helpers every extractor family shares: decoding bytes, tidying whitespace, paging text."""

from __future__ import annotations

import codecs
import logging
import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

import charset_normalizer

from docservice.errors import ExtractionFailed

log = logging.getLogger(__name__)

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

# Control characters, soft hyphens, zero-width marks and private-use glyphs (PDF fonts
# without a Unicode map produce them): never searchable text.
_CONTROL = re.compile("[\x00-\x08\x0e-\x1f\x7f-\x9f\xad\u200b\ufeff\ufffe\uffff\ue000-\uf8ff]")
_HSPACE = re.compile("[ \xa0\u1680\u2000-\u200a\u202f\u205f\u3000]+")
_LINE_BREAKS = re.compile("\r\n|[\r\v\f\x85\u2028\u2029]")  # \v: PowerPoint's soft break
_BLANK_LINES = re.compile(r"\n{3,}")
_CJK = "\u2e80-\u2fff\u3001-\u303f\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef"
_SPACE_IN_CJK = re.compile(f"(?<=[{_CJK}]) (?=[{_CJK}])")
_CJK_CHAR = re.compile(f"[{_CJK}]")
_ISOLATED_CJK = re.compile(f"(?<=[A-Za-z])[{_CJK}](?![{_CJK}])|(?<![{_CJK}])[{_CJK}](?=[A-Za-z])")

PAGE_CHARS = 5000
PASSWORD_PROTECTED = "password protected: upload an unprotected copy"


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
    preferred = next((name for name in _PREFERRED if name in calm), calm[0])
    chosen = _SUPERSETS.get(preferred, preferred)
    if _western_misread_as_cjk(data, chosen):
        return "cp1252" if _decodes(data, "cp1252", partial=partial) else "latin-1"
    return chosen


_GLUED = re.compile(r"[A-Za-z]{16,}")
_MIN_GLUED_WORDS = 2


def unglue_words(text: str) -> str:
    """Runs of Latin letters written without spaces (PDF text layers that position words
    instead of spacing them: ``PriceListfortheRouter``) cut into words by wordninja's English
    word frequencies; a run that does not cut cleanly into two or more words (a long real
    word, a code) stays as it is."""
    if not _GLUED.search(text):
        return text
    return _GLUED.sub(_unglued, text)


def _unglued(match: re.Match[str]) -> str:
    import wordninja

    run = match.group()
    words: list[str] = []
    for word in wordninja.split(run):
        if len(word) == 1 and words and len(words[-1]) == 1 and word.isupper():
            words[-1] += word  # initials and codes stay together: "AX"
        else:
            words.append(word)
    stray = any(len(word) == 1 and word not in ("a", "A", "I") for word in words)
    if len(words) < _MIN_GLUED_WORDS or stray or "".join(words) != run:
        return run
    return " ".join(words)


def superset_codec(name: str) -> str:
    """The codec to decode text declared as ``name`` with (GBK as GB18030, Big5 as
    Big5-HKSCS: writers use their extra characters under the older names)."""
    normalized = codecs.lookup(name).name.replace("-", "_")
    return _SUPERSETS.get(normalized, _SUPERSETS.get(name.lower(), name))


def decode_text(data: bytes) -> str:
    """``data`` as text in whatever common encoding it is in; latin-1 when nothing fits."""
    encoding = guess_encoding(data) or "latin-1"
    return data.decode(encoding, errors="replace").removeprefix("\ufeff")


def _bomless_utf16(data: bytes) -> str | None:
    """UTF-16 without a byte order mark shows as a NUL in every other byte of ASCII text."""
    sample = data[:4096]
    sample = sample[: len(sample) // 2 * 2]
    if len(sample) < 16:
        return None
    even_nuls = sample[0::2].count(0) / (len(sample) // 2)
    odd_nuls = sample[1::2].count(0) / (len(sample) // 2)
    if even_nuls > 0.4 and odd_nuls < 0.05:
        encoding = "utf-16-be"
    elif odd_nuls > 0.4 and even_nuls < 0.05:
        encoding = "utf-16-le"
    else:
        return None
    text = sample.decode(encoding, errors="replace")
    printable = sum(char.isprintable() or char in "\t\n\r" for char in text)
    return encoding if printable >= 0.95 * len(text) else None


def _is_utf8(data: bytes, *, partial: bool) -> bool:
    return _decodes(data, "utf-8", partial=partial)


def _decodes(data: bytes, encoding: str, *, partial: bool) -> bool:
    decoder = codecs.getincrementaldecoder(encoding)()
    try:
        decoder.decode(data, final=not partial)
    except UnicodeDecodeError:
        return False
    return True


def _western_misread_as_cjk(data: bytes, encoding: str) -> bool:
    """Short German or French text also decodes as Chinese, one odd character per accent.

    Real Chinese comes in runs of CJK characters; single ones glued to Latin letters
    ("f黵 M鋜z" for "für März") mean the text was Western all along.
    """
    text = data[:65536].decode(encoding, errors="ignore")
    cjk = len(_CJK_CHAR.findall(text))
    return cjk > 0 and len(_ISOLATED_CJK.findall(text)) * 2 > cjk


def normalise_whitespace(text: str, *, join_cjk: bool = False) -> str:
    """Single spaces, no blank-line runs, no control characters, stripped lines.

    Tabs are kept: extractors use them to separate table cells.
    ``join_cjk`` removes spaces between two CJK characters: PDF writers put them between
    glyphs, and Chinese does not use spaces, so they only break words apart.
    """
    text = _HSPACE.sub(" ", _CONTROL.sub("", _LINE_BREAKS.sub("\n", text)))
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


def parse_iso_date(value: str | None) -> datetime | None:
    """An ISO 8601 date or date-time (``2024-01-31``, ``...T09:30:00Z``) as aware UTC."""
    if not value:
        return None
    try:
        return as_utc(datetime.fromisoformat(value.strip().replace("Z", "+00:00")))
    except ValueError:
        return None


def clean_field(value: object) -> str | None:
    """A metadata string tidied for display, or None when there is nothing to show."""
    if not isinstance(value, str):
        return None
    cleaned = normalise_whitespace(value).replace("\n", " ")
    return cleaned or None


@contextmanager
def failing_as(reason: str) -> Iterator[None]:
    """Turn whatever a document library raises on a malformed file into ExtractionFailed.

    python-docx, python-pptx and openpyxl raise arbitrary exceptions on corrupt input
    (KeyError for a missing part, ValueError, zipfile and lxml errors, TypeError from
    half-parsed XML...), and every one of them means "this file cannot be read", so the
    extractor boundary catches broadly. MemoryError passes through: it means a limit was
    hit, which the isolation layer reports as such.
    """
    try:
        yield
    except (ExtractionFailed, MemoryError):
        raise
    except Exception as exc:
        log.info("extraction failed: %s", reason, exc_info=True)
        raise ExtractionFailed(reason) from exc
