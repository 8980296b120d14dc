"""The query language and what a query asks the engine for, engine-neutral.

Syntax: free words, "quoted phrases" (also “Chinese quotes” and 「corner brackets」), -word and
-"phrase" exclusions, and ``field:value`` filters on FILTER_FIELDS (``customer:"Acme Corp"``).
``foo:bar`` with an unknown field stays a free word; an unclosed quote runs to the end.
Free words ``FY24``, ``FY2024`` and ``2024年`` mean the year 2024; a free word mixing Chinese
with other text is split where the script changes (``2024年价格表`` -> ``2024``, ``价格表``).

Engines turn a parsed query into clauses (``term_clauses``, ``phrase_clauses``): each clause is
one thing the user asked for with the token sequences that satisfy it (as typed, then its sales
synonyms from ``synonyms.txt``); a sequence of several tokens is matched as a phrase.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from docservice.domain import FILTER_FIELDS, SearchQuery, file_kind
from docservice.errors import QuerySyntaxError
from docservice.search.analysis import (
    CJK_CHARS,
    analyze,
    has_cjk,
    keyword,
    normalize,
    subtype_keyword,
    to_simplified,
)

SYNONYMS_FILE = Path(__file__).with_name("synonyms.txt")

_ITEM = re.compile(r"""
    (?P<neg>-)?
    (?:(?P<key>[A-Za-z]+):(?=\S))?
    (?: "(?P<dq>[^"]*)"? | “(?P<cq>[^”]*)”? | 「(?P<bq>[^」]*)」? | 『(?P<wq>[^』]*)』?
      | (?P<word>\S+) )
""", re.VERBOSE)
_YEAR_WORD = re.compile(r"(?i)^(?:fy\s?(\d{2}|\d{4})|(\d{4})\s?年度?)$")
_YEAR_IN_CJK = re.compile(r"(\d{4})\s?年度?")
_SCRIPT_RUNS = re.compile(rf"[{CJK_CHARS}]+|[^{CJK_CHARS}]+")
_VERSION = re.compile(r"(?i)^v?(\d{1,6})$")

TokenRun = tuple[str, ...]


@dataclass(frozen=True)
class Clause:
    """One thing asked for; any of ``alternatives`` satisfies it (the first is as typed)."""

    text: str
    alternatives: tuple[TokenRun, ...]
    year: int | None = None


@dataclass(frozen=True)
class SynonymTable:
    groups: tuple[tuple[TokenRun, ...], ...]
    group_of: dict[TokenRun, int]
    cjk_members: tuple[str, ...]
    longest: int


def parse_query(raw: str, *, all_versions: bool = False, limit: int = 10, offset: int = 0,
                sort: str = "relevance") -> SearchQuery:
    """Parse the search box text. Raises QuerySyntaxError for a malformed year or version."""
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
                raise QuerySyntaxError(f"-{key}: cannot be negated; filter on the values you want")
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
    return SearchQuery(terms=_unique(terms), phrases=_unique(phrases), excluded=_unique(excluded),
                       filters=tuple(dict.fromkeys(filters)), all_versions=all_versions,
                       limit=limit, offset=offset, sort=sort, raw=raw)


def split_free_word(word: str) -> list[str]:
    """A free word as search terms: years normalised, Chinese split from other scripts."""
    year = year_of(word)
    if year is not None:
        return [str(year)]
    if not has_cjk(word):
        return [word]
    spaced = _YEAR_IN_CJK.sub(r" \1 ", word)
    runs = [run.strip() for part in spaced.split() for run in _SCRIPT_RUNS.findall(part)]
    return [str(year_of(run) or run) for run in runs if run]


def year_of(word: str) -> int | None:
    """2024 for ``2024``, ``FY24``, ``FY2024``, ``2024年``; None for anything else."""
    if word.isdigit() and len(word) == 4 and 1900 <= int(word) <= 2099:
        return int(word)
    match = _YEAR_WORD.match(word.strip())
    if match is None:
        return None
    digits = match[1] or match[2]
    return int(digits) if len(digits) == 4 else 2000 + int(digits)


def filter_value(name: str, value: str) -> str:
    """A filter value normalised as the index stores it (see the adapters' field table)."""
    if name == "year":
        year = year_of(value)
        if year is None:
            raise QuerySyntaxError(f"year:{value} is not a year (try year:2024 or year:FY24)")
        return str(year)
    if name == "version":
        match = _VERSION.match(value.strip())
        if match is None:
            raise QuerySyntaxError(f"version:{value} is not a version number (try version:2)")
        return str(int(match[1]))
    if name == "type" and "/" in value:
        return file_kind(value.strip().lower())
    if name == "subtype":
        return subtype_keyword(value)
    return keyword(value)


def term_clauses(terms: Sequence[str]) -> list[Clause]:
    """Free terms as clauses; consecutive terms spelling a synonym (``pricing sheet``) join."""
    table = synonym_table()
    words = [piece for term in terms for piece in _split_at_synonyms(term, table)]
    runs = [tuple(analyze(word)) for word in words]
    clauses: list[Clause] = []
    start = 0
    while start < len(words):
        end = _synonym_run_end(runs, start, table)
        tokens = sum(runs[start:end], ())
        if tokens:
            text = " ".join(words[start:end])
            year = year_of(text) if end == start + 1 else None
            clauses.append(Clause(text, _alternatives(tokens, table), year))
        start = end
    return clauses


def phrase_clauses(phrases: Sequence[str]) -> list[Clause]:
    """Quoted phrases as clauses (a phrase that is a synonym finds its synonyms too)."""
    table = synonym_table()
    clauses = []
    for phrase in phrases:
        tokens = tuple(analyze(phrase))
        if tokens:
            clauses.append(Clause(phrase, _alternatives(tokens, table)))
    return clauses


def excluded_runs(excluded: Sequence[str]) -> list[TokenRun]:
    """Token sequences of the -exclusions (no synonyms: -quote must not hide price lists)."""
    return [run for run in (tuple(analyze(text)) for text in excluded) if run]


def expand_synonyms(text: str) -> tuple[TokenRun, ...]:
    """Token sequences of ``text`` and of its sales synonyms (``text`` first)."""
    return _alternatives(tuple(analyze(text)), synonym_table())


@cache
def synonym_table(path: Path = SYNONYMS_FILE) -> SynonymTable:
    """The synonym groups of ``path``, analysed (read once per process)."""
    groups: list[tuple[TokenRun, ...]] = []
    cjk_members: list[str] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        members = [m.strip() for m in re.split(r"[,，、]", line.split("#", 1)[0]) if m.strip()]
        runs = tuple(dict.fromkeys(run for run in (tuple(analyze(m)) for m in members) if run))
        if len(runs) > 1:
            groups.append(runs)
            cjk_members.extend(to_simplified(normalize(m)) for m in members if has_cjk(m))
    group_of = {run: number for number, runs in enumerate(groups) for run in runs}
    longest = max((len(run) for run in group_of), default=1)
    return SynonymTable(tuple(groups), group_of, tuple(sorted(set(cjk_members), key=len,
                                                               reverse=True)), longest)


def _alternatives(tokens: TokenRun, table: SynonymTable) -> tuple[TokenRun, ...]:
    group = table.group_of.get(tokens)
    if group is None:
        return (tokens,)
    return (tokens, *(run for run in table.groups[group] if run != tokens))


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
