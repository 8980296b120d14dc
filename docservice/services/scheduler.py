"""Periodic work (review reminders, contract expiry, trash purge, digests, rollups,
backups), run exactly once per period however many web and worker processes are running.

A task is registered with its period (``register``; the product's tasks are listed in
services/periodic.py). Every process runs a scheduler thread (services/rounds.py) that
looks every ``DOCSERVICE_SCHEDULER_INTERVAL_S`` seconds for tasks whose current period has
no run yet. The run's row (``scheduled_runs``, unique per task and period) is the lease: the process
whose insert succeeds runs the task; the others see the row and leave the period alone.
A row whose holder died (its lease ran out, or its process on this host is gone) is taken
over; a failed run is tried again on later rounds, after a pause, up to ``MAX_ATTEMPTS``.
Periods are aligned on the Unix epoch (a daily task's period starts at 00:00 UTC) plus the
task's offset, so every process computes the same period.

The same code serves both tiers: the lease lives in the database (SQLite or PostgreSQL).
A task must be safe to run again after a crash halfway (it reads current state and acts on
what is still to do), since a run taken over starts from the beginning.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from docservice.db import claims
from docservice.db.models import ScheduledRun, utcnow
from docservice.db.repositories import aware
from docservice.domain import Principal
from docservice.errors import N_, InvalidInput, NotFound, PermissionDenied
from docservice.services.context import Context
from docservice.services.rounds import Rounds
from docservice.views import ScheduledTaskView

log = logging.getLogger(__name__)

RUNNING = "running"
DONE = "done"
FAILED = "failed"
MAX_ATTEMPTS = 3
RETRY_AFTER = timedelta(minutes=5)
DEFAULT_LEASE = timedelta(hours=1)
ERROR_LIMIT = 2000
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)

TaskRun = Callable[[Context], str]
"""A task: does its work with the context and returns a one-line summary for people."""


@dataclass(frozen=True)
class Task:
    name: str
    every: timedelta
    run: TaskRun
    offset: timedelta = timedelta(0)  # e.g. a daily task at 02:00 UTC: offset 2 h
    lease: timedelta = DEFAULT_LEASE  # longer than one run may take


TASKS: dict[str, Task] = {}


def register(name: str, every: timedelta, run: TaskRun, *, offset: timedelta = timedelta(0),
             lease: timedelta = DEFAULT_LEASE) -> None:
    """Add a periodic task (again with the same name: replaced)."""
    if every <= timedelta(0):
        raise ValueError(f"task {name}: the period must be positive")
    TASKS[name] = Task(name, every, run, offset, lease)


def _load_tasks() -> None:
    from docservice.services import periodic  # registers the product's tasks

    periodic.load()


def tasks(ctx: Context) -> list[Task]:
    """The registered tasks, with the periods set in ``DOCSERVICE_SCHEDULE_PERIODS``."""
    _load_tasks()
    periods = parse_periods(ctx.settings.schedule_periods)
    found = []
    for name in sorted(TASKS):
        task = TASKS[name]
        if name in periods:
            task = Task(task.name, periods[name], task.run, timedelta(0), task.lease)
        found.append(task)
    return found


def parse_periods(text: str) -> dict[str, timedelta]:
    """``"trash.purge=3600, analytics.rollup=600"`` -> periods; a bad entry raises
    ValueError naming it."""
    periods = {}
    for entry in filter(None, (part.strip() for part in text.split(","))):
        name, sep, seconds = entry.partition("=")
        try:
            value = float(seconds)
        except ValueError:
            value = -1.0
        if not sep or not name.strip() or not value > 0:
            raise ValueError(f"DOCSERVICE_SCHEDULE_PERIODS: {entry!r} is not task=seconds "
                             "with a positive number of seconds")
        periods[name.strip()] = timedelta(seconds=value)
    return periods


def period_start(task: Task, now: datetime) -> datetime:
    """The start of the period ``now`` falls in (aligned on the epoch plus the offset)."""
    since = now - EPOCH - task.offset
    periods = since // task.every
    return EPOCH + task.offset + task.every * periods


@dataclass(frozen=True)
class Ran:
    """What one process did with one task in one round."""

    task: str
    period_start: datetime
    state: str
    summary: str | None = None
    error: str | None = None


def run_due(ctx: Context, now: datetime | None = None) -> list[Ran]:
    """One round: run every task whose current period this process can take (one after
    the other, in this thread); what ran."""
    ran = []
    for task in tasks(ctx):
        moment = now or utcnow()
        start = period_start(task, moment)
        if _take(ctx, task, start, manual=False, now=moment):
            ran.append(_execute(ctx, task, start))
    return ran


def run_task(ctx: Context, principal: Principal, name: str) -> Ran:
    """Run ``name`` now, by hand (the command line, or an admin): recorded as a manual run,
    leaving the periodic runs as they are."""
    if not principal.is_admin:
        raise PermissionDenied(N_("only an admin can run scheduled work by hand"))
    found = {task.name: task for task in tasks(ctx)}
    if name not in found:
        raise NotFound(N_("there is no scheduled task %(name)s; known: %(known)s"),
                       name=name, known=", ".join(sorted(found)) or "-")
    task = found[name]
    start = utcnow()
    if not _take(ctx, task, start, manual=True, now=start):
        raise InvalidInput(N_("task %(name)s was just started by someone else"), name=name)
    return _execute(ctx, task, start)


def _take(ctx: Context, task: Task, start: datetime, *, manual: bool, now: datetime) -> bool:
    """Take the run of ``task`` for the period at ``start``: a new row, or a row whose
    holder is gone or whose failure may be tried again (compare and set)."""
    with ctx.uow() as uow:
        uow.session.add(ScheduledRun(task=task.name, period_start=start, manual=manual,
                                     state=RUNNING, attempts=1,
                                     claimed_by=claims.this_process(), claimed_at=now,
                                     started_at=now))
        try:
            uow.commit()
            return True
        except IntegrityError:
            uow.session.rollback()
        row = uow.session.execute(
            select(ScheduledRun.id, ScheduledRun.state, ScheduledRun.attempts,
                   ScheduledRun.claimed_by, ScheduledRun.claimed_at, ScheduledRun.finished_at)
            .where(ScheduledRun.task == task.name, ScheduledRun.period_start == start)).first()
        if row is None or not _takeable(row.state, row.attempts, row.claimed_by,
                                        row.claimed_at, row.finished_at, now, task.lease):
            return False
        held = (ScheduledRun.claimed_by.is_(None) if row.claimed_by is None
                else ScheduledRun.claimed_by == row.claimed_by)
        taken = uow.session.execute(
            update(ScheduledRun).where(ScheduledRun.id == row.id,
                                       ScheduledRun.state == row.state, held)
            .values(state=RUNNING, attempts=ScheduledRun.attempts + 1,
                    claimed_by=claims.this_process(), claimed_at=now, started_at=now,
                    finished_at=None))
        uow.commit()
        return bool(taken.rowcount)  # type: ignore[attr-defined]


def _takeable(state: str, attempts: int, holder: str | None, claimed_at: datetime | None,
              finished_at: datetime | None, now: datetime, lease: timedelta) -> bool:
    if state == RUNNING:
        return claims.expired(holder, claimed_at, now, lease)
    if state == FAILED:
        return attempts < MAX_ATTEMPTS and (
            finished_at is None or aware(finished_at) + RETRY_AFTER <= now)
    return False


def _execute(ctx: Context, task: Task, start: datetime) -> Ran:
    log.info("scheduled task %s (period from %s) running", task.name, start.isoformat())
    try:
        summary = task.run(ctx)
    except Exception as exc:
        error = f"{type(exc).__name__}: {exc}"[:ERROR_LIMIT]
        log.exception("scheduled task %s failed", task.name)
        _finish(ctx, task.name, start, FAILED, error=error)
        return Ran(task.name, start, FAILED, error=error)
    _finish(ctx, task.name, start, DONE, summary=summary)
    log.info("scheduled task %s done: %s", task.name, summary)
    return Ran(task.name, start, DONE, summary=summary)


def _finish(ctx: Context, name: str, start: datetime, state: str, *,
            summary: str | None = None, error: str | None = None) -> None:
    with ctx.uow() as uow:
        uow.session.execute(
            update(ScheduledRun).where(ScheduledRun.task == name,
                                       ScheduledRun.period_start == start,
                                       ScheduledRun.claimed_by == claims.this_process())
            .values(state=state, summary=summary, error=error, finished_at=utcnow(),
                    claimed_at=None))
        uow.commit()


def overview(ctx: Context, principal: Principal) -> list[ScheduledTaskView]:
    """Every task with its period, the start of its next period and its last run (admins)."""
    if not principal.is_admin:
        raise PermissionDenied(N_("only an admin can see scheduled work"))
    now = utcnow()
    views = []
    with ctx.uow() as uow:
        for task in tasks(ctx):
            last = uow.session.scalars(
                select(ScheduledRun).where(ScheduledRun.task == task.name)
                .order_by(ScheduledRun.started_at.desc(), ScheduledRun.id.desc())
                .limit(1)).first()
            upcoming = (period_start(task, now) + task.every).isoformat()
            if last is None:
                views.append(ScheduledTaskView(task.name, task.every.total_seconds(), upcoming))
                continue
            views.append(ScheduledTaskView(
                task.name, task.every.total_seconds(), upcoming, last.state,
                aware(last.started_at).isoformat(),
                None if last.finished_at is None else aware(last.finished_at).isoformat(),
                last.summary, last.error, last.manual))
    return views


def _round(ctx: Context) -> None:
    run_due(ctx)


def start_scheduler(ctx: Context) -> Rounds | None:
    """Start this process's scheduler (unless the interval is 0); ``ctx.close()`` stops it."""
    if ctx.settings.scheduler_interval_s <= 0:
        return None
    tasks(ctx)  # a bad DOCSERVICE_SCHEDULE_PERIODS fails at start, not in the thread
    scheduler = Rounds("docservice-scheduler", ctx.settings.scheduler_interval_s,
                       lambda: _round(ctx))
    scheduler.start()
    ctx.on_close(scheduler.stop)
    return scheduler
