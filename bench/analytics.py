"""Usage reports at scale and the cost of recording events.

    .venv/bin/python -m bench.analytics                      # 1,000,000 events (embedded)
    .venv/bin/python -m bench.analytics --events 100000 --documents 10000 --people 100
    DOCSERVICE_DATABASE_URL=postgresql+psycopg://... .venv/bin/python -m bench.analytics

Loads a generated population (bench/usage_population.py) into a new database, rolls the
events up, then prints each report's query time (p50/p95 over filters and readers: an
admin and a viewer, no filter, a team, a category, a buying stage) and, side by side, a
search and a download through the service layer with and without recording their event.
"""

from __future__ import annotations

import argparse
import functools
import os
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from io import BytesIO
from pathlib import Path

from bench.report import BenchResult, Table, distribution_ms, publish
from bench.usage_population import generate
from docservice.bootstrap import bootstrap, start_workers
from docservice.config import load_settings
from docservice.domain import OPERATOR, DocumentMeta, Principal, Role
from docservice.inputs import ReportFilter
from docservice.services import analytics, documents, ingestion, reports
from docservice.services import search as search_service
from docservice.services.context import Context

ROUNDS = 5
FILTERS = {"no filter": {}, "team": {"team_id": 1}, "category": {"category": "product"},
           "stage": {"stage": "negotiation"}, "quarter": {"since": "2026-07-01",
                                                            "until": "2026-09-30"}}


def _timed(action: Callable[[], object], rounds: int) -> list[float]:
    samples = []
    for _ in range(rounds):
        started = time.perf_counter()
        action()
        samples.append(time.perf_counter() - started)
    return samples


def report_times(ctx: Context, rounds: int = ROUNDS) -> Table:
    viewer = Principal(user_id=2, email="person2@example.com", role=Role.VIEWER,
                       team_ids=frozenset({2}))
    rows = []
    for name in reports.REPORTS:
        samples: list[float] = []
        for who in (OPERATOR, viewer):
            if name in ("search", "contribution") and who is viewer:
                who = Principal(user_id=1, email="person1@example.com", role=Role.EDITOR,
                                team_ids=frozenset({1}))  # a team lead
            for fields in FILTERS.values():
                wanted = ReportFilter.model_validate(fields)
                samples += _timed(functools.partial(reports.report, ctx, who, name, wanted),
                                  rounds)
        found = distribution_ms(samples)
        rows.append([name, len(samples), found["p50"], found["p95"], max(samples) * 1000])
    return Table("Report query time (ms), embedded tier" if "sqlite" in str(ctx.engine.url)
                 else f"Report query time (ms), {ctx.engine.url.get_backend_name()}",
                 ["report", "runs", "p50", "p95", "max"], rows)


@contextmanager
def _without_recording() -> Iterator[None]:
    """The search and the download as they were before events were recorded."""
    saved = analytics.record_search, documents.add_usage
    analytics.record_search = lambda *args, **kwargs: None  # type: ignore[assignment]
    documents.add_usage = lambda *args, **kwargs: None  # type: ignore[assignment]
    try:
        yield
    finally:
        analytics.record_search, documents.add_usage = saved


def recording_overhead(data_dir: Path, rounds: int) -> Table:
    """A search and a download, each ``rounds`` times alternating with and without
    recording, on a small embedded library (60 documents)."""
    ctx = bootstrap(load_settings(environ={}, data_dir=data_dir, workers=2))
    start_workers(ctx)
    try:
        versions = [documents.upload(ctx, OPERATOR, BytesIO(
            f"price list {n} tariff euro product AX-{n}".encode() * 20), f"list-{n}.txt",
            DocumentMeta(visibility="org")).version_id for n in range(60)]
        ingestion.wait_for_versions(ctx, versions, timeout=300)
        actions = {"search": lambda: search_service.search(ctx, OPERATOR, "price list euro"),
                   "download": lambda: b"".join(documents.open_version(
                       ctx, OPERATOR, versions[0])[1])}
        rows = []
        for name, action in actions.items():
            plain: list[float] = []
            recorded: list[float] = []
            for _ in range(rounds):  # alternate, so load on the machine hits both alike
                with _without_recording():
                    plain += _timed(action, 1)
                recorded += _timed(action, 1)
            off, on = distribution_ms(plain), distribution_ms(recorded)
            rows.append([name, rounds, off["p50"], on["p50"],
                         round((on["p50"] or 0) - (off["p50"] or 0), 3),
                         off["p95"], on["p95"]])
        return Table("Recording overhead (ms): the same request without and with its event",
                     ["request", "runs", "p50 without", "p50 with", "p50 added",
                      "p95 without", "p95 with"], rows)
    finally:
        ctx.close()


def run(events: int, documents_count: int, people: int, rounds: int = ROUNDS,
        overhead_rounds: int = 300) -> BenchResult:
    with tempfile.TemporaryDirectory(prefix="bench-analytics-") as tmp:
        environ = {key: value for key, value in os.environ.items()
                   if key == "DOCSERVICE_DATABASE_URL"}
        ctx = bootstrap(load_settings(environ=environ, data_dir=Path(tmp) / "data"))
        try:
            started = time.perf_counter()
            generate(ctx, documents=documents_count, people=people, events=events)
            loaded = time.perf_counter() - started
            started = time.perf_counter()
            summary = analytics.roll_up(ctx)
            rolled = time.perf_counter() - started
            load = Table("Population", ["events", "documents", "people", "load s",
                                        "rollup s"],
                         [[events, documents_count, people, round(loaded, 1),
                           round(rolled, 1)]])
            times = report_times(ctx, rounds)
        finally:
            ctx.close()
        overhead = recording_overhead(Path(tmp) / "small", overhead_rounds)
    return BenchResult("analytics", [load, times, overhead], {}, notes=[summary])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--documents", type=int, default=100_000)
    parser.add_argument("--people", type=int, default=500)
    parser.add_argument("--rounds", type=int, default=ROUNDS)
    args = parser.parse_args()
    publish([run(args.events, args.documents, args.people, args.rounds)],
            size=f"{args.events} events")


if __name__ == "__main__":
    main()
