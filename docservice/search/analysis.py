"""The one set of text analysis rules: text in, index tokens out, the same at index and query time.

Every engine indexes the tokens made here (joined by single spaces, split on whitespace), so
Tantivy and Elasticsearch see identical terms and positions. The rules, in order:

1. NFKC (full-width letters, digits and punctuation become ASCII), then case folding.
2. CJK runs (Han, kana, Hangul), which continue across whitespace because PDF extraction puts
   spaces and line breaks between characters: traditional Chinese is mapped to simplified
   character by character (OpenCC's TSCharacters table, first candidate), then the run becomes
   overlapping bigrams; a run of one character is that character.
3. Other runs of letters and digits are words; ``1,200,000`` is one number ``1200000``.
   Apostrophes are dropped (``customer's`` -> ``customer``, ``don't`` -> ``dont``).
   A word of letters is folded to ASCII (``café`` -> ``cafe``), dropped if it is an English
   stop word (the Lucene/Elasticsearch ``_english_`` list), else Snowball English stemmed.
   Words with digits (``2024``, ``5g``, ``v2``) are kept as they are. Words over 64 characters
   are dropped.
4. Words joined by ``- _ . /`` form a compound. Its parts are analysed as words; when it has a
   letter and 2-5 parts it is a code (``AX-200-EU``) and also yields, first, the joined code and
   its prefixes at part boundaries, longest first: ``ax200eu ax200 ax 200 eu``. A query for
   ``AX-200`` (``ax200 ax 200``) is then a contiguous run inside it, and ``ax200`` is one term.
   The joined forms of a compound of letters only are stemmed: ``tip-toed`` and ``tiptoeing``
   share ``tiptoe``.
5. A fiscal year ``FY24`` / ``FY2024`` is kept and followed by its year ``2024``, so a query for
   the year finds documents that only say FY24.

Chinese is cut into bigrams by default; ``set_cjk_segmentation("jieba")`` switches both index
and query analysis to jieba's search-mode words (for the relevance harness, which measured the
two: see bench/relevance.py). An index must be rebuilt after a switch.
"""

from __future__ import annotations

import hashlib
import json
import re
import threading
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime
from functools import cache
from pathlib import Path
from typing import Any

import snowballstemmer

from docservice.domain import IndexEntry, file_kind

# Lucene's EnglishAnalyzer / Elasticsearch `_english_` stop words.
STOP_WORDS = frozenset([
    "a", "an", "and", "are", "as", "at", "be", "but", "by", "for", "if", "in", "into", "is", "it",
    "no", "not", "of", "on", "or", "such", "that", "the", "their", "then", "there", "these",
    "they", "this", "to", "was", "will", "with"])

MAX_TOKEN_CHARS = 64
MAX_CODE_PARTS = 5

CJK_CHARS = ("\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff"
             "\U00020000-\U0002fa1f\U00030000-\U000323af")  # ext. G, H: OpenCC maps into G
_TOKEN = re.compile(
    rf"[{CJK_CHARS}](?:\s*[{CJK_CHARS}])*"                           # CJK, across whitespace
    r"|\d{1,3}(?:,\d{3})+(?![\d,])"                                  # 1,200,000
    rf"|[^\W_{CJK_CHARS}]+(?:[-_./'’][^\W_{CJK_CHARS}]+)*")           # words, codes
_CJK_START = re.compile(rf"[{CJK_CHARS}]")
_SPACE_IN = re.compile(r"\s")
_CONNECTOR = re.compile(r"[-_./]")
_APOSTROPHE_S = re.compile(r"['’]s(?=$|[-_./])")
_WORD_CACHE_LIMIT = 100_000  # at most ~35 MB, even for code-heavy text
_FILENAME_SEPARATORS = re.compile(r"[_.]+")
_SUBTYPE_SEPARATORS = re.compile(r"[\s\-]+")

_FISCAL_YEAR = re.compile(r"fy(\d{2}|\d{4})")
CJK_SEGMENTATIONS = ("bigram", "jieba")

_word_cache: dict[str, tuple[str, ...]] = {}
_stem_lock = threading.Lock()
_cjk_segmentation = "bigram"


