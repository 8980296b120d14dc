"""The page a query matches best and a highlighted window of it.

Pages are first screened with plain substring tests on lower-cased text (the literals any
match must contain: stem prefixes, numbers, Chinese strings in simplified and traditional
spellings, Latin also in full width); only the few pages that pass are analysed with the index
rules, and of those only windows around the literals, so what is marked is what the engine
matched: ``contracts`` marks ``Contract``, ``價格表`` marks ``价格表``, ``ax200`` marks
``AX-200-EU``. Typical cost on a 3 MB book of
600 pages: 1-5 ms.
"""

from __future__ import annotations

import html
import itertools
import re
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from docservice.domain import SearchQuery
from docservice.search.analysis import analyze_spans, has_cjk, simplified_to_traditional
from docservice.search.query import Clause, loose_clauses, phrase_clauses, term_clauses

PAGES_TO_VERIFY = 3
MAX_FULL_PASSES = 5
MAX_VARIANTS = 16
WINDOW = 160  # characters analysed on each side of where a clause's literal occurs
LONG_PAGE = 2 * WINDOW  # characters; beyond, only windows around the literals are analysed
MAX_WINDOWS = 6
_FULL_WIDTH = {code: code + 0xFEE0 for code in range(0x21, 0x7F)}

_LEADING_RUN = re.compile(r"[^\W\d_]+|\d+")
_SPACES = re.compile(r"\s+")
_SPACE = re.compile(r"\s")


@dataclass(frozen=True)
class _Match:
    clause: int
    start: int
    end: int
    as_typed: bool


def best_snippet(pages: Sequence[str], query: SearchQuery,
                 max_chars: int = 240) -> tuple[str, int | None]:
    """(HTML snippet with ``<mark>`` around matches, 1-based page) for the best page; see
    :class:`Snippets`, which to prefer when several documents answer one query."""
    return Snippets(query, max_chars).best(pages)


class Snippets:
    """The snippets of one query: its clauses and their screens worked out once, then
    :meth:`best` per document."""

    def __init__(self, query: SearchQuery, max_chars: int = 240) -> None:
        self.max_chars = max_chars
        self.clauses = _Clauses(term_clauses(query.terms) + phrase_clauses(query.phrases))
        self._query = query
        self._forgiving: _Clauses | None = None

    @property
    def forgiving(self) -> _Clauses:
        """The words as the forgiving search stage asks for them (made when first needed)."""
        if self._forgiving is None:
            self._forgiving = _Clauses(loose_clauses(self._query.terms, self._query.phrases,
                                                     variants=False))
        return self._forgiving

    def best(self, pages: Sequence[str]) -> tuple[str, int | None]:
        """(HTML snippet, 1-based page) of the best page: the one matching the most clauses
        (terms, phrases; as typed counts more than by a synonym), the earliest of equals.
        When no page has every clause, the words are tried as the forgiving search stage
        asks for them too (phrase words apart, vocabulary typos corrected), and the better
        share of clauses matched wins. Without any match: the start of page 1 and None."""
        clauses = self.clauses
        best = _best_page(pages, clauses)
        if clauses.items and (best is None or best[0] < len(clauses.items)):
            forgiving = self.forgiving
            other = _best_page(pages, forgiving)
            if other and (best is None or other[0] / len(forgiving.items)
                          > best[0] / len(clauses.items)):
                best = other
        if best is None:
            return _window(pages[0] if pages else "", [], 0, self.max_chars), None
        _found, number, matches = best
        return _window(pages[number], matches, _best_window_start(matches, self.max_chars),
                       self.max_chars), number + 1

    def spans(self, text: str) -> tuple[tuple[int, int], ...]:
        """Every ``[start, end)`` span of ``text`` (a title, a whole page) matching a clause
        of the query, by the index's analysis (``pricing`` marks ``Price``, ``价格表`` marks
        ``價格表``), overlapping spans merged. Text failing the substring screen is not
        analysed."""
        clauses = self.clauses
        if not clauses.items or not _screen(text, clauses.screens):
            return ()
        merged: list[tuple[int, int]] = []
        for match in _matches_in(text, clauses.items, 0):
            if merged and match.start <= merged[-1][1]:
                merged[-1] = (merged[-1][0], max(merged[-1][1], match.end))
            else:
                merged.append((match.start, match.end))
        return tuple(merged)


