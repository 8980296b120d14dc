"""Relevance harness: index a document set through the real pipeline, run judged queries,
print nDCG@10, MRR, recall@10 and the grade-3-in-top-3 share per engine, and the worst queries.

    .venv/bin/python -m bench.relevance [--set corpus|sales|all] [--engine auto|tantivy|
        opensearch|all] [--workdir DIR] [--worst 5] [--cjk bigram|jieba]
    .venv/bin/python -m bench.relevance --set dir --docs DIR --queries FILE [--name NAME]

Sets: ``corpus`` is ``$DOCSERVICE_CORPUS/dev`` with ``$DOCSERVICE_CORPUS/queries.tsv`` (real
third-party files, judged by reading them); ``sales`` is the generated sales world of
bench/sales_world.py with bench/sales_queries.tsv. A judged query file is TSV: query_id, query,
relevant as ``file:grade`` (3 ideal, 2 clearly relevant, 1 marginal; comma separated, empty
when nothing answers), notes; phrases are CSV-quoted, so it is read with the csv module.
``dir`` is any other set in that format: the files of ``--docs`` (recursively, relative paths
as the judged names' file names) and ``--queries``; a blind set is run this way without its
files or queries entering the repository. Files of ``corpus`` and ``dir`` are uploaded as
``docservice import`` uploads them: visible to the organisation, with the category the app
suggests (``--category other`` reproduces the import of before the CLI suggested one).

How a set is indexed: a Context of the embedded tier is bootstrapped in a work directory
(``load_settings(environ={}, data_dir=...)``) and every file is uploaded and ingested by the
product's own use cases (sniffing, isolated extraction, OCR, indexing). Each engine's index is
then filled from that database by ``rebuild_index``, the product's reindex path: Tantivy in the
same data directory, and the scale-out engine (``--engine opensearch``, or ``auto`` when the
servers of deploy/local answer) with its URL from ``deploy/local/services-env.sh`` and a unique
``DOCSERVICE_INDEX_PREFIX`` (SQLite, local blobs and the inline queue for the rest); its indices
are deleted at the end. With ``--workdir`` the extracted database is kept and reused by the next
run (only the indexes are rebuilt), which makes tuning runs take seconds instead of minutes.

Queries run through the search use case (services.search.search) as a viewer of the
organisation, exactly as the web page and the API call it. Metrics, per query with at least
one judged file: nDCG@10 with gain 2^grade - 1, reciprocal rank of the first judged file,
recall@10 of judged files, and whether a grade-3 file is in the top 3. Queries judged to have
no answer are listed apart (hits returned, suggestion offered).
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import math
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import uuid
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path

from sqlalchemy import update

from bench.sales_world import SalesDocument, build_world
from docservice.bootstrap import bootstrap
from docservice.config import Settings, load_settings
from docservice.db.models import Version
from docservice.domain import Principal, Role
from docservice.search.analysis import has_cjk
from docservice.services import accounts, documents, ingestion
from docservice.services import search as search_service
from docservice.services.context import Context
from docservice.services.documents import DocumentMeta
from docservice.services.indexing import rebuild_index
from docservice.views import SearchPage

ROOT = Path(__file__).resolve().parent.parent
SALES_QUERIES = Path(__file__).with_name("sales_queries.tsv")
ENGINES = ("tantivy", "opensearch")
DEPTH = 10
READER = Principal(user_id=None, email="reader@bench.invalid", role=Role.VIEWER)


# -- judged queries -----------------------------------------------------------------------

@dataclass(frozen=True)
class Judged:
    query_id: str
    query: str
    grades: dict[str, int]
    notes: str = ""


def read_judgments(path: Path) -> list[Judged]:
    """Judged queries of a TSV file (header line first; phrases CSV-quoted)."""
    with path.open(encoding="utf-8", newline="") as stream:
        rows = list(csv.reader(stream, delimiter="\t"))
    judged = []
    for row in rows[1:]:
        if not row or not row[0].strip() or row[0].startswith("#"):
            continue
        query_id, query, relevant = row[0].strip(), row[1].strip(), row[2].strip()
        notes = row[3].strip() if len(row) > 3 else ""
        grades = {}
        for item in filter(None, (part.strip() for part in relevant.split(","))):
            name, _, grade = item.rpartition(":")
            grades[name] = int(grade)
        judged.append(Judged(query_id, query, grades, notes))
    return judged


# -- metrics ------------------------------------------------------------------------------

@dataclass
class QueryOutcome:
    judged: Judged
    returned: list[str]
    total: int
    suggestion: str | None
    seconds: float

    @property
    def gains(self) -> list[int]:
        return [self.judged.grades.get(name, 0) for name in self.returned[:DEPTH]]

    @property
    def ndcg(self) -> float:
        ideal = sorted(self.judged.grades.values(), reverse=True)[:DEPTH]
        best = _dcg(ideal)
        return _dcg(self.gains) / best if best else 0.0

    @property
    def reciprocal_rank(self) -> float:
        first = next((rank for rank, gain in enumerate(self.gains, 1) if gain), None)
        return 1.0 / first if first else 0.0

    @property
    def recall(self) -> float:
        found = {name for name in self.returned[:DEPTH] if name in self.judged.grades}
        return len(found) / len(self.judged.grades)

    @property
    def has_ideal(self) -> bool:
        return 3 in self.judged.grades.values()

    @property
    def ideal_in_top3(self) -> bool:
        return 3 in self.gains[:3]


def _dcg(gains: Sequence[int]) -> float:
    return sum((2 ** gain - 1) / math.log2(rank + 1) for rank, gain in enumerate(gains, 1))


@dataclass
class EngineReport:
    engine: str
    outcomes: list[QueryOutcome] = field(default_factory=list)

    @property
    def answered(self) -> list[QueryOutcome]:
        return [outcome for outcome in self.outcomes if outcome.judged.grades]

    def mean(self, metric: Callable[[QueryOutcome], float]) -> float:
        values = [metric(outcome) for outcome in self.answered]
        return sum(values) / len(values) if values else 0.0

    @property
    def ideal_share(self) -> tuple[int, int]:
        with_ideal = [outcome for outcome in self.answered if outcome.has_ideal]
        return sum(outcome.ideal_in_top3 for outcome in with_ideal), len(with_ideal)


# -- document sets ------------------------------------------------------------------------

@dataclass(frozen=True)
class DocumentSet:
    name: str
    documents: list[SalesDocument]
    judgments: list[Judged]

    def present_judgments(self) -> tuple[list[Judged], list[Judged]]:
        """Judged queries restricted to files in the set (the sales world leaves out scans
        without Tesseract), and those left with no file although they had one."""
        names = {name for doc in self.documents for name, _source in doc.versions}
        kept, dropped = [], []
        for item in self.judgments:
            grades = {name: grade for name, grade in item.grades.items() if name in names}
            if item.grades and not grades:
                dropped.append(item)
            else:
                kept.append(Judged(item.query_id, item.query, grades, item.notes))
        return kept, dropped


def corpus_set(category: str | None = None) -> DocumentSet:
    root = Path(os.environ.get("DOCSERVICE_CORPUS") or ROOT.parent / "shared" / "corpus")
    folder = root / "dev"
    if not folder.is_dir():
        raise SystemExit(f"corpus folder {folder} is missing: set DOCSERVICE_CORPUS")
    return folder_set("corpus", folder, root / "queries.tsv", category)


def folder_set(name: str, folder: Path, queries: Path, category: str | None) -> DocumentSet:
    """Every file under ``folder`` as one document, uploaded as ``docservice import`` does."""
    if not folder.is_dir() or not queries.is_file():
        raise SystemExit(f"set {name}: {folder} must be a folder and {queries} a file")
    files = sorted(path for path in folder.rglob("*") if path.is_file()
                   and not any(part.startswith(".") for part in path.relative_to(folder).parts))
    meta = DocumentMeta(visibility="org", category=category)
    docs = [SalesDocument(meta=meta, versions=[(path.name, path)]) for path in files]
    return DocumentSet(name, docs, read_judgments(queries))


def sales_set(folder: Path) -> DocumentSet:
    return DocumentSet("sales", build_world(folder), read_judgments(SALES_QUERIES))


# -- indexing through the pipeline --------------------------------------------------------

@dataclass
class Ingested:
    data_dir: Path
    files: int
    states: dict[str, int]
    aliases: dict[str, set[str]]  # file name shown in hits -> names uploaded with its bytes


def ingest(docs: Sequence[SalesDocument], data_dir: Path) -> Ingested:
    """Upload every document (and its later versions) and wait for the workers."""
    ctx = bootstrap(_settings(data_dir, {}))
    try:
        uploads = _Uploads(ctx)
        for doc in docs:
            uploads.add(doc)
        states = ingestion.wait_for_versions(ctx, uploads.version_ids, timeout=3600)
        _set_upload_times(ctx, uploads.dated)
        counts = dict(Counter(states.values()))
        result = Ingested(data_dir, len(uploads.version_ids), counts, uploads.aliases)
        (data_dir / "bench-ingested.json").write_text(json.dumps(
            {"files": result.files, "states": counts,
             "aliases": {k: sorted(v) for k, v in uploads.aliases.items()}}), encoding="utf-8")
        return result
    finally:
        ctx.close()


class _Uploads:
    """Documents uploaded so far: their versions, upload dates and duplicate file names."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.teams: dict[str, int] = {}
        self.aliases: dict[str, set[str]] = {}
        self.version_ids: list[int] = []
        self.dated: list[tuple[int, datetime]] = []

    def add(self, doc: SalesDocument) -> None:
        meta = doc.meta
        if doc.team:  # a team's private document: the bench reader is not in the team
            team_id = self.teams.get(doc.team) or accounts.create_team(self.ctx, doc.team)
            self.teams[doc.team] = team_id
            meta = replace(meta, team_id=team_id, visibility="team")
        document_id: int | None = None
        for number, (name, source) in enumerate(doc.versions):
            stream = io.BytesIO(source if isinstance(source, bytes) else source.read_bytes())
            outcome = (documents.upload(self.ctx, _UPLOADER, stream, name, meta)
                       if document_id is None else
                       documents.add_version(self.ctx, _UPLOADER, document_id, stream, name))
            document_id = outcome.document_id
            shown = _shown_name(self.ctx, outcome.version_id) if outcome.duplicate else name
            self.aliases.setdefault(shown, {shown}).add(name)
            if not outcome.duplicate:
                self.version_ids.append(outcome.version_id)
                if doc.uploaded:
                    self.dated.append((outcome.version_id, doc.uploaded[number]))


