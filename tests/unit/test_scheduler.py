"""The scheduler: a periodic task runs once per period however many threads and processes
look for it; a failed run is tried again later, a few times; a run whose process died is
taken over; an admin sees every task's last run and can run one by hand."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from docservice.bootstrap import bootstrap
from docservice.cli import main as cli
from docservice.db.models import RevokedSession, ScheduledRun, utcnow
from docservice.domain import OPERATOR, Principal, Role
from docservice.errors import NotFound, PermissionDenied
from docservice.services import scheduler
from docservice.services.context import Context
from tests.conftest import embedded_settings

TASK = "test.counted"


@pytest.fixture
def counted() -> Iterator[list[datetime]]:
    """A task that notes each run (its time); unregistered afterwards."""
    runs: list[datetime] = []

    def run(ctx: Context) -> str:
        runs.append(utcnow())
        return f"run {len(runs)}"

    scheduler.register(TASK, timedelta(days=1), run)
    yield runs
    scheduler.TASKS.pop(TASK, None)


def _rows(ctx: Context, task: str = TASK) -> list[ScheduledRun]:
    with ctx.uow() as uow:
        rows = list(uow.session.scalars(select(ScheduledRun).where(ScheduledRun.task == task)
                                        .order_by(ScheduledRun.id)))
        uow.session.expunge_all()
    return rows


def test_periods_are_aligned_so_every_process_computes_the_same_one() -> None:
    daily = scheduler.Task("t", timedelta(days=1), lambda ctx: "")
    moment = datetime(2026, 12, 4, 13, 45, tzinfo=UTC)
    assert scheduler.period_start(daily, moment) == datetime(2026, 12, 4, tzinfo=UTC)
    at_two = scheduler.Task("t", timedelta(days=1), lambda ctx: "", offset=timedelta(hours=2))
    assert scheduler.period_start(at_two, datetime(2026, 12, 4, 1, 0, tzinfo=UTC)) == \
        datetime(2026, 12, 3, 2, 0, tzinfo=UTC)
    hourly = scheduler.Task("t", timedelta(hours=1), lambda ctx: "")
    assert scheduler.period_start(hourly, moment) == datetime(2026, 12, 4, 13, tzinfo=UTC)


def test_a_period_runs_once_across_threads_and_contexts(tmp_path: Path,
                                                        counted: list[datetime]) -> None:
    settings = embedded_settings(tmp_path / "data")
    contexts = [bootstrap(settings), bootstrap(settings)]
    try:
        barrier = threading.Barrier(8)

        def round_(ctx: Context) -> None:
            barrier.wait()
            scheduler.run_due(ctx)

        threads = [threading.Thread(target=round_, args=(contexts[i % 2],)) for i in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert len(counted) == 1
        scheduler.run_due(contexts[0])
        assert len(counted) == 1  # the same day: nothing more
        tomorrow = utcnow() + timedelta(days=1)
        scheduler.run_due(contexts[1], now=tomorrow)
        assert len(counted) == 2
        rows = _rows(contexts[0])
        assert [row.state for row in rows] == ["done", "done"]
        assert rows[1].summary == "run 2"
    finally:
        for ctx in contexts:
            ctx.close()


def test_a_failed_run_is_tried_again_later_a_few_times_then_left(ctx: Context) -> None:
    tries: list[int] = []

    def broken(ctx: Context) -> str:
        tries.append(1)
        raise RuntimeError("the mail server said no")

    now = utcnow()
    # A daily period that began an hour ago: the retries below stay inside it.
    began = now - timedelta(hours=1)
    offset = began - began.replace(hour=0, minute=0, second=0, microsecond=0)
    scheduler.register("test.broken", timedelta(days=1), broken, offset=offset)
    try:
        ran = scheduler.run_due(ctx, now=now)
        assert [(r.task, r.state) for r in ran if r.task == "test.broken"] == [
            ("test.broken", "failed")]
        scheduler.run_due(ctx, now=now + timedelta(minutes=1))  # too soon to try again
        assert len(tries) == 1
        for minutes in (6, 12, 18, 24):
            scheduler.run_due(ctx, now=now + timedelta(minutes=minutes))
        assert len(tries) == scheduler.MAX_ATTEMPTS
        shown = {view.name: view for view in scheduler.overview(ctx, OPERATOR)}
        assert shown["test.broken"].last_state == "failed"
        assert "the mail server said no" in (shown["test.broken"].last_error or "")
    finally:
        scheduler.TASKS.pop("test.broken", None)


def test_a_run_whose_process_died_is_taken_over(ctx: Context, counted: list[datetime]) -> None:
    task = scheduler.TASKS[TASK]
    start = scheduler.period_start(task, utcnow())
    with ctx.uow() as uow:  # a process of this host that is gone (no such pid) held it
        uow.session.add(ScheduledRun(task=TASK, period_start=start, state="running",
                                     attempts=1,
                                     claimed_by=f"{socket.gethostname()}:999999999:dead",
                                     claimed_at=utcnow(), started_at=utcnow()))
        uow.commit()
    scheduler.run_due(ctx)
    assert len(counted) == 1
    assert [(row.state, row.attempts) for row in _rows(ctx)] == [("done", 2)]


def test_a_live_holder_keeps_its_run(ctx: Context, counted: list[datetime]) -> None:
    task = scheduler.TASKS[TASK]
    start = scheduler.period_start(task, utcnow())
    with ctx.uow() as uow:  # another host's process, lease fresh: it is still working
        uow.session.add(ScheduledRun(task=TASK, period_start=start, state="running",
                                     attempts=1, claimed_by="elsewhere:42:abcd",
                                     claimed_at=utcnow(), started_at=utcnow()))
        uow.commit()
    scheduler.run_due(ctx)
    assert counted == []
    scheduler.run_due(ctx, now=utcnow() + task.lease + timedelta(minutes=1))
    assert len(counted) == 1  # the next period, at least, runs


def test_only_admins_see_and_run_scheduled_work(ctx: Context, counted: list[datetime]) -> None:
    viewer = Principal(user_id=7, email="v@example.com", role=Role.VIEWER)
    with pytest.raises(PermissionDenied):
        scheduler.overview(ctx, viewer)
    with pytest.raises(PermissionDenied):
        scheduler.run_task(ctx, viewer, TASK)
    with pytest.raises(NotFound):
        scheduler.run_task(ctx, OPERATOR, "no.such.task")
    ran = scheduler.run_task(ctx, OPERATOR, TASK)
    assert (ran.state, ran.summary) == ("done", "run 1")
    view = {v.name: v for v in scheduler.overview(ctx, OPERATOR)}[TASK]
    assert (view.last_state, view.last_manual, view.last_summary) == ("done", True, "run 1")
    scheduler.run_due(ctx)  # a run by hand leaves the period's own run to come
    assert len(counted) == 2


def test_periods_set_by_hand_and_refused_when_malformed(tmp_path: Path) -> None:
    assert scheduler.parse_periods(" sessions.purge=60 , a.b=0.5") == {
        "sessions.purge": timedelta(seconds=60), "a.b": timedelta(seconds=0.5)}
    for bad in ("sessions.purge", "x=0", "=5", "x=soon"):
        with pytest.raises(ValueError, match="task=seconds"):
            scheduler.parse_periods(bad)
    ctx = bootstrap(embedded_settings(tmp_path / "data", schedule_periods="sessions.purge=60"))
    try:
        assert {v.name: v.every_s for v in scheduler.overview(ctx, OPERATOR)}[
            "sessions.purge"] == 60
    finally:
        ctx.close()


def test_schedule_commands_list_and_run_the_sign_out_purge(tmp_path: Path,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    data = tmp_path / "data"
    monkeypatch.setenv("DOCSERVICE_DATA_DIR", str(data))
    ctx = bootstrap(embedded_settings(data))
    with ctx.uow() as uow:
        uow.session.add_all([
            RevokedSession(session_hash="a" * 64, expires_at=utcnow() - timedelta(hours=1)),
            RevokedSession(session_hash="b" * 64, expires_at=utcnow() + timedelta(hours=1))])
        uow.commit()
    ctx.close()
    runner = CliRunner()
    listed = runner.invoke(cli, ["schedule", "list"])
    assert listed.exit_code == 0, listed.output
    assert "sessions.purge every 86400 s" in listed.output and "never ran" in listed.output
    ran = runner.invoke(cli, ["schedule", "run", "sessions.purge"])
    assert ran.exit_code == 0, ran.output
    assert "sessions.purge: done: 1 expired sign-outs forgotten" in ran.output
    listed = runner.invoke(cli, ["schedule", "list", "--json"])
    assert '"last_state": "done"' in listed.output and '"last_manual": true' in listed.output
    unknown = runner.invoke(cli, ["schedule", "run", "nope"])
    assert unknown.exit_code == 1 and "there is no scheduled task nope" in unknown.output
    ctx = bootstrap(embedded_settings(data))
    try:
        with ctx.uow() as uow:
            assert list(uow.session.scalars(select(RevokedSession.session_hash))) == ["b" * 64]
    finally:
        ctx.close()
