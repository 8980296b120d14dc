"""Ingest throughput: the whole pipeline side by side with the raw extractor and Apache Tika.

    .venv/bin/python -m bench.ingest [--generated 20] [--rounds 2] [--no-corpus]

Files: the text-layer files of ``$DOCSERVICE_CORPUS/dev`` (scans and raster images, flagged
in SOURCES.tsv, are left to bench/ocr.py) and generated sales documents written as PDF, DOCX,
XLSX, PPTX, TXT and HTML. Per format, in one run, rounds interleaved, best round kept:

- raw extractor: ``registry.extract`` in this process, one file after another (and two
  processes at once), the floor of the cost;
- our pipeline: ``documents.upload`` then the workers (1 and 2) store, sniff, extract in an
  isolated child, keep the pages, index and commit, until every version is indexed or failed;
- Apache Tika 3 (one warm JVM, 1 and 2 threads, timed inside the JVM);
- unstructured, where it runs offline.

OCR is off on every side, so all read text layers only: a stand-in ``tesseract`` listing no
language packs comes first on PATH, because the pipeline does not yet pass
DOCSERVICE_OCR_ENABLED to the extractors (ingestion._extract uses the default options).
"""

from __future__ import annotations

import argparse
import logging
import multiprocessing
import os
import shutil
import tempfile
import time
from collections.abc import Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from pathlib import Path

from bench.corpus import corpus_dir, corpus_files, text_pool
from bench.files import write_files
from bench.generate import sales_documents
from bench.ingest_tables import Group, build_result
from bench.profiles import profile_ingest
from bench.report import RESULTS_DIR, BenchResult, publish
from bench.tika import Tika, tika_status
from docservice.bootstrap import bootstrap, start_workers
from docservice.config import load_settings
from docservice.domain import OPERATOR, file_kind
from docservice.errors import ExtractionFailed
from docservice.ingest.isolation import start_isolation
from docservice.ingest.registry import extract
from docservice.ingest.sniff import sniff_media_type
from docservice.services import documents, ingestion

UNSTRUCTURED_OFFLINE = ("not measured: unstructured 0.27 downloads the spaCy model "
                        "en_core_web_sm at first use, even for a .txt, and fails offline "
                        "(the model is not on PyPI)")
log = logging.getLogger(__name__)


def run(*, generated: int = 20, rounds: int = 2, use_corpus: bool = True,
        workers: Sequence[int] = (1, 2), tika: bool = True,
        profile_dir: Path | None = None) -> BenchResult:
    folder = corpus_dir() if use_corpus else None
    with tempfile.TemporaryDirectory(prefix="bench-ingest-") as temp, ocr_hidden():
        work = Path(temp)
        groups = _groups(folder, work, generated)
        start_isolation()
        tika_reason = tika_status() if tika else "not measured: switched off (--no-tika)"
        peer = Tika() if tika_reason is None else None
        pool = ProcessPoolExecutor(2, mp_context=multiprocessing.get_context("forkserver"))
        try:
            _warm_up(groups, peer, pool)
            for number in range(rounds):
                _round(work / f"round-{number}", groups, workers, peer, pool)
            if profile_dir is not None:
                pdfs = [path for group in groups if group.name.startswith("pdf")
                        for path in group.paths]
                profile_ingest(pdfs, profile_dir / "profile-ingest-text-pdfs.txt")
        finally:
            pool.shutdown()
            if peer is not None:
                peer.close()
    return build_result(groups, workers, tika_reason, UNSTRUCTURED_OFFLINE, rounds)


@contextmanager
def ocr_hidden() -> Iterator[None]:
    """A stand-in ``tesseract`` first on PATH that lists no language packs, so the OCR
    engine reports itself unavailable, for this process and the children it starts.

    Only the forkserver started meanwhile sees it: start the benchmark in a fresh process."""
    saved = os.environ.get("PATH", "")
    with tempfile.TemporaryDirectory(prefix="bench-no-ocr-") as folder:
        stub = Path(folder) / "tesseract"
        stub.write_text("#!/bin/sh\necho 'List of available languages (0):'\n")
        stub.chmod(0o755)
        os.environ["PATH"] = folder + os.pathsep + saved
        try:
            yield
        finally:
            os.environ["PATH"] = saved