def analyze(text: str) -> list[str]:
    """Index tokens of ``text`` in order; a token's position is its index in the list."""
    tokens: list[str] = []
    for piece in _TOKEN.findall(to_simplified(normalize(text))):
        tokens.extend(_cjk_tokens(piece) if _is_cjk(piece) else _known_word_tokens(piece))
    return tokens


def analyze_spans(text: str) -> list[tuple[str, int, int]]:
    """Tokens of ``text`` with the ``[start, end)`` span of ``text`` each comes from.

    A word's tokens (a code's parts and joined forms) share the word's span; a CJK bigram
    spans its two characters. Used to highlight what the engine matched.
    """
    normalized = normalize(text)
    origin: list[int] | None = None
    if len(normalized) != len(text):  # NFKC/case folding changed lengths (rare): map back
        normalized, origin = _normalize_per_char(text)
    normalized = to_simplified(normalized)  # one character for one: spans stay
    spans: list[tuple[str, int, int]] = []
    for match in _TOKEN.finditer(normalized):
        piece, start = match.group(), match.start()
        if _is_cjk(piece):
            spans.extend(_cjk_spans(piece, start))
        else:
            spans.extend((token, start, match.end()) for token in _known_word_tokens(piece))
    if origin is None:
        return spans
    return [(token, origin[start], origin[end - 1] + 1) for token, start, end in spans]


def analyze_all(texts: Iterable[str]) -> str:
    """Space-joined tokens of several texts (pages), as fed to a whitespace tokenizer.

    Positions run on from one text into the next, so a phrase may cross a page break.
    """
    return " ".join(token for text in texts for token in analyze(text))


def normalize(text: str) -> str:
    """NFKC and case folding, the first step of every rule (also for snippets and keywords)."""
    if not text.isascii():
        text = unicodedata.normalize("NFKC", text)
    return text.casefold()


def keyword(value: str) -> str:
    """A filter/facet value as indexed and queried: normalised, simplified, spaces collapsed."""
    return " ".join(to_simplified(normalize(value)).split())


def has_cjk(text: str) -> bool:
    return _CJK_START.search(text) is not None


def to_simplified(text: str) -> str:
    """Traditional Chinese characters mapped to simplified ones (other text unchanged)."""
    if text.isascii():
        return text
    return text.translate(traditional_to_simplified())


def code_key(word: str) -> str | None:
    """The joined form of a code (``AX200-EU`` -> ``ax200eu``), the one token that every
    spelling of the code shares; None if ``word`` is not a code."""
    text = normalize(word)
    if not _CONNECTOR.search(text) or not _TOKEN.fullmatch(text):
        return None
    parts = [part for part in _CONNECTOR.split(text.replace(",", "")) if part]
    return _known_word_tokens(text)[0] if _is_code(parts) else None


def set_cjk_segmentation(name: str) -> None:
    """``bigram`` (default) or ``jieba``: how Chinese runs become tokens, process-wide."""
    global _cjk_segmentation
    if name not in CJK_SEGMENTATIONS:
        raise ValueError(f"unknown Chinese segmentation {name!r}")
    _cjk_segmentation = name
    _word_cache.clear()


def stem(word: str) -> str:
    """Snowball English stem of one lower-case ASCII word (thread-safe)."""
    with _stem_lock:
        return str(_stemmer().stemWord(word))


@cache
def traditional_to_simplified() -> dict[int, str]:
    """OpenCC's character table (TSCharacters.txt), first candidate of each character."""
    import opencc

    table: dict[int, str] = {}
    path = Path(opencc.__file__).parent / "dictionary" / "TSCharacters.txt"
    for line in path.read_text(encoding="utf-8").splitlines():
        source, _, targets = line.partition("\t")
        if len(source) == 1 and targets:
            table[ord(source)] = targets.split()[0]
    return table


@cache
def simplified_to_traditional() -> dict[str, str]:
    """Each simplified character and the traditional characters that map to it."""
    variants: dict[str, str] = {}
    for code, simplified in traditional_to_simplified().items():
        variants[simplified] = variants.get(simplified, simplified) + chr(code)
    return variants


