"""Periodic work runs once per period with several processes of each kind running: two web
processes on the embedded tier (their workers are in-process), and two web processes plus
two RQ workers on the scale-out tier. Each process looks for due work five times a second
and the task's period is one second, so the processes race for every period."""

from __future__ import annotations

import os
import re
import time
from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import select

from docservice.bootstrap import bootstrap
from docservice.config import load_settings
from docservice.db.models import ScheduledRun
from tests.services import ROOT, rq_workers, scale_out_environ, web_servers

RACE_S = 6
_RAN = re.compile(r"scheduled task sessions\.purge \(period from (\S+)\) running")


def _race(env: dict[str, str], tmp_path: Path, workers: int) -> None:
    env = {**{key: value for key, value in os.environ.items()
              if not key.startswith("DOCSERVICE_")}, **env,
           "DOCSERVICE_SCHEDULER_INTERVAL_S": "0.2",
           "DOCSERVICE_SCHEDULE_PERIODS": "sessions.purge=1", "DOCSERVICE_WORKERS": "1",
           "PYTHONPATH": str(ROOT)}
    ctx = bootstrap(load_settings(environ=env))  # the schema, as `docservice init` makes it
    ctx.close()
    with web_servers(env, tmp_path, count=2, verbose=True):
        if workers:
            with rq_workers(env, count=workers, log_dir=tmp_path):
                time.sleep(RACE_S)
        else:
            time.sleep(RACE_S)

    # Each period's run was started by exactly one process, as the logs of all say ...
    logs = [path.read_text() for path in tmp_path.glob("*.log")]
    started = Counter(period for log in logs for period in _RAN.findall(log))
    assert len(started) >= RACE_S - 2, logs
    assert set(started.values()) == {1}, started
    assert sum(1 for log in logs if _RAN.search(log)) >= 2  # the processes did take turns
    # ... and the database has one finished run for each.
    ctx = bootstrap(load_settings(environ=env))
    try:
        with ctx.uow() as uow:
            rows = uow.session.execute(select(ScheduledRun.period_start, ScheduledRun.state)
                                       .where(ScheduledRun.task == "sessions.purge")).all()
    finally:
        ctx.close()
    assert len(rows) == len(started)
    assert {state for _, state in rows} <= {"done", "running"}  # the last may be cut short


@pytest.mark.slow
def test_two_web_processes_of_the_embedded_tier_run_each_period_once(tmp_path: Path) -> None:
    _race({"DOCSERVICE_DATA_DIR": str(tmp_path / "data")}, tmp_path, workers=0)


@pytest.mark.slow
@pytest.mark.services
def test_two_web_processes_and_two_workers_of_the_scale_out_tier_run_each_period_once(
        tmp_path: Path) -> None:
    env = scale_out_environ(tmp_path / "data")
    env["DOCSERVICE_QUEUE_BACKEND"] = "rq"
    _race(env, tmp_path, workers=2)
