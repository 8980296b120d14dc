"""Search latency: our service layer and HTTP API side by side with the raw engines.

    .venv/bin/python -m bench.search [--sizes 10000 100000] [--rounds 5] [--profile]

For each size a fresh data directory is filled with generated sales documents (bench/
generate.py, real corpus text mixed in when DOCSERVICE_CORPUS is set; 10% of documents have
an older version too) and indexed by the product's ``rebuild_index``. The baselines (bench/
baselines.py) index the same entries' pre-analysed tokens. A fixed query mix (one word,
several words, a phrase, Chinese, mixed zh/en, a filter, a facet request, a deep page) then
runs round-robin across all engines, so every engine sees the same machine load: our
service layer and HTTP API as a viewer in one team (ACL filter on) and as an admin, each
answer with facets and snippets; the raw engines without ACL, facets or snippets.
"""

from __future__ import annotations

import argparse
import json
import logging
import tempfile
import time
from collections.abc import Callable, Sequence
from contextlib import ExitStack
from pathlib import Path
from typing import Any

from bench import scaleout
from bench.baselines import Fts5, RawTantivy, Whoosh, engine_query
from bench.corpus import corpus_dir, text_pool
from bench.generate import sales_documents
from bench.population import ADMIN_EMAIL, VIEWER_EMAIL, People, add_documents, add_people
from bench.profiles import profile_to
from bench.report import RESULTS_DIR, BenchResult, publish
from bench.search_tables import (
    PRE_ANALYSED,
    PRODUCT_BUILD,
    SERVICE_VIEWER,
    Measured,
    build_tables,
    key_sizes,
    latest_keys,
)
from bench.server import get_json, running_server
from docservice.bootstrap import bootstrap
from docservice.config import load_settings
from docservice.db.index_entries import all_entries
from docservice.domain import Principal
from docservice.errors import SearchUnavailable
from docservice.search.analysis import entry_fields
from docservice.services import search as search_service
from docservice.services import tokens
from docservice.services.context import Context
from docservice.services.indexing import rebuild_index

QUERIES: tuple[tuple[str, str, int], ...] = (
    ("one word", "warranty", 0), ("one word", "router", 0), ("one word", "firmware", 0),
    ("several words", "router price list 2024", 0),
    ("several words", "edge gateway installation guide", 0),
    ("several words", "support plan renewal terms", 0),
    ("phrase", '"support plan"', 0), ("phrase", '"volume discount"', 0),
    ("phrase", '"edge gateway"', 0),
    ("Chinese", "价格表", 0), ("Chinese", "合同 客户", 0), ("Chinese", "市场活动总结", 0),
    ("mixed zh/en", "2024 价格表", 0), ("mixed zh/en", "AX-200 报价单", 0),
    ("mixed zh/en", "GW-10 合同", 0),
    ("filter", "router category:product", 0), ("filter", "agreement year:2023", 0),
    ("filter", "price type:xlsx", 0),
    ("facet request", "category:product", 0), ("facet request", "year:2024", 0),
    ("facet request", "type:pdf", 0),
    ("deep page", "service", 1000), ("deep page", "customer", 1000), ("deep page", "合同", 500),
)
SERVICE_ADMIN = "service layer, admin"
HTTP_VIEWER, HTTP_ADMIN = "HTTP API, viewer (ACL)", "HTTP API, admin"
BASELINES: dict[str, Any] = {"tantivy": RawTantivy, "fts5": Fts5, "whoosh": Whoosh}
log = logging.getLogger(__name__)


Runner = Callable[[str, int], int]


def run(sizes: Sequence[int] = (1000, 10000), *, rounds: int = 5, http: bool = True,
        baselines: Sequence[str] = tuple(BASELINES), profile_dir: Path | None = None,
        use_corpus: bool = True) -> BenchResult:
    pool = text_pool(corpus_dir()) if use_corpus else []
    measured = []
    for size in sizes:
        with tempfile.TemporaryDirectory(prefix=f"bench-search-{size}-") as folder:
            measured.append(_measure_size(Path(folder), size, pool, rounds, http, baselines,
                                          profile_dir if size == max(sizes) else None))
    return _result(measured, pool_size=len(pool))


def _measure_size(folder: Path, size: int, pool: Sequence[str], rounds: int, http: bool,
                  baselines: Sequence[str], profile_dir: Path | None) -> Measured:
    ctx = bootstrap(load_settings(environ={}, data_dir=folder / "data"))
    try:
        people = add_people(ctx)
        versions = add_documents(ctx, people, sales_documents(size, pool=pool))
        build = {PRODUCT_BUILD: _timed(lambda: rebuild_index(ctx))}
        engines = _build_baselines(ctx, folder, baselines, build)
        measured = Measured(size, versions, build)
        runners = _service_runners(ctx, people)
        runners.update({engine.name: _baseline_runner(engine) for engine in engines})
        with ExitStack() as stack:
            measured.scale_out = scaleout.search_status()
            if measured.scale_out is None:
                try:
                    scale = stack.enter_context(
                        scaleout.scale_out_search(folder / "data", people.viewer, _timed))
                except SearchUnavailable as exc:
                    measured.scale_out = f"not measured: {exc.message}"
                else:
                    build[f"product rebuild_index ({scale.engine})"] = scale.build_s
                    runners.update(scale.runners)
            _run_queries(ctx, folder, runners, measured, rounds, http)
        if profile_dir is not None:
            _profile(runners[SERVICE_VIEWER], profile_dir / f"profile-search-{size}.txt")
        return measured
    finally:
        ctx.close()


