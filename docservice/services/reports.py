"""Usage reports: most used and unused material, searches (the content gap), use by customer
dimension, freshness, contribution, and one document's use. Each answers a ``Report`` of
charts and tables, the same for the pages, the API and the exports.

Every count reads the daily rollups (``services/analytics.roll_up``) joined to the documents
the reader may read. Reports naming people (contribution) and showing query texts (search)
are for admins, and for team leads about their own teams.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select

from docservice.db import reports as sql
from docservice.db.access import writable_document
from docservice.db.models import Membership, Team, User
from docservice.db.repositories import record_event
from docservice.domain import Principal
from docservice.errors import N_, InvalidInput, NotFound, PermissionDenied, Unprocessable
from docservice.inputs import ReportFilter
from docservice.services.context import Context
from docservice.views import Chart, ChartPoint, ChartSeries, Report, ReportRow, ReportTable

DEFAULT_DAYS = 90
MAX_DAYS = 3 * 366
WEEKLY_AFTER = 120  # a longer period is charted per week
USE_KINDS = ("view", "download", "share", "click")


EARLIEST, LATEST = date(1970, 1, 1), date(2999, 12, 31)
"""Dates a report may name (the date arithmetic of a period stays far from the calendar's
ends)."""


def period(wanted: ReportFilter, today: date | None = None) -> tuple[date, date]:
    """The filter's period, by default the last 90 days up to today."""
    for given in (wanted.since, wanted.until):
        if given is not None and not EARLIEST <= given <= LATEST:
            raise Unprocessable(N_("report dates must lie between %(first)s and %(last)s"),
                                first=EARLIEST.isoformat(), last=LATEST.isoformat())
    until = wanted.until or today or datetime.now(UTC).date()
    since = wanted.since or until - timedelta(days=DEFAULT_DAYS - 1)
    if since > until:
        raise Unprocessable(N_("the period must start before it ends"))
    if (until - since).days > MAX_DAYS:
        raise Unprocessable(N_("a report covers at most three years"))
    return since, until


def _bucket(day: date, since: date, until: date) -> str:
    if (until - since).days < WEEKLY_AFTER:
        return day.isoformat()
    return (day - timedelta(days=day.weekday())).isoformat()


def _buckets(since: date, until: date) -> list[str]:
    days = (since + timedelta(days=n) for n in range((until - since).days + 1))
    return list(dict.fromkeys(_bucket(day, since, until) for day in days))


def _series(name: str, values: dict[str, float], buckets: Sequence[str]) -> ChartSeries:
    return ChartSeries(name, tuple(ChartPoint(b, values.get(b, 0)) for b in buckets))


def _trend(rows: Iterable[Sequence[object]], kinds: Sequence[str], since: date, until: date
           ) -> tuple[ChartSeries, ...]:
    """Lines per kind from (day, kind, count) rows."""
    per: dict[str, dict[str, float]] = {kind: defaultdict(float) for kind in kinds}
    for day, kind, count in rows:
        per[str(kind)][_bucket(day, since, until)] += float(count)  # type: ignore[arg-type]
    buckets = _buckets(since, until)
    return tuple(_series(kind, per[kind], buckets) for kind in kinds)


def _bars(name: str, pairs: Iterable[tuple[str, float]], unit: str = "count") -> Chart:
    return Chart(name, "bar", unit, (ChartSeries(name, tuple(
        ChartPoint(label, value) for label, value in pairs)),))


def _report(name: str, since: date, until: date, charts: Sequence[Chart],
            tables: Sequence[ReportTable]) -> Report:
    return Report(name, since.isoformat(), until.isoformat(), tuple(charts), tuple(tables))


def usage(ctx: Context, principal: Principal, wanted: ReportFilter) -> Report:
    """Most used material and its trend; material nobody opened in the period."""
    since, until = period(wanted)
    with ctx.uow() as uow:
        top = sql.most_used(uow.session, principal, wanted, since, until)
        trend = sql.daily_uses(uow.session, principal, wanted, since, until)
        unused_count, unused = sql.unused(uow.session, principal, wanted, since, until)
    used = ReportTable("most_used", ("title", "category", "views", "downloads", "shares",
                                     "clicks", "people", "last_used"),
                       tuple(ReportRow((r.title, r.subtype or r.category, r.views, r.downloads,
                                        r.shares, r.clicks, r.people, r.last_day.isoformat()),
                                       document_id=r.id) for r in top))
    idle = ReportTable("unused", ("title", "category", "created"),
                       tuple(ReportRow((r.title, r.subtype or r.category,
                                        r.created_at.date().isoformat()), document_id=r.id)
                             for r in unused))
    charts = [Chart("uses_over_time", "line", "count", _trend(trend, USE_KINDS, since, until)),
              _bars("most_used", ((r.title, float(r.total)) for r in top[:10])),
              _bars("unused_count", [("unused", float(unused_count)),
                                     ("used", float(len(top)))])]
    return _report("usage", since, until, charts[:2], (used, idle))


