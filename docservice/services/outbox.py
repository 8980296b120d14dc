"""The outbox: side effects of a change, kept durably and run by id-based jobs on the queue.

A use case calls ``uow.owe(kind, document_id=...)`` inside its unit of work: the row commits
with the change or not at all, and :func:`dispatch` gets its id once the transaction has
committed. A job (:func:`run_rows`, the same on both tiers) takes a lease on the row, runs
the handler registered for its kind, and deletes the row. A service outage
(``ServiceUnavailable``) leaves the row pending with a later ``available_at`` (exponential
backoff, without end: the side effect is owed); any other error marks it failed, for an
admin to retry. The sweeper (services/sweeper.py) queues rows again whose time has come or
whose worker went away.

Handlers take the context and the payload (ids only) and read the current state, so that a
row run twice, or two rows for one document, do no harm.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, func, select, update

from docservice.db import claims, notices
from docservice.db.access import readable
from docservice.db.models import Document, OutboxRow, utcnow
from docservice.db.uow import OUTBOX_LEASE
from docservice.domain import Principal
from docservice.errors import QueueUnavailable, ServiceUnavailable
from docservice.queue.base import OUTBOX_JOB
from docservice.services import mail, notifications, webhooks
from docservice.services.context import Context
from docservice.services.indexing import reindex_documents

log = logging.getLogger(__name__)

PENDING = "pending"
FAILED = "failed"
INDEX_DOCUMENT = "index.document"
"""Send a document's index entries again: metadata, customer or latest version changed."""
INDEX_PERMISSIONS = "index.permissions"
"""The same, after a change of who may read the document: until it has run, search hides
the document from everyone the database no longer lets read it."""
INDEX_DOCUMENTS = "index.documents"
"""INDEX_DOCUMENT for many documents (``document_ids``) in one write: a bulk edit, the
daily freshness refresh."""
INDEX_PERMISSIONS_MANY = "index.permissions.many"
"""INDEX_PERMISSIONS for many documents (``document_ids``): a bulk edit, the trash."""
LEASE = OUTBOX_LEASE  # an index write waits 30 s for the writer at most
BACKOFF_FIRST_S = 2.0
BACKOFF_MAX_S = 300.0
ERROR_LIMIT = 2000

Payload = Mapping[str, Any]  # ids: ints, or lists of ints
Handler = Callable[[Context, Payload], None]


def _document_ids(payload: Payload) -> list[int]:
    """The documents a row is about: ``document_id`` or ``document_ids``."""
    if "document_ids" in payload:
        return [int(found) for found in payload["document_ids"]]
    return [int(payload["document_id"])] if "document_id" in payload else []


def _index_documents(ctx: Context, payload: Payload) -> None:
    reindex_documents(ctx, _document_ids(payload))


def _mend_version_entry(ctx: Context, payload: Payload) -> None:
    from docservice.services.integrity import mend_version_entry

    mend_version_entry(ctx, payload["document_id"], payload["version_id"])


def _answer_refusal(ctx: Context, payload: Payload) -> None:
    from docservice.services.mail_intake import answer_refusal

    answer_refusal(ctx, payload)


HANDLERS: dict[str, Handler] = {
    notifications.NOTIFY_VERSION: notifications.on_new_version,
    notices.NOTIFY_SEARCH: notifications.on_indexed,
    notifications.EMAIL_NOTIFICATION: mail.email_notification,
    notices.DELIVER_WEBHOOK: webhooks.deliver,
    INDEX_DOCUMENT: _index_documents,
    INDEX_PERMISSIONS: _index_documents,
    INDEX_DOCUMENTS: _index_documents,
    INDEX_PERMISSIONS_MANY: _index_documents,
    "index.version": _mend_version_entry,  # services/integrity.py INDEX_VERSION
    "intake.refusal": _answer_refusal,  # services/mail_intake.py ANSWER_REFUSAL
}
"""What runs each kind of row; a new side effect (notification, webhook, rollup) adds its
kind here."""


@dataclass(frozen=True)
class Attempt:
    kind: str
    payload: dict[str, Any]


def dispatch(ctx: Context, row_id: int, run_now: bool) -> None:
    """A row just committed (``UnitOfWork.owe``): queue it, or with ``run_now`` run it at
    once (an edit then finds the index up to date when its request returns; an outage
    leaves the row to the sweeper)."""
    if run_now:
        run_row(ctx, row_id)
    else:
        enqueue(ctx, [row_id])


def enqueue(ctx: Context, row_ids: Iterable[int]) -> None:
    for row_id in row_ids:
        try:
            ctx.queue.enqueue(OUTBOX_JOB, row_id)
        except QueueUnavailable as exc:
            # The row is kept: the sweeper queues it again once the queue is back.
            log.warning("outbox row %s waits for the job queue: %s", row_id, exc.message)


def run_rows(ctx: Context, row_ids: Iterable[int]) -> None:
    """The outbox job: run each row this worker can take; raise the first error that was
    not an outage once every row has had its turn (each recorded its failure)."""
    errors: list[Exception] = []
    for row_id in row_ids:
        try:
            run_row(ctx, row_id)
        except Exception as exc:
            errors.append(exc)
    if errors:
        raise errors[0]


