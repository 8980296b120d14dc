"""The query language and what a query asks the engine for, engine-neutral.

Syntax: free words, "quoted phrases" (also “Chinese quotes” and 「corner brackets」), -word and
-"phrase" exclusions, and ``field:value`` filters on FILTER_FIELDS (``customer:"Acme Corp"``).
``foo:bar`` with an unknown field stays a free word; an unclosed quote runs to the end.
Free words ``FY24``, ``FY 24``, ``FY2024``, ``2024年``, ``2024财年`` and ``24年`` mean the year
2024; a free word mixing Chinese with other text is split where the script changes
(``2024年价格表`` -> ``2024``, ``价格表``). ``latest``, ``newest``, ``current``, ``最新`` ask for
the newest documents (``wants_latest``) rather than for the word.

Engines turn a parsed query into clauses (``term_clauses``, ``phrase_clauses``): each clause is
one thing the user asked for with the token sequences that satisfy it (as typed, other
spellings of a product code, then its sales synonyms from the synonym file); a sequence of
several tokens is matched as a phrase. The synonym file is read again when it changes on disk,
so an admin's edit applies to the next search without a restart (synonyms.py).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, replace

from docservice.domain import FILTER_FIELDS, SearchQuery, file_kind
from docservice.errors import N_, QuerySyntaxError, QueryTooLong
from docservice.search.analysis import (
    CJK_CHARS,
    analyze,
    code_key,
    has_cjk,
    jieba_words,
    keyword,
    normalize,
    subtype_keyword,
    to_simplified,
)
from docservice.search.crosslang import translations
from docservice.search.spelling import (
    code_variants,
    correct_word,
    is_checkable,
    typo_variants,
)
from docservice.search.synonyms import SynonymTable, TokenRun, synonym_table

_ITEM = re.compile(r"""
    (?P<neg>-)?
    (?:(?P<key>[A-Za-z]+):(?=\S))?
    (?: "(?P<dq>[^"]*)"? | “(?P<cq>[^”]*)”? | 「(?P<bq>[^」]*)」? | 『(?P<wq>[^』]*)』?
      | (?P<word>\S+) )
