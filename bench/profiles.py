"""pyinstrument profiles of the slow paths, written next to the results.

- search: the service layer (viewer: ACL, facets, snippets) over the query mix;
- ingest: ``ingest_versions`` run in this thread (no worker threads) on generated files, in
  the batches an in-process worker takes when files wait in the queue, so the profile sees
  the whole job: claim, sniff, isolated extraction, pages, index, commit.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path

from docservice.bootstrap import bootstrap
from docservice.config import load_settings
from docservice.domain import OPERATOR
from docservice.queue.inline import BATCH_SIZE
from docservice.services import documents, ingestion


class _NoQueue:
    """Jobs are run by the profiler's thread instead."""

    def enqueue(self, job: str, item_id: int) -> None:
        return None

    def stop(self) -> None:
        return None


def profile_to(path: Path, action: Callable[[], object]) -> str:
    """Run ``action`` under pyinstrument, write the text profile to ``path``; the text."""
    from pyinstrument import Profiler

    profiler = Profiler(interval=0.0005)
    profiler.start()
    try:
        action()
    finally:
        profiler.stop()
    text = profiler.output_text(unicode=True, color=False, show_all=False)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return text


def profile_ingest(paths: Sequence[Path], path: Path) -> str:
    with tempfile.TemporaryDirectory(prefix="bench-profile-ingest-") as folder:
        ctx = bootstrap(load_settings(environ={}, data_dir=Path(folder), ocr_enabled=False))
        ctx.queue = _NoQueue()  # type: ignore[assignment]
        try:
            ids = []
            for file in paths:
                with file.open("rb") as stream:
                    ids.append(documents.upload(ctx, OPERATOR, stream, file.name,
                                                documents.DocumentMeta()).version_id)

            def ingest_all() -> None:  # in the batches an in-process worker takes
                for start in range(0, len(ids), BATCH_SIZE):
                    ingestion.ingest_versions(ctx, ids[start:start + BATCH_SIZE])

            return profile_to(path, ingest_all)
        finally:
            ctx.close()