def _run_queries(ctx: Context, folder: Path, runners: dict[str, Runner], measured: Measured,
                 rounds: int, http: bool) -> None:
    """The query loop, through the product's server too when ``http``."""
    if http:
        raw_tokens = {email: tokens.create_token_for(ctx, email, "bench")[1]
                      for email in (VIEWER_EMAIL, ADMIN_EMAIL)}
        with running_server(folder / "data") as server:
            runners[HTTP_VIEWER] = _http_runner(server, raw_tokens[VIEWER_EMAIL])
            runners[HTTP_ADMIN] = _http_runner(server, raw_tokens[ADMIN_EMAIL])
            _loop(runners, measured, rounds)
    else:
        _loop(runners, measured, rounds)


def _build_baselines(ctx: Context, folder: Path, names: Sequence[str],
                     build: dict[str, float]) -> list[Any]:
    engines = [BASELINES[name](folder / name) for name in names]
    spent = {engine.name: 0.0 for engine in engines}
    with ctx.uow() as uow:
        for chunk in all_entries(uow.session):
            for entry in chunk:
                fields = entry_fields(entry)  # analysed once, fed to every baseline
                for engine in engines:
                    started = time.perf_counter()
                    engine.add(fields)
                    spent[engine.name] += time.perf_counter() - started
    for engine in engines:
        spent[engine.name] += _timed(engine.finish)
        build[engine.name + PRE_ANALYSED] = spent[engine.name]
    return engines


def _service_runners(ctx: Context, people: People) -> dict[str, Runner]:
    def runner(principal: Principal) -> Runner:
        def search(raw: str, offset: int) -> int:
            return search_service.search(ctx, principal, raw, offset=offset).total
        return search

    return {SERVICE_VIEWER: runner(people.viewer), SERVICE_ADMIN: runner(people.admin)}


def _baseline_runner(engine: Any) -> Runner:
    def search(raw: str, offset: int) -> int:
        total, _ids = engine.search(engine_query(raw, offset=offset))
        return total

    return search


def _http_runner(server: Any, token: str) -> Runner:
    connection = server.connect()

    def search(raw: str, offset: int) -> int:
        status, body = get_json(connection, "/api/v1/search", {"q": raw, "offset": offset},
                                token)
        if status != 200:
            raise RuntimeError(f"/api/v1/search?q={raw} answered {status}: {body[:200]!r}")
        return int(json.loads(body)["total"])

    return search


def _loop(runners: dict[str, Runner], measured: Measured, rounds: int) -> None:
    """Warm every engine on every query, then ``rounds`` rounds, engines interleaved."""
    names = list(runners)
    for _kind, raw, offset in QUERIES:
        for name in names:
            runners[name](raw, offset)
    for number in range(rounds):
        for position, (kind, raw, offset) in enumerate(QUERIES):
            shift = (number + position) % len(names)  # rotate who goes first
            for name in names[shift:] + names[:shift]:
                started = time.perf_counter()
                total = runners[name](raw, offset)
                measured.add(name, kind, time.perf_counter() - started, total)


def _profile(runner: Runner, path: Path) -> None:
    def queries() -> None:
        for _ in range(5):
            for _kind, raw, offset in QUERIES:
                runner(raw, offset)

    profile_to(path, queries)


def _timed(action: Callable[[], object]) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def _result(measured: list[Measured], pool_size: int) -> BenchResult:
    tables = build_tables(measured, QUERIES)
    return BenchResult(
        name="search", tables=tables, keys=latest_keys(measured), sizes=key_sizes(measured),
        notes=[f"Documents generated by bench/generate.py with {pool_size} passages of real "
               "corpus text; queries: " + "; ".join(f"{kind}: {raw}" + (f" (offset {offset})"
                                                                        if offset else "")
                                                   for kind, raw, offset in QUERIES) + "."],
        extra={"sizes": [item.docs for item in measured]})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--no-http", action="store_true")
    parser.add_argument("--profile", action="store_true",
                        help="pyinstrument the service layer at the largest size")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    result = run(args.sizes, rounds=args.rounds, http=not args.no_http,
                 profile_dir=RESULTS_DIR if args.profile else None)
    publish([result], size="sizes " + " ".join(map(str, args.sizes)))


if __name__ == "__main__":
    main()
