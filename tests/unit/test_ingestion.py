"""Ingestion states, idempotent jobs, recovery after a crash, failures with reasons."""

from __future__ import annotations

import io
import os
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator, Sequence
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import update

from docservice.bootstrap import bootstrap
from docservice.config import Settings
from docservice.db.models import Version, utcnow
from docservice.domain import OPERATOR, IndexEntry, IngestState
from docservice.errors import BlobNotFound, SearchUnavailable
from docservice.services import documents, ingestion
from docservice.services import search as search_service
from docservice.services.context import Context
from docservice.services.documents import DocumentMeta
from tests.factories import pdf_bytes


def _upload_text(ctx: Context, text: str, name: str = "note.txt") -> documents.UploadOutcome:
    return documents.upload(ctx, OPERATOR, io.BytesIO(text.encode()), name,
                            DocumentMeta(visibility="org"))


def test_version_is_stored_then_queued_then_indexed(ctx: Context) -> None:
    outcome = _upload_text(ctx, "quarterly campaign summary for the northern region")
    assert outcome.state == IngestState.QUEUED
    states = ingestion.wait_for_versions(ctx, [outcome.version_id], 60)
    assert states == {outcome.version_id: "indexed"}
    hits = search_service.search(ctx, OPERATOR, "northern campaign").hits
    assert [hit.version_id for hit in hits] == [outcome.version_id]


def test_running_a_job_twice_changes_nothing(ctx: Context) -> None:
    outcome = _upload_text(ctx, "datasheet for the edge gateway")
    ingestion.wait_for_versions(ctx, [outcome.version_id], 60)
    ingestion.ingest_version(ctx, outcome.version_id)
    assert ingestion.state_counts(ctx)["indexed"] == 1
    assert search_service.search(ctx, OPERATOR, "gateway").total == 1


def test_unsupported_bytes_fail_with_a_plain_reason(ctx: Context) -> None:
    outcome = documents.upload(ctx, OPERATOR, io.BytesIO(bytes(range(256)) * 64), "blob.bin",
                               DocumentMeta())
    ingestion.wait_for_versions(ctx, [outcome.version_id], 60)
    failure = ingestion.failures(ctx)[0]
    assert failure.version_id == outcome.version_id
    assert str(failure.reason).startswith("unsupported file type")


def _held_by(ctx: Context, version_id: int, holder: str, minutes_ago: float = 0) -> None:
    """As if ``holder`` had claimed the version and were extracting it."""
    with ctx.uow() as uow:
        uow.session.execute(update(Version).where(Version.id == version_id).values(
            state="extracting", claimed_by=holder,
            claimed_at=utcnow() - timedelta(minutes=minutes_ago)))
        uow.commit()


def _exited_process() -> str:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return f"{socket.gethostname()}:{child.pid}:0123abcd"


def test_versions_left_unfinished_by_a_crash_are_picked_up_again(ctx: Context) -> None:
    outcome = _upload_text(ctx, "signed framework agreement with Contoso")
    ingestion.wait_for_versions(ctx, [outcome.version_id], 60)
    _held_by(ctx, outcome.version_id, _exited_process())  # died in the middle of extraction
    assert ingestion.requeue_unfinished(ctx) == 1
    states = ingestion.wait_for_versions(ctx, [outcome.version_id], 60)
    assert states[outcome.version_id] == "indexed"


def test_a_version_another_live_worker_is_reading_is_not_read_twice(ctx: Context) -> None:
    outcome = _upload_text(ctx, "service level agreement for the X200")
    ingestion.wait_for_versions(ctx, [outcome.version_id], 60)
    live_elsewhere = f"{socket.gethostname()}:{os.getppid()}:0123abcd"
    _held_by(ctx, outcome.version_id, live_elsewhere)
    assert ingestion.requeue_unfinished(ctx) == 0
    ingestion.ingest_version(ctx, outcome.version_id)  # a duplicate job does nothing
    assert ingestion.in_progress(ctx)[0].state == "extracting"
    _held_by(ctx, outcome.version_id, "another-host:4242:0123abcd")
    assert ingestion.requeue_unfinished(ctx) == 0


def test_a_lease_that_ran_out_is_taken_over(ctx: Context) -> None:
    outcome = _upload_text(ctx, "pricing sheet for resellers")
    ingestion.wait_for_versions(ctx, [outcome.version_id], 60)
    lease_minutes = (ctx.settings.extract_timeout_s + 121) / 60
    _held_by(ctx, outcome.version_id, "another-host:4242:0123abcd", minutes_ago=lease_minutes)
    assert ingestion.requeue_unfinished(ctx) == 1
    assert ingestion.wait_for_versions(ctx, [outcome.version_id], 60) == {
        outcome.version_id: "indexed"}


def test_a_worker_killed_while_reading_leaves_its_version_to_the_next_start(
        settings: Settings, tmp_path: Path) -> None:
    ctx = _without_workers(bootstrap(settings))
    try:
        version_id = _upload_text(ctx, "signed contract with Fabrikam, page one").version_id
    finally:
        ctx.close()
    worker = subprocess.Popen([sys.executable, "-c", CLAIM_AND_HANG, str(settings.data_dir),
                               str(version_id)], stdout=subprocess.PIPE, text=True)
    assert worker.stdout is not None and worker.stdout.readline().strip() == "claimed"
    os.kill(worker.pid, signal.SIGKILL)
    worker.wait()
    restarted = bootstrap(settings)
    try:
        assert ingestion.requeue_unfinished(restarted) == 1
        assert ingestion.wait_for_versions(restarted, [version_id], 60) == {
            version_id: "indexed"}
        assert search_service.search(restarted, OPERATOR, "Fabrikam").total == 1
    finally:
        restarted.close()


