"""SearchIndex on an embedded Tantivy index (tantivy-py) in the data directory.

Layout: ``<path>/CURRENT`` names the live index directory ``<path>/index-<id>``; ``rebuild``
builds a new directory and swaps the name atomically, so searches never stop.

Tantivy allows one writer per index across processes (a lock file). Writers are taken per
batch and released at once; a writer held by another process (the CLI beside the server) is
waited for, with backoff, up to ``lock_timeout`` seconds, then IndexBusy is raised. Readers
reload when the index's ``meta.json`` or ``CURRENT`` changed on disk.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import threading
import time
import uuid
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import tantivy

from docservice.domain import FACET_FIELDS, IndexEntry, SearchHit, SearchQuery, SearchResult
from docservice.errors import IndexBusy, SearchUnavailable
from docservice.search.analysis import IndexedFields, entry_fields
from docservice.search.plan import (
    ALTERNATIVE_TIE_BREAKER,
    FACET_SIZE,
    KEYWORD_FIELDS,
    KIND_SCORE,
    LATEST_BONUS,
    NEARBY_FIELDS,
    PAIRS,
    TEXT_BOOSTS,
    VARIANT_WEIGHT,
    YEAR_SCORE,
    Fetched,
    QueryPlan,
    Stage,
    facet_key,
    pairs_text,
    run_stages,
    token_pairs,
    utc,
    values,
)
from docservice.search.query import Clause

log = logging.getLogger(__name__)

TOKENIZER = "docservice_tokens"  # whitespace: the text arrives analysed (analysis.py)
POINTER = "CURRENT"
FACET_THREADS = 2
_FACET_THREADS = ThreadPoolExecutor(FACET_THREADS, thread_name_prefix="docservice-facets")
_FACET_SLOTS = threading.BoundedSemaphore(FACET_THREADS)


def build_schema() -> tantivy.Schema:
    builder = tantivy.SchemaBuilder()
    for name in ("version_id", "document_id"):
        builder.add_integer_field(name, stored=True, indexed=True, fast=True)
    builder.add_integer_field("version", stored=True, indexed=True, fast=True)
    builder.add_boolean_field("is_latest", stored=True, indexed=True, fast=True)
    for name in TEXT_BOOSTS:
        builder.add_text_field(name, tokenizer_name=TOKENIZER, index_option="position")
        builder.add_text_field(name + PAIRS, tokenizer_name=TOKENIZER, index_option="position")
    for name in KEYWORD_FIELDS:
        builder.add_text_field(name, tokenizer_name="raw", fast=True, index_option="basic")
    builder.add_text_field("acl", tokenizer_name="raw", index_option="basic")
    for name in ("year", "owner", "team"):
        builder.add_integer_field(name, indexed=True, fast=True)
    builder.add_date_field("uploaded_at", stored=True, indexed=True, fast=True)
    builder.add_date_field("expires_on", indexed=True, fast=True)
    builder.add_bytes_field("display", stored=True)
    return builder.build()


@dataclass
class _Live:
    """The index directory in use and what the reader last saw of it."""

    name: str
    index: tantivy.Index
    pairs: bool  # the index has the token-pair fields (indexes built before them do not)
    seen: tuple[int, int, int] | None = None


class TantivyIndex:
    def __init__(self, path: Path, *, lock_timeout: float = 30.0,
                 writer_heap: int = 64_000_000, rebuild_heap: int = 256_000_000,
                 rebuild_threads: int = 2) -> None:
        self.path = Path(path)
        self.lock_timeout = lock_timeout
        self.writer_heap = writer_heap
        self.rebuild_heap = rebuild_heap
        self.rebuild_threads = rebuild_threads
        self._schema = build_schema()
        self._live: _Live | None = None
        self._open_lock = threading.Lock()
        self._write_lock = threading.Lock()

    # -- SearchIndex ------------------------------------------------------------------------

    def ensure(self) -> None:
        try:
            self.path.mkdir(parents=True, exist_ok=True)
            if not (self.path / POINTER).exists():
                name = self._create_index_dir()
                if not self._publish(name, exclusive=True):  # another process was first
                    shutil.rmtree(self.path / name, ignore_errors=True)
        except (OSError, ValueError) as exc:
            raise SearchUnavailable(f"cannot create the search index in {self.path}: {exc}"
                                    ) from exc

    def index(self, entries: Sequence[IndexEntry]) -> None:
        if not entries:
            return
        documents = [(entry.version_id, self._document(entry)) for entry in entries]
        with self._writer() as writer:  # analysis above runs before the lock is taken
            for version_id, document in documents:
                writer.delete_documents_by_term("version_id", version_id)
                writer.add_document(document)

    def delete_document(self, document_id: int) -> None:
        with self._writer() as writer:
            writer.delete_documents_by_term("document_id", document_id)

    def search(self, query: SearchQuery, acl_tokens: Sequence[str] | None) -> SearchResult:
        live, searcher = self._searcher()
        plan = _QueryPlan(live.index.schema, query, acl_tokens, pairs=live.pairs)

        facets = _Facets(searcher)

        def fetch(stage: Stage, offset: int, limit: int
                  ) -> Fetched[tuple[Stage, tantivy.Query]]:
            built = plan.build(stage)
            facets.start(stage, built)
            found = self._run(searcher, plan, built, offset, limit)
            return ([self._hit(searcher, score, address, plan) for score, address in found.hits],
                    found.count, (stage, built))

        try:
            staged, (last_stage, last_query) = run_stages(plan, fetch)
            counts = facets.result(last_stage, last_query)
        except ValueError as exc:
            raise SearchUnavailable(f"search failed: {exc}") from exc
        return SearchResult(total=staged.total, hits=staged.page(), facets=counts)

    def count(self) -> int:
        return int(self._searcher()[1].num_docs)

    def rebuild(self, entries: Iterable[IndexEntry]) -> None:
        """Build a new index directory and make it live. Writers of other processes wait
        (up to ``lock_timeout``) for the swap and then write to the new index."""
        self.ensure()
        with ExitStack() as held:
            try:  # the old index's writer, held so that nothing is written to it meanwhile
                held.enter_context(self._writer())
            except IndexBusy:
                raise
            except SearchUnavailable as exc:  # rebuilding is how a broken index is repaired
                log.warning("rebuilding over an unusable search index: %s", exc)
            name = self._create_index_dir()
            try:
                self._fill(self._open(name), entries)
            except BaseException:
                shutil.rmtree(self.path / name, ignore_errors=True)
                raise
            old = self._pointer()
            self._publish(name, exclusive=False)
        self._remove_index_dir(old)

    def check(self) -> None:
        try:
            self._searcher()[1].search(tantivy.Query.all_query(), limit=1, count=False)
        except (OSError, ValueError) as exc:
            raise SearchUnavailable(f"search index in {self.path} unusable: {exc}") from exc

    # -- documents and hits -----------------------------------------------------------------

    def _document(self, entry: IndexEntry) -> tantivy.Document:
        fields = entry_fields(entry)
        document = tantivy.Document()
        for name in ("version_id", "document_id", "version"):
            document.add_integer(name, getattr(fields, name))
        document.add_boolean("is_latest", fields.is_latest)
        for name in TEXT_BOOSTS:
            document.add_text(name, getattr(fields, name))
            document.add_text(name + PAIRS, pairs_text(getattr(fields, name)))
        for name in KEYWORD_FIELDS:
            for value in values(getattr(fields, name)):
                document.add_text(name, value)
        for token in fields.acl:
            document.add_text("acl", token)
        for name in ("year", "owner", "team"):
            for number in values(getattr(fields, name)):
                document.add_integer(name, number)
        document.add_date("uploaded_at", utc(fields.uploaded_at))
        if fields.expires_on is not None:
            document.add_date("expires_on", utc(fields.expires_on))
        document.add_bytes("display", _display(fields))
        return document

    def _hit(self, searcher: tantivy.Searcher, score: Any, address: tantivy.DocAddress,
             plan: _QueryPlan) -> SearchHit:
        stored: dict[str, list[Any]] = searcher.doc(address).to_dict()
        display = json.loads(stored["display"][0])
        return SearchHit(document_id=int(stored["document_id"][0]),
                         version_id=int(stored["version_id"][0]),
                         score=0.0 if plan.by_date else float(score),
                         version=int(stored["version"][0]), title=display["title"],
                         filename=display["filename"], category=display["category"],
                         is_latest=bool(stored["is_latest"][0]))

    def _run(self, searcher: tantivy.Searcher, plan: _QueryPlan, built: tantivy.Query,
             offset: int, limit: int) -> _Found:
        result = searcher.search(built, limit=limit, offset=offset, count=True,
                                 order_by_field="uploaded_at" if plan.by_date else None,
                                 order=tantivy.Order.Desc)
        return _Found(int(getattr(result, "count", 0) or 0), result.hits)

    # -- directories, readers, writers ------------------------------------------------------

    def _searcher(self) -> tuple[_Live, tantivy.Searcher]:
        live = self._current()
        try:
            stat = os.stat(self.path / live.name / "meta.json")
        except OSError as exc:
            raise SearchUnavailable(f"search index in {self.path} missing: {exc}") from exc
        seen = (stat.st_ino, stat.st_mtime_ns, stat.st_size)
        if seen != live.seen:  # a commit here or in another process
            live.index.reload()
            live.seen = seen
        return live, live.index.searcher()

    def _current(self) -> _Live:
        """The live index, opened again when CURRENT names another directory."""
        name = self._pointer()
        with self._open_lock:
            if self._live is None or self._live.name != name:
                self._live = _Live(name, self._open(name), self._has_pairs(name))
            return self._live

    def _pointer(self) -> str:
        try:
            return (self.path / POINTER).read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise SearchUnavailable(f"no search index in {self.path}; run `docservice init`"
                                    ) from exc

    def _open(self, name: str, *, create: bool = False) -> tantivy.Index:
        """Open (or create) an index directory; its own schema is used for queries, so an
        index of an older schema fails loudly until ``rebuild`` replaces it."""
        try:
            if create:
                index = tantivy.Index(self._schema, path=str(self.path / name), reuse=False)
            else:
                index = tantivy.Index.open(str(self.path / name))
        except ValueError as exc:
            raise SearchUnavailable(f"cannot open search index {self.path / name}: {exc}"
                                    ) from exc
        index.register_tokenizer(TOKENIZER, tantivy.TextAnalyzerBuilder(
            tantivy.Tokenizer.whitespace()).build())
        index.config_reader(reload_policy="Manual")
        return index

    def _has_pairs(self, name: str) -> bool:
        try:
            meta = json.loads((self.path / name / "meta.json").read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise SearchUnavailable(f"cannot read search index {self.path / name}: {exc}"
                                    ) from exc
        if "content" + PAIRS in {field["name"] for field in meta.get("schema", [])}:
            return True
        log.warning("the search index in %s predates token-pair fields: phrases are slower "
                    "until `docservice reindex` rebuilds it", self.path)
        return False

    def _create_index_dir(self) -> str:
        name = f"index-{time.strftime('%Y%m%d%H%M%S')}-{uuid.uuid4().hex[:8]}"
        (self.path / name).mkdir()
        self._open(name, create=True)
        return name

    def _publish(self, name: str, *, exclusive: bool) -> bool:
        """Point CURRENT at ``name`` atomically; with ``exclusive``, only if there is none."""
        staged = self.path / f".{POINTER}-{uuid.uuid4().hex}"
        staged.write_text(name + "\n", encoding="utf-8")
        try:
            if not exclusive:
                os.replace(staged, self.path / POINTER)
                return True
            try:
                os.link(staged, self.path / POINTER)
                return True
            except FileExistsError:
                return False
        finally:
            staged.unlink(missing_ok=True)

    def _remove_index_dir(self, name: str) -> None:
        # Readers elsewhere keep their open files (POSIX) until they notice CURRENT changed.
        shutil.rmtree(self.path / name, onerror=lambda *args: log.warning(
            "could not remove old search index %s: %s", name, args[2]))

    def _fill(self, index: tantivy.Index, entries: Iterable[IndexEntry]) -> None:
        writer = index.writer(heap_size=self.rebuild_heap, num_threads=self.rebuild_threads)
        try:
            for entry in entries:
                writer.add_document(self._document(entry))
            writer.commit()
        except BaseException:
            writer.rollback()
            raise
        finally:
            writer.wait_merging_threads()

    @contextmanager
    def _writer(self) -> Iterator[tantivy.IndexWriter]:
        """The live index's writer for one batch, committed on success, always released."""
        if not self._write_lock.acquire(timeout=self.lock_timeout):
            raise IndexBusy(f"search index {self.path} busy in this process")
        try:
            live, writer = self._acquire_writer()
            try:
                yield writer
                writer.commit()
                live.seen = None  # searches in this process see the batch at once
            except BaseException:
                writer.rollback()
                raise
            finally:
                writer.wait_merging_threads()  # releases the lock file
        finally:
            self._write_lock.release()

    def _acquire_writer(self) -> tuple[_Live, tantivy.IndexWriter]:
        deadline = time.monotonic() + self.lock_timeout
        delay = 0.02
        while True:
            live = self._current()
            try:
                writer = live.index.writer(heap_size=self.writer_heap, num_threads=1)
            except ValueError as exc:
                if "LockBusy" not in str(exc) and self._pointer() == live.name:
                    raise SearchUnavailable(f"cannot write search index: {exc}") from exc
                if time.monotonic() + delay > deadline:
                    raise IndexBusy(f"search index {self.path} is being written by another "
                                    f"process for over {self.lock_timeout:.0f}s") from exc
                time.sleep(delay)
                delay = min(delay * 2, 0.5)
                continue
            if self._pointer() == live.name:
                return live, writer
            writer.wait_merging_threads()  # a rebuild swapped the index meanwhile: retry


