"""What a search asks of any engine, before an adapter writes it in the engine's own terms.

The Tantivy and the Elasticsearch/OpenSearch adapters both build their queries from a
``QueryPlan`` and these weights, so that they match and rank alike: every clause required
(any of them when nothing has them all), text fields boosted, sales synonyms a little below
the words typed, a year asked for worth a constant score, latest versions only (or first),
filters on one field alternatives and on different fields all required.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import UTC, date, datetime
from typing import Any

from docservice.domain import SearchQuery
from docservice.search.query import Clause, TokenRun, excluded_runs, phrase_clauses, term_clauses

TEXT_BOOSTS = {"title": 4.0, "filename": 3.0, "tags": 3.0, "content": 1.0}
KEYWORD_FIELDS = ("category", "subtype", "type", "tag", "product", "customer", "industry",
                  "region", "stage", "status")
INT_FIELDS = ("year", "version", "owner", "team")
SYNONYM_WEIGHT = 0.8
YEAR_SCORE = 2.0
LATEST_BONUS = 1000.0  # with all versions, every latest version ranks above older ones
FACET_SIZE = 50


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

    @property
    def can_relax(self) -> bool:
        """All words are required; if nothing has them all, any of them will do."""
        return len(self.terms) > 1

    def weighted_runs(self, clause: Clause) -> Iterator[tuple[TokenRun, str, float]]:
        """Each token run that satisfies ``clause``, per text field, with its boost."""
        for number, run in enumerate(clause.alternatives):
            weight = 1.0 if number == 0 else SYNONYM_WEIGHT
            for field, boost in TEXT_BOOSTS.items():
                yield run, field, boost * weight

    def filter_values(self) -> dict[str, list[Any]]:
        """Wanted values per filtered field (ints for the integer fields)."""
        values: dict[str, list[Any]] = {}
        for name, value in self.query.filters:
            values.setdefault(name, []).append(int(value) if name in INT_FIELDS else value)
        return values


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