def reuse(data_dir: Path) -> Ingested | None:
    marker = data_dir / "bench-ingested.json"
    if not marker.exists():
        return None
    saved = json.loads(marker.read_text(encoding="utf-8"))
    return Ingested(data_dir, saved["files"], saved["states"],
                    {k: set(v) for k, v in saved["aliases"].items()})


_UPLOADER = Principal(user_id=None, email="operator@localhost", role=Role.ADMIN)


def _shown_name(ctx: Context, version_id: int) -> str:
    with ctx.uow() as uow:
        version = uow.session.get(Version, version_id)
        assert version is not None
        return version.filename


def _set_upload_times(ctx: Context, dated: Sequence[tuple[int, datetime]]) -> None:
    """The world's upload dates (a price list of 2023 was uploaded in 2023)."""
    if not dated:
        return
    with ctx.uow() as uow:
        for version_id, moment in dated:
            uow.session.execute(update(Version).where(Version.id == version_id)
                                .values(uploaded_at=moment))
        uow.commit()


# -- engines ------------------------------------------------------------------------------

def _settings(data_dir: Path, environ: dict[str, str]) -> Settings:
    return load_settings(environ=environ, data_dir=data_dir, workers=2, extract_timeout_s=300)


def scale_out_environ() -> dict[str, str] | None:
    """DOCSERVICE_SEARCH_BACKEND and URL of the local servers, or None when they are down."""
    try:
        output = subprocess.run(["bash", str(ROOT / "deploy/local/services-env.sh")],
                                check=True, capture_output=True, text=True, timeout=30).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    env: dict[str, str] = {}
    for line in output.splitlines():
        key, _, value = line.removeprefix("export ").strip().partition("=")
        if key in ("DOCSERVICE_SEARCH_BACKEND", "DOCSERVICE_ELASTICSEARCH_URL"):
            env[key] = value.strip("'\"")
    url = env.get("DOCSERVICE_ELASTICSEARCH_URL")
    if not url:
        return None
    try:
        with urllib.request.urlopen(url, timeout=5):
            pass
    except (OSError, urllib.error.URLError):
        return None
    env["DOCSERVICE_INDEX_PREFIX"] = f"bench-{uuid.uuid4().hex[:10]}"
    return env