def clause_occurs(clause: Clause, text: str) -> bool:
    """Whether ``text`` may hold ``clause`` (its literals occur; no analysis: a quick screen)."""
    return _screen(text, [_clause_screen(clause)]) == 1


class _Clauses:
    """Clauses with their substring screens."""

    def __init__(self, items: Sequence[Clause]) -> None:
        self.items = list(items)
        self.screens = [_clause_screen(clause) for clause in self.items]


def _best_page(pages: Sequence[str], clauses: _Clauses
               ) -> tuple[float, int, list[_Match]] | None:
    best: tuple[float, int, list[_Match]] | None = None
    for number in _pages_to_verify(pages, clauses):
        matches = _matches(pages[number], clauses)
        score = _score(matches)
        if score and (best is None or score > best[0]):
            best = (score, number, matches)
        if score == len(clauses.items):
            break
    return best


def _pages_to_verify(pages: Sequence[str], clauses: _Clauses) -> Iterator[int]:
    """Pages worth analysing, by a substring screen: those passing every clause's screen in
    page order (a few at most), then the few passing the most."""
    screens = clauses.screens
    if not screens:
        return
    partial: list[tuple[int, int]] = []
    full = 0
    for number, page in enumerate(pages):
        passed = _screen(page, screens)
        if passed == len(screens):
            yield number
            full += 1
            if full == MAX_FULL_PASSES:
                return
        elif passed:
            partial.append((-passed, number))
    for _passed, number in sorted(partial)[:PAGES_TO_VERIFY]:
        yield number


# A clause's screen: its alternatives, each a set of literals that must all occur, each
# literal given as its spellings (simplified/traditional Chinese, ASCII/full-width Latin).
_Spellings = tuple[str, ...]
_ClauseScreen = tuple[tuple[_Spellings, ...], ...]


def _screen(page: str, screens: Sequence[_ClauseScreen]) -> int:
    """How many clauses may match ``page``."""
    lowered = page.lower()
    ascii_only = page.isascii()
    return sum(1 for alternatives in screens if any(
        all(_occurs(spellings, lowered, ascii_only) for spellings in alternative)
        for alternative in alternatives))


def _occurs(spellings: _Spellings, lowered: str, ascii_only: bool) -> bool:
    if ascii_only:  # the first spelling is the only ASCII one, if any
        return spellings[0].isascii() and spellings[0] in lowered
    return any(spelling in lowered for spelling in spellings)


def _clause_screen(clause: Clause) -> _ClauseScreen:
    return tuple(dict.fromkeys(_run_screen(run) for run in clause.alternatives))


def _run_screen(run: Sequence[str]) -> tuple[_Spellings, ...]:
    """The literals any text analysed to ``run`` contains, with their spellings."""
    latin = {_token_literal(token) for token in run if not has_cjk(token)}
    literals: list[_Spellings] = [(literal, literal.translate(_FULL_WIDTH))
                                  for literal in sorted(latin)]
    literals.extend(_traditional_spellings(text) for text in _cjk_strings(run))
    return tuple(literals)


def _token_literal(token: str) -> str:
    """A prefix every word analysed to ``token`` starts with (stems change the last letters)."""
    if token.isalpha() and token.isascii():  # y -> i, e added or changed: the last letter
        return token[:-1] if len(token) > 2 else token
    leading = _LEADING_RUN.match(token)
    return leading.group() if leading else token


def _cjk_strings(run: Sequence[str]) -> list[str]:
    """Chains of overlapping CJK bigrams joined back into text: 价格 格表 -> 价格表."""
    strings: list[str] = []
    for token in run:
        if not has_cjk(token):
            continue
        if strings and len(token) == 2 and strings[-1][-1] == token[0]:
            strings[-1] += token[1]
        else:
            strings.append(token)
    return strings


def _traditional_spellings(text: str) -> _Spellings:
    variants = simplified_to_traditional()
    choices = [variants.get(ch, ch) for ch in text]
    return tuple("".join(chars)
                 for chars in itertools.islice(itertools.product(*choices), MAX_VARIANTS))


def _matches(page: str, clauses: _Clauses) -> list[_Match]:
    """Where on ``page`` each clause matches, by the index's own analysis. Beyond a short
    page, only the text around where the clauses' literals occur is analysed."""
    if len(page) <= LONG_PAGE:
        return _matches_in(page, clauses.items, 0)
    return [match for start, end in _windows(page, clauses)
            for match in _matches_in(page[start:end], clauses.items, start)]


