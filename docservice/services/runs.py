"""Long maintenance runs (the integrity check, a reindex) that continue after a kill: each
keeps its checkpoint in a ``maintenance_runs`` row, held by one live process at a time."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import update

from docservice.db import claims
from docservice.db import integrity as store
from docservice.db.models import MaintenanceRun, utcnow
from docservice.errors import N_, InvalidInput
from docservice.services.context import Context

LEASE = timedelta(minutes=10)  # renewed at every checkpoint; a batch takes far less
STOPPED = "stopped"  # given up for a new run (``restart``, or another mode)


@dataclass(frozen=True)
class Started:
    """The run to work on: where it stands (its checkpoint) and whether it was resumed."""

    run_id: int
    started_at: datetime
    phase: str
    cursor: str
    counts: str  # JSON, as the run saved it
    problems: str  # JSON
    resumed: bool


def start(ctx: Context, kind: str, *, repair: bool, first_phase: str,
          restart: bool = False) -> Started:
    """Continue the run of ``kind`` that stopped halfway, or start one. Raises InvalidInput
    while a live process holds the unfinished run."""
    now = utcnow()
    with ctx.uow() as uow:
        session = uow.session
        run = store.unfinished_run(session, kind)
        if run is not None and not claims.expired(run.claimed_by, run.claimed_at, now, LEASE):
            raise InvalidInput(N_("a %(kind)s is already running (since %(since)s)"),
                               kind=kind, since=run.started_at.strftime("%Y-%m-%d %H:%M"))
        if run is not None and (restart or run.repair != repair):
            run.state, run.finished_at = STOPPED, now
            run = None
        if run is not None:
            taken = session.execute(update(MaintenanceRun).where(
                MaintenanceRun.id == run.id,
                MaintenanceRun.claimed_by.is_(None) if run.claimed_by is None
                else MaintenanceRun.claimed_by == run.claimed_by)
                .values(claimed_by=claims.this_process(), claimed_at=now))
            if not getattr(taken, "rowcount", 0):
                raise InvalidInput(N_("a %(kind)s is already running (since %(since)s)"),
                                   kind=kind, since=run.started_at.strftime("%Y-%m-%d %H:%M"))
            resumed = True
        else:
            run = store.new_run(session, kind, repair, first_phase)
            resumed = False
        uow.commit()
        session.refresh(run)
        return Started(run.id, run.started_at, run.phase, run.cursor, run.counts,
                       run.problems, resumed)


def checkpoint(ctx: Context, run_id: int, phase: str, cursor: str, counts: str,
               problems: str, detail: str | None = None) -> None:
    """Where the run is; renews its lease."""
    values: dict[str, object] = {"phase": phase, "cursor": cursor, "counts": counts,
                                 "problems": problems, "updated_at": utcnow(),
                                 "claimed_at": utcnow()}
    if detail is not None:
        values["detail"] = detail
    with ctx.uow() as uow:
        uow.session.execute(update(MaintenanceRun).where(MaintenanceRun.id == run_id)
                            .values(**values))
        uow.commit()


@contextmanager
def held(ctx: Context, run_id: int) -> Iterator[None]:
    """While the run works: if it stops on an error or an interrupt, let go of it, so that
    the next run continues it at once (a killed process is recognised as gone instead)."""
    try:
        yield
    except BaseException:
        with ctx.uow() as uow:
            uow.session.execute(update(MaintenanceRun).where(
                MaintenanceRun.id == run_id, MaintenanceRun.state == store.RUNNING)
                .values(claimed_by=None, claimed_at=None))
            uow.commit()
        raise


def finish(ctx: Context, run_id: int) -> None:
    with ctx.uow() as uow:
        uow.session.execute(update(MaintenanceRun).where(MaintenanceRun.id == run_id)
                            .values(state=store.DONE, phase="done", cursor="",
                                    finished_at=utcnow(), claimed_by=None, claimed_at=None))
        uow.commit()
