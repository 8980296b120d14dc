"""The ingestion job: stored -> queued -> extracting -> indexed | failed(reason).

Jobs come in batches (the in-process queue hands a worker the jobs already waiting): each
version is claimed, read in an isolated child and gets its own outcome; meanwhile another
thread stores and indexes the versions read so far, a group at a time with one index
commit, and only then marks them indexed or failed.
"""

from __future__ import annotations

import logging
import time
from collections import Counter
from collections.abc import Callable, Iterable, Sequence

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.orm import selectinload

from docservice.db import claims
from docservice.db.categories import refine_categories
from docservice.db.index_entries import document_entries
from docservice.db.models import Document, Page, Version, utcnow
from docservice.db.notices import owe_search_matches
from docservice.db.titles import titles_from_content
from docservice.domain import IngestState
from docservice.errors import ServiceUnavailable
from docservice.ingest.metadata import detect_languages
from docservice.ingest.options import ExtractOptions
from docservice.ingest.years import years_in
from docservice.queue.base import INGEST_JOB
from docservice.services.context import Context
from docservice.services.group_finisher import GroupFinisher
from docservice.services.version_reader import INTERNAL_FAILURE, ReadOutcome, VersionReader
from docservice.views import FailedVersion, VersionInProgress

log = logging.getLogger(__name__)

_ACTIVE = (IngestState.STORED.value, IngestState.QUEUED.value, IngestState.EXTRACTING.value)
FINISH_GROUP = 8
"""Versions stored and indexed together (one index commit) when they come in quickly."""
FINISH_WAIT_S = 0.5
"""How long a version read waits for others before it is indexed alone."""
LEASE_RENEWAL_S = 60.0


def ingest_version(ctx: Context, version_id: int) -> None:
    """The job for one version: safe to run twice; finished versions are left alone."""
    ingest_versions(ctx, [version_id])


def ingest_versions(ctx: Context, version_ids: Iterable[int]) -> None:
    """The job for a batch: each version read on its own, stored and indexed in groups.

    ``version_ids`` is consumed lazily, one id per version read. While versions are read,
    those read before them are stored and indexed in another thread, a group with one index
    commit, and marked indexed or failed once the commit is done. A version that cannot be
    read fails alone. An internal error or a service outage is re-raised once the versions
    read before it are finished.
    """
    stopped_by: Exception | None = None
    errors: list[Exception] = []

    def hand_over(outcome: ReadOutcome | None) -> None:
        if outcome is not None:
            finisher.add(outcome)
            if outcome.error is not None:
                errors.append(outcome.error)

    renewed = time.monotonic()
    with GroupFinisher[ReadOutcome](lambda group: _finish_all(ctx, group),
                                    min_group=FINISH_GROUP, max_wait_s=FINISH_WAIT_S,
                                    name="ingest-finisher") as finisher, \
            VersionReader(ctx) as reader:
        for version_id in version_ids:
            holding: list[int] = []
            if time.monotonic() - renewed > LEASE_RENEWAL_S:  # the others' leases, now and then
                holding = [each.version_id for each in finisher.unfinished()]
                holding += [reader.reading] if reader.reading is not None else []
                renewed = time.monotonic()
            try:
                hand_over(reader.push(version_id, holding))
            except ServiceUnavailable as exc:
                _set_state(ctx, version_id, IngestState.QUEUED,
                           "waiting for a service to come back")
                stopped_by = exc
                break
            except Exception as exc:  # the database, say: the rest waits for a retry
                stopped_by = exc
                break
        hand_over(reader.last())
    if (error := stopped_by or next(iter(errors), None)) is not None:
        raise error


def _finish_all(ctx: Context, read: Sequence[ReadOutcome]) -> None:
    """Finish the batch together; if that fails other than for an outage, each version
    alone, so that one version's trouble stays its own."""
    if not read:
        return
    try:
        _finish(ctx, read)
    except ServiceUnavailable:
        for outcome in read:
            _set_state(ctx, outcome.version_id, IngestState.QUEUED,
                       "waiting for the search index")
        raise
    except Exception:
        if len(read) == 1:
            _set_state(ctx, read[0].version_id, IngestState.FAILED, INTERNAL_FAILURE)
            raise
        log.exception("finishing versions %s together failed; finishing them one by one",
                      [outcome.version_id for outcome in read])
        errors = []
        for outcome in read:
            try:
                _finish_all(ctx, [outcome])
            except Exception as exc:
                errors.append(exc)
        if errors:
            raise errors[0] from None


def _finish(ctx: Context, read: Sequence[ReadOutcome]) -> None:
    """Store the texts, index the versions' documents in one write, then mark them done.

    The index write runs outside any database write, so that other workers' claims do not
    wait for it. A crash in between leaves the versions extracting: they are read again.
    """
    finishing = _store_texts(ctx, read)
    if not finishing:
        return
    with ctx.uow() as uow:
        documents = uow.session.scalars(
            select(Document).order_by(Document.id)
            .where(Document.id.in_(select(Version.document_id)
                                   .where(Version.id.in_(finishing))))
            .options(selectinload(Document.versions), selectinload(Document.tags),
                     selectinload(Document.acl), selectinload(Document.customer)))
        entries = [entry for document in documents
                   for entry in document_entries(uow.session, document, finishing)]
    ctx.index.index(entries)
    now = utcnow()
    with ctx.uow() as uow:
        uow.session.execute(update(Version), [
            {"id": outcome.version_id, "state": _final_state(outcome).value,
             "state_reason": outcome.reason, "progress": None, "indexed_at": now,
             "claimed_by": None, "claimed_at": None}
            for outcome in read if outcome.version_id in finishing])
        owe_search_matches(uow, sorted(finishing))
        uow.commit()
    for outcome in read:
        log.info("version %s: %s", outcome.version_id, _final_state(outcome).value)


