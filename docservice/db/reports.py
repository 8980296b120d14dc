"""The reports' SQL: every count reads the daily rollups joined to the documents under the
SQL read rule, so nothing the reader may not read is ever counted."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, case, func, not_, or_, select, true
from sqlalchemy.orm import Session

from docservice.db.access import readable
from docservice.db.models import (
    Customer,
    Document,
    FreshnessDaily,
    Membership,
    SearchDaily,
    Team,
    UsageDaily,
    User,
)
from docservice.db.usage import CONTRIBUTION_KINDS, DOCUMENT_KINDS
from docservice.domain import Principal, Visibility
from docservice.inputs import ReportFilter

TOP = 50


def lead_teams(session: Session, user_id: int | None) -> set[int]:
    """The teams ``user_id`` leads."""
    if user_id is None:
        return set()
    return set(session.scalars(select(Membership.team_id).where(
        Membership.user_id == user_id, Membership.lead.is_(True))))


def team_names(session: Session) -> dict[int, str]:
    return {row.id: row.name for row in session.execute(select(Team.id, Team.name))}


def _material(principal: Principal, wanted: ReportFilter) -> ColumnElement[bool]:
    """Documents the reader may read that match the filter's material and customer parts."""
    rules: list[ColumnElement[bool]] = [readable(principal)]
    if wanted.category:
        rules.append(Document.category == wanted.category)
    if wanted.subtype:
        rules.append(Document.subtype == wanted.subtype)
    customer_rules = _customer_rules(wanted)
    if customer_rules:
        rules.append(Document.customer_id.in_(select(Customer.id).where(*customer_rules)))
    return and_(*rules)


def _customer_rules(wanted: ReportFilter) -> list[ColumnElement[bool]]:
    rules: list[ColumnElement[bool]] = []
    if wanted.customer_type:
        rules.append(Customer.type == wanted.customer_type)
    if wanted.industry:
        rules.append(Customer.industry == wanted.industry)
    if wanted.region:
        rules.append(Customer.region == wanted.region)
    if wanted.stage:
        rules.append(Customer.stage == wanted.stage)
    return rules


def _uses(since: date, until: date, team_id: int | None,
          kinds: Collection[str] = DOCUMENT_KINDS) -> ColumnElement[bool]:
    rules = [UsageDaily.day >= since, UsageDaily.day <= until, UsageDaily.kind.in_(kinds)]
    if team_id is not None:
        rules.append(UsageDaily.team_id == team_id)
    return and_(*rules)


def _count_of(kind: str) -> Any:
    return func.sum(case((UsageDaily.kind == kind, UsageDaily.count), else_=0))


def _used(principal: Principal, wanted: ReportFilter, since: date, until: date,
          kinds: Collection[str] = DOCUMENT_KINDS) -> Select[Any]:
    return (select().select_from(UsageDaily)
            .join(Document, Document.id == UsageDaily.document_id)
            .where(_uses(since, until, wanted.team_id, kinds), _material(principal, wanted)))


def most_used(session: Session, principal: Principal, wanted: ReportFilter, since: date,
              until: date) -> Sequence[Any]:
    """The most used documents: views, downloads, share opens, clicks from search, people
    (distinct per day, summed over days) and the last day used."""
    total = func.sum(UsageDaily.count)
    return session.execute(
        _used(principal, wanted, since, until)
        .add_columns(Document.id, Document.title, Document.category, Document.subtype,
                     _count_of("view").label("views"), _count_of("download").label("downloads"),
                     _count_of("share").label("shares"), _count_of("click").label("clicks"),
                     func.sum(UsageDaily.people).label("people"), total.label("total"),
                     func.max(UsageDaily.day).label("last_day"))
        .group_by(Document.id, Document.title, Document.category, Document.subtype)
        .order_by(total.desc(), Document.id).limit(TOP)).all()