def _query_teams(ctx: Context, principal: Principal, wanted: ReportFilter) -> set[int] | None:
    """The teams whose queries the reader may see: every team (None) for an admin, the
    teams they lead for a team lead; narrowed to the filter's team."""
    if principal.is_admin:
        return None if wanted.team_id is None else {wanted.team_id}
    with ctx.uow() as uow:
        led = sql.lead_teams(uow.session, principal.user_id)
    if not led:
        raise PermissionDenied(N_("this report is for administrators and team leads"))
    if wanted.team_id is not None:
        if wanted.team_id not in led:
            raise PermissionDenied(N_("you lead other teams than this one"))
        return {wanted.team_id}
    return led


def _share(part: float, whole: float) -> float:
    return round(part / whole, 3) if whole else 0.0


def search(ctx: Context, principal: Principal, wanted: ReportFilter) -> Report:
    """Top queries, zero-result queries, queries with results but no click, and the share of
    clicked searches whose click came in the top 3 (admins; team leads: their teams)."""
    since, until = period(wanted)
    teams = _query_teams(ctx, principal, wanted)
    with ctx.uow() as uow:
        rows = sql.searches(uow.session, since, until, teams)
        daily = sql.daily_searches(uow.session, since, until, teams)
    columns = ("query", "searches", "zero_results", "no_click", "top3_share")

    def row(r: object) -> ReportRow:
        return ReportRow((r.query, r.searches, r.zero,  # type: ignore
                          max(r.answered - r.clicked, 0),  # type: ignore
                          _share(r.top3, r.clicked)), query=r.query)  # type: ignore

    top = ReportTable("top_queries", columns, tuple(row(r) for r in rows[:sql.TOP]))
    zero = ReportTable("zero_results", columns, tuple(row(r) for r in sorted(
        (r for r in rows if r.zero), key=lambda r: -r.zero)[:sql.TOP]))
    no_click = ReportTable("no_click", columns, tuple(row(r) for r in sorted(
        (r for r in rows if r.clicked < r.answered),
        key=lambda r: r.clicked - r.answered)[:sql.TOP]))
    searches_by: dict[str, float] = defaultdict(float)
    zero_by: dict[str, float] = defaultdict(float)
    for day, count, zeros in daily:
        searches_by[_bucket(day, since, until)] += count
        zero_by[_bucket(day, since, until)] += zeros
    buckets = _buckets(since, until)
    clicked = sum(r.clicked for r in rows)
    charts = (Chart("searches_over_time", "line", "count",
                    (_series("searches", searches_by, buckets),
                     _series("zero_results", zero_by, buckets))),
              _bars("top3_share", [("top3", _share(sum(r.top3 for r in rows), clicked)),
                                   ("clicked", _share(clicked, sum(r.answered for r in rows)))],
                    unit="share"),
              _bars("zero_results", ((r.cells[0] or "", float(r.cells[2] or 0))  # type: ignore
                                     for r in zero.rows[:10])))
    return _report("search", since, until, charts, (zero, no_click, top))


def customers(ctx: Context, principal: Principal, wanted: ReportFilter) -> Report:
    """Use by customer type, industry, region or buying stage (``wanted.by``), and the
    customers with no current material of the filter's category (editors and admins: only
    they see customers that have no document)."""
    since, until = period(wanted)
    with ctx.uow() as uow:
        rows = sql.by_customer(uow.session, principal, wanted, since, until)
        lacking = (sql.customers_without(uow.session, principal, wanted, until)
                   if principal.can_upload else [])
    used = ReportTable("by_customer", (wanted.by, "views", "downloads", "shares", "documents"),
                       tuple(ReportRow((r.value, r.views, r.downloads, r.shares, r.documents))
                             for r in rows))
    gaps = ReportTable("without_material", ("customer", "type", "industry", "region", "stage"),
                       tuple(ReportRow((r.name, r.type, r.industry, r.region, r.stage))
                             for r in lacking))
    per_stage: dict[str, float] = defaultdict(float)
    for r in lacking:
        per_stage[r.stage or ""] += 1
    charts = (_bars("uses_by_customer", ((str(r.value or "none"), float(r.views + r.downloads
                                                                    + r.shares))
                                         for r in rows)),
              _bars("without_material", sorted(per_stage.items())))
    return _report("customers", since, until, charts, (used, gaps))


def freshness(ctx: Context, principal: Principal, wanted: ReportFilter) -> Report:
    """Share of material overdue for review or expired, per team and category, and its
    trend."""
    since, until = period(wanted)
    today = datetime.now(UTC).date()
    with ctx.uow() as uow:
        now = sql.freshness_now(uow.session, principal, wanted, today)
        trend = sql.freshness_trend(uow.session, principal, wanted, since, until)
        names = sql.team_names(uow.session)
    table = ReportTable("freshness", ("team", "category", "documents", "overdue", "expired",
                                      "overdue_share", "expired_share"),
                        tuple(ReportRow((names.get(r.team_id, ""), r.category, r.total,
                                         r.overdue, r.expired, _share(r.overdue, r.total),
                                         _share(r.expired, r.total))) for r in now))
    overdue: dict[str, float] = {}
    expired: dict[str, float] = {}
    for day, total, late, gone in trend:
        overdue[day.isoformat()] = _share(late, total)
        expired[day.isoformat()] = _share(gone, total)
    days = sorted(overdue)
    charts = (Chart("freshness_over_time", "line", "share",
                    (_series("overdue_share", overdue, days),
                     _series("expired_share", expired, days))),
              _bars("overdue_by_category", _by_category(now), unit="share"))
    return _report("freshness", since, until, charts, (table,))


