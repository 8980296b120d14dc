"""The tables and latest.json keys of the search benchmark."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from statistics import mean

from bench.baselines import RawTantivy
from bench.report import Table, distribution_ms, ratio
from bench.scaleout import RAW as SCALE_RAW
from bench.scaleout import SERVICE as SCALE_SERVICE


@dataclass
class Measured:
    docs: int
    versions: int
    build_s: dict[str, float]
    samples: dict[str, list[float]] = field(default_factory=dict)
    by_kind: dict[tuple[str, str], list[float]] = field(default_factory=dict)
    totals: dict[str, list[int]] = field(default_factory=dict)
    scale_out: str | None = None
    """Why the scale-out engine was not measured at this size (None: it was)."""

    def add(self, engine: str, kind: str, seconds: float, total: int) -> None:
        self.samples.setdefault(engine, []).append(seconds)
        self.by_kind.setdefault((engine, kind), []).append(seconds)
        self.totals.setdefault(engine, []).append(total)


FLOOR = RawTantivy.name
SERVICE_VIEWER = "service layer, viewer (ACL)"
PRODUCT_BUILD = "product rebuild_index (analysis + Tantivy)"
PRE_ANALYSED = " (pre-analysed tokens)"
FLOOR_BUILD = FLOOR + PRE_ANALYSED
TARGETS = "targets at 100,000 documents, service layer with ACL, facets, snippets: p50 <= 10 ms, " \
          "p99 <= 50 ms, p99 <= 5x raw tantivy-py"


def build_tables(measured: Sequence[Measured], queries: Sequence[tuple[str, str, int]],
                 ) -> list[Table]:
    tables = [_latency(item, item.scale_out) for item in measured]
    tables.append(_per_kind(measured[-1], queries))
    if len(measured) > 1:
        tables.append(_growth(measured[0], measured[-1]))
    tables.append(_build(measured))
    return tables


def _latency(item: Measured, scale_out: str | None) -> Table:
    floor = distribution_ms(item.samples.get(FLOOR, []))
    table = Table(f"Search latency, {item.docs:,} documents ({item.versions:,} versions), ms",
                  ["engine", "p50", "p95", "p99", "p50 / raw tantivy", "p99 / raw tantivy",
                   "mean total hits", "queries"])
    for engine, samples in item.samples.items():
        spread = distribution_ms(samples)
        table.rows.append([engine, spread["p50"], spread["p95"], spread["p99"],
                           ratio(spread["p50"], floor["p50"]), ratio(spread["p99"], floor["p99"]),
                           round(mean(item.totals[engine]), 1), len(samples)])
    if scale_out is not None:
        for engine in (SCALE_SERVICE, SCALE_RAW):
            table.rows.append([engine, None, None, None, None, None, None, 0])
        table.notes.append(f"scale-out: {scale_out}")
    elif SCALE_RAW in item.samples:
        service = distribution_ms(item.samples[SCALE_SERVICE])
        raw = distribution_ms(item.samples[SCALE_RAW])
        table.notes.append(
            f"scale-out: service layer over the raw engine (same requests): p50 "
            f"{_overhead(service['p50'], raw['p50'])}, p99 {_overhead(service['p99'], raw['p99'])}"
            "; metadata in SQLite, not the shared PostgreSQL (bench/scaleout.py).")
    table.notes.append(TARGETS)
    table.notes.append("mean total hits differ by design: the service expands sales synonyms "
                       "and trims by ACL (viewer); baselines match the words as typed.")
    return table


def _overhead(ours: float | None, raw: float | None) -> str:
    value = ratio(ours, raw)
    return "not measured" if value is None else f"{(value - 1) * 100:+.0f}%"


def _per_kind(item: Measured, queries: Sequence[tuple[str, str, int]]) -> Table:
    engines = list(item.samples)
    table = Table(f"p50 per query kind at {item.docs:,} documents, ms", ["query kind", *engines])
    for kind in dict.fromkeys(kind for kind, _raw, _offset in queries):
        table.rows.append([kind, *(distribution_ms(item.by_kind.get((engine, kind), []))["p50"]
                                   for engine in engines)])
    return table


def _growth(small: Measured, large: Measured) -> Table:
    table = Table(f"Latency growth from {small.docs:,} to {large.docs:,} documents "
                  f"({large.docs / small.docs:.0f}x the documents)",
                  ["engine", f"p50 at {small.docs:,}", f"p50 at {large.docs:,}", "p50 growth",
                   f"p99 at {small.docs:,}", f"p99 at {large.docs:,}", "p99 growth"])
    for engine in large.samples:
        before = distribution_ms(small.samples.get(engine, []))
        after = distribution_ms(large.samples[engine])
        table.rows.append([engine, before["p50"], after["p50"], ratio(after["p50"], before["p50"]),
                           before["p99"], after["p99"], ratio(after["p99"], before["p99"])])
    return table


def _build(measured: Sequence[Measured]) -> Table:
    table = Table("Index build from the same entries (seconds; documents per second at the "
                  "largest size)", ["index", *(f"s at {item.docs:,}" for item in measured),
                                    "versions/s"])
    largest = measured[-1]
    for name in largest.build_s:
        seconds = [item.build_s.get(name) for item in measured]
        table.rows.append([name, *seconds, ratio(float(largest.versions), seconds[-1])])
    table.notes.append("the product's rebuild includes reading the database and analysing the "
                       "text; the baselines get tokens analysed once beforehand.")
    return table


TEN_K = 10_000


def latest_keys(measured: Sequence[Measured]) -> dict[str, float | int | None]:
    largest = measured[-1]
    ours = distribution_ms(largest.samples.get(SERVICE_VIEWER, []))
    floor = distribution_ms(largest.samples.get(FLOOR, []))
    scale = ratio(distribution_ms(largest.samples.get(SCALE_SERVICE, []))["p50"],
                  distribution_ms(largest.samples.get(SCALE_RAW, []))["p50"])
    keys: dict[str, float | int | None] = {
        "search_embedded_p50_ms": ours["p50"], "search_embedded_p99_ms": ours["p99"],
        "search_embedded_docs": largest.docs,
        "search_embedded_p99_ratio_vs_tantivy": ratio(ours["p99"], floor["p99"]),
        "search_es_overhead_vs_raw": None if scale is None else scale - 1,
        "reindex_ratio_vs_raw": ratio(largest.build_s.get(PRODUCT_BUILD),
                                      largest.build_s.get(FLOOR_BUILD))}
    at_10k = [item for item in measured if item.docs == TEN_K]
    if at_10k:
        ours_10k = distribution_ms(at_10k[0].samples.get(SERVICE_VIEWER, []))
        floor_10k = distribution_ms(at_10k[0].samples.get(FLOOR, []))
        keys["search_embedded_p50_ms_10k"] = ours_10k["p50"]
        keys["search_embedded_p99_ratio_vs_tantivy_10k"] = ratio(ours_10k["p99"],
                                                                 floor_10k["p99"])
    return keys


def key_sizes(measured: Sequence[Measured]) -> dict[str, str]:
    """What each key was measured on: the largest size, or 10k for the ``_10k`` keys."""
    largest = f"{measured[-1].docs:,} documents"
    scale = "search_es_overhead_vs_raw"
    return {"search_embedded_p50_ms": largest, "search_embedded_p99_ms": largest,
            "search_embedded_docs": largest, "search_embedded_p99_ratio_vs_tantivy": largest,
            scale: largest, "reindex_ratio_vs_raw": largest,
            "search_embedded_p50_ms_10k": f"{TEN_K:,} documents",
            "search_embedded_p99_ratio_vs_tantivy_10k": f"{TEN_K:,} documents"}
