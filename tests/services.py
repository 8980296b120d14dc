"""Adapters of the scale-out tier for the contract suites, pointed at the test servers.

The servers are started by `make test` (deploy/local/services-up.sh). A suite that needs one
fails when it is not running: it never skips.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import uuid
from collections.abc import Callable, Iterator, Sequence
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from docservice.storage.base import BlobStore
from tests.markers import require_marker

ROOT = Path(__file__).resolve().parent.parent


def service_env() -> dict[str, str]:
    """The DOCSERVICE_* lines printed by deploy/local/services-env.sh: the one way tests reach
    the servers, so a test doing so without the ``services`` marker fails here."""
    require_marker("services", "the test servers")
    return _printed_service_env()


@cache
def _printed_service_env() -> dict[str, str]:
    output = subprocess.run(["bash", str(ROOT / "deploy/local/services-env.sh")], check=True,
                            capture_output=True, text=True).stdout
    env = {}
    for line in output.splitlines():
        line = line.removeprefix("export ").strip()
        if "=" in line:
            key, value = line.split("=", 1)
            env[key] = value.strip("'\"")
    return env


def scale_out(name: str) -> Any:
    """A contract-suite parameter for a scale-out adapter (marked: needs the servers)."""
    return pytest.param(name, marks=pytest.mark.services)


def blob_store_adapters() -> list[Any]:
    return [scale_out("s3")]


def make_blob_store(name: str, tmp_path: Path) -> BlobStore:
    if name == "local":
        from docservice.storage.local import LocalBlobStore

        return LocalBlobStore(tmp_path / "blobs")
    if name == "memory":
        from docservice.storage.memory import MemoryBlobStore

        return MemoryBlobStore()
    from docservice.storage.s3 import S3BlobStore

    env = service_env()
    store: Any = S3BlobStore(endpoint=env["DOCSERVICE_S3_ENDPOINT"],
                             access_key=env["DOCSERVICE_S3_ACCESS_KEY"],
                             secret_key=env["DOCSERVICE_S3_SECRET_KEY"],
                             bucket=f"test-{uuid.uuid4().hex[:12]}", secure=False,
                             region=env.get("DOCSERVICE_S3_REGION"))
    return store


def create_database(base_url: str) -> str:
    """A fresh, empty PostgreSQL database on the test server; returns its URL."""
    import psycopg
    from sqlalchemy.engine import make_url

    url = make_url(base_url)
    name = f"test_{uuid.uuid4().hex[:12]}"
    dsn = url.set(drivername="postgresql", database=url.database).render_as_string(
        hide_password=False)
    with psycopg.connect(dsn, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    return url.set(database=name).render_as_string(hide_password=False)


def scale_out_environ(data_dir: Path) -> dict[str, str]:
    """DOCSERVICE_* variables for a private scale-out installation on the test servers:
    its own database, index prefix, bucket and queue, so tests never see each other."""
    env = dict(service_env())
    tag = uuid.uuid4().hex[:10]
    env["DOCSERVICE_DATABASE_URL"] = create_database(env["DOCSERVICE_DATABASE_URL"])
    env["DOCSERVICE_INDEX_PREFIX"] = f"test-{tag}"
    env["DOCSERVICE_S3_BUCKET"] = f"test-{tag}"
    env["DOCSERVICE_DATA_DIR"] = str(data_dir)
    return env


@contextlib.contextmanager
def rq_workers(environ: dict[str, str], count: int = 2) -> Iterator[list[subprocess.Popen[bytes]]]:
    """Real worker processes (``python -m workers``) for the installation in ``environ``."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("DOCSERVICE_")}
    env.update(environ)
    # Each worker leads its own process group, so a test can kill it with its job
    # (RQ's work horse and the extraction child) as a machine crash would.
    procs = [subprocess.Popen([sys.executable, "-m", "workers"], env=env, cwd=ROOT,
                              start_new_session=True)
             for _ in range(count)]
    try:
        yield procs
    finally:
        stop_processes(procs, kill=kill_group)


def stop_processes(procs: Sequence[subprocess.Popen[bytes]],
                   kill: Callable[[subprocess.Popen[bytes]], None] | None = None) -> None:
    """Ask each process this test started to stop; ``kill`` (default SIGKILL) whoever is not
    gone in 20 s."""
    for proc in procs:
        if proc.poll() is None:
            proc.terminate()
    for proc in procs:
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            if kill is None:
                proc.kill()
                proc.wait(timeout=20)
            else:
                kill(proc)


def kill_group(proc: subprocess.Popen[bytes]) -> None:
    """SIGKILL a worker and everything it started."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(timeout=20)
