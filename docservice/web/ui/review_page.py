"""The Needs-review page and "still current"."""

from __future__ import annotations

from typing import Any

from flask import redirect, render_template, request, url_for

from docservice.domain import Category
from docservice.errors import N_
from docservice.services import review
from docservice.web.ui.blueprint import attempt, bp, ctx, principal, safe_next


def review_filter() -> review.ReviewFilter:
    """The list's filters from the query string; an unknown value is left at its default."""
    args = request.args
    categories = {category.value for category in Category}
    scope, category, sort = args.get("scope", ""), args.get("category", ""), args.get("sort", "")
    return review.ReviewFilter(
        scope=scope if scope in ("mine", "team") else "all",
        category=category if category in categories else None,
        overdue=args.get("overdue") == "1",
        sort=sort if sort in review.REVIEW_SORTS else "due")


@bp.get("/review")
def needs_review() -> Any:
    wanted = review_filter()
    items = review.needs_review(ctx(), principal(), wanted)
    return render_template("review.html", items=items, wanted=wanted,
                           categories=[category.value for category in Category],
                           sorts=review.REVIEW_SORTS, within=review.DUE_WITHIN_DAYS)


@bp.post("/d/<id:document_id>/still-current")
def still_current(document_id: int) -> Any:
    attempt(lambda: review.confirm_current(ctx(), principal(), document_id),
            N_("Marked as still current; the review date moved forward."))
    return redirect(safe_next(request.form.get("next"),
                              url_for("ui.document", document_id=document_id)))
