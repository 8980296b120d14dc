"""The integrity check and the resumable reindex at 10,000 and 100,000 documents: time and
peak memory (RSS) of ``docservice check`` as its own process, side by side, to show that
memory stays bounded as the installation grows; and a check killed (``kill -9``) halfway
and continued.

    .venv/bin/python -m bench.integrity                       # 10k and 100k: ~30 min here
    .venv/bin/python -m bench.integrity --sizes 2000          # a quick look

Each size gets a data dir from bench/population (documents, versions, page texts as the
pipeline leaves them), the stored files (small ones: the bytes each version's key names),
an index built by ``docservice reindex``, and a little damage for the check to find: files
without a version, index entries lost.
"""

from __future__ import annotations

import argparse
import io
import os
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select, text

from bench.generate import sales_documents
from bench.population import add_documents, add_people
from docservice.bootstrap import bootstrap
from docservice.config import load_settings
from docservice.db.models import Version
from docservice.services.context import Context

DAMAGE = 10


@dataclass
class Sitting:
    documents: int
    versions: int
    reindex_s: float
    reindex_rss_mb: float
    check_s: float
    check_rss_mb: float
    found: str
    killed_after_s: float
    resumed_s: float


def _store_files(ctx: Context) -> None:
    """Each version's file: the bytes its generated key is the hash of (bench/population)."""
    with ctx.uow() as uow:
        rows = uow.session.execute(select(Version.document_id, Version.number)).all()
        uow.session.execute(text(
            "UPDATE versions SET size = length((document_id - 1) || ':' || number)"))
        uow.commit()
    for document_id, number in rows:
        ctx.blobs.put(io.BytesIO(f"{document_id - 1}:{number}".encode()))


def _damage(ctx: Context) -> None:
    for number in range(DAMAGE):
        ctx.blobs.put(io.BytesIO(f"orphan {number}".encode()))
    ctx.index.delete_versions([3 + 2 * number for number in range(DAMAGE)])


def _killed(data_dir: Path, after_s: float, *args: str) -> None:
    """Run ``docservice ARGS`` and kill it (-9) after ``after_s`` seconds."""
    environ = {**os.environ, "DOCSERVICE_DATA_DIR": str(data_dir)}
    child = subprocess.Popen([sys.executable, "-m", "docservice.cli", *args], env=environ,
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(after_s)
    child.send_signal(signal.SIGKILL)
    child.wait()


def sitting(folder: Path, size: int) -> Sitting:
    data_dir = folder / f"data-{size}"
    ctx = bootstrap(load_settings(environ={}, data_dir=data_dir))
    try:
        people = add_people(ctx)
        versions = add_documents(ctx, people, sales_documents(size))
        _store_files(ctx)
    finally:
        ctx.close()
    reindex_s, reindex_rss, _ = _measured(data_dir, "reindex")
    ctx = bootstrap(load_settings(environ={}, data_dir=data_dir))
    try:
        _damage(ctx)
    finally:
        ctx.close()
    check_s, check_rss, found = _measured(data_dir, "check", "--grace", "0")
    killed_after = check_s / 2
    _killed(data_dir, killed_after, "check", "--grace", "0", "--restart")
    resumed_s, _, _ = _measured(data_dir, "check", "--grace", "0")
    return Sitting(size, versions, reindex_s, reindex_rss, check_s, check_rss, found,
                   killed_after, resumed_s)


def _measured(data_dir: Path, *args: str) -> tuple[float, float, str]:
    """Like _command, with the child's own peak RSS (a fresh interpreter per measurement,
    since RUSAGE_CHILDREN keeps the largest child so far)."""
    probe = ("import resource, subprocess, sys, time;"
             "t = time.perf_counter();"
             "p = subprocess.run([sys.executable, '-m', 'docservice.cli', *sys.argv[1:]],"
             " capture_output=True, text=True);"
             "s = time.perf_counter() - t;"
             "r = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024;"
             "last = (p.stdout.strip().splitlines() or [''])[-1];"
             "print(f'{s:.3f} {r:.1f} {last}');"
             "print(p.stderr[-2000:], file=sys.stderr)")
    environ = {**os.environ, "DOCSERVICE_DATA_DIR": str(data_dir)}
    result = subprocess.run([sys.executable, "-c", probe, *args], env=environ,
                            capture_output=True, text=True, check=True)
    seconds, peak, last = [*result.stdout.strip().split(" ", 2), ""][:3]
    if not last:
        raise RuntimeError(f"docservice {' '.join(args)} printed nothing: {result.stderr}")
    return float(seconds), float(peak), last


def report(sittings: list[Sitting]) -> str:
    lines = ["| documents | versions | reindex s | reindex peak RSS MB | check s | "
             "check peak RSS MB | check found | killed after s | resumed check s |",
             "|---:|---:|---:|---:|---:|---:|---|---:|---:|"]
    lines += [f"| {s.documents} | {s.versions} | {s.reindex_s:.1f} | {s.reindex_rss_mb:.0f} | "
              f"{s.check_s:.1f} | {s.check_rss_mb:.0f} | {s.found} | {s.killed_after_s:.1f} | "
              f"{s.resumed_s:.1f} |" for s in sittings]
    if len(sittings) > 1:
        first, last = sittings[0], sittings[-1]
        lines.append(f"\n{last.documents // first.documents}x the documents: check time "
                     f"{last.check_s / first.check_s:.1f}x, check peak RSS "
                     f"{last.check_rss_mb / first.check_rss_mb:.2f}x; reindex peak RSS "
                     f"{last.reindex_rss_mb / first.reindex_rss_mb:.2f}x")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--folder", type=Path, default=None,
                        help="where the data dirs go (default: a temporary folder)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-integrity-") as tmp:
        folder = args.folder or Path(tmp)
        sittings = []
        for size in args.sizes:
            sittings.append(sitting(folder, size))
            print(report(sittings[-1:]), flush=True)
        print(report(sittings))


if __name__ == "__main__":
    main()
