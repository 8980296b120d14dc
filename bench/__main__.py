"""Run every benchmark at one size and publish one report.

    .venv/bin/python -m bench --size small    # `make bench`: under 15 minutes on 2 cores
    .venv/bin/python -m bench --size full     # `make bench-full`: 10k and 100k documents

Writes bench/results/<date>-ingest-search-upload.md, merges bench/results/latest.json and
writes pyinstrument profiles of the ingestion job and of search at the largest size next to
them. ``--only`` picks benchmarks; bench/ocr.py (OCR throughput) runs on its own.
"""

from __future__ import annotations

import argparse
import logging
from pathlib import Path
from typing import Any

from bench import ingest, search, upload
from bench.report import RESULTS_DIR, BenchResult, publish, targets

SIZES: dict[str, dict[str, dict[str, Any]]] = {
    "small": {"ingest": {"generated": 10, "rounds": 2},
              "search": {"sizes": (1000, 10000), "rounds": 5},
              "upload": {"megabytes": 1024}},
    "full": {"ingest": {"generated": 50, "rounds": 3},
             "search": {"sizes": (10000, 100000), "rounds": 5},
             "upload": {"megabytes": 1024}},
}


def run_all(size: str, only: list[str], results_dir: Path = RESULTS_DIR,
            profile: bool = True) -> list[BenchResult]:
    settings = SIZES[size]
    profiles = results_dir if profile else None
    results: list[BenchResult] = []
    if "ingest" in only:
        results.append(ingest.run(**settings["ingest"], profile_dir=profiles))
    if "search" in only:
        results.append(search.run(**settings["search"], profile_dir=profiles))
    if "upload" in only:
        results.append(upload.run(**settings["upload"]))
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", choices=sorted(SIZES), default="small")
    parser.add_argument("--only", nargs="+", choices=["ingest", "search", "upload"],
                        default=["ingest", "search", "upload"])
    parser.add_argument("--no-profile", action="store_true")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    results = run_all(args.size, args.only, profile=not args.no_profile)
    publish([*results, targets(results)], size=args.size)


if __name__ == "__main__":
    main()
