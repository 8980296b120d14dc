"""What to offer next to the results: "did you mean" and broader queries, engine-neutral.

"Did you mean" looks only at text the caller was shown (the best hits' titles, file names and
pages), so it never reveals a document the caller cannot read: a typed word that none of
them holds is replaced by the nearest word they do hold, or else by the nearest word of the
sales vocabulary (the synonym file). Broader queries, for a search without hits, drop what
narrows it: the quotes of phrases, then exclusions, then filters; the use case offers the
first that finds something.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from docservice.domain import SearchQuery
from docservice.search.query import MAX_TYPO_WORDS, term_clauses
from docservice.search.snippets import clause_occurs
from docservice.search.spelling import closest_word, correct_word, is_checkable
from docservice.search.synonyms import synonym_table

TEXT_PER_HIT = 50_000


def spelling_suggestion(query: SearchQuery, texts: Sequence[str]) -> str | None:
    """The raw query with its mistyped words corrected, or None when nothing needs it.

    A word counts as found when any of ``texts`` holds it anywhere; the nearest word is looked
    for in the first ``TEXT_PER_HIT`` characters of each (where a reader looks first). Only
    the first MAX_TYPO_WORDS words that may be typos are looked at: bounded work per search."""
    corrections: dict[str, str] = {}
    checkable = [term for term in query.terms if is_checkable(term.lower())]
    for term in checkable[:MAX_TYPO_WORDS]:
        if any(clause_occurs(clause, text) for clause in term_clauses([term])
               for text in texts):
            continue
        sample = "\n".join(text[:TEXT_PER_HIT] for text in texts)
        better = closest_word(term, sample) or correct_word(term, synonym_table().words)
        if better:
            corrections[term] = better
    if not corrections:
        return None
    return _replace_words(query.raw, corrections)


def broader_queries(query: SearchQuery) -> list[str]:
    """Queries asking for less than ``query``, the least change first (none may be left)."""
    candidates = []
    if query.phrases:
        candidates.append(_render(query, quoted=False))
    if query.excluded:
        candidates.append(_render(query, quoted=False, excluded=False))
    if query.filters:
        candidates.append(_render(query, quoted=False, excluded=False, filters=False))
    original = _render(query)
    return [text for text in dict.fromkeys(candidates) if text.strip() and text != original]


def _render(query: SearchQuery, *, quoted: bool = True, excluded: bool = True,
            filters: bool = True) -> str:
    parts = list(query.terms)
    parts += [f'"{phrase}"' if quoted else phrase for phrase in query.phrases]
    if excluded:
        parts += [f'-"{text}"' if " " in text else f"-{text}" for text in query.excluded]
    if filters:
        parts += [f'{name}:"{value}"' if " " in value else f"{name}:{value}"
                  for name, value in query.filters]
    return " ".join(parts)


def _replace_words(raw: str, corrections: dict[str, str]) -> str:
    for typed, better in corrections.items():
        raw = re.sub(rf"(?i)(?<![\w-]){re.escape(typed)}(?![\w-])", better, raw)
    return raw