@cache
def _stemmer() -> snowballstemmer.stemmer:
    return snowballstemmer.stemmer("english")


def _is_cjk(piece: str) -> bool:
    return piece[0] >= "\u3040" and _CJK_START.match(piece[0]) is not None


def _known_word_tokens(piece: str) -> tuple[str, ...]:
    """``_word_tokens`` remembered: text repeats its words, and stemming is slow."""
    tokens = _word_cache.get(piece)
    if tokens is None:
        if len(_word_cache) >= _WORD_CACHE_LIMIT:
            _word_cache.clear()
        tokens = _word_cache[piece] = _word_tokens(piece)
    return tokens


def _normalize_per_char(text: str) -> tuple[str, list[int]]:
    """``text`` normalised character by character, with each output character's source index."""
    chars: list[str] = []
    origin: list[int] = []
    for at, ch in enumerate(text):
        normalized = normalize(ch)
        chars.append(normalized)
        origin.extend([at] * len(normalized))
    return "".join(chars), origin


def _cjk_tokens(run: str) -> list[str]:
    """Tokens of a CJK run already in simplified characters."""
    if len(run) > 1:
        run = "".join(run.split())
    if len(run) == 1:
        return [run]
    if _cjk_segmentation == "jieba":
        return [word for word, _start, _end in _jieba_words(run)]
    return [run[i:i + 2] for i in range(len(run) - 1)]


def _cjk_spans(piece: str, start: int) -> list[tuple[str, int, int]]:
    """Tokens of a CJK run with their spans (a bigram spans its two characters)."""
    if _SPACE_IN.search(piece):
        chars: Sequence[int] = [start + at for at, ch in enumerate(piece) if not ch.isspace()]
    else:
        chars = range(start, start + len(piece))
    tokens = _cjk_tokens(piece)
    if _cjk_segmentation == "jieba" and len(chars) > 1:
        words = _jieba_words(to_simplified("".join(piece.split())))
        return [(word, chars[first], chars[last - 1] + 1) for word, first, last in words]
    ends = chars[1:] if len(chars) > 1 else chars
    return [(token, chars[at], ends[at] + 1) for at, token in enumerate(tokens)]


def jieba_words(text: str) -> list[str]:
    """``text`` (simplified Chinese) cut into words by jieba's default mode, with its packaged
    dictionary, offline. Raises ImportError when jieba is not installed."""
    return [str(word) for word in _jieba().cut(to_simplified(text))]


def _jieba_words(run: str) -> list[tuple[str, int, int]]:
    """jieba's search-mode words of a simplified run: each word, then the longer word holding
    it, with spans in ``run``."""
    return [(word, first, last) for word, first, last in _jieba().tokenize(run, mode="search")
            if not word.isspace()]


@cache
def _jieba() -> Any:
    import logging

    import jieba

    jieba.setLogLevel(logging.WARNING)
    tokenizer = jieba.Tokenizer()
    tokenizer.initialize()
    return tokenizer


def _word_tokens(piece: str) -> tuple[str, ...]:
    if "," in piece:
        piece = piece.replace(",", "")
    if "'" in piece or "’" in piece:
        piece = _APOSTROPHE_S.sub("", piece).replace("'", "").replace("’", "")
    parts = [part for part in _CONNECTOR.split(piece) if part]
    if len(parts) == 1:
        return _word(parts[0])
    tokens = [token for part in parts for token in _word(part)]
    if not _is_code(parts):
        return tuple(tokens)
    folded = [_ascii_fold(part) for part in parts]
    joined = ["".join(folded[:end]) for end in range(len(folded), 1, -1)]
    if all(part.isascii() and part.isalpha() for part in folded):  # tip-toed = tiptoeing
        joined = [stem(code) for code in joined]
    return tuple(code for code in joined if len(code) <= MAX_TOKEN_CHARS) + tuple(tokens)


def _is_code(parts: list[str]) -> bool:
    """Whether the parts of a compound form a code (``AX-200-EU``, ``tip-toed``), not a date."""
    return 1 < len(parts) <= MAX_CODE_PARTS and not all(part.isdigit() for part in parts)