def _groups(folder: Path | None, work: Path, generated: int) -> list[Group]:
    files: list[tuple[str, Path]] = []
    if folder is not None:
        files += [("", item.path) for item in corpus_files(folder) if not item.needs_ocr]
    if generated:
        docs = list(sales_documents(generated, pool=text_pool(folder)))
        files += [(" (generated)", path) for path in write_files(docs, work / "generated")]
    groups: dict[str, Group] = {}
    for suffix, path in files:
        media_type = sniff_media_type(path, path.name)
        name = file_kind(media_type) + suffix
        group = groups.setdefault(name, Group(name, [], []))
        group.paths.append(path)
        group.media_types.append(media_type)
        group.size_bytes += path.stat().st_size
    return sorted(groups.values(), key=lambda group: (-len(group.paths), group.name))


def _warm_up(groups: Sequence[Group], peer: Tika | None, pool: ProcessPoolExecutor) -> None:
    """Import every extractor (and let the JVM compile) before anything is timed."""
    logging.getLogger("docservice").setLevel(logging.CRITICAL)  # bad inputs are expected
    for group in groups:
        pairs = list(zip(group.paths, group.media_types, strict=True))
        _raw_batch(pairs)
        list(pool.map(_raw_batch, [pairs[0::2], pairs[1::2]]))
    if peer is not None:
        everything = [path for group in groups for path in group.paths]
        peer.run(everything, 2)
        peer.run(everything, 1)


def _round(work: Path, groups: Sequence[Group], workers: Sequence[int], peer: Tika | None,
           pool: ProcessPoolExecutor) -> None:
    for group in groups:
        pairs = list(zip(group.paths, group.media_types, strict=True))
        started = time.perf_counter()
        failed = _raw_batch(pairs)
        group.record("raw 1", time.perf_counter() - started, failed)
        started = time.perf_counter()
        failed = sum(pool.map(_raw_batch, [pairs[0::2], pairs[1::2]]))
        group.record("raw 2", time.perf_counter() - started, failed)
        if peer is not None:
            for threads in workers:
                outcome = peer.run(group.paths, threads)
                group.record(f"tika {threads}", outcome.wall_s, outcome.failed)
    for count in workers:
        _pipeline(work / f"pipeline-{count}", groups, count)


def _raw_batch(pairs: Sequence[tuple[Path, str]]) -> int:
    """Extract each file in turn; the number that failed."""
    failed = 0
    for path, media_type in pairs:
        try:
            extract(path, media_type)
        except ExtractionFailed:
            failed += 1
    return failed


def _pipeline(data_dir: Path, groups: Sequence[Group], workers: int) -> None:
    """Each group through a fresh embedded tier with ``workers`` workers, one after another."""
    settings = load_settings(environ={}, data_dir=data_dir, workers=workers, ocr_enabled=False)
    ctx = bootstrap(settings)
    try:
        start_workers(ctx)
        for group in groups:
            started = time.perf_counter()
            version_ids = []
            for path in group.paths:
                with path.open("rb") as stream:
                    outcome = documents.upload(ctx, OPERATOR, stream, path.name,
                                               documents.DocumentMeta())
                if not outcome.duplicate:
                    version_ids.append(outcome.version_id)
            # The in-process queue says when its last job is done; polling the database
            # every 10 ms instead took the interpreter lock from the workers being measured.
            ctx.queue.wait_idle(3600)
            states = ingestion.wait_for_versions(ctx, version_ids, timeout=0)
            group.record(f"pipeline {workers}", time.perf_counter() - started,
                         sum(state != "indexed" for state in states.values()))
    finally:
        ctx.close()
        shutil.rmtree(data_dir, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--generated", type=int, default=20,
                        help="generated documents, each written in every format")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--no-corpus", action="store_true")
    parser.add_argument("--no-tika", action="store_true")
    parser.add_argument("--profile", action="store_true",
                        help="pyinstrument the ingestion job on the text PDFs")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    result = run(generated=args.generated, rounds=args.rounds, use_corpus=not args.no_corpus,
                 tika=not args.no_tika, profile_dir=RESULTS_DIR if args.profile else None)
    publish([result], size=f"corpus + {args.generated} generated per format")


if __name__ == "__main__":
    main()
