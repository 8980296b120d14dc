"""A SearchQuery as Tantivy queries: clauses over the text fields, filters, ACL, latest."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import tantivy

from docservice.domain import SearchQuery
from docservice.search.plan import (
    ALTERNATIVE_TIE_BREAKER,
    KIND_SCORE,
    LATEST_BONUS,
    NEARBY_FIELDS,
    PAIRS,
    TEXT_BOOSTS,
    VARIANT_WEIGHT,
    YEAR_SCORE,
    QueryPlan,
    Stage,
    token_pairs,
)
from docservice.search.query import Clause


class TantivyQueryPlan(QueryPlan):
    """The stages of a query built against one index's schema (``pairs``: whether the
    index has the token-pair fields; indexes built before them do not)."""

    def __init__(self, schema: tantivy.Schema, query: SearchQuery,
                 acl_tokens: Sequence[str] | None, *, pairs: bool = True) -> None:
        super().__init__(query, acl_tokens)
        self.schema = schema
        self.pairs = pairs

    def build(self, stage: Stage) -> tantivy.Query:
        must = tantivy.Occur.Must
        parts: list[tuple[tantivy.Occur, tantivy.Query]] = []
        clauses = [self._clause(clause) for clause in stage.clauses]
        if stage.every:
            parts.extend((must, clause) for clause in clauses)
        elif clauses:
            parts.append((must, any_of(clauses)))
        if not parts:
            parts.append((must, tantivy.Query.all_query()))
        parts.extend((tantivy.Occur.Should, tantivy.Query.boost_query(
            self._text_match(run, field, slop), weight * TEXT_BOOSTS[field]))
            for run, slop, weight in stage.bonus_runs for field in NEARBY_FIELDS)
        parts.extend((tantivy.Occur.MustNot, self._text_match(run, field))
                     for run in self.excluded for field in TEXT_BOOSTS)
        parts.extend((must, unscored(query)) for query in self._filters())
        parts.extend((tantivy.Occur.MustNot, tantivy.Query.term_query(self.schema, name, value))
                     for name, unwanted in self.unwanted_values().items() for value in unwanted)
        if self.query.hidden_documents:
            parts.append((tantivy.Occur.MustNot, tantivy.Query.term_set_query(
                self.schema, "document_id", sorted(self.query.hidden_documents))))
        if self.query.only_documents:
            parts.append((must, unscored(tantivy.Query.term_set_query(
                self.schema, "document_id", sorted(self.query.only_documents)))))
        parts.append(self._latest())
        if self.acl_tokens is not None:
            parts.append((must, unscored(self._acl())))
        return tantivy.Query.boolean_query(parts)

    def _clause(self, clause: Clause) -> tantivy.Query:
        """The clause's best alternative (typed, synonym or typo variant) plus the constant
        scores of the year and the file kind it names."""
        best = [any_of([tantivy.Query.boost_query(self._text_match(run, field), boost)
                        for run, field, boost in alternative])
                for alternative in self.alternatives(clause)]
        if clause.variants:
            best.append(any_of([tantivy.Query.const_score_query(tantivy.Query.term_set_query(
                self.schema, field, list(clause.variants)), VARIANT_WEIGHT * boost)
                for field, boost in TEXT_BOOSTS.items()]))
        options = [best[0] if len(best) == 1 else tantivy.Query.disjunction_max_query(
            best, ALTERNATIVE_TIE_BREAKER)]
        if clause.year is not None:
            options.append(tantivy.Query.const_score_query(
                tantivy.Query.term_query(self.schema, "year", clause.year), YEAR_SCORE))
        if clause.kinds:
            options.append(tantivy.Query.const_score_query(tantivy.Query.term_set_query(
                self.schema, "type", list(clause.kinds)), KIND_SCORE))
        return any_of(options)

    def _text_match(self, run: Sequence[str], field: str, slop: int = 0) -> tantivy.Query:
        """``run`` as a term or phrase in ``field``; an exact phrase in the pairs twin."""
        if len(run) == 1:
            return tantivy.Query.term_query(self.schema, field, run[0])
        if slop or not self.pairs:
            return tantivy.Query.phrase_query(self.schema, field, list(run), slop)
        pairs: list[str | tuple[int, str]] = list(token_pairs(run))
        if len(pairs) == 1:
            return tantivy.Query.term_query(self.schema, field + PAIRS, pairs[0])
        return tantivy.Query.phrase_query(self.schema, field + PAIRS, pairs)

    def _filters(self) -> Iterator[tantivy.Query]:
        """One query per filtered field; several values of one field are alternatives."""
        for name, wanted in self.filter_values().items():
            yield any_of([tantivy.Query.term_query(self.schema, name, value) for value in wanted])

    def _latest(self) -> tuple[tantivy.Occur, tantivy.Query]:
        latest = tantivy.Query.term_query(self.schema, "is_latest", True)
        if self.query.all_versions:
            return tantivy.Occur.Should, tantivy.Query.const_score_query(latest, LATEST_BONUS)
        return tantivy.Occur.Must, unscored(latest)

    def _acl(self) -> tantivy.Query:
        if not self.acl_tokens:
            return tantivy.Query.empty_query()
        return tantivy.Query.term_set_query(self.schema, "acl", list(self.acl_tokens))


def any_of(queries: Sequence[tantivy.Query]) -> tantivy.Query:
    if len(queries) == 1:
        return queries[0]
    return tantivy.Query.boolean_query([(tantivy.Occur.Should, query) for query in queries])


def unscored(query: tantivy.Query) -> tantivy.Query:
    return tantivy.Query.const_score_query(query, 0.0)