CLAIM_AND_HANG = """
import sys, time
from pathlib import Path
from docservice.bootstrap import bootstrap
from docservice.config import load_settings
from docservice.db import claims
ctx = bootstrap(load_settings(environ={}, data_dir=Path(sys.argv[1])))
with ctx.uow() as uow:
    assert claims.claim(uow.session, ctx.settings, int(sys.argv[2])) is not None
    uow.commit()
print("claimed", flush=True)
time.sleep(600)
"""


class _HeldJobs:
    """A queue that keeps the jobs, so a test can run them as one batch."""

    def __init__(self) -> None:
        self.ids: list[int] = []

    def enqueue(self, job: str, item_id: int) -> None:
        self.ids.append(item_id)

    def stop(self) -> None:
        return None


def _without_workers(ctx: Context) -> Context:
    ctx.queue = _HeldJobs()  # type: ignore[assignment]
    return ctx


@pytest.fixture
def batch_ctx(settings: Settings) -> Iterator[Context]:
    context = _without_workers(bootstrap(settings))
    yield context
    context.close()


def _upload(ctx: Context, data: bytes, name: str) -> int:
    return documents.upload(ctx, OPERATOR, io.BytesIO(data), name,
                            DocumentMeta(visibility="org")).version_id


def test_a_damaged_file_fails_alone_and_its_batch_mates_are_searchable(
        batch_ctx: Context) -> None:
    whole = pdf_bytes(["Price list 2024 for the X200 gateway"])
    prices = _upload(batch_ctx, whole, "prices-2024.pdf")
    damaged = _upload(batch_ctx, pdf_bytes(["Broken brochure"])[:300], "brochure.pdf")
    summary = _upload(batch_ctx, b"campaign summary for the northern region", "summary.txt")
    ingestion.ingest_versions(batch_ctx, [prices, damaged, summary])
    states = ingestion.wait_for_versions(batch_ctx, [prices, damaged, summary], 0)
    assert states == {prices: "indexed", damaged: "failed", summary: "indexed"}
    assert ingestion.failures(batch_ctx)[0].reason == (
        "the file is damaged or incomplete (not a valid PDF)")
    assert [hit.version_id for hit in search_service.search(
        batch_ctx, OPERATOR, "X200 price list").hits] == [prices]
    assert [hit.version_id for hit in search_service.search(
        batch_ctx, OPERATOR, "northern campaign").hits] == [summary]


class _IndexDown:
    """The search engine went away: every write fails."""

    def __init__(self, ctx: Context) -> None:
        self._real = ctx.index

    def index(self, entries: Sequence[IndexEntry]) -> None:
        raise SearchUnavailable("search engine unreachable")

    def __getattr__(self, name: str) -> object:
        return getattr(self._real, name)


def test_a_batch_the_index_refused_is_not_marked_indexed(batch_ctx: Context) -> None:
    first = _upload(batch_ctx, b"framework agreement with Contoso", "agreement.txt")
    second = _upload(batch_ctx, b"renewal quotation for Contoso", "quotation.txt")
    real_index, batch_ctx.index = batch_ctx.index, _IndexDown(batch_ctx)  # type: ignore
    with pytest.raises(SearchUnavailable):
        ingestion.ingest_versions(batch_ctx, [first, second])
    assert {item.version_id: (item.state, item.progress) for item in
            ingestion.in_progress(batch_ctx)} == {first: ("queued", None),
                                                  second: ("queued", None)}
    batch_ctx.index = real_index
    assert ingestion.requeue_unfinished(batch_ctx) == 2
    ingestion.ingest_versions(batch_ctx, [first, second])
    assert search_service.search(batch_ctx, OPERATOR, "Contoso").total == 2


def test_new_version_moves_latest_and_flips_the_index_flag(ctx: Context) -> None:
    first = _upload_text(ctx, "edge gateway manual, first edition")
    ingestion.wait_for_versions(ctx, [first.version_id], 60)
    second = documents.add_version(ctx, OPERATOR, first.document_id,
                                   io.BytesIO(b"edge gateway manual, second edition"),
                                   "manual.txt", note="second edition")
    ingestion.wait_for_versions(ctx, [second.version_id], 60)
    latest_only = search_service.search(ctx, OPERATOR, "gateway manual").hits
    assert [(hit.version, hit.is_latest) for hit in latest_only] == [(2, True)]
    every = search_service.search(ctx, OPERATOR, "gateway manual", all_versions=True).hits
    assert sorted((hit.version, hit.is_latest) for hit in every) == [(1, False), (2, True)]


def test_same_bytes_as_the_latest_version_are_not_a_new_version(ctx: Context) -> None:
    first = _upload_text(ctx, "identical")
    again = documents.add_version(ctx, OPERATOR, first.document_id, io.BytesIO(b"identical"),
                                  "note.txt")
    assert again.duplicate and again.version_id == first.version_id


def test_a_version_whose_stored_file_is_gone_fails_and_the_batch_goes_on(
        batch_ctx: Context) -> None:
    lost = _upload(batch_ctx, b"old brochure nobody kept", "brochure.txt")
    kept = _upload(batch_ctx, b"reseller pricing sheet 2025", "pricing.txt")
    with batch_ctx.uow() as uow:
        batch_ctx.blobs.delete(uow.session.get_one(Version, lost).blob_key)
    with pytest.raises(BlobNotFound):  # an internal error: re-raised once the batch is done
        ingestion.ingest_versions(batch_ctx, [lost, kept])
    assert ingestion.wait_for_versions(batch_ctx, [lost, kept], 0) == {
        lost: "failed", kept: "indexed"}
    assert ingestion.failures(batch_ctx)[0].reason == ingestion.INTERNAL_FAILURE
    assert search_service.search(batch_ctx, OPERATOR, "pricing sheet").total == 1
