"""The jobs on the queue, by name: what in-process workers and RQ workers run alike."""

from __future__ import annotations

from collections.abc import Iterable

from docservice.queue.base import INGEST_JOB, OUTBOX_JOB
from docservice.services import outbox
from docservice.services.context import Context
from docservice.services.ingestion import ingest_versions


def run_job(ctx: Context, job: str, item_ids: Iterable[int]) -> None:
    """Run ``job`` over ``item_ids`` (one id, or a batch the queue hands over lazily)."""
    if job == INGEST_JOB:
        ingest_versions(ctx, item_ids)
    elif job == OUTBOX_JOB:
        outbox.run_rows(ctx, item_ids)
    else:
        raise ValueError(f"unknown job {job}")
