"""A QueryPlan as an Elasticsearch/OpenSearch search request, and its response read back.

Queries are built from the same ``QueryPlan`` as the Tantivy adapter's, so every engine sees
the same terms and ranks alike.
"""

from __future__ import annotations

from docservice.domain import FACET_FIELDS, SearchHit
from docservice.search.elastic.client import Body
from docservice.search.plan import (
    ALTERNATIVE_TIE_BREAKER,
    FACET_SIZE,
    KIND_SCORE,
    LATEST_BONUS,
    NEARBY_FIELDS,
    PAIRS,
    TEXT_BOOSTS,
    VARIANT_WEIGHT,
    YEAR_SCORE,
    QueryPlan,
    Stage,
    facet_key,
    token_pairs,
)
from docservice.search.query import Clause, TokenRun

# Tantivy's BM25 keeps the (k1 + 1) factor that Lucene dropped in 8.0; scaling the text
# boosts by it makes both engines score text alike against the constant year/latest scores.
BM25_SCALE = 2.2
SOURCE_FIELDS = ["document_id", "version_id", "version", "is_latest", "display"]


def search_body(plan: QueryPlan, stage: Stage, offset: int = 0, limit: int | None = None
                ) -> Body:
    """The search request for ``plan`` at ``stage`` (hits ``offset`` on, ``limit`` of them;
    default: the page and all before it): hits, total and facets in one round trip."""
    body: Body = {
        "query": _query(plan, stage), "from": offset,
        "size": plan.window if limit is None else limit,
        "track_total_hits": True, "_source": SOURCE_FIELDS,
        "aggs": {name: {"terms": {"field": name, "size": FACET_SIZE}} for name in FACET_FIELDS}}
    if plan.by_date:
        body["sort"] = [{"uploaded_at": {"order": "desc"}}]
    return body


def _query(plan: QueryPlan, stage: Stage) -> Body:
    clauses = [_clause(plan, clause) for clause in stage.clauses]
    must = clauses if stage.every or not clauses else [_any_of(clauses)]
    filters: list[Body] = [{"terms": {name: wanted}}
                           for name, wanted in plan.filter_values().items()]
    latest = {"term": {"is_latest": True}}
    should: list[Body] = [_text_match(run, field, weight * TEXT_BOOSTS[field] * BM25_SCALE, slop)
                          for run, slop, weight in stage.bonus_runs for field in NEARBY_FIELDS]
    if plan.query.all_versions:
        should.append({"constant_score": {"filter": latest, "boost": LATEST_BONUS}})
    else:
        filters.append(latest)
    if plan.acl_tokens is not None:  # no tokens: nothing is readable
        filters.append({"terms": {"acl": list(plan.acl_tokens)}} if plan.acl_tokens
                       else {"match_none": {}})
    if plan.query.only_documents:
        filters.append({"terms": {"document_id": sorted(plan.query.only_documents)}})
    excluded = [_text_match(run, field, 1.0) for run in plan.excluded for field in TEXT_BOOSTS]
    excluded.extend({"terms": {name: unwanted}}
                    for name, unwanted in plan.unwanted_values().items())
    if plan.query.hidden_documents:
        excluded.append({"terms": {"document_id": sorted(plan.query.hidden_documents)}})
    return {"bool": {"must": must or [{"match_all": {}}], "filter": filters, "should": should,
                     "must_not": excluded}}


def _clause(plan: QueryPlan, clause: Clause) -> Body:
    """The clause's best alternative (typed, synonym or typo variant) plus the constant
    scores of the year and the file kind it names."""
    best = [_any_of([_text_match(run, field, boost * BM25_SCALE)
                     for run, field, boost in alternative])
            for alternative in plan.alternatives(clause)]
    if clause.variants:
        best.append(_any_of([
            {"constant_score": {"filter": {"terms": {field: list(clause.variants)}},
                                "boost": VARIANT_WEIGHT * boost}}
            for field, boost in TEXT_BOOSTS.items()]))
    options = [best[0] if len(best) == 1 else
               {"dis_max": {"queries": best, "tie_breaker": ALTERNATIVE_TIE_BREAKER}}]
    if clause.year is not None:
        options.append({"constant_score": {"filter": {"term": {"year": clause.year}},
                                           "boost": YEAR_SCORE}})
    if clause.kinds:
        options.append({"constant_score": {"filter": {"terms": {"type": list(clause.kinds)}},
                                           "boost": KIND_SCORE}})
    return _any_of(options)


def _text_match(run: TokenRun, field: str, boost: float, slop: int = 0) -> Body:
    """``run`` as a term or phrase in ``field``; an exact phrase in the pairs twin."""
    if len(run) == 1:
        return {"term": {field: {"value": run[0], "boost": boost}}}
    if not slop:
        field, run = field + PAIRS, tuple(token_pairs(run))
        if len(run) == 1:
            return {"term": {field: {"value": run[0], "boost": boost}}}
    # The whitespace analyzer splits the joined tokens back into exactly ``run``.
    phrase: Body = {"query": " ".join(run), "boost": boost}
    if slop:
        phrase["slop"] = slop
    return {"match_phrase": {field: phrase}}


def _any_of(queries: list[Body]) -> Body:
    return queries[0] if len(queries) == 1 else {"bool": {"should": queries}}


# -- responses ------------------------------------------------------------------------------

def total(found: Body) -> int:
    return int(found["hits"]["total"]["value"])


def facets(found: Body) -> dict[str, dict[str, int]]:
    aggregations = found.get("aggregations", {})
    return {name: {facet_key(bucket["key"]): int(bucket["doc_count"])
                   for bucket in aggregations.get(name, {}).get("buckets", [])}
            for name in FACET_FIELDS}


def hit(raw: Body, by_date: bool) -> SearchHit:
    source, display = raw["_source"], raw["_source"]["display"]
    return SearchHit(document_id=int(source["document_id"]),
                     version_id=int(source["version_id"]),
                     score=0.0 if by_date else float(raw["_score"] or 0.0),
                     version=int(source["version"]), title=display["title"],
                     filename=display["filename"], category=display["category"],
                     is_latest=bool(source["is_latest"]))
