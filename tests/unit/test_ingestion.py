"""Ingestion states, idempotent jobs, recovery after a crash, failures with reasons."""

from __future__ import annotations

import io

from sqlalchemy import update

from docservice.db.models import Version
from docservice.domain import OPERATOR, IngestState
from docservice.services import documents, ingestion
from docservice.services import search as search_service
from docservice.services.context import Context
from docservice.services.documents import DocumentMeta


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
    assert failure["version_id"] == outcome.version_id
    assert str(failure["reason"]).startswith("unsupported file type")


def test_versions_left_unfinished_by_a_crash_are_picked_up_again(ctx: Context) -> None:
    outcome = _upload_text(ctx, "signed framework agreement with Contoso")
    ingestion.wait_for_versions(ctx, [outcome.version_id], 60)
    with ctx.uow() as uow:  # as if the process died in the middle of extraction
        uow.session.execute(update(Version).where(Version.id == outcome.version_id)
                            .values(state="extracting"))
        uow.commit()
    assert ingestion.requeue_unfinished(ctx) == 1
    states = ingestion.wait_for_versions(ctx, [outcome.version_id], 60)
    assert states[outcome.version_id] == "indexed"


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
