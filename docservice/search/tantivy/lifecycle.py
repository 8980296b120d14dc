"""The Tantivy index on disk: the live directory, its readers and its writers.

Layout: ``<path>/CURRENT`` names the live index directory ``<path>/index-<id>``; a rebuild
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
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import tantivy

from docservice.domain import IndexEntry
from docservice.errors import IndexBusy, SearchUnavailable
from docservice.search.plan import PAIRS
from docservice.search.tantivy.schema import TOKENIZER, build_schema, entry_document

log = logging.getLogger(__name__)

POINTER = "CURRENT"


@dataclass
class Live:
    """The index directory in use and what the reader last saw of it."""

    name: str
    index: tantivy.Index
    pairs: bool  # the index has the token-pair fields (indexes built before them do not)
    seen: tuple[int, int, int] | None = None


class IndexDirectory:
    """The index directories under ``path`` and the pointer to the live one."""

    def __init__(self, path: Path, *, lock_timeout: float, writer_heap: int,
                 rebuild_heap: int, rebuild_threads: int) -> None:
        self.path = Path(path)
        self.lock_timeout = lock_timeout
        self.writer_heap = writer_heap
        self.rebuild_heap = rebuild_heap
        self.rebuild_threads = rebuild_threads
        self._schema = build_schema()
        self._live: Live | None = None
        self._open_lock = threading.Lock()
        self._write_lock = threading.Lock()

    def ensure(self) -> None:
        """Create the directory and a live index unless there is one."""
        try:
            self.path.mkdir(parents=True, exist_ok=True)
            if not (self.path / POINTER).exists():
                name = self.create_index_dir()
                if not self.publish(name, exclusive=True):  # another process was first
                    shutil.rmtree(self.path / name, ignore_errors=True)
        except (OSError, ValueError) as exc:
            raise SearchUnavailable(f"cannot create the search index in {self.path}: {exc}"
                                    ) from exc

    # -- readers ----------------------------------------------------------------------------

    def searcher(self) -> tuple[Live, tantivy.Searcher]:
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

    def _current(self) -> Live:
        """The live index, opened again when CURRENT names another directory."""
        name = self.pointer()
        with self._open_lock:
            if self._live is None or self._live.name != name:
                self._live = Live(name, self.open(name), self._has_pairs(name))
            return self._live

    def pointer(self) -> str:
        try:
            return (self.path / POINTER).read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise SearchUnavailable(f"no search index in {self.path}; run `docservice init`"
                                    ) from exc

    def open(self, name: str, *, create: bool = False) -> tantivy.Index:
        """Open (or create) an index directory; its own schema is used for queries, so an
        index of an older schema fails loudly until a rebuild replaces it."""
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

    # -- directories ------------------------------------------------------------------------

    def create_index_dir(self) -> str:
        name = f"index-{time.strftime('%Y%m%d%H%M%S')}-{uuid.uuid4().hex[:8]}"
        (self.path / name).mkdir()
        self.open(name, create=True)
        return name

    def publish(self, name: str, *, exclusive: bool) -> bool:
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

    def remove_index_dir(self, name: str) -> None:
        # Readers elsewhere keep their open files (POSIX) until they notice CURRENT changed.
        shutil.rmtree(self.path / name, onerror=lambda *args: log.warning(
            "could not remove old search index %s: %s", name, args[2]))

    def fill(self, name: str, entries: Iterable[IndexEntry]) -> None:
        """Write ``entries`` into the (new, not yet live) index directory ``name``."""
        writer = self.open(name).writer(heap_size=self.rebuild_heap,
                                        num_threads=self.rebuild_threads)
        try:
            for entry in entries:
                writer.add_document(entry_document(entry))
            writer.commit()
        except BaseException:
            writer.rollback()
            raise
        finally:
            writer.wait_merging_threads()

    # -- writers ----------------------------------------------------------------------------

    @contextmanager
    def writer(self) -> Iterator[tantivy.IndexWriter]:
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

    def _acquire_writer(self) -> tuple[Live, tantivy.IndexWriter]:
        deadline = time.monotonic() + self.lock_timeout
        delay = 0.02
        while True:
            live = self._current()
            try:
                writer = live.index.writer(heap_size=self.writer_heap, num_threads=1)
            except ValueError as exc:
                if "LockBusy" not in str(exc) and self.pointer() == live.name:
                    raise SearchUnavailable(f"cannot write search index: {exc}") from exc
                if time.monotonic() + delay > deadline:
                    raise IndexBusy(f"search index {self.path} is being written by another "
                                    f"process for over {self.lock_timeout:.0f}s") from exc
                time.sleep(delay)
                delay = min(delay * 2, 0.5)
                continue
            if self.pointer() == live.name:
                return live, writer
            writer.wait_merging_threads()  # a rebuild swapped the index meanwhile: retry