@contextmanager
def engine_context(engine: str, data_dir: Path) -> Iterator[Context]:
    """A Context on the ingested database whose index ``engine`` is rebuilt from it."""
    environ: dict[str, str] = {}
    if engine != "tantivy":
        found = scale_out_environ()
        if found is None:
            raise RuntimeError("the scale-out search server is not running "
                               "(bash deploy/local/services-up.sh)")
        environ = found
    ctx = bootstrap(_settings(data_dir, environ))
    try:
        adapter = type(ctx.index).__module__
        if (engine == "tantivy") != ("tantivy" in adapter):
            raise RuntimeError(f"bootstrap picked {adapter} for {engine}: adapter missing?")
        rebuild_index(ctx)
        yield ctx
    finally:
        ctx.close()
        if environ:
            _drop_indices(environ["DOCSERVICE_ELASTICSEARCH_URL"],
                          environ["DOCSERVICE_INDEX_PREFIX"])


def _drop_indices(url: str, prefix: str) -> None:
    """Delete the bench's indices (by name: wildcard deletes may be refused)."""
    try:
        with urllib.request.urlopen(f"{url}/_cat/indices/{prefix}*?format=json",
                                    timeout=30) as response:
            names = [row["index"] for row in json.load(response)]
        for name in names:
            request = urllib.request.Request(f"{url}/{name}", method="DELETE")
            urllib.request.urlopen(request, timeout=30).close()
    except (OSError, urllib.error.URLError, ValueError) as exc:
        print(f"warning: could not delete bench indices {prefix}*: {exc}", file=sys.stderr)