def run_row(ctx: Context, row_id: int) -> None:
    """Run one row if it is pending and nobody alive holds it (else nothing happens)."""
    attempt = _claim(ctx, row_id)
    if attempt is None:
        return
    log.info("outbox row %s (%s %s) running", row_id, attempt.kind, attempt.payload)
    try:
        HANDLERS[attempt.kind](ctx, attempt.payload)
    except ServiceUnavailable as exc:
        delay = _postpone(ctx, row_id, exc.message)
        log.warning("outbox row %s (%s) again in %.0f s: %s", row_id, attempt.kind, delay,
                    exc.message)
        return
    except Exception as exc:
        _release(ctx, row_id, state=FAILED, error=f"{type(exc).__name__}: {exc}")
        log.exception("outbox row %s (%s) failed", row_id, attempt.kind)
        raise
    with ctx.uow() as uow:
        uow.session.execute(delete(OutboxRow).where(
            OutboxRow.id == row_id, OutboxRow.claimed_by == claims.this_process()))
        uow.commit()


def _claim(ctx: Context, row_id: int) -> Attempt | None:
    now = utcnow()
    with ctx.uow() as uow:
        row = uow.session.execute(select(OutboxRow.state, OutboxRow.claimed_by,
                                         OutboxRow.claimed_at)
                                  .where(OutboxRow.id == row_id)).first()
        if row is None or row.state != PENDING or not claims.expired(
                row.claimed_by, row.claimed_at, now, LEASE):
            return None
        # Compare and set: of two workers that saw the same holder, one takes the row.
        held = (OutboxRow.claimed_by.is_(None) if row.claimed_by is None
                else OutboxRow.claimed_by == row.claimed_by)
        taken = uow.session.execute(
            update(OutboxRow).where(OutboxRow.id == row_id, OutboxRow.state == PENDING, held)
            .values(claimed_by=claims.this_process(), claimed_at=now,
                    attempts=OutboxRow.attempts + 1)
            .returning(OutboxRow.kind, OutboxRow.payload)).first()
        uow.commit()
    return None if taken is None else Attempt(taken.kind, json.loads(taken.payload))


def backoff(attempts: int) -> float:
    """Seconds before the next try after ``attempts`` tries: 2, 4, 8 ... at most 5 minutes."""
    return min(BACKOFF_FIRST_S * 2 ** max(attempts - 1, 0), BACKOFF_MAX_S)


def _postpone(ctx: Context, row_id: int, error: str) -> float:
    with ctx.uow() as uow:
        attempts = uow.session.scalar(select(OutboxRow.attempts)
                                      .where(OutboxRow.id == row_id)) or 1
        uow.commit()
    delay = backoff(attempts)
    _release(ctx, row_id, state=PENDING, error=error,
             available_at=utcnow() + timedelta(seconds=delay))
    return delay


def _release(ctx: Context, row_id: int, *, state: str, error: str,
             available_at: datetime | None = None) -> None:
    values: dict[str, object] = {"state": state, "last_error": error[:ERROR_LIMIT],
                                 "claimed_by": None, "claimed_at": None}
    if available_at is not None:
        values["available_at"] = available_at
    with ctx.uow() as uow:
        uow.session.execute(update(OutboxRow).where(
            OutboxRow.id == row_id, OutboxRow.claimed_by == claims.this_process())
            .values(**values))
        uow.commit()


def due(ctx: Context) -> list[int]:
    """Pending rows whose time has come and that nobody alive holds, reserved for one lease
    (so that the next sweep leaves them to the queue); their ids, to queue."""
    now = utcnow()
    with ctx.uow() as uow:
        rows = uow.session.execute(
            select(OutboxRow.id, OutboxRow.claimed_by, OutboxRow.claimed_at)
            .where(OutboxRow.state == PENDING, OutboxRow.available_at <= now)
            .order_by(OutboxRow.id)).all()
        ready = [row.id for row in rows
                 if claims.expired(row.claimed_by, row.claimed_at, now, LEASE)]
        if ready:
            uow.session.execute(update(OutboxRow).where(OutboxRow.id.in_(ready))
                                .values(available_at=now + LEASE))
        uow.commit()
    return ready


def retry_failed(ctx: Context) -> list[int]:
    """Make every failed row pending again, due now; their ids (the caller queues them)."""
    with ctx.uow() as uow:
        ids = list(uow.session.scalars(select(OutboxRow.id).where(OutboxRow.state == FAILED)
                                       .order_by(OutboxRow.id)))
        if ids:
            uow.session.execute(update(OutboxRow).where(OutboxRow.id.in_(ids)).values(
                state=PENDING, attempts=0, available_at=utcnow() + LEASE))
        uow.commit()
    return ids


def counts(ctx: Context) -> dict[str, int]:
    """Rows owed, per state (``pending``, ``failed``)."""
    with ctx.uow() as uow:
        rows = uow.session.execute(select(OutboxRow.state, func.count())
                                   .group_by(OutboxRow.state)).all()
    found = {PENDING: 0, FAILED: 0}
    found.update({state: count for state, count in rows})
    return found


def permission_changes_pending(ctx: Context, principal: Principal) -> frozenset[int]:
    """Documents whose change of readers the index has not caught up with and that
    ``principal`` may not read now: search leaves them out, whatever the index says."""
    if principal.is_admin:
        return frozenset()
    with ctx.uow() as uow:
        payloads = uow.session.scalars(select(OutboxRow.payload).where(
            OutboxRow.kind.in_((INDEX_PERMISSIONS, INDEX_PERMISSIONS_MANY)),
            OutboxRow.state.in_((PENDING, FAILED))))
        changed = {found for payload in payloads for found in _document_ids(json.loads(payload))}
        if not changed:
            return frozenset()
        may_read = set(uow.session.scalars(select(Document.id).where(
            Document.id.in_(changed), readable(principal))))
    return frozenset(changed - may_read)
