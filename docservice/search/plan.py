"""What a search asks of any engine, before an adapter writes it in the engine's own terms.

The Tantivy and the Elasticsearch/OpenSearch adapters both build their queries from a
``QueryPlan`` and these weights, so that they match and rank alike: text fields boosted,
sales synonyms a little below the words typed (a clause scores by its best alternative, so
synonyms do not add up), a year asked for and a file kind named worth a constant score,
words typed next to each other found so (and phrases, once only asked for) worth a bonus,
latest versions only (or first), filters on one field alternatives and on different fields
all required.

A search runs in stages, each tried only when the ones before found little (fewer than
``FEW_HITS`` entries, or nothing when sorting by date); the hits of a later stage follow those
of the earlier ones, each hit tagged with its stage (``extra["tier"]``, 0 = every word as
typed) so that re-ranking keeps better matches first:
1. strict: every clause (free word, synonym, phrase) required as typed;
2. loose: every clause of ``query.loose_clauses`` required: phrases as words (phrase matches
   still first), typos corrected toward the sales vocabulary, long Chinese words cut into
   words; then, while nothing at all was found, each word also matched by its one-edit
   variants (fuzzy);
3. relaxed: any of those clauses, documents matching more of them first (fuzzy again only
   while nothing was found).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any, TypeVar

from docservice.domain import CURRENT, STALE_STATUSES, SearchHit, SearchQuery
from docservice.search.query import (
    Clause,
    TokenRun,
    excluded_runs,
    loose_clauses,
    phrase_clauses,
    term_clauses,
)

T = TypeVar("T")

TEXT_BOOSTS = {"title": 4.0, "filename": 3.0, "tags": 3.0, "content": 1.0}
KEYWORD_FIELDS = ("category", "subtype", "type", "tag", "product", "customer", "customertype",
                  "industry", "region", "stage", "status")
INT_FIELDS = ("year", "version", "owner", "team")
SYNONYM_WEIGHT = 0.8
CROSSLANG_WEIGHT = 0.5  # another language's word for a sales term (crosslang.py)
YEAR_SCORE = 2.0
KIND_SCORE = 1.0  # a document of the file kind a word names ("spreadsheet")
VARIANT_WEIGHT = 0.3  # a word one edit away from a typed word, per field boost
ALTERNATIVE_TIE_BREAKER = 0.1  # a clause scores by its best alternative, others add a tenth
NEARBY_WEIGHT = 0.5  # per pair of typed words found next to each other
NEARBY_FIELDS = ("title", "content")
PHRASE_WEIGHT = 4.0  # in the loose stages a quoted phrase found as typed ranks first
FEW_HITS = 3  # a stage finding fewer entries is followed by the next
TIER = "tier"  # SearchHit.extra key: the stage that found the hit
STAGE_NAMES = ("strict", "loose", "fuzzy", "relaxed", "relaxed fuzzy")
LATEST_BONUS = 1000.0  # with all versions, every latest version ranks above older ones
FACET_SIZE = 50
# Each text field has a twin holding its adjacent token pairs ("a b c": "a+b b+c", at the
# positions of a and b): an exact phrase of two tokens is one term there, a longer one a
# phrase of pairs; the same matches as a phrase of tokens at a fraction of the cost, pairs
# being rare where single tokens are common.
PAIRS = "_pairs"  # suffix of the twin's name
PAIR_JOIN = "\u2063"  # joins a pair's tokens; analysis never makes a token holding it


@dataclass(frozen=True)
class Stage:
    """One attempt at the query: its clauses (all required, or any), and token runs whose
    presence (words within ``slop`` positions) adds ``weight`` times a phrase score."""

    name: str
    clauses: tuple[Clause, ...]
    every: bool
    bonus_runs: tuple[tuple[TokenRun, int, float], ...] = ()
    fuzzy: bool = False  # typo variants: tried only while nothing at all was found (a word
    # some entry has is no typo, and its one-edit neighbours would only add noise)


class QueryPlan:
    """A SearchQuery analysed into clauses, exclusions and grouped filters, with the ACL."""

    def __init__(self, query: SearchQuery, acl_tokens: Sequence[str] | None) -> None:
        self.query = query
        self.acl_tokens = acl_tokens
        self.terms = term_clauses(query.terms)
        self.phrases = phrase_clauses(query.phrases)
        self.excluded = excluded_runs(query.excluded)

    @property
    def by_date(self) -> bool:
        """Newest first when asked, and when there is nothing to rank by (only filters)."""
        return self.query.sort == "date" or not (self.terms or self.phrases)

    def stages(self, staged: StagedHits) -> Iterator[tuple[int, Stage]]:
        """(tier, stage) to run in order while ``staged`` has too few hits (see the module
        doc); the typo-variant stages only while it has none. Filters and ACL apply to all."""
        strict = Stage("strict", (*self.terms, *self.phrases), every=True,
                       bonus_runs=_nearby(self.terms))
        yield 0, strict
        if not strict.clauses or staged.enough:
            return
        loose = tuple(loose_clauses(self.query.terms, self.query.phrases, variants=False))
        bonus = (*((clause.alternatives[0], 0, PHRASE_WEIGHT) for clause in self.phrases
                   if len(clause.alternatives[0]) > 1), *_nearby(loose))
        tried = [strict]
        for tier, every, fuzzy in ((1, True, False), (2, True, True), (3, False, False),
                                   (4, False, True)):
            if staged.enough or (fuzzy and staged.total) or (not every and len(loose) < 2):
                continue
            clauses = tuple(loose_clauses(self.query.terms, self.query.phrases)
                            ) if fuzzy else loose
            stage = Stage(STAGE_NAMES[tier], clauses, every, bonus, fuzzy)
            if all(stage.clauses != seen.clauses or stage.every != seen.every
                   for seen in tried):  # the same as a stage before: nothing new to find
                tried.append(stage)
                yield tier, stage

    @property
    def window(self) -> int:
        """How many hits each stage fetches: the requested page and all before it."""
        return max(self.query.offset + self.query.limit, 1)

    def alternatives(self, clause: Clause) -> list[list[tuple[TokenRun, str, float]]]:
        """Per alternative of ``clause`` (typed first, then synonyms), its run per text field
        with the boost: a clause scores by its best alternative (fields of one add up)."""
        return [[(run, field, boost * _weight(clause, number))
                 for field, boost in TEXT_BOOSTS.items()]
                for number, run in enumerate(clause.alternatives)]

    def filter_values(self) -> dict[str, list[Any]]:
        """Wanted values per filtered field (ints for the integer fields); ``status:current``
        is no value but the absence of the stale ones (``unwanted_values``)."""
        values: dict[str, list[Any]] = {}
        for name, value in self.query.filters:
            if (name, value) != ("status", CURRENT):
                values.setdefault(name, []).append(int(value) if name in INT_FIELDS else value)
        return values

    def unwanted_values(self) -> dict[str, list[str]]:
        """Values no hit may hold, per field: ``status:current`` leaves out the overdue, the
        expired and the terminated."""
        if ("status", CURRENT) in self.query.filters:
            return {"status": list(STALE_STATUSES)}
        return {}


def _weight(clause: Clause, number: int) -> float:
    """The weight of a clause's ``number``-th alternative: as typed, synonym, translation."""
    if number == 0:
        return 1.0
    if clause.translated_from is not None and number >= clause.translated_from:
        return CROSSLANG_WEIGHT
    return SYNONYM_WEIGHT