def run_queries(ctx: Context, judged: Sequence[Judged],
                aliases: dict[str, set[str]]) -> EngineReport:
    report = EngineReport(engine="")
    for item in judged:
        started = time.perf_counter()
        result = search_service.search(ctx, READER, item.query, limit=DEPTH)
        seconds = time.perf_counter() - started
        report.outcomes.append(QueryOutcome(item, _judged_names(result, item, aliases),
                                            result.total, getattr(result, "suggestion", None),
                                            seconds))
    return report


def _judged_names(result: SearchPage, item: Judged, aliases: dict[str, set[str]]) -> list[str]:
    """File names of the hits; a hit whose bytes were also uploaded under a judged name
    counts as that name (the product keeps one document for identical bytes)."""
    names = []
    for hit in result.hits:
        known = aliases.get(hit.filename, {hit.filename})
        judged = [name for name in known if name in item.grades]
        names.append(max(judged, key=lambda n: item.grades[n]) if judged else hit.filename)
    return names


# -- printing -----------------------------------------------------------------------------

def print_set(name: str, ingested: Ingested, judged: Sequence[Judged],
              reports: Sequence[EngineReport], worst: int) -> None:
    answered = sum(1 for item in judged if item.grades)
    print(f"\n## {name}: {ingested.files} files ({_states(ingested.states)}), "
          f"{len(judged)} queries ({answered} with judged answers)\n")
    print("| engine | nDCG@10 | MRR | recall@10 | grade-3 in top 3 | nDCG@10 zh queries "
          "| ms/query |")
    print("|---|---|---|---|---|---|---|")
    for report in reports:
        top, of = report.ideal_share
        share = f"{top}/{of} = {top / of:.0%}" if of else "-"
        ms = 1000 * sum(o.seconds for o in report.outcomes) / max(1, len(report.outcomes))
        chinese = [o.ndcg for o in report.answered if has_cjk(o.judged.query)]
        zh = f"{sum(chinese) / len(chinese):.3f} ({len(chinese)})" if chinese else "-"
        print(f"| {report.engine} | {report.mean(lambda o: o.ndcg):.3f} | "
              f"{report.mean(lambda o: o.reciprocal_rank):.3f} | "
              f"{report.mean(lambda o: o.recall):.3f} | {share} | {zh} | {ms:.0f} |")
    for report in reports:
        _print_worst(report, worst)
        _print_unanswerable(report)


def _states(states: dict[str, int]) -> str:
    return ", ".join(f"{count} {state}" for state, count in sorted(states.items()))


def _print_worst(report: EngineReport, worst: int) -> None:
    ranked = sorted(report.answered, key=lambda o: (o.ndcg, o.judged.query_id))[:worst]
    print(f"\nworst queries ({report.engine}):")
    for outcome in ranked:
        ideal = [n for n, g in outcome.judged.grades.items() if g == 3]
        rank = next((at for at, n in enumerate(outcome.returned, 1) if n in ideal), None)
        print(f"  {outcome.judged.query_id} nDCG {outcome.ndcg:.2f}  {outcome.judged.query!r}"
              f"  ideal at {rank or '-'}; top 3: {', '.join(outcome.returned[:3]) or '(none)'}"
              + (f"; suggestion {outcome.suggestion!r}" if outcome.suggestion else ""))


def _print_unanswerable(report: EngineReport) -> None:
    for outcome in report.outcomes:
        if not outcome.judged.grades:
            print(f"  no answer expected ({report.engine}) {outcome.judged.query_id} "
                  f"{outcome.judged.query!r}: {outcome.total} hits"
                  + (f", suggestion {outcome.suggestion!r}" if outcome.suggestion else ""))


