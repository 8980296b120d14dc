"""Upload memory and throughput: a 1 GB file through the HTTP API and through the CLI,
stored plain and encrypted (AES-256-GCM, a master key in DOCSERVICE_MASTER_KEY), and its
download back through the API.

    .venv/bin/python -m bench.upload [--megabytes 1024]

The file is incompressible pseudo-random bytes (the same on every run). The resident memory
(RSS) of the process doing the work is sampled every 10 ms with psutil:

- API: the product's server (``docservice serve``, waitress, workers on) receives a streamed
  multipart ``POST /api/v1/documents``; growth = peak RSS during the upload minus the RSS
  just before it (after a 1 KB warm-up upload).
- CLI: ``docservice import FILE`` (store, then wait until ingestion ends: an unsupported
  type, so it fails fast); growth = its peak RSS minus the peak RSS of the same command on
  a 1 KB file, run side by side.

- download: ``GET /api/v1/versions/ID/download`` of the same file, read by the client in
  1 MiB pieces; growth = the server's peak RSS during it minus its RSS just before.

Side by side: reading the file while hashing it and writing a copy (the floor of storing it),
and each path plain vs encrypted (the encryption overhead is their ratio).
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import json
import random
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator, Mapping
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


ENCRYPTED = {"DOCSERVICE_MASTER_KEY": base64.b64encode(bytes(range(32))).decode()}
MODES: dict[str, Mapping[str, str]] = {"plain": {}, "encrypted": ENCRYPTED}


def run(megabytes: int = 1024) -> BenchResult:
    api: dict[str, tuple[Measure, Measure]] = {}
    cli: dict[str, Measure] = {}
    with tempfile.TemporaryDirectory(prefix="bench-upload-") as folder:
        work = Path(folder)
        big, tiny = _payload(work / "big.bin", megabytes), _payload(work / "tiny.bin", 0)
        (work / "tiny-2.bin").write_bytes(tiny.read_bytes()[::-1])  # not a duplicate
        floor = _timed_copy(big, work / "copy.bin")
        for mode, env in MODES.items():
            api[mode] = _api(work / f"api-{mode}", big, tiny, env)
            cli[mode] = _cli(work / f"cli-{mode}", big, tiny, env)
        floor = min(floor, _timed_copy(big, work / "copy.bin"))  # before and after: the best
    size_mb = megabytes * CHUNK / 1e6
    table = Table(f"Upload and download of a {megabytes:,} MiB file, plain vs encrypted", [
        "path", "seconds", "MB/s", "throughput vs hash+copy", "peak RSS MB",
        "RSS growth MB", "encrypted time / plain"])
    table.rows.append(["read + sha256 + write a copy (floor)", floor, size_mb / floor, 1.0,
                       None, None, None])
    paths = {"upload, HTTP API (POST /api/v1/documents, waitress)": {
                 mode: api[mode][0] for mode in MODES},
             "upload, CLI (docservice import), net of a 1 KB import": cli,
             "download, HTTP API (GET /api/v1/versions/ID/download)": {
                 mode: api[mode][1] for mode in MODES}}
    for name, measures in paths.items():
        for mode, measure in measures.items():
            overhead = measure.seconds / measures["plain"].seconds if mode != "plain" else None
            table.rows.append([f"{name}, {mode}", measure.seconds, size_mb / measure.seconds,
                               ratio(floor, measure.seconds), measure.peak_mb,
                               measure.growth_mb, overhead])
    table.notes.append("target: at most 100 MB growth of resident memory for a 1 GB upload, "
                       "encrypted or not.")
    table.notes.append("the API's seconds are the request's (client side); the CLI's are its "
                       "wall time minus that of the same command on a 1 KB file.")
    growth = [measure.growth_mb for measures in paths.values() for measure in measures.values()]
    return BenchResult(name="upload", tables=[table],
                       keys={"upload_rss_growth_mb": max(growth),
                             "upload_encrypted_over_plain": api["encrypted"][0].seconds
                             / api["plain"][0].seconds,
                             "download_encrypted_over_plain": api["encrypted"][1].seconds
                             / api["plain"][1].seconds},
                       sizes={name: f"{megabytes} MiB upload" for name in (
                           "upload_rss_growth_mb", "upload_encrypted_over_plain",
                           "download_encrypted_over_plain")},
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


def _editor_token(data_dir: Path, env: Mapping[str, str]) -> str:
    ctx = bootstrap(load_settings(environ=env, data_dir=data_dir))
    try:
        accounts.create_user(ctx, EDITOR, "editor", teams=["bench"])
        return tokens.create_token_for(ctx, EDITOR, "bench")[1]
    finally:
        ctx.close()


def _api(data_dir: Path, big: Path, tiny: Path,
         env: Mapping[str, str]) -> tuple[Measure, Measure]:
    """The upload's measure, then the download's."""
    token = _editor_token(data_dir, env)
    with running_server(data_dir, env) as server:
        _wait_ingested(server, token, _post(server, token, tiny))
        version_id, upload = _measured(
            server, lambda: _post(server, token, big),
            lambda version: _wait_ingested(server, token, version))
        received, download = _measured(server, lambda: _download(server, token, version_id))
        if received != big.stat().st_size:
            raise RuntimeError(f"download gave {received} bytes of {big.stat().st_size}")
    return upload, download


def _measured(server: Server, action: Callable[[], int],
              then: Callable[[int], None] | None = None) -> tuple[int, Measure]:
    """Run ``action`` (timed) and ``then`` on its result while sampling the server's RSS."""
    sampler = Sampler(server.process.pid)
    before = psutil.Process(server.process.pid).memory_info().rss
    with sampler.sampling():
        started = time.perf_counter()
        result = action()
        seconds = time.perf_counter() - started
        if then is not None:
            then(result)
    return result, Measure(seconds, (sampler.peak - before) / 1e6, sampler.peak / 1e6)


def _download(server: Server, token: str, version_id: int) -> int:
    """Bytes received, read in pieces (the client never holds the file)."""
    connection = server.connect(timeout=600)
    connection.request("GET", f"/api/v1/versions/{version_id}/download",
                       headers={"Authorization": f"Bearer {token}"})
    response = connection.getresponse()
    if response.status != 200:
        raise RuntimeError(f"download answered {response.status}")
    received = 0
    while chunk := response.read(CHUNK):
        received += len(chunk)
    connection.close()
    return received


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


def _cli(data_dir: Path, big: Path, tiny: Path, env: Mapping[str, str]) -> Measure:
    _editor_token(data_dir, env)  # migrations and the account, outside the timing
    _cli_import(data_dir, tiny, env)  # warm: compiled modules, file caches
    tiny_s, tiny_peak = _cli_import(data_dir, tiny.with_name("tiny-2.bin"), env)
    big_s, big_peak = _cli_import(data_dir, big, env)
    return Measure(big_s - tiny_s, (big_peak - tiny_peak) / 1e6, big_peak / 1e6)


def _cli_import(data_dir: Path, path: Path, env: Mapping[str, str]) -> tuple[float, int]:
    started = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "-m", "docservice.cli", "import", str(path), "--as", EDITOR,
         "--json"], env=product_env(data_dir, env), stdout=subprocess.DEVNULL,
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
