"""Adapters of the scale-out tier for the contract suites, pointed at the test servers.

The servers are started by `make test` (deploy/local/services-up.sh). A suite that needs one
fails when it is not running: it never skips.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
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
    return [scale_out("s3"), scale_out("encrypted-s3"), scale_out("encrypted-s3-sse")]


def make_blob_store(name: str, tmp_path: Path) -> BlobStore:
    """An adapter by name; ``encrypted-`` wraps it in client-side encryption."""
    if name.startswith("encrypted-"):
        import os

        from docservice.storage.encrypted import EncryptedBlobStore
        from docservice.storage.keys import Keyring

        inner: Any = make_blob_store(name.removeprefix("encrypted-"), tmp_path)
        return EncryptedBlobStore(inner, Keyring.of([os.urandom(32)]))
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
                             region=env.get("DOCSERVICE_S3_REGION"),
                             server_side_encryption=name == "s3-sse")
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
def rq_workers(environ: dict[str, str], count: int = 2, log_dir: Path | None = None
               ) -> Iterator[list[subprocess.Popen[bytes]]]:
    """Real worker processes (``python -m workers``) for the installation in ``environ``
    (their output in ``log_dir``/worker-N.log when given)."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("DOCSERVICE_")}
    env.update(environ)
    # Each worker leads its own process group, so a test can kill it with its job
    # (RQ's work horse and the extraction child) as a machine crash would.
    logs = [None if log_dir is None else (log_dir / f"worker-{n}.log").open("wb")
            for n in range(count)]
    procs = [subprocess.Popen([sys.executable, "-m", "workers"], env=env, cwd=ROOT,
                              start_new_session=True, stdout=log, stderr=log)
             for log in logs]
    try:
        yield procs
    finally:
        stop_processes(procs, kill=kill_group)
        for log in logs:
            if log is not None:
                log.close()


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


READY_TIMEOUT_S = 60


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_until_ready(proc: subprocess.Popen[bytes], url: str, log: Path) -> None:
    deadline = time.monotonic() + READY_TIMEOUT_S
    while time.monotonic() < deadline:
        assert proc.poll() is None, f"{url} exited:\n{log.read_text()}"
        try:
            with urllib.request.urlopen(url + "/healthz", timeout=2) as response:
                if response.status == 200:
                    return
        except (OSError, urllib.error.URLError):
            pass
        time.sleep(0.2)
    raise AssertionError(f"{url} not ready after {READY_TIMEOUT_S}s:\n{log.read_text()}")


@contextlib.contextmanager
def web_servers(env: dict[str, str], log_dir: Path, count: int = 2,
                verbose: bool = False) -> Iterator[list[str]]:
    """``count`` real ``docservice serve`` processes (waitress, in-process workers) with
    ``env``, each on its own loopback port, ready; their URLs (logs: log_dir/server-N.log)."""
    procs: list[subprocess.Popen[bytes]] = []
    urls = []
    try:
        for n in range(count):
            port = free_port()
            log = log_dir / f"server-{n}.log"
            with log.open("wb") as out:
                procs.append(subprocess.Popen(
                    [sys.executable, "-m", "docservice.cli", *(["-v"] if verbose else []),
                     "serve", "--host", "127.0.0.1", "--port", str(port)], env=env, cwd=ROOT,
                    stdout=out, stderr=subprocess.STDOUT))
            urls.append((f"http://127.0.0.1:{port}", log))
        for proc, (url, log) in zip(procs, urls, strict=True):
            wait_until_ready(proc, url, log)
        yield [url for url, _ in urls]
    finally:
        stop_processes(procs)
