"""Spelling help, engine-neutral: what a mistyped word may have meant.

Three uses: ``typo_variants`` gives the index tokens of every word one edit away from a typed
word (deleted, inserted, replaced or swapped letter), stemmed like the index, so an engine can
match ``pricng`` to documents saying ``pricing`` with a plain term-set query (the same in
Tantivy and Elasticsearch; fuzzy matching on stems alone misses ``specificaton`` ->
``specification`` whose stem is ``specif``). ``correct_word`` corrects a word toward a known
vocabulary (the sales synonyms). ``closest_word`` picks, for "did you mean", the word of a text
(what the caller can read) nearest to a typed word.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

from docservice.search.analysis import STOP_WORDS, normalize, stem

MIN_TYPO_LENGTH = 5
LETTERS = "abcdefghijklmnopqrstuvwxyz"
_WORD = re.compile(r"[a-z]+")


def is_checkable(word: str) -> bool:
    """Whether ``word`` may be a typo worth correcting: ASCII letters only, five or more."""
    return len(word) >= MIN_TYPO_LENGTH and word.isascii() and word.isalpha()


def max_edits(word: str) -> int:
    """Edits allowed for a typo in ``word``: none under five letters, one up to seven, then two."""
    if len(word) < MIN_TYPO_LENGTH:
        return 0
    return 1 if len(word) <= 7 else 2


@lru_cache(maxsize=4096)
def typo_variants(word: str) -> tuple[str, ...]:
    """Index tokens of the words one edit away from ``word`` (not its own token), sorted."""
    word = normalize(word)
    if not is_checkable(word):
        return ()
    own = stem(word)
    return tuple(sorted({stem(variant) for variant in _one_edit(word)} - {own} - STOP_WORDS))


# What OCR reads one character of a code as: shapes alike in print (0/O/D/Q, 1/l/I/7, 5/S...).
_OCR_CONFUSIONS = ("0odq", "1lit7", "2z", "5s", "6gb", "8b3", "9gq", "ec", "uv", "kx")
_OCR_ALIKE = {ch: "".join(group.replace(ch, "") for group in _OCR_CONFUSIONS if ch in group)
              for group in _OCR_CONFUSIONS for ch in group}
MIN_CODE_LENGTH = 5
MAX_CODE_LENGTH = 24


@lru_cache(maxsize=4096)
def code_variants(joined: str) -> tuple[str, ...]:
    """Tokens of a product code (its joined form, ``ax200eu``) as OCR may have read it: one
    character dropped or read as one alike in print. Codes of letters and digits from five
    to 24 characters only: a shorter one has too many real neighbours."""
    if not (MIN_CODE_LENGTH <= len(joined) <= MAX_CODE_LENGTH and joined.isascii()
            and joined.isalnum() and any(ch.isdigit() for ch in joined)
            and any(ch.isalpha() for ch in joined)):
        return ()
    dropped = {joined[:at] + joined[at + 1:] for at in range(len(joined))}
    misread = {joined[:at] + other + joined[at + 1:]
               for at, ch in enumerate(joined) for other in _OCR_ALIKE.get(ch, "")}
    return tuple(sorted((dropped | misread) - {joined}))


def correct_word(word: str, vocabulary: Iterable[str]) -> str | None:
    """The vocabulary word nearest to ``word`` within its allowed edits (None: none, or
    ``word`` is itself in the vocabulary)."""
    word = normalize(word)
    if not is_checkable(word):
        return None
    words = set(vocabulary)
    if word in words:
        return None
    return _nearest(word, words)


def closest_word(word: str, text: str) -> str | None:
    """The word of ``text`` nearest to ``word`` within its allowed edits and with another stem
    (ties: the more frequent); None when ``text`` holds ``word`` itself or nothing near."""
    word = normalize(word)
    if not is_checkable(word):
        return None
    counts: dict[str, int] = {}
    for found in _WORD.findall(normalize(text)):
        if abs(len(found) - len(word)) <= max_edits(word):
            counts[found] = counts.get(found, 0) + 1
    if word in counts:
        return None
    own = stem(word)
    candidates = {found for found in counts if stem(found) != own}
    return _nearest(word, candidates, counts)


def edit_distance(first: str, second: str, limit: int) -> int:
    """Damerau-Levenshtein distance (adjacent swaps count one), or ``limit + 1`` beyond it."""
    if abs(len(first) - len(second)) > limit:
        return limit + 1
    previous2: list[int] = []
    previous = list(range(len(second) + 1))
    for i, a in enumerate(first, 1):
        current = [i] + [0] * len(second)
        for j, b in enumerate(second, 1):
            cost = 0 if a == b else 1
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and a == second[j - 2] and first[i - 2] == b:
                current[j] = min(current[j], previous2[j - 2] + 1)
        if min(current) > limit:
            return limit + 1
        previous2, previous = previous, current
    return min(previous[-1], limit + 1)


def _nearest(word: str, candidates: Iterable[str], counts: dict[str, int] | None = None
             ) -> str | None:
    limit = max_edits(word)
    best: tuple[int, int, str] | None = None
    for candidate in candidates:
        distance = edit_distance(word, candidate, limit)
        if distance > limit:
            continue
        key = (distance, -(counts or {}).get(candidate, 0), candidate)
        if best is None or key < best:
            best = key
    return best[2] if best else None


def _one_edit(word: str) -> set[str]:
    splits = [(word[:at], word[at:]) for at in range(len(word) + 1)]
    deletes = {left + right[1:] for left, right in splits if right}
    swaps = {left + right[1] + right[0] + right[2:] for left, right in splits if len(right) > 1}
    replaces = {left + letter + right[1:] for left, right in splits if right for letter in LETTERS}
    inserts = {left + letter + right for left, right in splits for letter in LETTERS}
    return deletes | swaps | replaces | inserts
