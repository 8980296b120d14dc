"""Reports as JSON: the same charts and tables as the report pages; one person's query
history for admins."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import jsonify

from docservice.inputs import ReportFilter
from docservice.services import analytics, reports
from docservice.views import QueryRecord, Report
from docservice.web.api.blueprint import bp
from docservice.web.api.common import ctx, plain
from docservice.web.api.contract import endpoint
from docservice.web.auth import current_principal

SUMMARIES = {
    "usage": "Most used material, its trend, and material nobody opened in the period",
    "search": "Top queries, zero-result queries, results without a click, top-3 click share "
              "(admins; team leads: their teams)",
    "customers": "Use by customer type, industry, region or stage; customers with no "
                 "current material",
    "freshness": "Share of material overdue for review or expired per team and category, "
                 "and its trend",
    "contribution": "Uploads and new versions per team and person (admins; team leads: "
                    "their teams)",
}


def _report_view(name: str) -> Callable[..., Any]:
    def view(query: ReportFilter) -> Any:
        return jsonify(plain(reports.report(ctx(), current_principal(), name, query)))

    view.__name__ = f"report_{name}"
    return endpoint(SUMMARIES[name], query=ReportFilter, ok={200: Report}, errors=(422,))(view)


for _name in SUMMARIES:
    bp.add_url_rule(f"/reports/{_name}", view_func=_report_view(_name), methods=["GET"])


@bp.get("/documents/<id:document_id>/usage")
@endpoint("One document's use over the last 90 days, by team (its editors and admins)",
          ok={200: Report})
def document_usage(document_id: int) -> Any:
    return jsonify(plain(reports.document_stats(ctx(), current_principal(), document_id)))


@bp.get("/users/<id:user_id>/queries")
@endpoint("One person's searches and clicks (admins)", ok={200: list[QueryRecord]})
def query_history(user_id: int) -> Any:
    return jsonify(plain(analytics.query_history(ctx(), current_principal(), user_id)))


@bp.delete("/users/<id:user_id>/queries")
@endpoint("Delete one person's searches and clicks (admins)", ok={204: None})
def forget_query_history(user_id: int) -> Any:
    analytics.forget_query_history(ctx(), current_principal(), user_id)
    return "", 204
