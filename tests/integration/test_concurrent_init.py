"""Several processes started at the same moment on an empty installation (as compose starts
web and worker replicas) all come up, and the schema is migrated exactly once.

Each process is a real ``docservice init``; they wait at a barrier after importing, so their
migrations really overlap. On SQLite they share a data dir, on PostgreSQL a fresh database.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text

from docservice.config import load_settings
from docservice.db.engine import make_engine
from docservice.db.migrate import alembic_config
from docservice.db.models import Base
from tests.services import ROOT, scale_out_environ, stop_processes

PROCESSES = 4
READY_TIMEOUT_S = 180
RUN_TIMEOUT_S = 300

# `docservice init`, started when the test opens the barrier (after the slow imports).
INIT_AT_BARRIER = """
import sys, time
from pathlib import Path
from docservice.cli import main
barrier = Path(sys.argv[1])
(barrier / f"ready-{sys.argv[2]}").touch()
while not (barrier / "go").exists():
    time.sleep(0.005)
main(["init", "--json"])
"""


def _environ(tier: str, tmp_path: Path) -> dict[str, str]:
    if tier == "sqlite":
        return {"DOCSERVICE_DATA_DIR": str(tmp_path / "data")}
    return scale_out_environ(tmp_path / "data")


def _init_at_once(environ: dict[str, str], barrier: Path) -> list[subprocess.CompletedProcess[str]]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("DOCSERVICE_")}
    env.update(environ, PYTHONPATH=str(ROOT))
    barrier.mkdir()
    procs = [subprocess.Popen([sys.executable, "-c", INIT_AT_BARRIER, str(barrier), str(n)],
                              env=env, cwd=ROOT, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True)
             for n in range(PROCESSES)]
    try:
        deadline = time.monotonic() + READY_TIMEOUT_S
        while len(list(barrier.glob("ready-*"))) < PROCESSES:
            assert time.monotonic() < deadline, "the processes never reached the barrier"
            assert all(proc.poll() is None for proc in procs), "a process died before the start"
            time.sleep(0.05)
        (barrier / "go").touch()
        outputs = [proc.communicate(timeout=RUN_TIMEOUT_S) for proc in procs]
        return [subprocess.CompletedProcess(proc.args, proc.returncode, *output)
                for proc, output in zip(procs, outputs, strict=True)]
    finally:
        stop_processes(procs)


@pytest.mark.slow  # starts several docservice processes
@pytest.mark.parametrize("tier", ["sqlite", pytest.param("postgresql",
                                                          marks=pytest.mark.services)])
def test_processes_started_at_once_on_an_empty_database_all_start(tier: str,
                                                                  tmp_path: Path) -> None:
    environ = _environ(tier, tmp_path)
    finished = _init_at_once(environ, tmp_path / "barrier")

    for result in finished:
        assert result.returncode == 0, result.stderr
        assert json.loads(result.stdout)["ok"] is True
        assert "Traceback" not in result.stderr and "rror" not in result.stderr, result.stderr
    url = load_settings(environ=environ).resolved_database_url
    engine = make_engine(url)
    head = ScriptDirectory.from_config(alembic_config(url)).get_current_head()
    with engine.connect() as connection:
        versions = connection.execute(text("SELECT version_num FROM alembic_version")).all()
    assert [row[0] for row in versions] == [head]
    assert set(Base.metadata.tables) <= set(inspect(engine).get_table_names())
    engine.dispose()
