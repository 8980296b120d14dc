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
from datetime import UTC, date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from docservice.db.models import AclEntry, Document, Version
from docservice.domain import Principal, SearchHit, SearchQuery, SearchResult, Visibility
from docservice.errors import N_, InvalidInput
from docservice.search.plan import TIER
from docservice.search.query import parse_query, wants_latest
from docservice.search.ranking import RERANK_DEPTH, Candidate, rerank
from docservice.search.snippets import Snippets
from docservice.search.suggest import broader_queries, spelling_suggestion
from docservice.services.context import Context
from docservice.services.indexing import pages_of, years_in
from docservice.services.permissions import acl_tokens_of, may_read

MAX_LIMIT = 100
MAX_OFFSET = 10_000
SORTS = ("relevance", "date")
SUGGESTION_SOURCES = 3  # best hits whose text "did you mean" looks at


def search(ctx: Context, principal: Principal, raw: str, *, all_versions: bool = False,
           limit: int = 10, offset: int = 0, sort: str = "relevance") -> SearchResult:
    if not 1 <= limit <= MAX_LIMIT:
        raise InvalidInput(N_("limit must be between 1 and %(max)s"), max=MAX_LIMIT)
    if not 0 <= offset <= MAX_OFFSET:
        raise InvalidInput(N_("offset must be between 0 and %(max)s; narrow the search "
                              "with filters instead of paging so deep"), max=MAX_OFFSET)
    if sort not in SORTS:
        raise InvalidInput(N_("sort must be relevance or date"))
    query = parse_query(raw, all_versions=all_versions, limit=limit, offset=offset, sort=sort)
    reranked = _reranked(query)
    asked = replace(query, limit=RERANK_DEPTH, offset=0) if reranked else query
    result = ctx.index.search(asked, principal.acl_tokens())
    with ctx.uow() as uow:
        hits = _readable_hits(uow.session, principal, result.hits, query, reranked)
        pages = pages_of(uow.session, [hit.version_id for hit in hits])
    suggestion = None
    if hits and hits[0].extra.get(TIER, 0):  # the best hit lacks a word as typed: a typo?
        suggestion = spelling_suggestion(query, [_shown_text(hit, pages[hit.version_id])
                                                 for hit in hits[:SUGGESTION_SOURCES]])
    snippets = Snippets(parse_query(suggestion) if suggestion else query)
    hits = [_with_snippet(hit, snippets.best(pages[hit.version_id])) for hit in hits]
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
    dates = _readable_dates(session, principal, hits)
    readable = [hit for hit in hits if hit.version_id in dates]
    if not reranked:
        return readable
    candidates = [Candidate(hit, *dates[hit.version_id]) for hit in readable]
    ranked = rerank(candidates, today=datetime.now(UTC).date(),
                    latest=wants_latest(query.terms))
    return ranked[query.offset:query.offset + query.limit]


_Dates = tuple[datetime, list[int], date | None]  # uploaded, years it is about, expires


def _readable_dates(session: Session, principal: Principal, hits: Sequence[SearchHit]
                    ) -> dict[int, _Dates]:
    """Per readable hit's version id, the dates ranking needs: one query of plain columns,
    and a second only for documents shared with named people or teams."""
    if not hits:
        return {}
    rows = session.execute(
        select(Version.id, Version.uploaded_at, Version.years, Version.filename,
               Document.id.label("document_id"), Document.title, Document.expires_on,
               Document.owner_id, Document.team_id, Document.visibility)
        .join(Document, Document.id == Version.document_id)
        .where(Version.id.in_({hit.version_id for hit in hits}))).all()
    tokens = principal.acl_tokens()
    held = None if tokens is None else set(tokens)  # worked out once, not per candidate
    shared = {row.document_id for row in rows if row.visibility == Visibility.CUSTOM}
    grants: dict[int, list[str]] = {}
    if shared and held is not None:
        for document_id, grantee in session.execute(
                select(AclEntry.document_id, AclEntry.principal)
                .where(AclEntry.document_id.in_(shared))):
            grants.setdefault(document_id, []).append(grantee)
    dates: dict[int, _Dates] = {}
    for row in rows:
        if may_read(held, acl_tokens_of(row.owner_id, row.team_id, row.visibility,
                                             grants.get(row.document_id, ()))):
            named = {int(year) for year in (row.years or "").split(",") if year}
            years = sorted(named | set(years_in(row.title, row.filename)))
            dates[row.id] = (row.uploaded_at, years, row.expires_on)
    return dates


def _shown_text(hit: SearchHit, pages: Sequence[str]) -> str:
    return "\n".join([hit.title, hit.filename, *pages])


def _with_snippet(hit: SearchHit, best: tuple[str, int | None]) -> SearchHit:
    snippet, page = best
    return replace(hit, snippet=snippet, page=page)


def _broader_with_hits(ctx: Context, principal: Principal, query: SearchQuery) -> str | None:
    """The first broader query that finds something the caller may read."""
    for candidate in broader_queries(query):
        found = ctx.index.search(parse_query(candidate, limit=1, all_versions=query.all_versions),
                                 principal.acl_tokens())
        if found.total:
            return candidate
    return None