def daily_uses(session: Session, principal: Principal, wanted: ReportFilter, since: date,
               until: date, kinds: Collection[str] = DOCUMENT_KINDS
               ) -> Sequence[Any]:
    """(day, kind, count) over the period."""
    return session.execute(
        _used(principal, wanted, since, until, kinds)
        .add_columns(UsageDaily.day, UsageDaily.kind, func.sum(UsageDaily.count))
        .group_by(UsageDaily.day, UsageDaily.kind).order_by(UsageDaily.day)).all()


def unused(session: Session, principal: Principal, wanted: ReportFilter, since: date,
           until: date) -> tuple[int, Sequence[Any]]:
    """Readable documents that nobody viewed, downloaded, opened by share link or clicked in
    the period (by anyone: the team filter does not apply), oldest first: how many, and the
    first ``TOP``."""
    used = select(UsageDaily.document_id).where(
        UsageDaily.document_id == Document.id, _uses(since, until, None)).exists()
    end = datetime.combine(until + timedelta(days=1), time(), tzinfo=UTC)
    rule = and_(_material(principal, wanted), not_(used), Document.created_at < end)
    count = session.scalar(select(func.count()).select_from(Document).where(rule)) or 0
    rows = session.execute(select(Document.id, Document.title, Document.category,
                                  Document.subtype, Document.created_at)
                           .where(rule).order_by(Document.created_at, Document.id)
                           .limit(TOP)).all()
    return count, rows


def by_customer(session: Session, principal: Principal, wanted: ReportFilter, since: date,
                until: date) -> Sequence[Any]:
    """Uses per value of the customer dimension ``wanted.by`` (None: no customer)."""
    dimension = getattr(Customer, wanted.by)
    return session.execute(
        _used(principal, wanted, since, until)
        .outerjoin(Customer, Customer.id == Document.customer_id)
        .add_columns(dimension.label("value"), _count_of("view").label("views"),
                     _count_of("download").label("downloads"),
                     _count_of("share").label("shares"),
                     func.count(Document.id.distinct()).label("documents"))
        .group_by(dimension).order_by(func.sum(UsageDaily.count).desc())).all()


def current_material(principal: Principal, wanted: ReportFilter, today: date
                     ) -> ColumnElement[bool]:
    """A readable, unexpired document of the filter's category and subtype for the customer."""
    rules = [Document.customer_id == Customer.id, readable(principal),
             or_(Document.expires_on.is_(None), Document.expires_on >= today)]
    if wanted.category:
        rules.append(Document.category == wanted.category)
    if wanted.subtype:
        rules.append(Document.subtype == wanted.subtype)
    return and_(*rules)


def customers_without(session: Session, principal: Principal, wanted: ReportFilter,
                      today: date) -> Sequence[Any]:
    """Customers (of the filter's type, industry, region, stage) with no current material."""
    lacking = not_(select(Document.id).where(current_material(principal, wanted, today))
                   .exists())
    return session.execute(
        select(Customer.id, Customer.name, Customer.type, Customer.industry, Customer.region,
               Customer.stage)
        .where(lacking, *_customer_rules(wanted)).order_by(Customer.name).limit(500)).all()


def freshness_now(session: Session, principal: Principal, wanted: ReportFilter, today: date
                  ) -> Sequence[Any]:
    """Per team and category: readable documents, overdue for review, expired."""
    rule = _material(principal, wanted)
    if wanted.team_id is not None:
        rule = and_(rule, Document.team_id == wanted.team_id)
    return session.execute(
        select(Document.team_id, Document.category, func.count().label("total"),
               func.sum(case((Document.review_by < today, 1), else_=0)).label("overdue"),
               func.sum(case((Document.expires_on < today, 1), else_=0)).label("expired"))
        .where(rule).group_by(Document.team_id, Document.category)
        .order_by(Document.team_id, Document.category)).all()


