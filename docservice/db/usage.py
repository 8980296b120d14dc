"""Usage events in and out: the rows a use case appends with its change, the daily rollups
the reports read, the retention purge and one person's query history."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Exists,
    and_,
    case,
    delete,
    exists,
    func,
    insert,
    literal,
    null,
    select,
)
from sqlalchemy.orm import Session, aliased

from docservice.db.models import (
    Document,
    FreshnessDaily,
    SearchDaily,
    UsageDaily,
    UsageEvent,
)
from docservice.domain import Principal

DOCUMENT_KINDS = ("view", "download", "share", "click")
"""Uses of a document the usage reports count (a click is the way in from a search)."""
CONTRIBUTION_KINDS = ("upload", "new_version")
KINDS = ("search", *DOCUMENT_KINDS, *CONTRIBUTION_KINDS)
EventFields = Mapping[str, str | int | float | datetime | None]
_INSERT = insert(UsageEvent)  # a Core insert: no unit-of-work bookkeeping on the hot path


def team_of(principal: Principal) -> int | None:
    """The team an event is counted for: the person's (lowest-numbered) team."""
    return min(principal.team_ids) if principal.team_ids else None


def event_fields(principal: Principal, kind: str, **fields: str | int | float | None
                 ) -> dict[str, str | int | float | datetime | None]:
    """The columns of one event (``at`` now), ready for ``append``."""
    if kind not in KINDS:
        raise ValueError(f"unknown usage event kind {kind!r}")
    return {"at": datetime.now(UTC), "kind": kind, "user_id": principal.user_id,
            "team_id": team_of(principal), **fields}


def add_event(session: Session, principal: Principal, kind: str, *,
              document_id: int | None = None, version_id: int | None = None) -> None:
    """A use of a document, written in the caller's transaction (with the change or the
    audit row it goes with, so it is kept exactly when they are)."""
    session.execute(_INSERT, event_fields(principal, kind, document_id=document_id,
                                          version_id=version_id))


def append(session: Session, rows: Sequence[EventFields]) -> None:
    """Many events in one statement (the buffered searches and clicks)."""
    if rows:
        session.execute(insert(UsageEvent), [dict(row) for row in rows])


def _bounds(day: date) -> tuple[datetime, datetime]:
    start = datetime.combine(day, time(), tzinfo=UTC)
    return start, start + timedelta(days=1)


def days_to_roll(session: Session, today: date) -> list[date]:
    """The days whose rollups may be out of date: from the last day rolled up (it may have
    been rolled up before it ended) or the first event, to ``today``."""
    last = session.scalar(select(func.max(UsageDaily.day)))
    last_search = session.scalar(select(func.max(SearchDaily.day)))
    rolled = [day for day in (last, last_search) if day is not None]
    if rolled:
        start = min(rolled)
    else:
        first = session.scalar(select(func.min(UsageEvent.at)))
        if first is None:
            return []
        start = first.date()
    return [start + timedelta(days=n) for n in range((today - start).days + 1)]


def roll_up(session: Session, day: date) -> None:
    """Replace ``day``'s rollups with sums over its raw events (safe to run again)."""
    start, end = _bounds(day)
    in_day = and_(UsageEvent.at >= start, UsageEvent.at < end)
    session.execute(delete(UsageDaily).where(UsageDaily.day == day))
    session.execute(delete(SearchDaily).where(SearchDaily.day == day))
    contributor = case((UsageEvent.kind.in_(CONTRIBUTION_KINDS), UsageEvent.user_id),
                       else_=null())
    session.execute(insert(UsageDaily).from_select(
        ["day", "kind", "document_id", "team_id", "user_id", "count", "people"],
        select(literal(day), UsageEvent.kind, UsageEvent.document_id, UsageEvent.team_id,
               contributor, func.count(), func.count(UsageEvent.user_id.distinct()))
        .where(in_day, UsageEvent.kind != "search", UsageEvent.document_id.is_not(None))
        .group_by(UsageEvent.kind, UsageEvent.document_id, UsageEvent.team_id, contributor)))
    session.execute(insert(SearchDaily).from_select(
        ["day", "team_id", "normalized", "query", "searches", "zero", "sessions", "answered",
         "clicked", "top3"], _search_rollup(day, in_day)))


def _search_rollup(day: date, in_day: ColumnElement[bool]) -> Any:
    """Per team and normalised query: searches, zero-result searches, person-days, those
    that found something, and those with a click after searching (and in the top 3)."""
    click = aliased(UsageEvent)
    start, end = _bounds(day)

    def clicked(*extra: ColumnElement[bool]) -> Exists:
        return exists().where(click.kind == "click", click.user_id == UsageEvent.user_id,
                              click.normalized == UsageEvent.normalized,
                              click.at >= start, click.at < end, *extra)

    query: Any = (select(literal(day), UsageEvent.team_id, UsageEvent.normalized,
                   func.min(UsageEvent.query), func.count(),
                   func.sum(case((UsageEvent.results == 0, 1), else_=0)),
                   func.count(UsageEvent.user_id.distinct()),
                   func.count(case((UsageEvent.results > 0, UsageEvent.user_id)).distinct()),
                   func.count(case((clicked(), UsageEvent.user_id)).distinct()),
                   func.count(case((clicked(click.rank <= 3), UsageEvent.user_id)).distinct()))
            .where(in_day, UsageEvent.kind == "search")
            .group_by(UsageEvent.team_id, UsageEvent.normalized))
    return query


def snapshot_freshness(session: Session, day: date) -> None:
    """Today's counts of documents overdue for review or expired, per team, category and
    visibility (replacing an earlier snapshot of the same day)."""
    session.execute(delete(FreshnessDaily).where(FreshnessDaily.day == day))
    session.execute(insert(FreshnessDaily).from_select(
        ["day", "team_id", "category", "visibility", "total", "overdue", "expired"],
        select(literal(day), Document.team_id, Document.category, Document.visibility,
               func.count(), func.sum(case((Document.review_by < day, 1), else_=0)),
               func.sum(case((Document.expires_on < day, 1), else_=0)))
        .group_by(Document.team_id, Document.category, Document.visibility)))


def purge_before(session: Session, day: date) -> int:
    """Delete raw events from before ``day``; how many went."""
    start, _end = _bounds(day)
    result = session.execute(delete(UsageEvent).where(UsageEvent.at < start))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def query_history(session: Session, user_id: int) -> Sequence[UsageEvent]:
    """The person's searches and clicks, oldest first."""
    return session.scalars(select(UsageEvent).where(
        UsageEvent.user_id == user_id, UsageEvent.kind.in_(("search", "click")))
        .order_by(UsageEvent.at, UsageEvent.id)).all()


def forget_queries(session: Session, user_id: int) -> tuple[int, list[date]]:
    """Delete the person's searches and clicks; how many, and the days to roll up again."""
    mine = and_(UsageEvent.user_id == user_id, UsageEvent.kind.in_(("search", "click")))
    days = sorted({at.date() for at in session.scalars(select(UsageEvent.at).where(mine))})
    result = session.execute(delete(UsageEvent).where(mine))
    return int(result.rowcount or 0), days  # type: ignore[attr-defined]


def day_list(first: date, last: date) -> Iterable[date]:
    return (first + timedelta(days=n) for n in range((last - first).days + 1))