def _final_state(outcome: ReadOutcome) -> IngestState:
    return IngestState.INDEXED if outcome.extracted is not None else IngestState.FAILED


def _store_texts(ctx: Context, read: Sequence[ReadOutcome]) -> set[int]:
    """Store what was read (text, type, metadata); the ids of the versions still there.

    The metadata is worked out first: the write itself holds the database (SQLite: every
    writer) only for the statements."""
    with ctx.uow() as uow:
        session = uow.session
        filenames = dict(session.execute(select(Version.id, Version.filename).where(
            Version.id.in_([outcome.version_id for outcome in read]))).all())
        kept = [outcome for outcome in read if outcome.version_id in filenames]  # not deleted
        rows = [row for outcome in kept
                if len(row := _version_row(outcome, filenames[outcome.version_id])) > 1]
        texts = [outcome for outcome in kept if outcome.extracted is not None]
        pages = [{"version_id": outcome.version_id, "number": number, "text": text}
                 for outcome in texts if outcome.extracted is not None
                 for number, text in enumerate(outcome.extracted.pages, start=1)]
        if texts:
            session.execute(delete(Page).where(
                Page.version_id.in_([outcome.version_id for outcome in texts])))
        if pages:
            session.execute(insert(Page), pages)
        if rows:
            session.execute(update(Version), rows)
        extracted = {outcome.version_id: outcome.extracted
                     for outcome in texts if outcome.extracted is not None}
        refine_categories(session, {version_id: text.pages
                                    for version_id, text in extracted.items()})
        titles_from_content(session, extracted)
        uow.commit()
    return set(filenames)


def _version_row(outcome: ReadOutcome, filename: str) -> dict[str, object]:
    """The version's columns that reading it sets, by primary key."""
    row: dict[str, object] = {"id": outcome.version_id}
    if outcome.media_type is not None:
        row["media_type"] = outcome.media_type
    extracted = outcome.extracted
    if extracted is not None:
        first_pages = " ".join(extracted.pages[:2])[:20000]
        row.update(
            page_count=len(extracted.pages),
            language=extracted.language or detect_languages(extracted.pages),
            extracted_title=(extracted.title or "").strip()[:500] or None,
            author=(extracted.author or "").strip()[:200] or None,
            years=",".join(str(year) for year in years_in(filename, first_pages)) or None)
    return row


def _set_state(ctx: Context, version_id: int, state: IngestState, reason: str | None = None,
               ) -> None:
    """Set the outcome; ``queued`` means a retry is on the queue now (see claims)."""
    queued_at = utcnow() if state is IngestState.QUEUED else None
    with ctx.uow() as uow:
        uow.session.execute(update(Version).where(Version.id == version_id)
                            .values(state=state.value, state_reason=reason, progress=None,
                                    claimed_by=None, claimed_at=queued_at))
        uow.commit()


def requeue_unfinished(ctx: Context) -> int:
    """Queue again every version left stored, queued or extracting by a worker that is gone
    (after a crash); how many. Versions a live worker is extracting are left to it."""
    return len(requeue_stale(ctx, all_waiting=True))


def requeue_stale(ctx: Context, *, all_waiting: bool) -> list[int]:
    """Queue again the unfinished versions nobody works on (see ``claims.release_stale``);
    their ids."""
    with ctx.uow() as uow:
        ids = claims.release_stale(uow.session, ctx.settings, all_waiting=all_waiting)
        uow.commit()
    for version_id in ids:
        ctx.queue.enqueue(INGEST_JOB, version_id)
    return ids


def state_counts(ctx: Context) -> dict[str, int]:
    with ctx.uow() as uow:
        rows = uow.session.execute(select(Version.state, func.count()).group_by(Version.state))
        counts = Counter({state.value: 0 for state in IngestState})
        counts.update({state: count for state, count in rows})
    return dict(counts)


def failures(ctx: Context, limit: int = 50) -> list[FailedVersion]:
    with ctx.uow() as uow:
        rows = uow.session.execute(
            select(Version.id, Version.document_id, Version.filename, Version.state_reason)
            .where(Version.state == IngestState.FAILED.value).order_by(Version.id.desc())
            .limit(limit))
        return [FailedVersion(version_id=vid, document_id=did, file=name, reason=reason)
                for vid, did, name, reason in rows]


def failure_reasons(ctx: Context, version_ids: list[int]) -> dict[int, str]:
    """Why each of these versions failed (only the failed ones)."""
    with ctx.uow() as uow:
        rows = uow.session.execute(
            select(Version.id, Version.state_reason)
            .where(Version.id.in_(version_ids), Version.state == IngestState.FAILED.value))
        return {vid: reason or "" for vid, reason in rows}


def in_progress(ctx: Context) -> list[VersionInProgress]:
    with ctx.uow() as uow:
        rows = uow.session.execute(
            select(Version.id, Version.filename, Version.state, Version.progress)
            .where(Version.state.in_(_ACTIVE)).order_by(Version.id))
        return [VersionInProgress(version_id=vid, file=name, state=state, progress=progress)
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