def _word(word: str) -> tuple[str, ...]:
    if len(word) > MAX_TOKEN_CHARS:
        return ()
    if not word.isascii():
        word = _ascii_fold(word)
    if word in STOP_WORDS:
        return ()
    if word.isalpha() and word.isascii():
        return (stem(word),)
    fiscal = _FISCAL_YEAR.fullmatch(word)
    if fiscal:
        digits = fiscal[1]
        return (word, digits if len(digits) == 4 else f"20{digits}")
    return (word,)


def _ascii_fold(word: str) -> str:
    """Latin letters without their accents: café -> cafe (other scripts keep their letters)."""
    if word.isascii():
        return word
    decomposed = unicodedata.normalize("NFKD", word)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return unicodedata.normalize("NFC", stripped)


@dataclass(frozen=True)
class IndexedFields:
    """An entry as every engine indexes it: analysed text as space-joined tokens, keywords
    normalised by ``keyword`` (subtype also with ``_`` for spaces and hyphens), ACL tokens as
    they are."""

    version_id: int
    document_id: int
    version: int
    is_latest: bool
    title: str
    filename: str
    tags: str
    content: str
    category: str
    subtype: str | None
    type: str
    tag: list[str]
    product: str | None
    customer: list[str]
    customertype: str | None
    industry: str | None
    region: str | None
    stage: str | None
    status: list[str]
    year: list[int]
    owner: int | None
    team: int | None
    acl: list[str]
    uploaded_at: datetime
    expires_on: date | None
    display_title: str
    display_filename: str
    display_category: str
    digest: str


def entry_digest(entry: IndexEntry) -> str:
    """A fingerprint of everything an entry says (text, metadata, readers): stored with the
    entry, so the integrity check finds entries that no longer match the database."""
    values = asdict(entry)
    values["acl"] = sorted(set(entry.acl))
    values["tags"] = sorted(entry.tags)
    if entry.uploaded_at.tzinfo is not None:  # the database gives naive UTC on SQLite
        values["uploaded_at"] = entry.uploaded_at.astimezone(UTC).replace(tzinfo=None)
    text = json.dumps(values, sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:32]


def entry_fields(entry: IndexEntry) -> IndexedFields:
    """The field values of ``entry``, engine-neutral (the same for Tantivy and Elasticsearch)."""
    return IndexedFields(
        version_id=entry.version_id, document_id=entry.document_id, version=entry.version,
        is_latest=entry.is_latest,
        title=analyze_all([entry.title]),
        filename=analyze_all([_FILENAME_SEPARATORS.sub(" ", entry.filename)]),
        tags=analyze_all(entry.tags),
        content=analyze_all(entry.pages),
        category=keyword(entry.category), subtype=_optional(subtype_keyword, entry.subtype),
        type=file_kind(entry.media_type), tag=sorted({keyword(tag) for tag in entry.tags}),
        product=_optional(keyword, entry.product),
        customer=_names(entry.customer, entry.customer_aliases),
        customertype=_optional(keyword, entry.customer_type),
        industry=_optional(keyword, entry.customer_industry),
        region=_optional(keyword, entry.customer_region),
        stage=_optional(subtype_keyword, entry.customer_stage),
        status=sorted({keyword(entry.status), *entry.freshness}),
        year=sorted(set(entry.years)), owner=entry.owner_id, team=entry.team_id,
        acl=sorted(set(entry.acl)), uploaded_at=entry.uploaded_at, expires_on=entry.expires_on,
        display_title=entry.title, display_filename=entry.filename,
        display_category=entry.category, digest=entry_digest(entry))


def subtype_keyword(value: str) -> str:
    """``Price list`` and ``price-list`` as the domain spells subtypes: ``price_list``."""
    return _SUBTYPE_SEPARATORS.sub("_", keyword(value))


def _names(name: str | None, aliases: Sequence[str]) -> list[str]:
    """The customer's name and other names as ``customer:`` filters match them."""
    return sorted({keyword(value) for value in (name, *aliases) if value}) if name else []


def _optional(normalizer: Callable[[str], str], value: str | None) -> str | None:
    return normalizer(value) if value else None
