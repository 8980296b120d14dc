"""The product's own server (``docservice serve``: waitress, in-process workers) in a
subprocess on 127.0.0.1, and a small keep-alive HTTP client for bounded request loops."""

from __future__ import annotations

import http.client
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

START_TIMEOUT_S = 60.0


@dataclass(frozen=True)
class Server:
    host: str
    port: int
    process: subprocess.Popen[bytes]

    def connect(self, timeout: float = 300.0) -> http.client.HTTPConnection:
        return http.client.HTTPConnection(self.host, self.port, timeout=timeout)


def product_env(data_dir: Path, extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """The environment for a product process of the embedded tier on ``data_dir``: the
    caller's, less every ``DOCSERVICE_*`` variable. A shell that exported the test servers'
    settings (``make -s services-env``) would otherwise point the server at PostgreSQL while
    the benchmark's token and documents are in ``data_dir``'s SQLite (a 401 from its own
    server); the benchmark's own ``DOCSERVICE_BENCH_*`` names the product rejects anyway."""
    env = {key: value for key, value in os.environ.items()
           if not key.startswith("DOCSERVICE_")}
    env.update({"DOCSERVICE_DATA_DIR": str(data_dir), "DOCSERVICE_LOG_LEVEL": "warning"})
    env.update(extra or {})
    return env


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def running_server(data_dir: Path, extra_env: Mapping[str, str] | None = None,
                   ) -> Iterator[Server]:
    """``python -m docservice.cli serve`` on a free loopback port; stopped on exit."""
    port = free_port()
    log = (data_dir / "server.log").open("wb")
    process = subprocess.Popen(
        [sys.executable, "-m", "docservice.cli", "serve", "--host", "127.0.0.1",
         "--port", str(port)], env=product_env(data_dir, extra_env), stdout=log,
        stderr=subprocess.STDOUT)
    server = Server("127.0.0.1", port, process)
    try:
        _wait_until_up(server)
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


def _wait_until_up(server: Server) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(f"the server exited with {server.process.returncode}")
        try:
            connection = server.connect(timeout=2)
            connection.request("GET", "/healthz")
            connection.getresponse().read()
            connection.close()
            return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"the server did not answer within {START_TIMEOUT_S:.0f}s")


def get_json(connection: http.client.HTTPConnection, path: str, params: Mapping[str, object],
             token: str) -> tuple[int, bytes]:
    """GET ``path?params`` with a bearer token; (status, body). The connection is reused."""
    connection.request("GET", f"{path}?{urlencode(params)}",
                       headers={"Authorization": f"Bearer {token}"})
    response = connection.getresponse()
    return response.status, response.read()
