"""Usage events: recording them without slowing anyone down, rolling them up daily, purging
them after the retention period, and one person's query history.

Views, downloads, share-link opens, uploads and new versions are written in the transaction
of the change or audit row they go with (``db.usage.add_event``), so they are kept exactly
when it is. Searches and clicks have no transaction of their own: they go into an in-process
buffer that a thread writes in batches, each batch one transaction, at least every
``FLUSH_S`` seconds and when the process closes its context. A search thus costs a queue put
(microseconds) and never waits on the database's write lock; a crash of the process loses at
most the last ``FLUSH_S`` seconds of searches and clicks, never half an event, which moves
no report noticeably.
"""

from __future__ import annotations

import logging
import threading
import unicodedata
from datetime import UTC, datetime, timedelta
from queue import Empty, SimpleQueue

from docservice.db import usage
from docservice.db.repositories import record_event
from docservice.domain import Principal
from docservice.errors import N_, PermissionDenied, QuerySyntaxError
from docservice.search.query import parse_query
from docservice.services.context import Context
from docservice.views import QueryRecord

log = logging.getLogger(__name__)
FLUSH_S = 1.0
BATCH = 500


class Recorder:
    """The buffer of one context's searches and clicks and the thread that writes them."""

    def __init__(self, ctx: Context) -> None:
        self._ctx = ctx
        self._pending: SimpleQueue[usage.EventFields] = SimpleQueue()
        self._stop = threading.Event()
        self._flushing = threading.Lock()
        self._thread = threading.Thread(target=self._run, name="usage-events", daemon=True)
        self._thread.start()

    def put(self, row: usage.EventFields) -> None:
        self._pending.put(row)

    def flush(self) -> int:
        """Write everything buffered so far; how many events."""
        written = 0
        with self._flushing:
            while True:
                rows = self._take()
                if not rows:
                    return written
                with self._ctx.uow() as uow:
                    usage.append(uow.session, rows)
                    uow.commit()
                written += len(rows)

    def _take(self) -> list[usage.EventFields]:
        rows: list[usage.EventFields] = []
        while len(rows) < BATCH:
            try:
                rows.append(self._pending.get_nowait())
            except Empty:
                break
        return rows

    def _run(self) -> None:
        while not self._stop.wait(FLUSH_S):
            self._flush_logged()

    def _flush_logged(self) -> None:
        try:
            self.flush()
        except Exception:  # the buffer must outlive a database hiccup; the rows stay queued
            log.exception("writing usage events failed; retrying in %s s", FLUSH_S)

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
        self.flush()


_recorders: dict[int, Recorder] = {}
_made = threading.Lock()


def _recorder(ctx: Context) -> Recorder:
    found = _recorders.get(id(ctx))
    if found is None:
        with _made:
            found = _recorders.get(id(ctx))
            if found is None:
                found = _recorders[id(ctx)] = Recorder(ctx)
                ctx.on_close(lambda: _recorders.pop(id(ctx)).close())
    return found


def flush(ctx: Context) -> int:
    """Write the buffered searches and clicks now (tests, the CLI before it reports)."""
    found = _recorders.get(id(ctx))
    return found.flush() if found is not None else 0


def normalized(raw: str) -> str:
    """The form queries are counted under: Unicode-folded, lower case, single spaces."""
    return " ".join(unicodedata.normalize("NFKC", raw).casefold().split())[:500]


def _filters(raw: str) -> str | None:
    try:
        found = parse_query(raw).filters
    except QuerySyntaxError:
        return None
    return " ".join(f"{key}:{value}" for key, value in found)[:500] or None


def record_search(ctx: Context, principal: Principal, raw: str, *, results: int,
                  took_ms: float) -> None:
    """Note a search (buffered: costs a queue put)."""
    _recorder(ctx).put(usage.event_fields(
        principal, "search", query=raw[:500], normalized=normalized(raw),
        filters=_filters(raw), results=results, took_ms=round(took_ms, 2)))


def record_click(ctx: Context, principal: Principal, raw: str, rank: int,
                 document_id: int) -> None:
    """Note that a person opened the hit at ``rank`` (1 = first) of the search ``raw``."""
    _recorder(ctx).put(usage.event_fields(
        principal, "click", query=raw[:500], normalized=normalized(raw), rank=rank,
        document_id=document_id))


def roll_up(ctx: Context) -> str:
    """The scheduler's daily task: roll up every day since the last rollup (today's so far
    included) and snapshot today's freshness; safe to run again."""
    flush(ctx)
    today = datetime.now(UTC).date()
    with ctx.uow() as uow:
        days = usage.days_to_roll(uow.session, today)
    for day in days:
        with ctx.uow() as uow:
            usage.roll_up(uow.session, day)
            uow.commit()
    with ctx.uow() as uow:
        usage.snapshot_freshness(uow.session, today)
        uow.commit()
    return f"rolled up {len(days)} day(s) of usage events; freshness snapshot for {today}"


def purge_events(ctx: Context) -> str:
    """The scheduler's retention task: roll up first (nothing is purged unrolled), then
    delete raw events older than ``event_retention_days`` (whole days)."""
    roll_up(ctx)
    cutoff = datetime.now(UTC).date() - timedelta(days=ctx.settings.event_retention_days)
    with ctx.uow() as uow:
        gone = usage.purge_before(uow.session, cutoff)
        uow.commit()
    return f"purged {gone} usage event(s) from before {cutoff}"


def _require_admin(principal: Principal) -> None:
    if not principal.is_admin:
        raise PermissionDenied(N_("only an administrator may do this"))


def query_history(ctx: Context, principal: Principal, user_id: int) -> list[QueryRecord]:
    """One person's searches and clicks (admins only), for export; audited."""
    _require_admin(principal)
    flush(ctx)
    with ctx.uow() as uow:
        rows = [QueryRecord(at=row.at.isoformat(), kind=row.kind, query=row.query or "",
                            results=row.results, rank=row.rank, document_id=row.document_id)
                for row in usage.query_history(uow.session, user_id)]
        record_event(uow.session, principal, "query_history_export", detail=f"user {user_id}")
        uow.commit()
    return rows


def forget_query_history(ctx: Context, principal: Principal, user_id: int) -> int:
    """Delete one person's searches and clicks (admins only) and roll up the days they were
    in again, so the reports no longer hold what only they typed; audited."""
    _require_admin(principal)
    flush(ctx)
    with ctx.uow() as uow:
        gone, days = usage.forget_queries(uow.session, user_id)
        for day in days:
            usage.roll_up(uow.session, day)
        record_event(uow.session, principal, "query_history_delete",
                     detail=f"user {user_id}: {gone} event(s)")
        uow.commit()
    return gone


