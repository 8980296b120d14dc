"""Review dates: when a document is due for a look, "still current", the Needs-review list,
and the daily refresh that keeps the index's overdue and expiring marks true.

A document is due for review on ``review_by`` (set at upload from the settings' days per
category and subtype, editable, moved forward by "still current" or a new version); a
contract is due at its expiry instead. The index holds, beside a document's status, the
values of ``domain.freshness`` as of the day it was indexed: ``status:overdue``,
``status:expiring_30`` and the filter ``status:current`` read them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import ColumnElement, or_, select, true
from sqlalchemy.orm import Session

from docservice.config import Settings
from docservice.db.access import readable, writable_document
from docservice.db.models import Document, utcnow
from docservice.db.repositories import record_event
from docservice.domain import Category, Principal
from docservice.errors import N_, InvalidInput
from docservice.services import outbox
from docservice.services.context import Context
from docservice.views import ReviewItem

DUE_WITHIN_DAYS = 30  # the Needs-review list: overdue, or due within this many days
REFRESH_BACK_DAYS = 7  # the daily refresh also catches up on a week of missed runs
REVIEW_SORTS = ("due", "title", "category", "owner")
STILL_CURRENT = "still_current"  # audit action


def review_days(settings: Settings, category: str | None, subtype: str | None) -> int | None:
    """Days until review for a document of this kind: ``category/subtype``, then
    ``category``, then ``*`` from DOCSERVICE_REVIEW_DAYS."""
    days = dict(settings.review_days)
    for key in (f"{category}/{subtype}", f"{category}", "*"):
        if key in days:
            return days[key]
    return None


def today() -> date:
    return utcnow().date()


def default_review_by(settings: Settings, category: str | None, subtype: str | None
                      ) -> date | None:
    """The review date of a new document; none for a contract (its expiry is its date)."""
    if category == Category.CONTRACT.value:
        return None
    days = review_days(settings, category, subtype)
    return None if days is None else today() + timedelta(days=days)


def moved_forward(settings: Settings, category: str, subtype: str | None,
                  review_by: date | None) -> date | None:
    """A new version or "still current": the review date moves to today plus the
    document's days, never back."""
    days = review_days(settings, category, subtype)
    if days is None:
        return review_by
    moved = today() + timedelta(days=days)
    return moved if review_by is None or review_by < moved else review_by


def confirm_current(ctx: Context, principal: Principal, document_id: int) -> date | None:
    """Someone who may change the document confirms it is still current: its review date
    moves forward (audited); returns the new date."""
    with ctx.uow() as uow:
        document = writable_document(uow.session, principal, document_id)
        before = document.review_by
        after = document.review_by = moved_forward(ctx.settings, document.category,
                                                   document.subtype, document.review_by)
        record_event(uow.session, principal, STILL_CURRENT, document_id=document_id,
                     detail=f"review by {before or '-'} -> {after or '-'}")
        uow.owe(outbox.INDEX_DOCUMENT, run_now=True, document_id=document_id)
        uow.commit()
    return after


@dataclass(frozen=True)
class ReviewFilter:
    """What the Needs-review list shows: ``scope`` mine (owned), team (my teams') or all;
    ``category``; ``overdue`` only; sorted by ``sort`` (REVIEW_SORTS)."""

    scope: str = "all"
    category: str | None = None
    overdue: bool = False
    sort: str = "due"
    within_days: int = DUE_WITHIN_DAYS


def needs_review(ctx: Context, principal: Principal, wanted: ReviewFilter) -> list[ReviewItem]:
    """Documents the caller or their teams own (admins: every document) that are overdue
    for review, expired, or due within ``within_days``, sorted as asked."""
    if wanted.sort not in REVIEW_SORTS:
        raise InvalidInput(N_("sort must be one of %(allowed)s"), allowed=", ".join(REVIEW_SORTS))
    if wanted.scope not in ("all", "mine", "team"):
        raise InvalidInput(N_("scope must be all, mine or team"))
    now = today()
    horizon = now + timedelta(days=wanted.within_days)
    due = (or_(Document.review_by < now, Document.expires_on < now) if wanted.overdue
           else or_(Document.review_by <= horizon, Document.expires_on <= horizon))
    query = select(Document).where(readable(principal), due,
                                   Document.status.not_in(("expired", "terminated")))
    query = query.where(_owned_by(principal, wanted.scope))
    if wanted.category:
        query = query.where(Document.category == wanted.category)
    with ctx.uow() as uow:
        items = [_item(document, now) for document in uow.session.scalars(query)]
    return sorted(items, key=_sort_key(wanted.sort))


def _owned_by(principal: Principal, scope: str) -> ColumnElement[bool]:
    mine = Document.owner_id == principal.user_id
    teams = Document.team_id.in_(sorted(principal.team_ids))
    if scope == "mine":
        return mine
    if scope == "team":
        return teams
    if principal.is_admin:
        return true()
    return or_(mine, teams)


def _item(document: Document, now: date) -> ReviewItem:
    dates = [found for found in (document.review_by, document.expires_on) if found]
    due = min(dates)
    reason = "expires" if due == document.expires_on else "review"
    return ReviewItem(
        document_id=document.id, title=document.title, category=document.category,
        subtype=document.subtype, status=document.status,
        owner=document.owner.email if document.owner else None,
        team=document.team.name if document.team else None,
        review_by=document.review_by.isoformat() if document.review_by else None,
        expires_on=document.expires_on.isoformat() if document.expires_on else None,
        due=due.isoformat(), reason=reason, days_left=(due - now).days,
        overdue=due < now)


def _sort_key(sort: str) -> Callable[[ReviewItem], tuple[Any, ...]]:
    if sort == "title":
        return lambda item: (item.title.lower(), item.due)
    if sort == "category":
        return lambda item: (item.category, item.subtype or "", item.due)
    if sort == "owner":
        return lambda item: (item.owner or "", item.due)
    return lambda item: (item.due, item.title.lower())


def _documents_to_refresh(session: Session, now: date) -> list[int]:
    """Documents whose marks may have changed since yesterday (or a week of missed runs):
    review date just passed, expiry just passed or within the 30/60/90-day windows."""
    back = now - timedelta(days=REFRESH_BACK_DAYS)
    return list(session.scalars(select(Document.id).where(
        Document.deleted_at.is_(None),
        or_(Document.review_by.between(back, now),
            Document.expires_on.between(back, now + timedelta(days=90))))
        .order_by(Document.id)))


REFRESH_BATCH = 200


def refresh_marks(ctx: Context) -> str:
    """The daily job: index again the documents whose overdue/expiring marks change today
    (batched outbox rows); safe to run twice."""
    with ctx.uow() as uow:
        ids = _documents_to_refresh(uow.session, today())
        for start in range(0, len(ids), REFRESH_BATCH):
            uow.owe(outbox.INDEX_DOCUMENTS, document_ids=ids[start:start + REFRESH_BATCH])
        uow.commit()
    return f"{len(ids)} documents indexed again for their review and expiry marks"