def _windows(page: str, clauses: _Clauses) -> list[tuple[int, int]]:
    """Spans of ``page`` around the first occurrences of the clauses' literals, merged."""
    lowered = page.lower()
    found: list[int] = []
    for screen in clauses.screens:
        for alternative in screen:
            for spellings in alternative:
                for spelling in spellings:
                    at = lowered.find(spelling)
                    while at >= 0 and len(found) < MAX_WINDOWS * 8:
                        found.append(at)
                        at = lowered.find(spelling, at + len(spelling))
    windows: list[tuple[int, int]] = []
    for at in sorted(found):
        start, end = _word_start(page, max(0, at - WINDOW), at), min(len(page), at + WINDOW)
        if windows and start <= windows[-1][1]:
            windows[-1] = (windows[-1][0], max(end, windows[-1][1]))
        elif len(windows) < MAX_WINDOWS:
            windows.append((start, end))
    return windows


def _matches_in(page: str, clauses: Sequence[Clause], offset: int) -> list[_Match]:
    spans = [(token, start + offset, end + offset) for token, start, end in analyze_spans(page)]
    tokens = [token for token, _start, _end in spans]
    positions: dict[str, list[int]] = {}
    for at, token in enumerate(tokens):
        positions.setdefault(token, []).append(at)
    matches: list[_Match] = []
    for number, clause in enumerate(clauses):
        for alternative, run in enumerate(clause.alternatives):
            for at in positions.get(run[0], ()):
                if tuple(tokens[at:at + len(run)]) == run:
                    end = spans[at + len(run) - 1][2]
                    matches.append(_Match(number, spans[at][1], end, alternative == 0))
    return sorted(matches, key=lambda match: (match.start, -match.end))


def _score(matches: Sequence[_Match]) -> float:
    """Clauses matched, a clause found only through a synonym counting half."""
    best: dict[int, float] = {}
    for match in matches:
        best[match.clause] = max(best.get(match.clause, 0.0), 1.0 if match.as_typed else 0.5)
    return sum(best.values())


def _best_window_start(matches: Sequence[_Match], max_chars: int) -> int:
    """Start of the first match of the window of ``max_chars`` holding the most clauses."""
    best_start, best_count = matches[0].start, 0
    inside: Counter[int] = Counter()
    last = 0
    for first, match in enumerate(matches):
        last = max(last, first)
        while last < len(matches) and matches[last].end <= match.start + max_chars:
            inside[matches[last].clause] += 1
            last += 1
        if len(inside) > best_count:
            best_start, best_count = match.start, len(inside)
        if last > first:
            inside[match.clause] -= 1
            if not inside[match.clause]:
                del inside[match.clause]
    return best_start


def _window(page: str, matches: Sequence[_Match], first_match: int, max_chars: int) -> str:
    """HTML of about ``max_chars`` characters around ``first_match``, matches marked."""
    lead = max_chars // 4
    start = 0 if first_match <= lead else _word_start(page, first_match - lead, first_match)
    end = min(len(page), start + max_chars)
    if end < len(page):
        end = _word_end(page, start, end)
    parts = ["…" if start > 0 else ""]
    cursor = start
    for match in matches:
        if match.end <= cursor or match.start >= end:
            continue
        low, high = max(match.start, cursor), min(match.end, end)
        parts.append(_text(page[cursor:low]))
        parts.append(f"<mark>{_text(page[low:high])}</mark>")
        cursor = high
    parts.append(_text(page[cursor:end]))
    parts.append("…" if end < len(page) else "")
    return "".join(parts).strip()


def _word_start(page: str, at: int, limit: int) -> int:
    """``at`` moved forward past a cut word (not past ``limit``; CJK has no spaces)."""
    space = _SPACE.search(page, at, min(limit, at + 20))
    return at if space is None else space.end()


def _word_end(page: str, start: int, end: int) -> int:
    """``end`` moved back to the end of the last whole word."""
    cut = max(start, end - 20)
    spaces = [space.start() for space in _SPACE.finditer(page, cut, end)]
    return spaces[-1] if spaces and spaces[-1] > start else end


def _text(raw: str) -> str:
    return html.escape(_SPACES.sub(" ", raw))
