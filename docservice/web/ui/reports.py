"""Report pages: charts drawn on the server, tables, filters, CSV and XLSX exports."""

from __future__ import annotations

from typing import Any

from flask import Response, abort, render_template, request
from flask_babel import gettext

from docservice.errors import N_
from docservice.inputs import REPORT_NAMES, ReportFilter
from docservice.services import reports, users
from docservice.views import Report, ReportTable
from docservice.web import charts, exports
from docservice.web.labels import label
from docservice.web.ui.blueprint import bp, ctx, principal
from docservice.web.validation import validated

TITLES = {
    "usage": N_("Most used material"), "search": N_("Searches and content gaps"),
    "customers": N_("Use by customer"), "freshness": N_("Freshness"),
    "contribution": N_("Contribution"), "document": N_("Use of this document")}
INTROS = {
    "usage": N_("Views, downloads, share-link opens and clicks from search per document, and "
                "the material nobody opened in the period: candidates to retire or to promote."),
    "search": N_("What people searched for, what found nothing, and what found results that "
                 "nobody opened: what the library lacks. Click a query to run it."),
    "customers": N_("Which material is opened for which kinds of customers, and the customers "
                    "with no current material of the chosen category."),
    "freshness": N_("Share of material overdue for review or expired, per team and category."),
    "contribution": N_("Uploads and new versions per team and person."),
}
NAMES = {  # chart, table, column and series names
    "uses_over_time": N_("Uses over time"), "most_used": N_("Most used"),
    "unused": N_("Not opened in the period"), "searches_over_time": N_("Searches over time"),
    "top3_share": N_("Clicks in the top 3"), "zero_results": N_("Found nothing"),
    "no_click": N_("Results but no click"), "top_queries": N_("Top queries"),
    "uses_by_customer": N_("Uses by customer"), "by_customer": N_("Uses by customer"),
    "without_material": N_("Customers with no current material"),
    "freshness_over_time": N_("Overdue and expired over time"),
    "overdue_by_category": N_("Overdue or expired by category"),
    "freshness": N_("Per team and category"), "contributions": N_("Per team and person"),
    "contributions_over_time": N_("Uploads and new versions over time"),
    "contributions_by_team": N_("Per team"), "document_teams": N_("By team"),
    "title": N_("Title"), "views": N_("Views"), "downloads": N_("Downloads"),
    "shares": N_("Share-link opens"), "clicks": N_("Clicks from search"),
    "people": N_("People (per day, summed)"), "last_used": N_("Last used"),
    "created": N_("Created"), "query": N_("Query"), "searches": N_("Searches"),
    "no_click_count": N_("Results but no click"), "top3": N_("Click in the top 3"),
    "clicked": N_("Searches with a click"), "documents": N_("Documents"),
    "overdue": N_("Overdue for review"), "expired_count": N_("Expired"),
    "overdue_share": N_("Share overdue"), "expired_share": N_("Share expired"),
    "team": N_("Team"), "person": N_("Person"), "uploads": N_("Uploads"),
    "versions": N_("New versions"), "uses": N_("Uses"), "view": N_("Views"),
    "download": N_("Downloads"), "share": N_("Share-link opens"),
    "click": N_("Clicks from search"), "upload": N_("Uploads"),
    "new_version": N_("New versions"), "used": N_("Used"), "type": N_("Customer type"),
    "none": N_("(none)"),
}
COLUMN_KEYS = {"no_click": "no_click_count", "expired": "expired_count"}


def name_of(key: str) -> str:
    """The translated name of a chart, table, column or series; other text as it is."""
    key = COLUMN_KEYS.get(key, key)
    if key in NAMES:
        return gettext(NAMES[key])
    return label(key)


def wanted_filter() -> ReportFilter:
    args = {key: value for key, value in request.args.items() if value and key != "format"}
    return validated(ReportFilter, args, "query")


def header(table: ReportTable) -> list[str]:
    return [name_of(column) for column in table.columns]


def export(report: Report, table_name: str, fmt: str) -> Response:
    table = next((t for t in report.tables if t.name == table_name), None)
    if table is None:
        abort(404)
    filename = f"{report.name}-{table.name}-{report.since}-{report.until}"
    if fmt == "csv":
        return Response(exports.as_csv(table, header(table)), mimetype="text/csv",
                        headers={"Content-Disposition": f"attachment; filename={filename}.csv"})
    return Response(exports.as_xlsx(table, header(table)),
                    mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    headers={"Content-Disposition": f"attachment; filename={filename}.xlsx"})


def chart_svg(report: Report) -> list[tuple[str, Any]]:
    """Each chart's title and its SVG."""
    return [(name_of(chart.name), charts.svg(chart, name_of(chart.name), name_of, f"chart-{n}"))
            for n, chart in enumerate(report.charts)]


@bp.get("/reports")
def reports_index() -> Any:
    return render_template("reports.html", report=None, names=REPORT_NAMES, titles=TITLES,
                           intros=INTROS)


@bp.get("/reports/<name>")
def report(name: str) -> Any:
    if name not in REPORT_NAMES:
        abort(404)
    wanted = wanted_filter()
    found = reports.report(ctx(), principal(), name, wanted)
    return render_template("reports.html", report=found, names=REPORT_NAMES, titles=TITLES,
                           intros=INTROS, charts=chart_svg(found), name_of=name_of,
                           filters=wanted, teams=users.list_teams(ctx()),
                           stages=ctx().settings.customer_stages)


@bp.get("/reports/<name>/<table>.<any(csv, xlsx):fmt>")
def report_export(name: str, table: str, fmt: str) -> Any:
    if name not in REPORT_NAMES:
        abort(404)
    return export(reports.report(ctx(), principal(), name, wanted_filter()), table, fmt)


@bp.get("/d/<id:document_id>/usage.<any(csv, xlsx):fmt>")
def document_usage_export(document_id: int, fmt: str) -> Any:
    return export(reports.document_stats(ctx(), principal(), document_id), "document_teams",
                  fmt)

