"""Facet counts of a Tantivy search, on threads of their own when one is free."""

from __future__ import annotations

import threading
from concurrent.futures import Future, ThreadPoolExecutor

import tantivy

from docservice.domain import FACET_FIELDS
from docservice.search.plan import FACET_SIZE, Stage, facet_key

FACET_THREADS = 2

Counts = dict[str, dict[str, int]]


class FacetThreads:
    """The threads that count facets while the hits are ranked (Tantivy releases the GIL:
    on an idle core the two overlap). Made by bootstrap, closed by ``Context.close``."""

    def __init__(self, threads: int = FACET_THREADS) -> None:
        self._pool = ThreadPoolExecutor(threads, thread_name_prefix="docservice-facets")
        self._slots = threading.BoundedSemaphore(threads)

    def try_submit(self, searcher: tantivy.Searcher, query: tantivy.Query
                   ) -> Future[Counts] | None:
        """The counting started on a free thread, or None when every thread is busy."""
        if not self._slots.acquire(blocking=False):
            return None
        try:
            return self._pool.submit(self._count, searcher, query)
        except RuntimeError:  # closed meanwhile: the caller counts on its own thread
            self._slots.release()
            return None

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)

    def _count(self, searcher: tantivy.Searcher, query: tantivy.Query) -> Counts:
        try:
            return count_facets(searcher, query)
        finally:
            self._slots.release()


class Facets:
    """The facet counts of one search. Counting starts with the first stage, which most
    searches end with (a later stage tries again when no thread was free); a search ending
    with another stage counts that one's afresh. Without ``threads`` (or none free) the
    counting happens on the caller's thread."""

    def __init__(self, searcher: tantivy.Searcher, threads: FacetThreads | None) -> None:
        self.searcher = searcher
        self._threads = threads
        self._stage: Stage | None = None
        self._pending: Future[Counts] | None = None

    def start(self, stage: Stage, query: tantivy.Query) -> None:
        if self._pending is None and self._threads is not None:
            self._pending = self._threads.try_submit(self.searcher, query)
            self._stage = stage

    def result(self, stage: Stage, query: tantivy.Query) -> Counts:
        if self._pending is not None and stage is self._stage:
            return self._pending.result()
        return count_facets(self.searcher, query)


def count_facets(searcher: tantivy.Searcher, query: tantivy.Query) -> Counts:
    """Counts per value of each facet field among the entries matching ``query``."""
    request = {name: {"terms": {"field": name, "size": FACET_SIZE}} for name in FACET_FIELDS}
    result = searcher.aggregate(query, request)
    return {name: {facet_key(bucket["key"]): int(bucket["doc_count"])
                   for bucket in result.get(name, {}).get("buckets", [])}
            for name in FACET_FIELDS}
