"""Search use case: parse, query the index with the caller's ACL, rank, add the hits' facts,
snippets, title highlights and a suggestion: everything the search page, the API and the CLI
show, the same for each.

The index ranks by text; over its best hits (ranking.RERANK_DEPTH) the use case applies the
rules that need the documents' dates (expired documents demoted, ``latest`` preferring recent
documents, recency breaking ties), so both engines rank alike. Pages beyond that depth come
in the engine's order.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from time import perf_counter

from sqlalchemy import select
from sqlalchemy.orm import Session

from docservice.db.access import readable
from docservice.db.index_entries import pages_of
from docservice.db.models import Customer, Document, Version
from docservice.domain import (
    CURRENT,
    STALE_STATUSES,
    Principal,
    SearchHit,
    SearchQuery,
    file_kind,
    is_overdue,
)
from docservice.errors import N_, InvalidInput, QuerySyntaxError
from docservice.ingest.years import years_in
from docservice.search.plan import TIER
from docservice.search.query import code_terms, parse_query, wants_latest
from docservice.search.ranking import RERANK_DEPTH, Candidate, lists_code, rerank
from docservice.search.snippets import Snippets
from docservice.search.suggest import broader_queries, spelling_suggestion
from docservice.services import analytics, outbox
from docservice.services.context import Context
from docservice.views import FoundHit, SearchPage, Span

MAX_LIMIT = 100
MAX_OFFSET = 10_000  # deep paging beyond this is a crawl, not a search (and aborts Tantivy)
SORTS = ("relevance", "date")
SUGGESTION_SOURCES = 3  # best hits whose text "did you mean" looks at


def search(ctx: Context, principal: Principal, raw: str, *, all_versions: bool = False,
           limit: int = 10, offset: int = 0, sort: str = "relevance") -> SearchPage:
    """One page of hits readable by ``principal`` for the query ``raw``, with their facts,
    snippets and title highlights, the facets and a suggestion."""
    started = perf_counter()
    if not 1 <= limit <= MAX_LIMIT:
        raise InvalidInput(N_("limit must be between 1 and %(max)s"), max=MAX_LIMIT)
    if offset > MAX_OFFSET:
        raise InvalidInput(N_("offset must be at most %(max)s; narrow the search instead"),
                           max=MAX_OFFSET)
    if offset < 0:
        raise InvalidInput(N_("offset must be between 0 and %(max)s; narrow the search "
                              "with filters instead of paging so deep"), max=MAX_OFFSET)
    if sort not in SORTS:
        raise InvalidInput(N_("sort must be relevance or date"))
    query = replace(parse_query(raw, all_versions=all_versions, limit=limit, offset=offset,
                                sort=sort),
                    hidden_documents=outbox.permission_changes_pending(ctx, principal))
    reranked = _reranked(query)
    asked = replace(query, limit=RERANK_DEPTH, offset=0) if reranked else query
    result = ctx.index.search(asked, principal.acl_tokens())
    with ctx.uow() as uow:
        facts = _readable_facts(uow.session, principal, result.hits)
        hits = _ranked(uow.session, result.hits, facts, query, reranked)
        pages = pages_of(uow.session, [hit.version_id for hit in hits])
    suggestion = None
    if hits and hits[0].extra.get(TIER, 0):  # the best hit lacks a word as typed: a typo?
        suggestion = spelling_suggestion(query, [_shown_text(hit, pages[hit.version_id])
                                                 for hit in hits[:SUGGESTION_SOURCES]])
    snippets = Snippets(parse_query(suggestion) if suggestion else query)
    found = [_found(hit, facts[hit.version_id], snippets, pages[hit.version_id])
             for hit in hits]
    if result.total == 0:
        suggestion = _broader_with_hits(ctx, principal, query)
    if offset == 0:  # the next page of the same search is not another search
        analytics.record_search(ctx, principal, raw, results=result.total,
                                took_ms=(perf_counter() - started) * 1000)
    return SearchPage(query=raw, total=result.total, limit=limit, offset=offset, hits=found,
                      facets=_with_current(result.facets, result.total), suggestion=suggestion)


def _with_current(facets: dict[str, dict[str, int]], total: int) -> dict[str, dict[str, int]]:
    """The status facet with ``current``: the entries holding none of the stale values (a
    document holds at most one of them, see ``domain.freshness``)."""
    statuses = facets.get("status")
    if not statuses:
        return facets
    current = total - sum(statuses.get(stale, 0) for stale in STALE_STATUSES)
    return {**facets, "status": {CURRENT: current, **statuses} if current > 0 else statuses}


def highlights(raw: str, texts: Sequence[str]) -> list[tuple[Span, ...]]:
    """Where each of ``texts`` (a version's pages, say) matches the query ``raw``, found by
    the index's own analysis; no spans for a query that does not parse."""
    try:
        snippets = Snippets(parse_query(raw))
    except QuerySyntaxError:
        return [() for _text in texts]
    return [snippets.spans(text) for text in texts]


def _reranked(query: SearchQuery) -> bool:
    """Whether the page lies within the depth the use case ranks itself."""
    return (query.sort == "relevance" and bool(query.terms or query.phrases)
            and query.offset + query.limit <= RERANK_DEPTH)


def _ranked(session: Session, hits: Sequence[SearchHit], facts: dict[int, _Facts],
            query: SearchQuery, reranked: bool) -> list[SearchHit]:
    """The hits the caller may read (the index is trimmed by ACL already; this guards against
    a stale entry), ranked and cut to the page asked for."""
    readable = [hit for hit in hits if hit.version_id in facts]
    if not reranked:
        return readable
    codes = code_terms(query)
    texts = pages_of(session, [hit.version_id for hit in readable]) if codes else {}
    candidates = [Candidate(hit, *facts[hit.version_id].dates,
                            lists_code=bool(codes) and lists_code(texts[hit.version_id], codes))
                  for hit in readable]
    ranked = rerank(candidates, today=datetime.now(UTC).date(),
                    latest=wants_latest(query.terms))
    return ranked[query.offset:query.offset + query.limit]


@dataclass(frozen=True)
class _Facts:
    """What the database knows of a readable hit: the dates ranking needs (uploaded, years
    it is about, expiry) and what the results show beside the title."""

    dates: tuple[datetime, list[int], date | None]
    file_type: str
    customer: str | None
    customer_id: int | None
    subtype: str | None
    product: str | None
    overdue: bool


def _readable_facts(session: Session, principal: Principal, hits: Sequence[SearchHit]
                    ) -> dict[int, _Facts]:
    """Per readable hit's version id, its facts, in one query under the SQL read rule."""
    if not hits:
        return {}
    rows = session.execute(
        select(Version.id, Version.uploaded_at, Version.years, Version.filename,
               Version.media_type, Document.title, Document.expires_on, Document.subtype,
               Document.product, Document.review_by, Document.status,
               Customer.id.label("customer_id"),
               Customer.name.label("customer"))
        .join(Document, Document.id == Version.document_id)
        .outerjoin(Customer, Customer.id == Document.customer_id)
        .where(Version.id.in_({hit.version_id for hit in hits}), readable(principal))).all()
    facts: dict[int, _Facts] = {}
    today = datetime.now(UTC).date()
    for row in rows:
        named = {int(year) for year in (row.years or "").split(",") if year}
        years = sorted(named | set(years_in(row.title, row.filename)))
        facts[row.id] = _Facts((row.uploaded_at, years, row.expires_on),
                               file_kind(row.media_type), row.customer, row.customer_id,
                               row.subtype, row.product,
                               is_overdue(row.review_by, row.expires_on, row.status, today))
    return facts


def _found(hit: SearchHit, facts: _Facts, snippets: Snippets, pages: Sequence[str]
           ) -> FoundHit:
    snippet, page = snippets.best(pages)
    return FoundHit(document_id=hit.document_id, version_id=hit.version_id,
                    version=hit.version, title=hit.title, filename=hit.filename,
                    category=hit.category, is_latest=hit.is_latest,
                    score=round(hit.score, 4), snippet=snippet, page=page,
                    uploaded_at=facts.dates[0].isoformat(),
                    file_type=facts.file_type, customer=facts.customer,
                    customer_id=facts.customer_id, subtype=facts.subtype,
                    product=facts.product, overdue=facts.overdue,
                    title_highlights=snippets.spans(hit.title))


def _shown_text(hit: SearchHit, pages: Sequence[str]) -> str:
    return "\n".join([hit.title, hit.filename, *pages])


def _broader_with_hits(ctx: Context, principal: Principal, query: SearchQuery) -> str | None:
    """The first broader query that finds something the caller may read."""
    for candidate in broader_queries(query):
        broader = replace(parse_query(candidate, limit=1, all_versions=query.all_versions),
                          hidden_documents=query.hidden_documents)
        found = ctx.index.search(broader, principal.acl_tokens())
        if found.total:
            return candidate
    return None
