"""The ingestion job: stored -> queued -> extracting -> indexed | failed(reason)."""

from __future__ import annotations

import logging
import time
from collections import Counter
from collections.abc import Callable

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from docservice.db.models import Document, Page, Version, utcnow
from docservice.domain import ExtractedText, IngestState
from docservice.errors import ExtractionFailed, ServiceUnavailable
from docservice.ingest.isolation import extract_isolated
from docservice.ingest.metadata import detect_languages
from docservice.ingest.options import ExtractOptions
from docservice.ingest.sniff import sniff_media_type
from docservice.queue.base import INGEST_JOB
from docservice.services.classify import refine_category
from docservice.services.context import Context
from docservice.services.indexing import entry_for, years_in

log = logging.getLogger(__name__)

_ACTIVE = (IngestState.STORED.value, IngestState.QUEUED.value, IngestState.EXTRACTING.value)
INTERNAL_FAILURE = "an internal error stopped the text extraction; an admin can retry it"


def _claim(ctx: Context, version_id: int) -> tuple[str, str] | None:
    """Move the version to extracting; None if it is gone or already finished."""
    with ctx.uow() as uow:
        claimed = uow.session.execute(
            update(Version).where(Version.id == version_id, Version.state.in_(_ACTIVE))
            .values(state=IngestState.EXTRACTING.value, state_reason=None,
                    progress=None, attempts=Version.attempts + 1))
        if not claimed.rowcount:  # type: ignore[attr-defined]
            return None
        version = uow.session.get(Version, version_id)
        assert version is not None
        uow.commit()
        return version.blob_key, version.filename


def _set_state(ctx: Context, version_id: int, state: IngestState, reason: str | None = None,
               ) -> None:
    with ctx.uow() as uow:
        uow.session.execute(update(Version).where(Version.id == version_id)
                            .values(state=state.value, state_reason=reason, progress=None))
        uow.commit()


class _ProgressWriter:
    """Records "page 3 of 12" on the version, at most once a second."""

    def __init__(self, ctx: Context, version_id: int) -> None:
        self._ctx, self._version_id, self._last = ctx, version_id, 0.0

    def __call__(self, done: int, total: int) -> None:
        now = time.monotonic()
        if now - self._last < 1.0 and done < total:
            return
        self._last = now
        with self._ctx.uow() as uow:
            uow.session.execute(update(Version).where(Version.id == self._version_id)
                                .values(progress=f"page {done} of {total}"))
            uow.commit()


def _extract(ctx: Context, version_id: int, blob_key: str, filename: str) -> ExtractedText:
    settings = ctx.settings
    with ctx.blobs.local_copy(blob_key) as path:
        media_type = sniff_media_type(path, filename)
        with ctx.uow() as uow:
            uow.session.execute(update(Version).where(Version.id == version_id)
                                .values(media_type=media_type))
            uow.commit()
        return extract_isolated(path, media_type, timeout_s=settings.extract_timeout_s,
                                memory_mb=settings.extract_memory_mb,
                                progress=_ProgressWriter(ctx, version_id),
                                options=ExtractOptions.from_settings(settings))


def _finish(ctx: Context, version_id: int, extracted: ExtractedText | None,
            reason: str | None) -> None:
    """Store the text (if any), index the document's versions, then mark the version done."""
    state = IngestState.INDEXED if extracted is not None else IngestState.FAILED
    with ctx.uow() as uow:
        session = uow.session
        version = session.get(Version, version_id)
        if version is None:
            return
        if extracted is not None:
            _store_text(session, version, extracted)
            refine_category(session, version, extracted.pages)
        version.state = state.value
        version.state_reason = reason
        version.progress = None
        version.indexed_at = utcnow()
        session.flush()
        document = session.get(Document, version.document_id)
        assert document is not None
        terminal = (IngestState.INDEXED.value, IngestState.FAILED.value)
        entries = [entry_for(session, document, each) for each in document.versions
                   if each.state in terminal]
        # The index is written before the commit: if it fails, the state stays "extracting"
        # and the job is retried; if the commit fails, indexing again is harmless.
        ctx.index.index(entries)
        uow.commit()


