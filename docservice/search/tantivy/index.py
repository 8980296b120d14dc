"""SearchIndex on an embedded Tantivy index (tantivy-py) in the data directory.

The directory layout, readers and writers are in ``lifecycle``, the schema in ``schema``,
the queries in ``query`` and the facet counting in ``facets``.
"""

from __future__ import annotations

import logging
import shutil
from collections.abc import Iterable, Sequence
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import tantivy

from docservice.domain import IndexedVersion, IndexEntry, SearchQuery, SearchResult
from docservice.errors import IndexBusy, SearchUnavailable
from docservice.search.base import listed_limit
from docservice.search.plan import Fetched, Stage, run_stages
from docservice.search.tantivy.facets import Facets, FacetThreads
from docservice.search.tantivy.lifecycle import IndexDirectory
from docservice.search.tantivy.query import TantivyQueryPlan
from docservice.search.tantivy.schema import entry_document, indexed_version, stored_hit

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class _Found:
    count: int
    hits: list[tuple[Any, tantivy.DocAddress]]


class TantivyIndex:
    """The SearchIndex port on the Tantivy index under ``path``; ``facet_threads`` count
    facets beside the ranking (None: on the searching thread)."""

    def __init__(self, path: Path, *, lock_timeout: float = 30.0,
                 writer_heap: int = 64_000_000, rebuild_heap: int = 256_000_000,
                 rebuild_threads: int = 2, facet_threads: FacetThreads | None = None) -> None:
        self.directory = IndexDirectory(path, lock_timeout=lock_timeout,
                                        writer_heap=writer_heap, rebuild_heap=rebuild_heap,
                                        rebuild_threads=rebuild_threads)
        self.path = self.directory.path
        self.facet_threads = facet_threads

    def ensure(self) -> None:
        self.directory.ensure()

    def index(self, entries: Sequence[IndexEntry]) -> None:
        if not entries:
            return
        documents = [(entry.version_id, entry_document(entry)) for entry in entries]
        with self.directory.writer() as writer:  # analysis above runs before the lock is taken
            for version_id, document in documents:
                writer.delete_documents_by_term("version_id", version_id)
                writer.add_document(document)

    def delete_document(self, document_id: int) -> None:
        with self.directory.writer() as writer:
            writer.delete_documents_by_term("document_id", document_id)

    def delete_versions(self, version_ids: Sequence[int]) -> None:
        if not version_ids:
            return
        with self.directory.writer() as writer:
            for version_id in version_ids:
                writer.delete_documents_by_term("version_id", version_id)

    def entries_between(self, low: int, high: int) -> list[IndexedVersion]:
        if high <= low:
            return []
        live, searcher = self.directory.searcher()
        query = tantivy.Query.range_query(live.index.schema, "version_id",
                                          tantivy.FieldType.Integer, low, high - 1)
        found = searcher.search(query, limit=listed_limit(low, high), count=False).hits
        return [indexed_version(searcher, address) for _, address in found]

    def search(self, query: SearchQuery, acl_tokens: Sequence[str] | None) -> SearchResult:
        live, searcher = self.directory.searcher()
        plan = TantivyQueryPlan(live.index.schema, query, acl_tokens, pairs=live.pairs)
        facets = Facets(searcher, self.facet_threads)

        def fetch(stage: Stage, offset: int, limit: int
                  ) -> Fetched[tuple[Stage, tantivy.Query]]:
            built = plan.build(stage)
            facets.start(stage, built)
            found = _run(searcher, plan, built, offset, limit)
            return ([stored_hit(searcher, score, address, by_date=plan.by_date)
                     for score, address in found.hits], found.count, (stage, built))

        try:
            staged, (last_stage, last_query) = run_stages(plan, fetch)
            counts = facets.result(last_stage, last_query)
        except ValueError as exc:
            raise SearchUnavailable(f"search failed: {exc}") from exc
        return SearchResult(total=staged.total, hits=staged.page(), facets=counts)

    def count(self) -> int:
        return int(self.directory.searcher()[1].num_docs)

    def rebuild(self, entries: Iterable[IndexEntry]) -> None:
        """Build a new index directory and make it live. Writers of other processes wait
        (up to ``lock_timeout``) for the swap and then write to the new index."""
        directory = self.directory
        directory.ensure()
        with ExitStack() as held:
            try:  # the old index's writer, held so that nothing is written to it meanwhile
                held.enter_context(directory.writer())
            except IndexBusy:
                raise
            except SearchUnavailable as exc:  # rebuilding is how a broken index is repaired
                log.warning("rebuilding over an unusable search index: %s", exc)
            name = directory.create_index_dir()
            try:
                directory.fill(name, entries)
            except BaseException:
                shutil.rmtree(self.path / name, ignore_errors=True)
                raise
            old = directory.pointer()
            directory.publish(name, exclusive=False)
        directory.remove_index_dir(old)

    def check(self) -> None:
        try:
            self.directory.searcher()[1].search(tantivy.Query.all_query(), limit=1,
                                                count=False)
        except (OSError, ValueError) as exc:
            raise SearchUnavailable(f"search index in {self.path} unusable: {exc}") from exc


def _run(searcher: tantivy.Searcher, plan: TantivyQueryPlan, built: tantivy.Query,
         offset: int, limit: int) -> _Found:
    result = searcher.search(built, limit=limit, offset=offset, count=True,
                             order_by_field="uploaded_at" if plan.by_date else None,
                             order=tantivy.Order.Desc)
    return _Found(int(getattr(result, "count", 0) or 0), result.hits)
