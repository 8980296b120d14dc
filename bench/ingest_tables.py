"""The tables and latest.json keys of the ingest benchmark."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from bench.report import BenchResult, Table, ratio


@dataclass
class Group:
    name: str
    paths: list[Path]
    media_types: list[str]
    size_bytes: int = 0
    times: dict[str, list[float]] = field(default_factory=dict)
    failed: dict[str, int] = field(default_factory=dict)

    @property
    def megabytes(self) -> float:
        return self.size_bytes / 1e6

    def record(self, column: str, seconds: float, failed: int = 0) -> None:
        self.times.setdefault(column, []).append(seconds)
        self.failed[column] = failed

    def best(self, column: str) -> float | None:
        return min(self.times[column]) if self.times.get(column) else None


TEXT_PDFS = "text PDFs (corpus + generated)"
ALL = "all files"


def build_result(groups: Sequence[Group], workers: Sequence[int], tika_reason: str | None,
                 unstructured_reason: str, rounds: int) -> BenchResult:
    rows = [*groups, _merged(TEXT_PDFS, [g for g in groups if g.name.startswith("pdf")]),
            _merged(ALL, groups)]
    tables = [_table(rows, count, tika_reason, unstructured_reason) for count in workers]
    pdfs = rows[-2]
    pipeline, raw, tika = pdfs.best("pipeline 1"), pdfs.best("raw 1"), pdfs.best("tika 1")
    overhead = ratio(pipeline, raw)
    slower = [g.name for g in groups if (ratio(g.best("tika 1"), g.best("pipeline 1")) or 2) < 1]
    notes = [f"best of {rounds} rounds per format (rounds interleave raw, Tika and pipeline); "
             "aggregate rows take the best round of their sums.",
             "targets: pipeline overhead on text PDFs <= 15% over the raw extractor; whole "
             "pipeline >= 2x Tika's extraction alone on text PDFs; no format slower than Tika.",
             "formats where the pipeline (1 worker) is slower than Tika (1 thread): "
             + (", ".join(slower) if slower else "none")]
    everything = rows[-1]
    small = [g for g in groups if g.name.split(" ")[0] in SMALL_KINDS]
    files = sum(len(g.paths) for g in groups)
    return BenchResult(
        name="ingest", tables=tables, notes=notes,
        keys={"ingest_overhead_vs_raw": None if overhead is None else overhead - 1,
              "ingest_speedup_vs_tika": ratio(tika, pipeline),
              "ingest_speedup_vs_tika_2workers": ratio(everything.best("tika 2"),
                                                       everything.best("pipeline 2")),
              "ingest_small_file_ms": small_file_cost_ms(small)},
        sizes={"ingest_overhead_vs_raw": f"{len(pdfs.paths)} text PDFs, 1 worker",
               "ingest_speedup_vs_tika": f"{len(pdfs.paths)} text PDFs, 1 worker / 1 thread",
               "ingest_speedup_vs_tika_2workers": f"{files} files without OCR, 2 workers / "
                                                  "2 threads",
               "ingest_small_file_ms": f"{sum(len(g.paths) for g in small)} small files "
                                       f"({', '.join(sorted(SMALL_KINDS))}), 1 worker"},
        extra={"files": files})


SMALL_KINDS = frozenset({"txt", "md", "eml", "csv", "xlsx"})
"""Formats whose files are small and cheap to read: the pipeline's per-file cost shows."""


def small_file_cost_ms(groups: Sequence[Group]) -> float | None:
    """The pipeline's cost per small file over the raw extractor's (1 worker), in ms."""
    pipeline = [g.best("pipeline 1") for g in groups]
    raw = [g.best("raw 1") for g in groups]
    count = sum(len(g.paths) for g in groups)
    if not count or None in pipeline or None in raw:
        return None
    return (sum(p for p in pipeline if p is not None)
            - sum(r for r in raw if r is not None)) * 1000 / count


def _merged(name: str, groups: Sequence[Group]) -> Group:
    """One group adding up others, round by round."""
    merged = Group(name, [p for g in groups for p in g.paths],
                   [m for g in groups for m in g.media_types], sum(g.size_bytes for g in groups))
    columns = {column for g in groups for column in g.times}
    for column in columns:
        rounds = min(len(g.times.get(column, [])) for g in groups)
        for number in range(rounds):
            merged.record(column, sum(g.times[column][number] for g in groups),
                          sum(g.failed.get(column, 0) for g in groups))
    return merged


def _table(rows: Sequence[Group], count: int, tika_reason: str | None,
           unstructured_reason: str) -> Table:
    unit = "worker" if count == 1 else "workers"
    table = Table(f"Ingest with {count} {unit} (raw extractor: {count} process"
                  f"{'es' if count > 1 else ''}; Tika: {count} thread{'s' if count > 1 else ''})",
                  ["format", "files", "MB", "raw s", "pipeline s", "overhead vs raw",
                   "pipeline files/s", "pipeline MB/s", "Tika s", "pipeline speed vs Tika",
                   "unstructured", "failed raw/pipeline/Tika"])
    for group in rows:
        raw, pipeline = group.best(f"raw {count}"), group.best(f"pipeline {count}")
        tika = group.best(f"tika {count}")
        overhead = ratio(pipeline, raw)
        speed = ratio(tika, pipeline)
        table.rows.append([
            group.name, len(group.paths), round(group.megabytes, 2), raw, pipeline,
            None if overhead is None else f"{(overhead - 1) * 100:+.0f}%",
            ratio(float(len(group.paths)), pipeline), ratio(group.megabytes, pipeline), tika,
            None if speed is None else f"{speed:.2f}x", None,
            "/".join(str(group.failed.get(f"{kind} {count}", "-"))
                     for kind in ("raw", "pipeline", "tika"))])
    if tika_reason:
        table.notes.append(f"Tika: {tika_reason}")
    table.notes.append(f"unstructured: {unstructured_reason}")
    return table