# -- main ---------------------------------------------------------------------------------

def engines_for(choice: str) -> list[str]:
    if choice == "all":
        return list(ENGINES)
    if choice == "auto":
        return ["tantivy", "opensearch"] if scale_out_environ() else ["tantivy"]
    return [choice]


def evaluate(docset: DocumentSet, engines: Sequence[str], work: Path, worst: int,
             dump: Path | None = None) -> None:
    judgments, dropped = docset.present_judgments()
    for item in dropped:
        print(f"[{docset.name}] {item.query_id} skipped: its files are not in the set",
              file=sys.stderr)
    data_dir = work / docset.name / "data"
    ingested = reuse(data_dir)
    if ingested is None:
        started = time.perf_counter()
        shutil.rmtree(data_dir, ignore_errors=True)
        ingested = ingest(docset.documents, data_dir)
        print(f"[{docset.name}] ingested {ingested.files} files in "
              f"{time.perf_counter() - started:.0f}s", file=sys.stderr)
    reports = []
    for engine in engines:
        try:
            with engine_context(engine, data_dir) as ctx:
                report = run_queries(ctx, judgments, ingested.aliases)
        except RuntimeError as exc:
            print(f"[{docset.name}] {engine}: not measured: {exc}", file=sys.stderr)
            continue
        report.engine = engine
        reports.append(report)
    print_set(docset.name, ingested, judgments, reports, worst)
    if dump is not None:
        _dump(dump, docset.name, reports)


def _dump(path: Path, name: str, reports: Sequence[EngineReport]) -> None:
    """Per-query results as JSON (merged into ``path``), to compare two runs query by query."""
    saved = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    for report in reports:
        saved[f"{name}/{report.engine}"] = {
            o.judged.query_id: {"query": o.judged.query, "ndcg": round(o.ndcg, 4),
                                "top": o.returned[:5], "suggestion": o.suggestion}
            for o in report.outcomes}
    path.write_text(json.dumps(saved, ensure_ascii=False, indent=1), encoding="utf-8")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--set", choices=("corpus", "sales", "all", "dir"), default="all")
    parser.add_argument("--docs", type=Path, help="--set dir: the folder of the set's files")
    parser.add_argument("--queries", type=Path, help="--set dir: its judged queries (TSV)")
    parser.add_argument("--name", help="--set dir: the set's name (default: the folder's)")
    parser.add_argument("--category", default=None,
                        help="category of uploaded corpus/dir files (default: suggested)")
    parser.add_argument("--engine", choices=("auto", "all", *ENGINES), default="auto")
    parser.add_argument("--workdir", type=Path, help="keep and reuse the ingested sets here")
    parser.add_argument("--worst", type=int, default=5, help="worst queries listed per engine")
    parser.add_argument("--cjk", choices=("bigram", "jieba", "bigram-only"), default=None,
                        help="Chinese analysis to measure: bigram (the product: bigrams "
                             "indexed, jieba cuts long query words in the forgiving stage), "
                             "jieba (jieba words indexed and queried), bigram-only (no jieba)")
    parser.add_argument("--json", type=Path, help="also write per-query results here")
    args = parser.parse_args(argv)
    if args.cjk:
        _use_cjk_analysis(args.cjk)
    engines = engines_for(args.engine)
    with _workdir(args.workdir) as work:
        if args.set == "dir":
            if args.docs is None or args.queries is None:
                parser.error("--set dir needs --docs DIR and --queries FILE")
            name = args.name or args.docs.resolve().name
            evaluate(folder_set(name, args.docs, args.queries, args.category), engines, work,
                     args.worst, args.json)
        if args.set in ("corpus", "all"):
            evaluate(corpus_set(args.category), engines, work, args.worst, args.json)
        if args.set in ("sales", "all"):
            evaluate(sales_set(work / "sales-files"), engines, work, args.worst, args.json)
    return 0


def _use_cjk_analysis(name: str) -> None:
    from docservice.search import analysis, query

    analysis.set_cjk_segmentation("jieba" if name == "jieba" else "bigram")
    if name == "bigram-only":  # the forgiving stage keeps a long Chinese word whole
        query.cjk_words = lambda text: [text]


@contextmanager
def _workdir(kept: Path | None) -> Iterator[Path]:
    if kept is not None:
        kept.mkdir(parents=True, exist_ok=True)
        yield kept.resolve()
        return
    with tempfile.TemporaryDirectory(prefix="bench-relevance-") as folder:
        yield Path(folder)


if __name__ == "__main__":
    sys.exit(main())