@dataclass(frozen=True)
class _Found:
    count: int
    hits: list[tuple[Any, tantivy.DocAddress]]


class _QueryPlan(QueryPlan):
    """A SearchQuery as Tantivy queries: clauses over the text fields, filters, ACL, latest."""

    def __init__(self, schema: tantivy.Schema, query: SearchQuery,
                 acl_tokens: Sequence[str] | None, *, pairs: bool = True) -> None:
        super().__init__(query, acl_tokens)
        self.schema = schema
        self.pairs = pairs

    def build(self, stage: Stage) -> tantivy.Query:
        must = tantivy.Occur.Must
        parts: list[tuple[tantivy.Occur, tantivy.Query]] = []
        clauses = [self._clause(clause) for clause in stage.clauses]
        if stage.every:
            parts.extend((must, clause) for clause in clauses)
        elif clauses:
            parts.append((must, _any_of(clauses)))
        if not parts:
            parts.append((must, tantivy.Query.all_query()))
        parts.extend((tantivy.Occur.Should, tantivy.Query.boost_query(
            self._text_match(run, field, slop), weight * TEXT_BOOSTS[field]))
            for run, slop, weight in stage.bonus_runs for field in NEARBY_FIELDS)
        parts.extend((tantivy.Occur.MustNot, self._text_match(run, field))
                     for run in self.excluded for field in TEXT_BOOSTS)
        parts.extend((must, _unscored(query)) for query in self._filters())
        parts.append(self._latest())
        if self.acl_tokens is not None:
            parts.append((must, _unscored(self._acl())))
        return tantivy.Query.boolean_query(parts)

    def _clause(self, clause: Clause) -> tantivy.Query:
        """The clause's best alternative (typed, synonym or typo variant) plus the constant
        scores of the year and the file kind it names."""
        best = [_any_of([tantivy.Query.boost_query(self._text_match(run, field), boost)
                         for run, field, boost in alternative])
                for alternative in self.alternatives(clause)]
        if clause.variants:
            best.append(_any_of([tantivy.Query.const_score_query(tantivy.Query.term_set_query(
                self.schema, field, list(clause.variants)), VARIANT_WEIGHT * boost)
                for field, boost in TEXT_BOOSTS.items()]))
        options = [best[0] if len(best) == 1 else tantivy.Query.disjunction_max_query(
            best, ALTERNATIVE_TIE_BREAKER)]
        if clause.year is not None:
            options.append(tantivy.Query.const_score_query(
                tantivy.Query.term_query(self.schema, "year", clause.year), YEAR_SCORE))
        if clause.kinds:
            options.append(tantivy.Query.const_score_query(tantivy.Query.term_set_query(
                self.schema, "type", list(clause.kinds)), KIND_SCORE))
        return _any_of(options)

    def _text_match(self, run: Sequence[str], field: str, slop: int = 0) -> tantivy.Query:
        """``run`` as a term or phrase in ``field``; an exact phrase in the pairs twin."""
        if len(run) == 1:
            return tantivy.Query.term_query(self.schema, field, run[0])
        if slop or not self.pairs:
            return tantivy.Query.phrase_query(self.schema, field, list(run), slop)
        pairs: list[str | tuple[int, str]] = list(token_pairs(run))
        if len(pairs) == 1:
            return tantivy.Query.term_query(self.schema, field + PAIRS, pairs[0])
        return tantivy.Query.phrase_query(self.schema, field + PAIRS, pairs)

    def _filters(self) -> Iterator[tantivy.Query]:
        """One query per filtered field; several values of one field are alternatives."""
        for name, wanted in self.filter_values().items():
            yield _any_of([tantivy.Query.term_query(self.schema, name, value) for value in wanted])

    def _latest(self) -> tuple[tantivy.Occur, tantivy.Query]:
        latest = tantivy.Query.term_query(self.schema, "is_latest", True)
        if self.query.all_versions:
            return tantivy.Occur.Should, tantivy.Query.const_score_query(latest, LATEST_BONUS)
        return tantivy.Occur.Must, _unscored(latest)

    def _acl(self) -> tantivy.Query:
        if not self.acl_tokens:
            return tantivy.Query.empty_query()
        return tantivy.Query.term_set_query(self.schema, "acl", list(self.acl_tokens))


