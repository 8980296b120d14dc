"""Ranking rules applied over the engine's best hits, the same whatever the engine.

The engine ranks by text relevance (fields boosted, synonyms, years asked for) and tags each
hit with the stage that found it (plan.TIER: every word as typed, forgiving, some words).
Over its best ``RERANK_DEPTH`` hits the search use case then applies, within each stage's
hits, what needs the document's dates:

- a document past its expiry date (``expires_on`` before today) is demoted: its score halves;
- a query asking for the latest (``latest``, ``current``, ``最新``) prefers recent documents:
  each year a document is older than the newest candidate costs it a share of its score;
- recency breaks ties: among near-equal scores (within about 1%) the newer document wins;
- a query of product codes only (``AX-200-EU``) puts documents that list a code (a table row,
  a spreadsheet line: the code with other cells or figures) before those that only mention it
  (a mail's subject, a title, a sentence), each group in score order: a short mail with the
  code in its subject outscores a long price list on text alone.

A document's date is the newer of its upload and the latest year it is about (not in the
future), so a price list for 2026 uploaded in December 2025 counts as 2026.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime

from docservice.domain import SearchHit
from docservice.search.analysis import analyze
from docservice.search.plan import TIER

RERANK_DEPTH = 50
EXPIRED_FACTOR = 0.5
LATEST_DECAY_PER_YEAR = 0.6
TIE_BREAK = 0.01
_DAYS_PER_YEAR = 365.25


@dataclass(frozen=True)
class Candidate:
    """A hit with the dates ranking needs."""

    hit: SearchHit
    uploaded_at: datetime
    years: Sequence[int] = ()
    expires_on: date | None = None
    lists_code: bool = False


def rerank(candidates: Sequence[Candidate], *, today: date, latest: bool = False
           ) -> list[SearchHit]:
    """The hits in their final order, scores adjusted (stable for equal scores)."""
    if not candidates:
        return []
    dated = [(candidate, document_date(candidate, today)) for candidate in candidates]
    newest = max(moment for _candidate, moment in dated)
    oldest = min(moment for _candidate, moment in dated)
    span = max((newest - oldest).days, 1)
    scored = []
    for candidate, moment in dated:
        score = candidate.hit.score
        if candidate.expires_on is not None and candidate.expires_on < today:
            score *= EXPIRED_FACTOR
        if latest:
            score *= LATEST_DECAY_PER_YEAR ** ((newest - moment).days / _DAYS_PER_YEAR)
        score *= 1 + TIE_BREAK * (moment - oldest).days / span
        scored.append(replace(candidate.hit, score=score))
    listing = {candidate.hit.version_id for candidate in candidates if candidate.lists_code}
    return sorted(scored, key=lambda hit: (hit.extra.get(TIER, 0),
                                           hit.version_id not in listing, -hit.score))


_MAIL_HEADER = re.compile(r"^(?:subject|from|to|cc|date|sent|re|fw|fwd|主题|发件人|收件人)\s*[:：]",
                          re.IGNORECASE)
_CELLS = re.compile(r"\t|\s\|\s?|\|")
_FIGURE = re.compile(r"\d")
LISTING_SCAN_CHARS = 200_000


def lists_code(pages: Sequence[str], codes: Mapping[str, frozenset[str]]) -> bool:
    """Whether a line of ``pages`` lists one of ``codes`` (joined form, ``ax200eu``, to the
    tokens the code itself gives): the code with other table cells (tab or bar separated),
    or with another figure on a short line, outside mail headers."""
    scanned = 0
    for page in pages:
        for line in page.splitlines():
            scanned += len(line) + 1
            if scanned > LISTING_SCAN_CHARS:
                return False
            if len(line) > 300 or _MAIL_HEADER.match(line):
                continue
            tokens = analyze(line)
            for code, own in codes.items():
                if code in tokens and _is_listing(line, tokens, own):
                    return True
    return False


def _is_listing(line: str, tokens: Sequence[str], own: frozenset[str]) -> bool:
    if len([cell for cell in _CELLS.split(line) if cell.strip()]) >= 2:
        return True
    return any(_FIGURE.search(token) and token not in own for token in tokens)


def document_date(candidate: Candidate, today: date) -> date:
    """The newer of the upload day and 1 January of the latest year the document is about."""
    uploaded = candidate.uploaded_at.date()
    years = [year for year in candidate.years if year <= today.year]
    return max(uploaded, date(max(years), 1, 1)) if years else uploaded
