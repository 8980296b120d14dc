"""Upload memory and throughput: a 1 GB file through the HTTP API and through the CLI.

    .venv/bin/python -m bench.upload [--megabytes 1024]

The file is incompressible pseudo-random bytes (the same on every run). The resident memory
(RSS) of the process doing the work is sampled every 10 ms with psutil:

- API: the product's server (``docservice serve``, waitress, workers on) receives a streamed
  multipart ``POST /api/v1/documents``; growth = peak RSS during the upload minus the RSS
  just before it (after a 1 KB warm-up upload).
- CLI: ``docservice import FILE`` (store, then wait until ingestion ends: an unsupported
  type, so it fails fast); growth = its peak RSS minus the peak RSS of the same command on
  a 1 KB file, run side by side.

Side by side: reading the file while hashing it and writing a copy (the floor of storing it).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import psutil

from bench.report import BenchResult, Table, publish, ratio
from bench.server import Server, get_json, product_env, running_server
from docservice.bootstrap import bootstrap
from docservice.config import load_settings
from docservice.services import accounts, tokens

CHUNK = 1 << 20
EDITOR = "bench-uploader@example.com"
SAMPLE_S = 0.01


@dataclass
class Sampler:
    """Peak RSS of one process, sampled in a thread while the ``with`` block runs."""

    pid: int
    peak: int = 0

    @contextmanager
    def sampling(self) -> Iterator[Sampler]:
        process = psutil.Process(self.pid)
        done = threading.Event()

        def sample() -> None:
            while not done.is_set():
                try:
                    self.peak = max(self.peak, process.memory_info().rss)
                except psutil.Error:
                    return
                time.sleep(SAMPLE_S)

        thread = threading.Thread(target=sample, daemon=True)
        thread.start()
        try:
            yield self
        finally:
            done.set()
            thread.join()


@dataclass(frozen=True)
class Measure:
    seconds: float
    growth_mb: float
    peak_mb: float


def run(megabytes: int = 1024) -> BenchResult:
    with tempfile.TemporaryDirectory(prefix="bench-upload-") as folder:
        work = Path(folder)
        big, tiny = _payload(work / "big.bin", megabytes), _payload(work / "tiny.bin", 0)
        (work / "tiny-2.bin").write_bytes(tiny.read_bytes()[::-1])  # not a duplicate
        floor = _timed_copy(big, work / "copy.bin")
        api = _api(work / "api", big, tiny)
        cli = _cli(work / "cli", big, tiny)
        floor = min(floor, _timed_copy(big, work / "copy.bin"))  # before and after: the best
    size_mb = megabytes * CHUNK / 1e6
    table = Table(f"Upload of a {megabytes:,} MiB file", [
        "path", "seconds", "MB/s", "throughput vs hash+copy", "peak RSS MB",
        "RSS growth MB"])
    table.rows.append(["read + sha256 + write a copy (floor)", floor, size_mb / floor, 1.0,
                       None, None])
    for name, measure in (("HTTP API (POST /api/v1/documents, waitress)", api),
                          ("CLI (docservice import), net of a 1 KB import", cli)):
        table.rows.append([name, measure.seconds, size_mb / measure.seconds,
                           ratio(floor, measure.seconds), measure.peak_mb, measure.growth_mb])
    table.notes.append("target: at most 100 MB growth of resident memory for a 1 GB upload.")
    table.notes.append("the API's seconds are the request's (client side); the CLI's are its "
                       "wall time minus that of the same command on a 1 KB file.")
    return BenchResult(name="upload", tables=[table],
                       keys={"upload_rss_growth_mb": max(api.growth_mb, cli.growth_mb)},
                       sizes={"upload_rss_growth_mb": f"{megabytes} MiB upload"},
                       extra={"megabytes": megabytes})


def _payload(path: Path, megabytes: int) -> Path:
    rng = random.Random(20240101)
    with path.open("wb") as handle:
        if not megabytes:
            handle.write(rng.randbytes(1024))
        for _ in range(megabytes):
            handle.write(rng.randbytes(CHUNK))
    return path


def _timed_copy(source: Path, target: Path) -> float:
    started = time.perf_counter()
    digest = hashlib.sha256()
    with source.open("rb") as reader, target.open("wb") as writer:
        while chunk := reader.read(CHUNK):
            digest.update(chunk)
            writer.write(chunk)
    seconds = time.perf_counter() - started
    target.unlink()
    return seconds


def _editor_token(data_dir: Path) -> str:
    ctx = bootstrap(load_settings(environ={}, data_dir=data_dir))
    try:
        accounts.create_user(ctx, EDITOR, "editor", teams=["bench"])
        return tokens.create_token_for(ctx, EDITOR, "bench")[1]
    finally:
        ctx.close()


def _api(data_dir: Path, big: Path, tiny: Path) -> Measure:
    token = _editor_token(data_dir)
    with running_server(data_dir) as server:
        _wait_ingested(server, token, _post(server, token, tiny))
        sampler = Sampler(server.process.pid)
        before = psutil.Process(server.process.pid).memory_info().rss
        with sampler.sampling():
            started = time.perf_counter()
            version_id = _post(server, token, big)
            seconds = time.perf_counter() - started
            _wait_ingested(server, token, version_id)
    return Measure(seconds, (sampler.peak - before) / 1e6, sampler.peak / 1e6)


def _wait_ingested(server: Server, token: str, version_id: int, timeout: float = 600) -> None:
    """Until the version is indexed or failed (a random file fails: unsupported type)."""
    connection = server.connect()
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        status, body = get_json(connection, "/api/v1/ingestion", {"version_ids": version_id},
                                token)
        states = [item.get("state") for item in json.loads(body).get("versions", [])]
        if status == 200 and states and states[0] in ("indexed", "failed"):
            return
        time.sleep(0.05)
    raise RuntimeError(f"version {version_id} was not ingested within {timeout:.0f}s")


def _post(server: Server, token: str, path: Path) -> int:
    """A streamed multipart upload: the client never holds the file in memory."""
    boundary = uuid.uuid4().hex
    head = (f'--{boundary}\r\nContent-Disposition: form-data; name="file"; '
            f'filename="{path.name}"\r\nContent-Type: application/octet-stream\r\n\r\n').encode()
    tail = f"\r\n--{boundary}--\r\n".encode()
    connection = server.connect(timeout=600)
    connection.putrequest("POST", "/api/v1/documents")
    connection.putheader("Authorization", f"Bearer {token}")
    connection.putheader("Content-Type", f"multipart/form-data; boundary={boundary}")
    connection.putheader("Content-Length", str(len(head) + path.stat().st_size + len(tail)))
    connection.endheaders()
    connection.send(head)
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK):
            connection.send(chunk)
    connection.send(tail)
    response = connection.getresponse()
    body = response.read()
    connection.close()
    if response.status not in (200, 201):
        raise RuntimeError(f"upload answered {response.status}: {body[:300]!r}")
    return int(json.loads(body)["version_id"])


def _cli(data_dir: Path, big: Path, tiny: Path) -> Measure:
    _editor_token(data_dir)  # migrations and the account, outside the timing
    _cli_import(data_dir, tiny)  # warm: compiled modules, file caches
    tiny_s, tiny_peak = _cli_import(data_dir, tiny.with_name("tiny-2.bin"))
    big_s, big_peak = _cli_import(data_dir, big)
    return Measure(big_s - tiny_s, (big_peak - tiny_peak) / 1e6, big_peak / 1e6)


def _cli_import(data_dir: Path, path: Path) -> tuple[float, int]:
    started = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "-m", "docservice.cli", "import", str(path), "--as", EDITOR,
         "--json"], env=product_env(data_dir), stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE)
    sampler = Sampler(process.pid)
    with sampler.sampling():
        _out, errors = process.communicate(timeout=1800)
    if process.returncode not in (0, 1):  # 1: the import reports the (expected) failure
        raise RuntimeError(f"docservice import exited {process.returncode}: {errors[-500:]!r}")
    return time.perf_counter() - started, sampler.peak


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--megabytes", type=int, default=1024)
    args = parser.parse_args()
    publish([run(args.megabytes)], size=f"{args.megabytes} MiB")


if __name__ == "__main__":
    main()
