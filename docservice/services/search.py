"""Search use case: parse, query the index with the caller's ACL, add snippets."""

from __future__ import annotations

from dataclasses import replace

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from docservice.db.models import Document
from docservice.domain import Principal, SearchHit, SearchResult
from docservice.errors import InvalidInput
from docservice.search.query import parse_query
from docservice.search.snippets import best_snippet
from docservice.services.context import Context
from docservice.services.indexing import page_texts
from docservice.services.permissions import can_read

MAX_LIMIT = 100
MAX_OFFSET = 10_000
SORTS = ("relevance", "date")


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
    result = ctx.index.search(query, principal.acl_tokens())
    with ctx.uow() as uow:
        ids = {hit.document_id for hit in result.hits}
        documents = {doc.id: doc for doc in uow.session.scalars(
            select(Document).where(Document.id.in_(ids)).options(selectinload(Document.acl)))}
        hits: list[SearchHit] = []
        for hit in result.hits:
            document = documents.get(hit.document_id)
            # The index is trimmed by ACL already; this guards against a stale entry.
            if document is None or not can_read(principal, document):
                continue
            snippet, page = best_snippet(page_texts(uow.session, hit.version_id), query)
            hits.append(replace(hit, snippet=snippet, page=page))
    return SearchResult(total=result.total, hits=hits, facets=result.facets)
