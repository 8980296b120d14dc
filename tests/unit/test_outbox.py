"""The outbox on the embedded tier: a side effect that meets an outage is tried again later,
ever later, until it works; one that fails otherwise is marked failed with its error, is not
tried again, and runs once more when an admin retries it; a row runs once at a time."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from docservice.bootstrap import bootstrap, start_workers
from docservice.db.models import OutboxRow, utcnow
from docservice.domain import OPERATOR
from docservice.errors import PermissionDenied, SearchUnavailable
from docservice.services import accounts, auditlog, outbox, recovery
from docservice.services.context import Context
from docservice.services.outbox import Payload
from tests.conftest import embedded_settings

FLAKY = "test.flaky"
BROKEN = "test.broken"


@pytest.fixture
def swept_ctx(tmp_path: Path) -> Iterator[Context]:
    ctx = bootstrap(embedded_settings(tmp_path / "data", sweep_interval_s=0.2))
    start_workers(ctx)
    yield ctx
    ctx.close()


def _owe(ctx: Context, kind: str, **payload: int) -> int:
    with ctx.uow() as uow:
        uow.owe(kind, **payload)
        uow.commit()
        return int(uow.session.scalar(select(OutboxRow.id).order_by(OutboxRow.id.desc())) or 0)


def _row(ctx: Context, row_id: int) -> OutboxRow | None:
    with ctx.uow() as uow:
        row = uow.session.get(OutboxRow, row_id)
        if row is not None:
            uow.session.expunge(row)
        return row


def _eventually(check: Callable[[], bool], what: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, f"never: {what}"
        time.sleep(0.05)


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=utcnow().tzinfo)


def test_a_side_effect_that_meets_an_outage_is_tried_again_later_each_time_until_it_works(
        swept_ctx: Context, monkeypatch: pytest.MonkeyPatch) -> None:
    tries: list[datetime] = []

    def flaky(_ctx: Context, payload: Payload) -> None:
        tries.append(utcnow())
        if len(tries) < 3:
            raise SearchUnavailable("search engine unreachable")

    monkeypatch.setitem(outbox.HANDLERS, FLAKY, flaky)
    row_id = _owe(swept_ctx, FLAKY, document_id=7)
    _eventually(lambda: len(tries) >= 1, "first try")
    _eventually(lambda: (_row(swept_ctx, row_id) or OutboxRow()).attempts == 1
                and (_row(swept_ctx, row_id) or OutboxRow()).claimed_by is None, "postponed")
    row = _row(swept_ctx, row_id)
    assert row is not None and row.state == "pending"
    assert row.last_error == "search engine unreachable"
    assert _aware(row.available_at) - tries[0] >= timedelta(seconds=outbox.backoff(1) - 0.5)
    _eventually(lambda: _row(swept_ctx, row_id) is None, "done at the third try")
    assert len(tries) == 3
    assert tries[1] - tries[0] >= timedelta(seconds=outbox.backoff(1))  # 2 s
    assert tries[2] - tries[1] >= timedelta(seconds=outbox.backoff(2))  # then 4 s


def test_a_side_effect_that_fails_otherwise_is_marked_failed_until_an_admin_retries_it(
        swept_ctx: Context, monkeypatch: pytest.MonkeyPatch) -> None:
    runs: list[int] = []
    broken = True

    def sometimes_broken(_ctx: Context, payload: Payload) -> None:
        runs.append(payload["document_id"])
        if broken:
            raise KeyError("no such column")

    monkeypatch.setitem(outbox.HANDLERS, BROKEN, sometimes_broken)
    row_id = _owe(swept_ctx, BROKEN, document_id=9)
    _eventually(lambda: (_row(swept_ctx, row_id) or OutboxRow()).state == "failed", "failed")
    time.sleep(1.0)  # several sweeps: none runs it again
    row = _row(swept_ctx, row_id)
    assert row is not None and (row.attempts, row.last_error) == (1, "KeyError: 'no such column'")
    assert runs == [9]
    assert recovery.failed_work(swept_ctx, OPERATOR) == recovery.FailedWork(0, 1)
    accounts.create_user(swept_ctx, "viewer@example.com", "viewer")
    with pytest.raises(PermissionDenied):
        recovery.retry(swept_ctx, accounts.principal_for(swept_ctx, "viewer@example.com"),
                       failed=True)
    broken = False
    assert recovery.retry(swept_ctx, OPERATOR, failed=True) == recovery.Retried((), (row_id,))
    _eventually(lambda: _row(swept_ctx, row_id) is None, "done once retried")
    assert runs == [9, 9]
    events = auditlog.query_events(swept_ctx, OPERATOR, auditlog.AuditFilter(action="retry"))
    assert [event.detail for event in events] == [f"side effects {row_id}"]


def test_two_workers_never_run_one_row_at_the_same_time(
        swept_ctx: Context, monkeypatch: pytest.MonkeyPatch) -> None:
    inside = threading.Semaphore(0)
    release = threading.Event()
    runs: list[str] = []

    def slow(_ctx: Context, _payload: Payload) -> None:
        runs.append(threading.current_thread().name)
        inside.release()
        release.wait(10)

    monkeypatch.setitem(outbox.HANDLERS, FLAKY, slow)
    with swept_ctx.uow() as uow:  # not queued: both workers are sent the same row
        uow.owe(FLAKY, run_now=True, document_id=1)
        uow.session.flush()
        row_id = int(uow.session.scalar(select(OutboxRow.id)) or 0)
        uow.session.commit()
    first = threading.Thread(target=outbox.run_row, args=(swept_ctx, row_id))
    first.start()
    assert inside.acquire(timeout=10)
    outbox.run_row(swept_ctx, row_id)  # the lease is held: nothing happens
    release.set()
    first.join(10)
    assert len(runs) == 1 and _row(swept_ctx, row_id) is None


def test_backoff_doubles_up_to_five_minutes() -> None:
    assert [outbox.backoff(n) for n in (1, 2, 3, 4)] == [2, 4, 8, 16]
    assert outbox.backoff(30) == outbox.BACKOFF_MAX_S == 300