def freshness_trend(session: Session, principal: Principal, wanted: ReportFilter,
                    since: date, until: date) -> Sequence[Any]:
    """Per day: documents, overdue, expired, from the daily snapshots. A reader who is not
    an admin counts only the organisation's and their teams' team documents (the snapshot
    knows no owners or grants: it may count fewer than they read, never more)."""
    rules: list[ColumnElement[bool]] = [FreshnessDaily.day >= since,
                                        FreshnessDaily.day <= until]
    if not principal.is_admin:
        rules.append(or_(FreshnessDaily.visibility == Visibility.ORG.value,
                         and_(FreshnessDaily.visibility == Visibility.TEAM.value,
                              FreshnessDaily.team_id.in_(sorted(principal.team_ids)))))
    if wanted.team_id is not None:
        rules.append(FreshnessDaily.team_id == wanted.team_id)
    if wanted.category:
        rules.append(FreshnessDaily.category == wanted.category)
    return session.execute(
        select(FreshnessDaily.day, func.sum(FreshnessDaily.total),
               func.sum(FreshnessDaily.overdue), func.sum(FreshnessDaily.expired))
        .where(*rules).group_by(FreshnessDaily.day).order_by(FreshnessDaily.day)).all()


def contributions(session: Session, principal: Principal, wanted: ReportFilter, since: date,
                  until: date) -> Sequence[Any]:
    """Per team and person: uploads and new versions (of readable documents)."""
    return session.execute(
        _used(principal, wanted, since, until, CONTRIBUTION_KINDS)
        .outerjoin(User, User.id == UsageDaily.user_id)
        .add_columns(UsageDaily.team_id, User.name, User.email,
                     _count_of("upload").label("uploads"),
                     _count_of("new_version").label("versions"))
        .group_by(UsageDaily.team_id, User.name, User.email)
        .order_by(func.sum(UsageDaily.count).desc()).limit(TOP * 4)).all()


def searches(session: Session, since: date, until: date, teams: Collection[int] | None
             ) -> Sequence[Any]:
    """Per normalised query: one way it was typed, searches, zero-result searches,
    person-days, those with a click and those with a click in the top 3."""
    rule = and_(SearchDaily.day >= since, SearchDaily.day <= until,
                SearchDaily.team_id.in_(sorted(teams)) if teams is not None else true())
    return session.execute(
        select(SearchDaily.normalized, func.min(SearchDaily.query).label("query"),
               func.sum(SearchDaily.searches).label("searches"),
               func.sum(SearchDaily.zero).label("zero"),
               func.sum(SearchDaily.sessions).label("sessions"),
               func.sum(SearchDaily.answered).label("answered"),
               func.sum(SearchDaily.clicked).label("clicked"),
               func.sum(SearchDaily.top3).label("top3"))
        .where(rule).group_by(SearchDaily.normalized)
        .order_by(func.sum(SearchDaily.searches).desc(), SearchDaily.normalized)
        .limit(TOP * 20)).all()


def daily_searches(session: Session, since: date, until: date, teams: Collection[int] | None
                   ) -> Sequence[Any]:
    rule = and_(SearchDaily.day >= since, SearchDaily.day <= until,
                SearchDaily.team_id.in_(sorted(teams)) if teams is not None else true())
    return session.execute(
        select(SearchDaily.day, func.sum(SearchDaily.searches), func.sum(SearchDaily.zero))
        .where(rule).group_by(SearchDaily.day).order_by(SearchDaily.day)).all()


def document_uses(session: Session, document_id: int, since: date, until: date
                  ) -> Sequence[Any]:
    """(day, kind, count) for one document."""
    return session.execute(
        select(UsageDaily.day, UsageDaily.kind, func.sum(UsageDaily.count))
        .where(UsageDaily.document_id == document_id, _uses(since, until, None))
        .group_by(UsageDaily.day, UsageDaily.kind).order_by(UsageDaily.day)).all()


def document_teams(session: Session, document_id: int, since: date, until: date
                   ) -> Sequence[Any]:
    """(team id, uses, last day) for one document, most uses first."""
    return session.execute(
        select(UsageDaily.team_id, func.sum(UsageDaily.count), func.max(UsageDaily.day))
        .where(UsageDaily.document_id == document_id, _uses(since, until, None))
        .group_by(UsageDaily.team_id).order_by(func.sum(UsageDaily.count).desc())).all()
