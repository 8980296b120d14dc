"""The scale-out tier on real servers: crashes lose nothing, dead services are clear."""

from __future__ import annotations

import io
import time
from pathlib import Path

import pytest

from docservice.bootstrap import bootstrap, search_index
from docservice.config import load_settings
from docservice.domain import OPERATOR
from docservice.errors import SearchUnavailable
from docservice.services import documents, ingestion, reading
from docservice.services import search as search_service
from docservice.services.context import Context
from docservice.services.documents import DocumentMeta
from tests.services import kill_group, rq_workers, scale_out_environ

pytestmark = pytest.mark.services


def _state(ctx: Context, version_id: int) -> str:
    return ingestion.wait_for_versions(ctx, [version_id], timeout=0)[version_id]


def _big_text(words: int) -> bytes:
    line = "quarterly pricing review for the northern region distributors 价格表 "
    return (line * (words // 9)).encode()


def test_a_worker_killed_in_the_middle_of_a_job_loses_nothing(tmp_path: Path) -> None:
    environ = scale_out_environ(tmp_path / "data")
    ctx = bootstrap(load_settings(environ=environ))
    with rq_workers(environ, count=1) as (worker,):
        outcome = documents.upload(ctx, OPERATOR, io.BytesIO(_big_text(3_000_000)),
                                   "big-review.txt", DocumentMeta(visibility="org"))
        deadline = time.monotonic() + 60
        while _state(ctx, outcome.version_id) != "extracting":
            assert time.monotonic() < deadline, "the worker never started the job"
            time.sleep(0.05)
        kill_group(worker)
    assert _state(ctx, outcome.version_id) == "extracting"
    with rq_workers(environ, count=1):
        states = ingestion.wait_for_versions(ctx, [outcome.version_id], timeout=300)
    assert states[outcome.version_id] == "indexed"
    hits = search_service.search(ctx, OPERATOR, "northern distributors").hits
    assert [hit.version_id for hit in hits] == [outcome.version_id]
    ctx.close()


def test_search_down_uploads_still_queue_and_finish_when_it_is_back(tmp_path: Path) -> None:
    environ = scale_out_environ(tmp_path / "data")
    live_url = environ["DOCSERVICE_ELASTICSEARCH_URL"]
    environ.update(DOCSERVICE_ELASTICSEARCH_URL="http://127.0.0.1:9",  # nothing listens
                   DOCSERVICE_QUEUE_BACKEND="inline")
    ctx = bootstrap(load_settings(environ=environ))
    with pytest.raises(SearchUnavailable):
        search_service.search(ctx, OPERATOR, "contract")
    outcome = documents.upload(ctx, OPERATOR, io.BytesIO(b"framework agreement with Contoso"),
                               "contoso.txt", DocumentMeta(visibility="org"))
    ctx.queue.wait_idle(60)
    version = reading.version_details(ctx, OPERATOR, outcome.version_id)
    assert (version.state, version.reason) == ("queued", "waiting for the search index")
    # The engine comes back (here: the address is corrected) and a worker starts again.
    ctx.index = search_index(load_settings(environ={**environ,
                                                    "DOCSERVICE_ELASTICSEARCH_URL": live_url}),
                             ctx.resources)
    ctx.index.ensure()
    assert ingestion.requeue_unfinished(ctx) == 1
    states = ingestion.wait_for_versions(ctx, [outcome.version_id], timeout=60)
    assert states[outcome.version_id] == "indexed"
    assert search_service.search(ctx, OPERATOR, "contoso agreement").total == 1
    ctx.close()


def test_queue_down_uploads_are_kept_and_run_when_a_worker_starts(tmp_path: Path) -> None:
    environ = scale_out_environ(tmp_path / "data")
    live_redis = environ["DOCSERVICE_REDIS_URL"]
    ctx = bootstrap(load_settings(environ={**environ,
                                           "DOCSERVICE_REDIS_URL": "redis://127.0.0.1:9/0"}))
    outcome = documents.upload(ctx, OPERATOR, io.BytesIO(b"campaign plan for the autumn fair"),
                               "autumn.txt", DocumentMeta(visibility="org"))
    assert outcome.state == "queued"
    with rq_workers({**environ, "DOCSERVICE_REDIS_URL": live_redis}, count=1):
        states = ingestion.wait_for_versions(ctx, [outcome.version_id], timeout=120)
    assert states[outcome.version_id] == "indexed"
    ctx.close()