def _by_category(rows: Iterable[object]) -> list[tuple[str, float]]:
    totals: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for r in rows:
        totals[r.category][0] += r.overdue + r.expired  # type: ignore[attr-defined]
        totals[r.category][1] += r.total  # type: ignore[attr-defined]
    return [(category, _share(late, total)) for category, (late, total) in sorted(
        totals.items())]


def contribution(ctx: Context, principal: Principal, wanted: ReportFilter) -> Report:
    """Uploads and new versions per team and person over time (names: admins; team leads:
    their teams)."""
    since, until = period(wanted)
    teams = _query_teams(ctx, principal, wanted)
    with ctx.uow() as uow:
        names = sql.team_names(uow.session)
        rows = [r for r in sql.contributions(uow.session, principal, wanted, since, until)
                if teams is None or r.team_id in teams]
    table = ReportTable("contributions", ("team", "person", "uploads", "versions"),
                        tuple(ReportRow((names.get(r.team_id, ""), r.name or r.email or "",
                                         r.uploads, r.versions)) for r in rows))
    per_team: dict[str, float] = defaultdict(float)
    for r in rows:
        per_team[names.get(r.team_id, "")] += r.uploads + r.versions
    trend = _team_trend(ctx, principal, wanted, since, until, teams)
    charts = (Chart("contributions_over_time", "line", "count",
                    _trend(trend, ("upload", "new_version"), since, until)),
              _bars("contributions_by_team", sorted(per_team.items())))
    return _report("contribution", since, until, charts, (table,))


def _team_trend(ctx: Context, principal: Principal, wanted: ReportFilter, since: date,
                until: date, teams: set[int] | None) -> list[tuple[date, str, int]]:
    """Daily uploads and new versions of the given teams (None: all)."""
    found: dict[tuple[date, str], int] = defaultdict(int)
    with ctx.uow() as uow:
        for team_id in sorted(teams) if teams is not None else [wanted.team_id]:
            narrowed = wanted.model_copy(update={"team_id": team_id})
            for day, kind, count in sql.daily_uses(uow.session, principal, narrowed, since,
                                                   until, ("upload", "new_version")):
                found[(day, kind)] += count
    return [(day, kind, count) for (day, kind), count in sorted(found.items())]


REPORTS: dict[str, Callable[[Context, Principal, ReportFilter], Report]] = {
    "usage": usage, "search": search, "customers": customers, "freshness": freshness,
    "contribution": contribution}


def report(ctx: Context, principal: Principal, name: str, wanted: ReportFilter) -> Report:
    """The report called ``name`` (one of ``REPORTS``)."""
    found = REPORTS.get(name)
    if found is None:
        raise NotFound(N_("no report named %(name)s"), name=name)
    return found(ctx, principal, wanted)


def document_stats(ctx: Context, principal: Principal, document_id: int) -> Report:
    """One document's views, downloads and share opens over the last 90 days, last used and
    by which teams (its editors and admins)."""
    until = datetime.now(UTC).date()
    since = until - timedelta(days=DEFAULT_DAYS - 1)
    with ctx.uow() as uow:
        writable_document(uow.session, principal, document_id,
                          denied=N_("only the document's editors see its usage"))
        uses = sql.document_uses(uow.session, document_id, since, until)
        teams = sql.document_teams(uow.session, document_id, since, until)
        names = sql.team_names(uow.session)
    table = ReportTable("document_teams", ("team", "uses", "last_used"),
                        tuple(ReportRow((names.get(t, ""), n, last.isoformat()))
                              for t, n, last in teams))
    chart = Chart("uses_over_time", "line", "count", _trend(uses, USE_KINDS, since, until))
    return _report("document", since, until, (chart,), (table,))


def set_team_lead(ctx: Context, principal: Principal, team: str, email: str,
                  lead: bool = True) -> None:
    """Make a member of ``team`` its lead (or no longer); admins only; audited."""
    if not principal.is_admin:
        raise PermissionDenied(N_("only an administrator may do this"))
    with ctx.uow() as uow:
        membership = uow.session.scalar(
            select(Membership).join(Team, Team.id == Membership.team_id)
            .join(User, User.id == Membership.user_id)
            .where(Team.name == team, User.email == email.strip().lower()))
        if membership is None:
            raise InvalidInput(N_("%(email)s is not a member of %(team)s"), email=email,
                               team=team)
        membership.lead = lead
        record_event(uow.session, principal, "team_lead" if lead else "team_lead_end",
                     detail=f"{email} {team}")
        uow.commit()