""", re.VERBOSE)
_YEAR_SUFFIX = r"(?:年度|年|财年|財年)"
# Two-digit years are taken as 2015-2039 only: "10年质保" is ten years of warranty.
_SHORT_YEAR = r"(?:1[5-9]|2\d|3\d)"
_YEAR_WORD = re.compile(rf"(?i)^(?:fy\s?(\d{{2}}|\d{{4}})|(\d{{4}})\s?{_YEAR_SUFFIX}?"
                        rf"|({_SHORT_YEAR})\s?{_YEAR_SUFFIX})$")
_YEAR_IN_CJK = re.compile(rf"(?<!\d)(\d{{4}}|{_SHORT_YEAR})\s?{_YEAR_SUFFIX}")
_SCRIPT_RUNS = re.compile(rf"[{CJK_CHARS}]+|[^{CJK_CHARS}]+")
_VERSION = re.compile(r"(?i)^v?(\d{1,6})$")
_LETTERS_AND_DIGITS = re.compile(r"[^\W\d_]+|\d+")
_FISCAL = re.compile(r"(?i)^fy$")

# Words naming a kind of file: a document of that kind satisfies the word ("a spreadsheet
# with half-year results" finds the workbook that never says "spreadsheet").
_SHEETS = ("xlsx", "xls", "ods", "csv")
_SLIDES = ("pptx", "ppt", "odp")
_MAIL = ("eml", "msg")
_IMAGES = ("png", "jpg", "tiff", "bmp", "gif", "webp", "heic")
FILE_KIND_WORDS: dict[str, tuple[str, ...]] = {
    "spreadsheet": _SHEETS, "excel": _SHEETS, "workbook": _SHEETS, "xlsx": _SHEETS,
    "csv": _SHEETS, "表格": _SHEETS, "电子表格": _SHEETS,
    "powerpoint": _SLIDES, "slide": _SLIDES, "present": _SLIDES, "deck": _SLIDES,
    "pptx": _SLIDES, "ppt": _SLIDES, "幻灯片": _SLIDES, "演示文稿": _SLIDES,
    "email": _MAIL, "mail": _MAIL, "邮件": _MAIL,
    "pdf": ("pdf",), "docx": ("docx", "doc", "odt"),
    "imag": _IMAGES, "photo": _IMAGES, "pictur": _IMAGES, "图片": _IMAGES, "照片": _IMAGES,
}

# What one search may ask: a person types a few words; a pasted page is no search, and would
# cost the engine and the typo expansion seconds and gigabytes.
MAX_QUERY_LENGTH = 500
MAX_QUERY_WORDS = 40
MAX_TYPO_WORDS = 6  # words of one search given typo variants (each is hundreds of tokens)

LATEST_WORDS = frozenset({"latest", "newest", "current", "recent", "最新", "最新版", "最新版本",
                          "最近", "当前", "现行"})
_LATEST_PREFIXES = ("最新版本", "最新版", "最新")



@dataclass(frozen=True)
class Clause:
    """One thing asked for; any of ``alternatives`` satisfies it (the first is as typed), and
    in the forgiving stage any of the single tokens ``variants`` (a typo's neighbours) too."""

    text: str
    alternatives: tuple[TokenRun, ...]
    year: int | None = None
    variants: tuple[str, ...] = ()
    kinds: tuple[str, ...] = ()  # file kinds the word names ("spreadsheet": xlsx, csv, ...)
    translated_from: int | None = None  # alternatives from here on are other languages' words


def parse_query(raw: str, *, all_versions: bool = False, limit: int = 10, offset: int = 0,
                sort: str = "relevance") -> SearchQuery:
    """Parse the search box text. Raises QuerySyntaxError for a malformed year or version,
    QueryTooLong beyond MAX_QUERY_LENGTH characters or MAX_QUERY_WORDS words."""
    check_size(raw)
    terms: list[str] = []
    phrases: list[str] = []
    excluded: list[str] = []
    filters: list[tuple[str, str]] = []
    # NFKC makes full-width quotes, colons and minus signs ASCII (it keeps “” and 「」).
    for match in _ITEM.finditer(unicodedata.normalize("NFKC", raw)):
        negated, key = bool(match["neg"]), (match["key"] or "").lower()
        quoted = _first(match["dq"], match["cq"], match["bq"], match["wq"])
        value = (quoted if quoted is not None else match["word"]).strip()
        if key in FILTER_FIELDS:
            if negated:
                raise QuerySyntaxError(
                    N_("-%(key)s: cannot be negated; filter on the values you want"), key=key)
            if value:
                filters.append((key, filter_value(key, value)))
            continue
        if key:
            value = f"{match['key']}:{value}"
        if not value or (value.endswith(":") and value[:-1].lower() in FILTER_FIELDS):
            continue
        if negated:
            excluded.append(value)
        elif quoted is not None:
            phrases.append(value)
        else:
            terms.extend(split_free_word(value))
    return SearchQuery(terms=_unique(_join_fiscal_years(terms)), phrases=_unique(phrases),
                       excluded=_unique(excluded), filters=tuple(dict.fromkeys(filters)),
                       all_versions=all_versions, limit=limit, offset=offset, sort=sort,
                       raw=raw)


def check_size(raw: str) -> None:
    """Raise QueryTooLong for a search longer than one search may be."""
    if len(raw) > MAX_QUERY_LENGTH:
        raise QueryTooLong(N_("the search is too long: at most %(count)s characters"),
                           count=MAX_QUERY_LENGTH)
    if len(raw.split()) > MAX_QUERY_WORDS:
        raise QueryTooLong(N_("the search has too many words: at most %(count)s words"),
                           count=MAX_QUERY_WORDS)


def split_free_word(word: str) -> list[str]:
    """A free word as search terms: years normalised, Chinese split from other scripts,
    ``最新`` split from what it qualifies."""
    year = year_of(word)
    if year is not None:
        return [str(year)]
    if not has_cjk(word):
        return [word]
    spaced = _YEAR_IN_CJK.sub(lambda match: f" {_full_year(match[1])} ", word)
    runs = [run.strip() for part in spaced.split() for run in _SCRIPT_RUNS.findall(part)]
    return [piece for run in runs if run for piece in _split_latest(str(year_of(run) or run))]


def year_of(word: str) -> int | None:
    """2024 for ``2024``, ``FY24``, ``FY2024``, ``2024年``, ``2024财年``, ``24年``; else None."""
    if word.isdigit() and len(word) == 4 and 1900 <= int(word) <= 2099:
        return int(word)
    match = _YEAR_WORD.match(word.strip())
    if match is None:
        return None
    year = _full_year(match[1] or match[2] or match[3])
    return year if 1900 <= year <= 2099 else None


def wants_latest(terms: Sequence[str]) -> bool:
    """Whether the words ask for the newest documents (``latest price list``, ``最新价格表``)."""
    return any(_is_latest_word(term) for term in terms)


def _is_latest_word(term: str) -> bool:
    return to_simplified(normalize(term)) in LATEST_WORDS


def _split_latest(run: str) -> list[str]:
    """``最新价格表`` -> ``最新``, ``价格表``."""
    for prefix in _LATEST_PREFIXES:
        if run.startswith(prefix) and len(run) > len(prefix):
            return [prefix, run[len(prefix):]]
    return [run]


def _full_year(digits: str) -> int:
    return int(digits) if len(digits) == 4 else 2000 + int(digits)


def _join_fiscal_years(terms: list[str]) -> list[str]:
    """``FY 24`` typed apart is the year 2024."""
    joined: list[str] = []
    for term in terms:
        if joined and _FISCAL.match(joined[-1]) and year_of(f"FY{term}") is not None:
            joined[-1] = str(year_of(f"FY{term}"))
        else:
            joined.append(term)
    return joined


def filter_value(name: str, value: str) -> str:
    """A filter value normalised as the index stores it (see the adapters' field table)."""
    if name == "year":
        year = year_of(value)
        if year is None:
            raise QuerySyntaxError(N_("year:%(value)s is not a year (try year:2024 or year:FY24)"),
                                   value=value)
        return str(year)
    if name == "version":
        match = _VERSION.match(value.strip())
        if match is None:
            raise QuerySyntaxError(N_("version:%(value)s is not a version number (try version:2)"),
                                   value=value)
        return str(int(match[1]))
    if name == "type" and "/" in value:
        return file_kind(value.strip().lower())
    if name in ("subtype", "stage", "customertype"):
        return subtype_keyword(value)
    return keyword(value)


def term_clauses(terms: Sequence[str]) -> list[Clause]:
    """Free terms as clauses; consecutive terms spelling a synonym (``pricing sheet``) join.

    Words asking for the latest documents are no clause of their own (unless alone)."""
    table = synonym_table()
    asked = [term for term in terms if not _is_latest_word(term)] or list(terms)
    words = [piece for term in asked for piece in _split_at_synonyms(term, table)]
    runs = [tuple(analyze(word)) for word in words]
    clauses: list[Clause] = []
    start = 0
    while start < len(words):
        end = _synonym_run_end(runs, start, table)
        tokens = sum(runs[start:end], ())
        if tokens:
            text = " ".join(words[start:end])
            year = year_of(text) if end == start + 1 else None
            spellings = _spellings(words[start], tokens) if end == start + 1 else (tokens,)
            kinds = FILE_KIND_WORDS.get(to_simplified(normalize(text)), ()) or (
                FILE_KIND_WORDS.get(tokens[0], ()) if len(tokens) == 1 else ())
            alternatives, translated_from = _with_translations(spellings, table)
            clauses.append(Clause(text, alternatives, year, kinds=kinds,
                                  variants=_ocr_variants(spellings),
                                  translated_from=translated_from))
        start = end
    return clauses


def code_terms(query: SearchQuery) -> dict[str, frozenset[str]]:
    """When the free text of ``query`` is product codes only (``AX-200-EU``, ``SC2024081``):
    each code's joined form with the tokens it gives; else nothing."""
    if query.phrases or not query.terms:
        return {}
    codes: dict[str, frozenset[str]] = {}
    for term in query.terms:
        tokens = tuple(analyze(term))
        joined = code_key(term) or (tokens[0] if len(tokens) == 1 else None)
        if not joined or not (_has_letter_and_digit(joined) and len(joined) >= 4):
            return {}
        codes[joined] = frozenset(tokens)
    return codes


def _has_letter_and_digit(token: str) -> bool:
    return any(ch.isdigit() for ch in token) and any(ch.isalpha() for ch in token)


def _ocr_variants(spellings: tuple[TokenRun, ...]) -> tuple[str, ...]:
    """A product code's one-character OCR misreadings (``ax200eu``: ``ax20eu``, ``ax2o0eu``),
    matched in every stage at the variant weight: a scan whose code was misread is found,
    below every document with the code as typed."""
    joined = [run[0] for run in spellings if len(run) == 1]
    return code_variants(joined[-1]) if joined else ()


def phrase_clauses(phrases: Sequence[str]) -> list[Clause]:
    """Quoted phrases as clauses (a phrase that is a synonym finds its synonyms too)."""
    table = synonym_table()
    clauses = []
    for phrase in phrases:
        tokens = tuple(analyze(phrase))
        if tokens:
            alternatives, translated_from = _with_translations((tokens,), table)
            clauses.append(Clause(phrase, alternatives, translated_from=translated_from))
    return clauses


def loose_clauses(terms: Sequence[str], phrases: Sequence[str], *, variants: bool = True
                  ) -> list[Clause]:
    """What the forgiving stage asks for when the strict query found nothing: the words of
    quoted phrases and of hyphenated words (not product codes) as free words, words a letter
    or two off the sales vocabulary corrected (``pricng sheet`` -> ``pricing sheet``, then its
    synonyms), a long Chinese word cut into its words (``团队知识库`` -> ``团队``, ``知识库``),
    and, with ``variants``, other words matched by the tokens of their typo variants (the
    first MAX_TYPO_WORDS such words only)."""
    words = [word for text in (*terms, *phrases) for word in _loose_words(text)]
    vocabulary = synonym_table().words
    loose: list[Clause] = []
    typo_budget = MAX_TYPO_WORDS if variants else 0
    for clause in term_clauses(corrected_terms(words)):
        if len(clause.alternatives) == 1 and has_cjk(clause.text) and len(clause.text) > 2:
            loose.extend(term_clauses(cjk_words(clause.text)))
        elif typo_budget and clause.text not in vocabulary and " " not in clause.text \
                and is_checkable(normalize(clause.text)):
            typo_budget -= 1
            loose.append(replace(clause, variants=typo_variants(clause.text)))
        else:
            loose.append(clause)
    return loose


def _loose_words(text: str) -> list[str]:
    """Free-word terms of ``text``; ``anti-bribary`` apart, ``AX-300`` kept whole."""
    terms = [term for word in text.split() for term in split_free_word(word)]
    return [part for term in terms for part in (
        term.split("-") if "-" in term and not any(ch.isdigit() for ch in term) else [term])
        if part]


def corrected_terms(terms: Sequence[str]) -> list[str]:
    """Terms with each word one or two letters off a word of the sales vocabulary corrected."""
    vocabulary = synonym_table().words
    return [correct_word(term, vocabulary) or term for term in terms]


def cjk_words(text: str) -> list[str]:
    """A Chinese run cut into words by jieba (as is when jieba is not installed)."""
    try:
        return [word for word in jieba_words(text) if word.strip()]
    except ImportError:
        return [text]


def excluded_runs(excluded: Sequence[str]) -> list[TokenRun]:
    """Token sequences of the -exclusions (no synonyms: -quote must not hide price lists)."""
    return [run for run in (tuple(analyze(text)) for text in excluded) if run]


def expand_synonyms(text: str) -> tuple[TokenRun, ...]:
    """Token sequences of ``text`` and of its sales synonyms (``text`` first)."""
    return _alternatives((tuple(analyze(text)),), synonym_table())


def _alternatives(spellings: tuple[TokenRun, ...], table: SynonymTable
                  ) -> tuple[TokenRun, ...]:
    """The spellings of what was typed, then its synonyms (no run twice)."""
    group = table.group_of.get(spellings[0])
    synonyms = table.groups[group] if group is not None else ()
    return tuple(dict.fromkeys((*spellings, *synonyms)))


def _with_translations(spellings: tuple[TokenRun, ...], table: SynonymTable
                       ) -> tuple[tuple[TokenRun, ...], int | None]:
    """The alternatives of what was typed (``_alternatives``) followed by its words in the
    other languages of the sales vocabulary (crosslang.py: of the typed spellings only, not of
    their synonyms), and where those start (None: there are none)."""
    alternatives = _alternatives(spellings, table)
    foreign = tuple(run for run in translations(spellings) if run not in alternatives)
    if not foreign:
        return alternatives, None
    return (*alternatives, *foreign), len(alternatives)


def _spellings(word: str, tokens: TokenRun) -> tuple[TokenRun, ...]:
    """``tokens`` of one typed word and the other ways documents may write it: a product code
    by its joined form (``AX200-EU`` finds ``AX-200-EU``), letters glued to digits also apart
    (``ax200`` finds ``AX 200``)."""
    code = code_key(word)
    if code is not None:
        return (tokens, (code,))
    if len(tokens) == 1 and not has_cjk(tokens[0]):
        parts = _LETTERS_AND_DIGITS.findall(tokens[0])
        if len(parts) > 1:
            return (tokens, tuple(analyze(" ".join(parts))))
    return (tokens,)


def _synonym_run_end(runs: Sequence[TokenRun], start: int, table: SynonymTable) -> int:
    """End of the longest run of terms from ``start`` that spells a synonym (else start+1)."""
    for end in range(min(len(runs), start + table.longest), start + 1, -1):
        if sum(runs[start:end], ()) in table.group_of:
            return end
    return start + 1


def _split_at_synonyms(term: str, table: SynonymTable) -> list[str]:
    """A Chinese synonym inside a longer term stands alone: 产品价格表 -> 产品, 价格表."""
    if not term or not has_cjk(term):
        return [term] if term else []
    text = to_simplified(normalize(term))
    if text in table.cjk_members:
        return [term]
    for member in table.cjk_members:
        at = text.find(member)
        if at >= 0:
            return [*_split_at_synonyms(text[:at], table), member,
                    *_split_at_synonyms(text[at + len(member):], table)]
    return [term]


def _first(*values: str | None) -> str | None:
    return next((value for value in values if value is not None), None)


def _unique(values: Sequence[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(values))
