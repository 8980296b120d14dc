"""The search page: one query box, hits with snippets, facets, sorting and paging."""

from __future__ import annotations

from typing import Any

from flask import render_template, request
from pydantic import BaseModel

from docservice.errors import InvalidInput, ServiceUnavailable
from docservice.inputs import Id
from docservice.services import following
from docservice.services import search as search_service
from docservice.views import SearchPage
from docservice.web.i18n import error_message
from docservice.web.ui.blueprint import bp, ctx, principal
from docservice.web.validation import validated

PAGE_SIZE = 10


class PageArgs(BaseModel):
    page: Id = 1


def page_number() -> int:
    """The ``page`` asked for; a page that is not a number is a 400 saying so."""
    return validated(PageArgs, {"page": request.args.get("page") or "1"}).page


def run_search(query: str, page: int, *, sort: str, all_versions: bool,
               ) -> tuple[SearchPage | None, str | None, int]:
    """The results, or the message saying what went wrong, and the HTTP status."""
    try:
        payload = search_service.search(ctx(), principal(), query, all_versions=all_versions,
                                        limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE,
                                        sort=sort)
    except InvalidInput as exc:
        return None, error_message(exc), 400
    except ServiceUnavailable as exc:
        return None, error_message(exc), 503
    return payload, None, 200


@bp.get("/")
def search() -> Any:
    query = request.args.get("q", "").strip()
    sort = request.args.get("sort", "relevance")
    all_versions = request.args.get("all") == "1"
    page = page_number()
    result, error, status = None, None, 200
    if query:
        result, error, status = run_search(query, page, sort=sort, all_versions=all_versions)
    return render_template("search.html", q=query, sort=sort, all_versions=all_versions,
                           page=page, page_size=PAGE_SIZE, result=result, error=error,
                           saved_searches=following.list_saved_searches(ctx(), principal()),
                           ), status
