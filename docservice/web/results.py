"""Search results as the pages and the API show them: hits with facts, facets, paging."""

from __future__ import annotations

from typing import Any

from docservice.errors import N_, InvalidInput
from docservice.services import reading
from docservice.services import search as search_service
from docservice.services.views import hit_view
from docservice.web.auth import app_context, current_principal

MAX_OFFSET = 10_000  # deep paging beyond this is a crawl, not a search (and aborts Tantivy)


def search_payload(raw: str, *, all_versions: bool = False, limit: int = 10, offset: int = 0,
                   sort: str = "relevance") -> dict[str, Any]:
    if offset > MAX_OFFSET:
        raise InvalidInput(N_("offset must be at most %(max)s; narrow the search instead"),
                           max=MAX_OFFSET)
    principal = current_principal()
    ctx = app_context()
    result = search_service.search(ctx, principal, raw, all_versions=all_versions,
                                   limit=limit, offset=offset, sort=sort)
    details = reading.hit_details(ctx, principal, result.hits)
    hits = [{**hit_view(hit), **details.get(hit.version_id, {})} for hit in result.hits]
    return {"query": raw, "total": result.total, "limit": limit, "offset": offset,
            "hits": hits, "facets": result.facets, "suggestion": result.suggestion}
