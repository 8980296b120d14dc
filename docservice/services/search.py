"""Search use case: parse, query the index with the caller's ACL, rank, add snippets and a
suggestion.

The index ranks by text; over its best hits (ranking.RERANK_DEPTH) the use case applies the
rules that need the documents' dates (expired documents demoted, ``latest`` preferring recent
documents, recency breaking ties), so both engines rank alike. Pages beyond that depth come
in the engine's order.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from docservice.db.models import Document, Version
from docservice.domain import Principal, SearchHit, SearchQuery, SearchResult
from docservice.errors import InvalidInput
from docservice.search.plan import TIER
from docservice.search.query import parse_query, wants_latest
from docservice.search.ranking import RERANK_DEPTH, Candidate, rerank
from docservice.search.snippets import best_snippet
from docservice.search.suggest import broader_queries, spelling_suggestion
from docservice.services.context import Context
from docservice.services.indexing import page_texts, years_in
from docservice.services.permissions import can_read

MAX_LIMIT = 100
MAX_OFFSET = 10_000
SORTS = ("relevance", "date")
SUGGESTION_SOURCES = 3  # best hits whose text "did you mean" looks at


def search(ctx: Context, principal: Principal, raw: str, *, all_versions: bool = False,
           limit: int = 10, offset: int = 0, sort: str = "relevance") -> SearchResult:
    if not 1 <= limit <= MAX_LIMIT:
        raise InvalidInput(f"limit must be between 1 and {MAX_LIMIT}")
    if not 0 <= offset <= MAX_OFFSET:
        raise InvalidInput(f"offset must be between 0 and {MAX_OFFSET}; narrow the search "
                           "with filters instead of paging so deep")
    if sort not in SORTS:
        raise InvalidInput("sort must be relevance or date")
    query = parse_query(raw, all_versions=all_versions, limit=limit, offset=offset, sort=sort)
    reranked = _reranked(query)
    asked = replace(query, limit=RERANK_DEPTH, offset=0) if reranked else query
    result = ctx.index.search(asked, principal.acl_tokens())
    with ctx.uow() as uow:
        hits = _readable_hits(uow.session, principal, result.hits, query, reranked)
        pages = {hit.version_id: page_texts(uow.session, hit.version_id) for hit in hits}
    suggestion = None
    if hits and hits[0].extra.get(TIER, 0):  # the best hit lacks a word as typed: a typo?
        suggestion = spelling_suggestion(query, [_shown_text(hit, pages[hit.version_id])
                                                 for hit in hits[:SUGGESTION_SOURCES]])
    shown_query = parse_query(suggestion) if suggestion else query
    hits = [_with_snippet(hit, pages[hit.version_id], shown_query) for hit in hits]
    if result.total == 0:
        suggestion = _broader_with_hits(ctx, principal, query)
    return SearchResult(total=result.total, hits=hits, facets=result.facets,
                        suggestion=suggestion)


def _reranked(query: SearchQuery) -> bool:
    """Whether the page lies within the depth the use case ranks itself."""
    return (query.sort == "relevance" and bool(query.terms or query.phrases)
            and query.offset + query.limit <= RERANK_DEPTH)


def _readable_hits(session: Session, principal: Principal, hits: Sequence[SearchHit],
                   query: SearchQuery, reranked: bool) -> list[SearchHit]:
    """The hits the caller may read (the index is trimmed by ACL already; this guards against
    a stale entry), ranked and cut to the page asked for."""
    documents = {doc.id: doc for doc in session.scalars(
        select(Document).where(Document.id.in_({hit.document_id for hit in hits}))
        .options(selectinload(Document.acl)))}
    readable = [hit for hit in hits if hit.document_id in documents
                and can_read(principal, documents[hit.document_id])]
    if not reranked:
        return readable
    versions = {version.id: version for version in session.scalars(
        select(Version).where(Version.id.in_({hit.version_id for hit in readable})))}
    candidates = [_candidate(hit, documents[hit.document_id], versions[hit.version_id])
                  for hit in readable if hit.version_id in versions]
    ranked = rerank(candidates, today=datetime.now(UTC).date(),
                    latest=wants_latest(query.terms))
    return ranked[query.offset:query.offset + query.limit]


def _candidate(hit: SearchHit, document: Document, version: Version) -> Candidate:
    years = set(version.year_list) | set(years_in(document.title, version.filename))
    return Candidate(hit=hit, uploaded_at=version.uploaded_at, years=sorted(years),
                     expires_on=document.expires_on)


def _shown_text(hit: SearchHit, pages: Sequence[str]) -> str:
    return "\n".join([hit.title, hit.filename, *pages])


def _with_snippet(hit: SearchHit, pages: Sequence[str], query: SearchQuery) -> SearchHit:
    snippet, page = best_snippet(pages, query)
    return replace(hit, snippet=snippet, page=page)


def _broader_with_hits(ctx: Context, principal: Principal, query: SearchQuery) -> str | None:
    """The first broader query that finds something the caller may read."""
    for candidate in broader_queries(query):
        found = ctx.index.search(parse_query(candidate, limit=1, all_versions=query.all_versions),
                                 principal.acl_tokens())
        if found.total:
            return candidate
    return None