class _Facets:
    """The facet counts of a search, counted on a thread of their own while the hits are
    ranked (Tantivy releases the GIL: on an idle core the two overlap) and counted here when
    no such thread is free. Counting starts with the first stage, which most searches end
    with; a search ending with a later stage counts that one's afresh."""

    def __init__(self, searcher: tantivy.Searcher) -> None:
        self.searcher = searcher
        self._stage: Stage | None = None
        self._pending: Future[dict[str, dict[str, int]]] | None = None

    def start(self, stage: Stage, query: tantivy.Query) -> None:
        if self._pending is None and _FACET_SLOTS.acquire(blocking=False):
            self._stage = stage
            self._pending = _FACET_THREADS.submit(self._count, query)

    def result(self, stage: Stage, query: tantivy.Query) -> dict[str, dict[str, int]]:
        if self._pending is not None and stage is self._stage:
            return self._pending.result()
        return _facets(self.searcher, query)

    def _count(self, query: tantivy.Query) -> dict[str, dict[str, int]]:
        try:
            return _facets(self.searcher, query)
        finally:
            _FACET_SLOTS.release()


def _facets(searcher: tantivy.Searcher, query: tantivy.Query) -> dict[str, dict[str, int]]:
    """Counts per value of each facet field among the entries matching ``query``."""
    request = {name: {"terms": {"field": name, "size": FACET_SIZE}} for name in FACET_FIELDS}
    result = searcher.aggregate(query, request)
    return {name: {facet_key(bucket["key"]): int(bucket["doc_count"])
                   for bucket in result.get(name, {}).get("buckets", [])}
            for name in FACET_FIELDS}


def _any_of(queries: Sequence[tantivy.Query]) -> tantivy.Query:
    if len(queries) == 1:
        return queries[0]
    return tantivy.Query.boolean_query([(tantivy.Occur.Should, query) for query in queries])


def _unscored(query: tantivy.Query) -> tantivy.Query:
    return tantivy.Query.const_score_query(query, 0.0)


def _display(fields: IndexedFields) -> bytes:
    return json.dumps({"title": fields.display_title, "filename": fields.display_filename,
                       "category": fields.display_category}, ensure_ascii=False).encode()
