"""A sales leader's four questions, answered by the reports alone on a generated year of use,
on both metadata tiers (SQLite and PostgreSQL): the rollup, the report SQL and the retention
purge are the same code on each."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from bench.usage_population import (
    EMEA_PRICE_LISTS,
    MISSING,
    NEGOTIATING,
    UNOPENED,
    WITH_TEMPLATE,
    generate,
    last_quarter,
)
from docservice.bootstrap import bootstrap
from docservice.config import load_settings
from docservice.domain import OPERATOR, Principal, Role
from docservice.inputs import ReportFilter
from docservice.services import analytics, reports, scheduler
from docservice.services.context import Context
from docservice.views import Report, ReportTable


@pytest.fixture(scope="module",
                params=["sqlite", pytest.param("postgresql", marks=pytest.mark.services)])
def year(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
         ) -> Iterator[Context]:
    """One generated year per tier, shared by the tests below (the last one purges)."""
    tmp_path = tmp_path_factory.mktemp("year")
    environ: dict[str, str] = {}
    if request.param == "postgresql":
        from tests.services import create_database, service_env

        environ["DOCSERVICE_DATABASE_URL"] = create_database(
            service_env()["DOCSERVICE_DATABASE_URL"])
    ctx = bootstrap(load_settings(environ=environ, data_dir=tmp_path / "data",
                                  event_retention_days=200))
    generate(ctx, documents=1500, people=30, events=8000)
    scheduler.run_task(ctx, OPERATOR, "usage.rollup")
    yield ctx
    ctx.close()


def _table(report: Report, name: str) -> ReportTable:
    return next(table for table in report.tables if table.name == name)


def _first_cells(table: ReportTable) -> list[object]:
    return [row.cells[0] for row in table.rows]


def test_the_four_answers(year: Context) -> None:
    since, until = last_quarter(datetime.now(UTC).date())
    quarter = {"since": since, "until": until}
    emea = ReportFilter(team_id=1, category="product", subtype="price_list", **quarter)
    used = reports.report(year, OPERATOR, "usage", emea)
    assert _first_cells(_table(used, "most_used"))[0] == EMEA_PRICE_LISTS[0]

    gaps = reports.report(year, OPERATOR, "search", ReportFilter(team_id=1, **quarter))
    assert set(_first_cells(_table(gaps, "zero_results"))) == set(MISSING)

    lacking = reports.report(year, OPERATOR, "customers", ReportFilter(
        stage="negotiation", category="contract", subtype="draft"))
    assert set(_first_cells(_table(lacking, "without_material"))) == \
        set(NEGOTIATING) - WITH_TEMPLATE

    this_year = ReportFilter(since=datetime.now(UTC).date().replace(month=1, day=1))
    unused = _first_cells(_table(reports.report(year, OPERATOR, "usage", this_year),
                                 "unused"))
    assert set(UNOPENED) <= set(unused)
    assert not set(EMEA_PRICE_LISTS) & set(unused)


def test_a_team_lead_sees_their_teams_queries_and_a_viewer_no_hidden_document(
        year: Context) -> None:
    lead = Principal(user_id=1, email="person1@example.com", role=Role.EDITOR,
                     team_ids=frozenset({1}))
    assert reports.report(year, lead, "search", ReportFilter()).tables
    other = Principal(user_id=8, email="person8@example.com", role=Role.EDITOR,
                      team_ids=frozenset({2}))  # not a lead (the first six people are)
    with pytest.raises(Exception, match="administrators and team leads"):
        reports.report(year, other, "search", ReportFilter())
    everything = reports.report(year, OPERATOR, "usage", ReportFilter())
    seen = reports.report(year, other, "usage", ReportFilter())
    assert len(_table(seen, "most_used").rows) <= len(_table(everything, "most_used").rows)
    assert _table(seen, "most_used").rows != _table(everything, "most_used").rows


def test_buffered_searches_roll_up_and_old_raw_events_are_purged(year: Context) -> None:
    person = Principal(user_id=3, email="person3@example.com", role=Role.EDITOR,
                       team_ids=frozenset({3}))
    analytics.record_search(year, person, "Nothing Here 2099", results=0, took_ms=3.2)
    analytics.roll_up(year)
    today = ReportFilter(since=datetime.now(UTC).date())
    zero = _table(reports.report(year, OPERATOR, "search", today), "zero_results")
    assert "Nothing Here 2099" in _first_cells(zero)
    assert analytics.query_history(year, OPERATOR, 3)[-1].query == "Nothing Here 2099"
    before = reports.report(year, OPERATOR, "usage", ReportFilter(
        since=datetime.now(UTC).date() - timedelta(days=360)))
    summary = analytics.purge_events(year)  # retention: 200 days here
    assert summary.startswith("purged ") and not summary.startswith("purged 0 ")
    after = reports.report(year, OPERATOR, "usage", ReportFilter(
        since=datetime.now(UTC).date() - timedelta(days=360)))
    assert _table(after, "most_used") == _table(before, "most_used")  # rollups stay
    assert analytics.forget_query_history(year, OPERATOR, 3) > 0
    zero = _table(reports.report(year, OPERATOR, "search", today), "zero_results")
    assert "Nothing Here 2099" not in _first_cells(zero)
