"""Reading versions for ingestion: claim, fetch, sniff, and extract in a warm isolated
child, getting the next version ready while the child reads the current one."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType

from sqlalchemy import update

from docservice.db import claims
from docservice.db.models import Version, utcnow
from docservice.domain import ExtractedText
from docservice.errors import ExtractionFailed, ServiceUnavailable
from docservice.ingest.isolation import IsolatedExtraction
from docservice.ingest.options import ExtractOptions
from docservice.ingest.sniff import sniff_media_type
from docservice.services.context import Context

log = logging.getLogger(__name__)

INTERNAL_FAILURE = ("an internal error stopped the text extraction; an admin can retry it "
                    "(Retry failed work on the admin page, or docservice retry --failed)")
PROGRESS_INTERVAL_S = 1.0


@dataclass
class ReadOutcome:
    """What reading one version came to: its text, or the reason it failed."""

    version_id: int
    media_type: str | None = None
    extracted: ExtractedText | None = None
    reason: str | None = None
    error: Exception | None = None  # an internal error, re-raised once the batch is done


@dataclass
class _Reading:
    outcome: ReadOutcome
    path: Path | None = None
    files: ExitStack = field(default_factory=ExitStack)  # the blob's local copy
    extraction: IsolatedExtraction | None = None


class VersionReader:
    """Reads versions one after another, one at a time; while the child reads one, the
    next is claimed, fetched and sniffed. Use it in a ``with`` block."""

    def __init__(self, ctx: Context) -> None:
        self._ctx = ctx
        self._current: _Reading | None = None

    @property
    def reading(self) -> int | None:
        """The id of the version being read."""
        return None if self._current is None else self._current.outcome.version_id

    def push(self, version_id: int, holding: list[int]) -> ReadOutcome | None:
        """Get ``version_id`` ready and start reading it; the outcome of the version read
        before it (None if none). Claiming also renews the leases on ``holding``.
        An error getting the version ready is raised with the previous one still being
        read: :meth:`last` has its outcome."""
        ready = self._prepare(version_id, holding)
        previous = self.last()
        if ready is not None:
            self._start(ready)
            self._current = ready
        return previous

    def last(self) -> ReadOutcome | None:
        """The outcome of the version being read, once it is read (None if none)."""
        current, self._current = self._current, None
        if current is None:
            return None
        with current.files, _recording(current.outcome):
            if current.extraction is not None:
                current.outcome.extracted = current.extraction.result(
                    _ProgressWriter(self._ctx, current.outcome.version_id))
        return current.outcome

    def __enter__(self) -> VersionReader:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        current, self._current = self._current, None
        if current is not None:  # left by an error: the version is read again later
            if current.extraction is not None:
                current.extraction.cancel()
            current.files.close()

    def _prepare(self, version_id: int, holding: list[int]) -> _Reading | None:
        with self._ctx.uow() as uow:
            claimed = claims.claim(uow.session, self._ctx.settings, version_id, holding)
            uow.commit()
        if claimed is None:
            log.info("version %s: nothing to do", version_id)
            return None
        log.info("version %s: extracting %s", version_id, claimed.filename)
        reading = _Reading(ReadOutcome(version_id))
        try:
            with _recording(reading.outcome):  # a missing blob fails the version
                reading.path = reading.files.enter_context(
                    self._ctx.blobs.local_copy(claimed.blob_key))
                reading.outcome.media_type = sniff_media_type(reading.path, claimed.filename)
        except BaseException:  # an outage: the caller queues the version again
            reading.files.close()
            raise
        return reading

    def _start(self, reading: _Reading) -> None:
        if reading.path is None or reading.outcome.media_type is None:  # failed already
            return
        settings = self._ctx.settings
        with _recording(reading.outcome):
            reading.extraction = IsolatedExtraction(
                reading.path, reading.outcome.media_type,
                timeout_s=settings.extract_timeout_s, memory_mb=settings.extract_memory_mb,
                options=ExtractOptions.from_settings(settings))


@contextmanager
def _recording(outcome: ReadOutcome) -> Iterator[None]:
    """A failure to read becomes the version's outcome; outages are raised."""
    try:
        yield
    except ExtractionFailed as exc:
        log.info("version %s: failed: %s", outcome.version_id, exc.message)
        outcome.reason = exc.message
    except ServiceUnavailable:
        raise
    except Exception as exc:  # recorded as this version's failure, re-raised after
        log.exception("version %s: extraction stopped by an internal error",
                      outcome.version_id)
        outcome.reason, outcome.error = INTERNAL_FAILURE, exc


class _ProgressWriter:
    """Records "page 3 of 12" on the version (and renews its lease) once a second while a
    long extraction runs; a file read within the first second writes nothing."""

    def __init__(self, ctx: Context, version_id: int) -> None:
        self._ctx, self._version_id, self._last = ctx, version_id, time.monotonic()

    def __call__(self, done: int, total: int) -> None:
        now = time.monotonic()
        if now - self._last < PROGRESS_INTERVAL_S:
            return
        self._last = now
        with self._ctx.uow() as uow:
            uow.session.execute(update(Version).where(Version.id == self._version_id)
                                .values(progress=f"page {done} of {total}", claimed_at=utcnow()))
            uow.commit()