def _store_text(session: Session, version: Version, extracted: ExtractedText) -> None:
    session.execute(delete(Page).where(Page.version_id == version.id))
    session.add_all(Page(version_id=version.id, number=number, text=text)
                    for number, text in enumerate(extracted.pages, start=1))
    version.page_count = len(extracted.pages)
    version.language = extracted.language or detect_languages(extracted.pages)
    version.extracted_title = (extracted.title or "").strip()[:500] or None
    version.author = (extracted.author or "").strip()[:200] or None
    first_pages = " ".join(extracted.pages[:2])[:20000]
    version.years = ",".join(str(y) for y in years_in(version.filename, first_pages)) or None


def ingest_version(ctx: Context, version_id: int) -> None:
    """The job: safe to run twice; finished versions are left alone."""
    claimed = _claim(ctx, version_id)
    if claimed is None:
        log.info("version %s: nothing to do", version_id)
        return
    blob_key, filename = claimed
    log.info("version %s: extracting %s", version_id, filename)
    try:
        extracted = _extract(ctx, version_id, blob_key, filename)
    except ExtractionFailed as exc:
        log.info("version %s: failed: %s", version_id, exc.message)
        _finish(ctx, version_id, None, exc.message)
        return
    except ServiceUnavailable:
        _set_state(ctx, version_id, IngestState.QUEUED, "waiting for a service to come back")
        raise
    except Exception:
        _set_state(ctx, version_id, IngestState.FAILED, INTERNAL_FAILURE)
        raise
    try:
        _finish(ctx, version_id, extracted, None)
    except ServiceUnavailable:
        _set_state(ctx, version_id, IngestState.QUEUED, "waiting for the search index")
        raise
    log.info("version %s: indexed", version_id)


def run_job(ctx: Context, job: str, item_id: int) -> None:
    if job != INGEST_JOB:
        raise ValueError(f"unknown job {job}")
    ingest_version(ctx, item_id)


def requeue_unfinished(ctx: Context) -> int:
    """Queue again every version left stored, queued or extracting (after a crash)."""
    with ctx.uow() as uow:
        ids = list(uow.session.scalars(select(Version.id).where(Version.state.in_(_ACTIVE))))
        if ids:
            uow.session.execute(update(Version).where(Version.id.in_(ids))
                                .values(state=IngestState.QUEUED.value))
        uow.commit()
    for version_id in ids:
        ctx.queue.enqueue(INGEST_JOB, version_id)
    return len(ids)


def state_counts(ctx: Context) -> dict[str, int]:
    with ctx.uow() as uow:
        rows = uow.session.execute(select(Version.state, func.count()).group_by(Version.state))
        counts = Counter({state.value: 0 for state in IngestState})
        counts.update({state: count for state, count in rows})
    return dict(counts)


def failures(ctx: Context, limit: int = 50) -> list[dict[str, object]]:
    with ctx.uow() as uow:
        rows = uow.session.execute(
            select(Version.id, Version.document_id, Version.filename, Version.state_reason)
            .where(Version.state == IngestState.FAILED.value).order_by(Version.id.desc())
            .limit(limit))
        return [{"version_id": vid, "document_id": did, "file": name, "reason": reason}
                for vid, did, name, reason in rows]


def in_progress(ctx: Context) -> list[dict[str, object]]:
    with ctx.uow() as uow:
        rows = uow.session.execute(
            select(Version.id, Version.filename, Version.state, Version.progress)
            .where(Version.state.in_(_ACTIVE)).order_by(Version.id))
        return [{"version_id": vid, "file": name, "state": state, "progress": progress}
                for vid, name, state, progress in rows]


def wait_for_versions(ctx: Context, version_ids: list[int], timeout: float,
                      on_change: Callable[[int], None] | None = None,
                      poll: float = 0.2) -> dict[int, str]:
    """Wait until every version is indexed or failed (or ``timeout``); their states."""
    deadline = time.monotonic() + timeout
    states: dict[int, str] = {}
    while True:
        with ctx.uow() as uow:
            states = dict(uow.session.execute(
                select(Version.id, Version.state).where(Version.id.in_(version_ids))).all())
        done = sum(1 for state in states.values() if IngestState(state).is_terminal)
        if on_change is not None:
            on_change(done)
        if done == len(version_ids) or time.monotonic() > deadline:
            return states
        time.sleep(poll)


def ocr_warning(ctx: Context) -> str | None:
    """Why scanned pages cannot be read on this server (None when OCR works)."""
    from docservice.ingest.ocr.engine import ocr_problem

    return ocr_problem(ExtractOptions.from_settings(ctx.settings))
