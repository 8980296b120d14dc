"""Shared by every benchmark: distributions, markdown tables, the results files.

A benchmark returns a :class:`BenchResult` (tables, the ``latest.json`` keys it measured,
notes); :func:`publish` prints the tables and writes them to ``bench/results/`` with the
date, the machine (cores, memory, load) and the versions used, and merges the keys into
``bench/results/latest.json`` (every key of :data:`LATEST_KEYS` present, null where no run
has measured it).
"""

from __future__ import annotations

import json
import math
import os
import platform
import sqlite3
import subprocess
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

RESULTS_DIR = Path(__file__).with_name("results")
NOT_MEASURED = "not measured"
LATEST_KEYS = (
    "ingest_overhead_vs_raw",
    "ingest_speedup_vs_tika",
    "search_embedded_p50_ms",
    "search_embedded_p99_ms",
    "search_embedded_docs",
    "search_embedded_p99_ratio_vs_tantivy",
    "search_es_overhead_vs_raw",
    "upload_rss_growth_mb",
    "search_embedded_p50_ms_10k",
    "search_embedded_p99_ratio_vs_tantivy_10k",
    "ingest_small_file_ms",
    "ingest_speedup_vs_tika_2workers",
    "reindex_ratio_vs_raw",
    "server_rss_under_load_mb",
    "upload_encrypted_over_plain",
    "download_encrypted_over_plain",
)
PACKAGES = ("docservice", "tantivy", "sqlalchemy", "flask", "waitress", "pypdfium2",
            "python-docx", "python-pptx", "openpyxl", "whoosh-reloaded", "psutil",
            "pyinstrument")


@dataclass
class Table:
    title: str
    columns: Sequence[str]
    rows: list[Sequence[Any]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def markdown(self) -> str:
        lines = [f"### {self.title}", "", "| " + " | ".join(self.columns) + " |",
                 "|" + "|".join("---" if at == 0 else "---:" for at in range(len(self.columns)))
                 + "|"]
        lines += ["| " + " | ".join(cell(value) for value in row) + " |" for row in self.rows]
        lines += [""] + [f"- {note}" for note in self.notes] if self.notes else []
        return "\n".join(lines)


@dataclass
class BenchResult:
    name: str
    tables: list[Table]
    keys: dict[str, float | int | None]
    notes: list[str] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)
    sizes: dict[str, str] = field(default_factory=dict)
    """What each key was measured on ("10,000 documents", "corpus + 10 per format"): a key
    without an entry gets the run's ``--size``."""

    def markdown(self) -> str:
        parts = [f"## {self.name}", ""]
        parts += [table.markdown() + "\n" for table in self.tables]
        parts += [f"- {note}" for note in self.notes]
        return "\n".join(parts).rstrip() + "\n"


def cell(value: Any) -> str:
    """A table cell: None reads "not measured", numbers keep three significant digits."""
    if value is None:
        return NOT_MEASURED
    if isinstance(value, bool) or not isinstance(value, float):
        return str(value)
    if math.isnan(value) or math.isinf(value):
        return NOT_MEASURED
    if value == 0 or abs(value) >= 100:
        return f"{value:,.0f}"
    return f"{value:.3g}" if abs(value) >= 0.001 else f"{value:.2e}"


def percentile(samples: Sequence[float], fraction: float) -> float | None:
    """Nearest-rank percentile (``fraction`` 0.5 for p50); None without samples."""
    if not samples:
        return None
    ordered = sorted(samples)
    rank = max(1, math.ceil(fraction * len(ordered)))
    return ordered[rank - 1]


def distribution_ms(samples_s: Sequence[float]) -> dict[str, float | None]:
    """p50 / p95 / p99 in milliseconds of samples taken in seconds."""
    return {name: _ms(percentile(samples_s, fraction))
            for name, fraction in (("p50", 0.50), ("p95", 0.95), ("p99", 0.99))}


def ratio(numerator: float | None, denominator: float | None) -> float | None:
    if numerator is None or not denominator:
        return None
    return numerator / denominator


# (key, goal text, test on the value, what a miss means)
TARGETS = (
    ("ingest_overhead_vs_raw", "<= 0.15 (15%) on text PDFs", lambda v: v <= 0.15),
    ("ingest_speedup_vs_tika", ">= 2x Tika on text PDFs", lambda v: v >= 2.0),
    ("search_embedded_p50_ms", "<= 10 ms at 100k documents", lambda v: v <= 10.0),
    ("search_embedded_p99_ms", "<= 50 ms at 100k documents", lambda v: v <= 50.0),
    ("search_embedded_p99_ratio_vs_tantivy", "<= 5x raw tantivy-py", lambda v: v <= 5.0),
    ("search_es_overhead_vs_raw", "<= 0.20 (20%) over raw Elasticsearch", lambda v: v <= 0.2),
    ("upload_rss_growth_mb", "<= 100 MB for 1 GB", lambda v: v <= 100.0),
)