class StagedHits:
    """The hits of the stages run so far: earlier stages' first, each entry once, tagged with
    the stage that found it."""

    def __init__(self, plan: QueryPlan) -> None:
        self.plan = plan
        self.hits: list[SearchHit] = []
        self.total = 0
        self.skipped = 0  # hits of the first stage before ``hits`` (not fetched)
        self._seen: set[int] = set()

    def add(self, tier: int, hits: Sequence[SearchHit], total: int, skipped: int = 0) -> None:
        if skipped:
            self.skipped = skipped
        for hit in hits:
            if hit.version_id not in self._seen:
                self._seen.add(hit.version_id)
                hit.extra[TIER] = tier  # the adapter's own new hit: tagged, not copied
                self.hits.append(hit)
        self.total = max(self.total, total, self.skipped + len(self.hits))

    @property
    def enough(self) -> bool:
        """Whether the next stages may stay untried."""
        return self._enough(self.total)

    def _enough(self, total: int) -> bool:
        return total >= (1 if self.plan.by_date else FEW_HITS)

    def page(self) -> list[SearchHit]:
        start = self.plan.query.offset - self.skipped
        return self.hits[start:start + self.plan.query.limit]


Fetched = tuple[list[SearchHit], int, T]  # one page of a stage's hits, its total, the answer


def run_stages(plan: QueryPlan, fetch: Callable[[Stage, int, int], Fetched[T]]
               ) -> tuple[StagedHits, T]:
    """Run ``plan``'s stages while they find little; ``fetch(stage, offset, limit)`` asks the
    engine. The first stage is asked straight for the page (a deep page costs no more than
    the first; most searches end there); when it finds too little, it is asked again from
    the start and the later stages' hits follow its own. Returns the hits and the engine's
    last answer (its facets)."""
    staged = StagedHits(plan)
    answer: T | None = None
    for tier, stage in plan.stages(staged):
        offset = plan.query.offset if tier == 0 else 0
        hits, total, answer = fetch(stage, offset, plan.window - offset)
        if offset and not staged._enough(total):  # later stages follow: fetch it whole
            offset = 0
            hits, total, answer = fetch(stage, 0, plan.window)
        staged.add(tier, hits, total, offset)
    assert answer is not None  # the first stage always runs
    return staged, answer


def _nearby(clauses: Sequence[Clause]) -> tuple[tuple[TokenRun, int, float], ...]:
    """Each typed word next to the following one, as typed: a document saying "support plan
    renewal" ranks above one with the three words scattered. (Adjacent pairs rather than one
    run matched with slop: a sloppy phrase over long texts cost more than the rest of the
    search.)"""
    runs = [clause.alternatives[0] for clause in clauses]
    pairs = dict.fromkeys((first[-1], second[0]) for first, second in itertools.pairwise(runs)
                          if first and second)
    return tuple((pair, 0, NEARBY_WEIGHT) for pair in pairs)


def token_pairs(tokens: Sequence[str]) -> list[str]:
    """Each token joined to the next (see ``PAIRS``)."""
    return [first + PAIR_JOIN + second for first, second in itertools.pairwise(tokens)]


def pairs_text(analysed: str) -> str:
    """The pairs twin of an analysed field (tokens joined by spaces)."""
    return " ".join(token_pairs(analysed.split()))


def values(value: Any) -> list[Any]:
    """A field value as a list of values (None: none)."""
    if value is None:
        return []
    return list(value) if isinstance(value, list) else [value]


def facet_key(key: object) -> str:
    """A facet bucket key as text (engines answer numbers as ints or floats)."""
    if isinstance(key, float) and key.is_integer():
        return str(int(key))
    return str(key)


def utc(moment: datetime | date) -> datetime:
    """Naive UTC (naive input is taken as UTC already, as the database stores it)."""
    if not isinstance(moment, datetime):
        return datetime(moment.year, moment.month, moment.day)
    if moment.tzinfo is None:
        return moment
    return moment.astimezone(UTC).replace(tzinfo=None)