def targets(results: Sequence[BenchResult]) -> BenchResult:
    """The issue's targets against the keys measured in this run."""
    keys: dict[str, float | int | None] = {}
    for result in results:
        keys.update(result.keys)
    table = Table("Targets (figures of this run)", ["key", "goal", "measured", "met"])
    for key, goal, test in TARGETS:
        value = keys.get(key)
        met = None if value is None else ("yes" if test(value) else "no")
        table.rows.append([key, goal, None if value is None else float(value), met])
    docs = keys.get("search_embedded_docs")
    if docs is not None:
        table.notes.append(f"search figures measured at {docs:,} documents.")
    return BenchResult(name="targets", tables=[table], keys={})


def _ms(seconds: float | None) -> float | None:
    return None if seconds is None else seconds * 1000.0


def machine() -> dict[str, Any]:
    import psutil

    cpu = next((line.split(":", 1)[1].strip() for line in _read_lines("/proc/cpuinfo")
                if line.startswith("model name")), platform.processor())
    return {"cores": os.cpu_count(), "cpu": cpu,
            "memory_gb": round(psutil.virtual_memory().total / 2**30, 1),
            "load_average": [round(load, 2) for load in os.getloadavg()],
            "os": platform.platform(), "python": platform.python_version()}


def versions(extra: dict[str, str] | None = None) -> dict[str, str]:
    found: dict[str, str] = {"sqlite": sqlite3.sqlite_version}
    for package in PACKAGES:
        try:
            found[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            found[package] = NOT_MEASURED
    found["java"] = _java_version()
    found.update(extra or {})
    return found


def _java_version() -> str:
    try:
        done = subprocess.run(["java", "-version"], capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.SubprocessError):
        return "absent"
    return (done.stderr or done.stdout).splitlines()[0] if (done.stderr or done.stdout) else "?"


def _read_lines(path: str) -> list[str]:
    try:
        return Path(path).read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return []


def render(results: Iterable[BenchResult], header: dict[str, Any]) -> str:
    info = header["machine"]
    lines = [f"# docservice benchmarks, {header['date']} (size: {header['size']})", "",
             f"Machine: {info['cores']} cores ({info['cpu']}), {info['memory_gb']} GB memory, "
             f"load average at start {info['load_average']}; {info['os']}, Python "
             f"{info['python']}.", "",
             "Versions: " + ", ".join(f"{name} {version}"
                                      for name, version in header["versions"].items()), "",
             "Every figure is a ratio or a distribution measured side by side in this one run; "
             "absolute times on a shared 2-core machine are noisy.", ""]
    lines += [result.markdown() for result in results]
    return "\n".join(lines)


def publish(results: Sequence[BenchResult], *, size: str, results_dir: Path = RESULTS_DIR,
            extra_versions: dict[str, str] | None = None, echo: bool = True) -> Path:
    """Print the tables, write ``<date>-<names>.md`` and merge ``latest.json``; the .md path."""
    results_dir.mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%Y-%m-%dT%H:%M:%S%z")
    header = {"date": stamp, "size": size, "machine": machine(),
              "versions": versions(extra_versions)}
    text = render(results, header)
    if echo:
        print(text)
    names = "-".join(result.name for result in results)
    path = results_dir / f"{time.strftime('%Y%m%d-%H%M%S')}-{names}.md"
    path.write_text(text, encoding="utf-8")
    _merge_latest(results_dir / "latest.json", results, header, path.name)
    if results_dir == RESULTS_DIR:  # the real results: the README's table follows them
        from bench import readme_table

        readme_table.update()
    return path


def _merge_latest(path: Path, results: Sequence[BenchResult], header: dict[str, Any],
                  report: str) -> None:
    """Keys measured now replace older ones; a key this run could not measure keeps the
    value of the run that did (``sources`` names the report each value comes from, and
    ``measured`` the size and date of each value, so a 10k figure is never read as a 100k
    one)."""
    try:
        latest: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        latest = {}
    for key in LATEST_KEYS:
        latest.setdefault(key, None)
    runs: dict[str, Any] = latest.setdefault("runs", {})
    sources: dict[str, Any] = latest.setdefault("sources", {})
    measured: dict[str, Any] = latest.setdefault("measured", {})
    for key in LATEST_KEYS:
        measured.setdefault(key, None)
    for result in results:
        for key, value in result.keys.items():
            if key not in LATEST_KEYS:
                raise KeyError(f"{result.name} reports unknown key {key}")
            if value is not None or latest[key] is None:
                latest[key] = value
                sources[key] = report if value is not None else None
                measured[key] = None if value is None else {
                    "size": result.sizes.get(key, f"--size {header['size']}"),
                    "date": header["date"], "report": report}
        runs[result.name] = {"date": header["date"], "size": header["size"], "report": report,
                             **result.extra}
    latest.update(date=header["date"], machine=header["machine"], versions=header["versions"])
    path.write_text(json.dumps(latest, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
