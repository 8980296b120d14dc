"""Side effects survive outages, on both tiers: an edit while the search engine is away is
saved at once and reaches the index once the engine is back; a document made private
meanwhile tells nobody else anything; work whose worker died is taken up again by the
sweeper of a running process; an admin re-runs failed work."""

from __future__ import annotations

import contextlib
import io
import socket
import subprocess
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import update

from docservice.bootstrap import bootstrap, start_workers
from docservice.cli import main as cli
from docservice.config import load_settings
from docservice.db.models import Page, Version, utcnow
from docservice.domain import Principal, SearchResult
from docservice.inputs import MetadataChanges
from docservice.search.tantivy.index import TantivyIndex
from docservice.services import accounts, auditlog, documents, ingestion, metadata, outbox
from docservice.services import search as search_service
from docservice.services.context import Context
from docservice.services.documents import DocumentMeta
from docservice.services.version_reader import INTERNAL_FAILURE
from tests.conftest import embedded_settings
from tests.outage import Gate, held_writer
from tests.services import rq_workers, scale_out_environ

SWEEP_S = "0.3"
CONVERGE_S = 90.0


@dataclass
class Tier:
    ctx: Context  # the web process: edits and uploads
    reader: Context  # searches (on the scale-out tier straight to the engine)
    outage: Callable[[], contextlib.AbstractContextManager[None]]  # index writes refused
    environ: dict[str, str]  # for the command line


@pytest.fixture(params=["embedded", pytest.param("scale-out", marks=pytest.mark.services)])
def tier(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Tier]:
    if request.param == "embedded":
        settings = embedded_settings(tmp_path / "data", sweep_interval_s=float(SWEEP_S))
        ctx = bootstrap(settings)
        start_workers(ctx)
        assert isinstance(ctx.index, TantivyIndex)
        ctx.index.directory.lock_timeout = 0.5  # a held writer is reported at once, not after 30 s
        yield Tier(ctx, ctx, lambda: held_writer(settings.index_dir),
                   {"DOCSERVICE_DATA_DIR": str(settings.data_dir),
                    "DOCSERVICE_SWEEP_INTERVAL_S": SWEEP_S})
        ctx.close()
        return
    environ = {**scale_out_environ(tmp_path / "data"), "DOCSERVICE_SWEEP_INTERVAL_S": SWEEP_S}
    gate = Gate(environ["DOCSERVICE_ELASTICSEARCH_URL"])
    gated = {**environ, "DOCSERVICE_ELASTICSEARCH_URL": gate.url}
    ctx = bootstrap(load_settings(environ=gated))
    reader = bootstrap(load_settings(environ=environ))
    with rq_workers(gated, count=2):
        yield Tier(ctx, reader, gate.shut, gated)
    reader.close()
    ctx.close()
    gate.close()


def _people(ctx: Context) -> tuple[Principal, Principal]:
    accounts.create_user(ctx, "owner@example.com", "editor", teams=["sales"])
    accounts.create_user(ctx, "colleague@example.com", "viewer", teams=["sales"])
    return (accounts.principal_for(ctx, "owner@example.com"),
            accounts.principal_for(ctx, "colleague@example.com"))


def _upload(ctx: Context, who: Principal, text: str, name: str, **meta: object
            ) -> documents.UploadOutcome:
    outcome = documents.upload(ctx, who, io.BytesIO(text.encode()), name,
                               DocumentMeta(**meta))  # type: ignore[arg-type]
    states = ingestion.wait_for_versions(ctx, [outcome.version_id], timeout=CONVERGE_S)
    assert states == {outcome.version_id: "indexed"}
    return outcome


def _eventually(check: Callable[[], bool], what: str, timeout: float = CONVERGE_S) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, f"never: {what}"
        time.sleep(0.2)


def _owed(ctx: Context) -> dict[str, int]:
    return outbox.counts(ctx)


def test_an_edit_while_the_engine_is_away_is_saved_and_reaches_the_index_later(
        tier: Tier) -> None:
    owner, colleague = _people(tier.ctx)
    doc = _upload(tier.ctx, owner, "Router price list for the northern distributors",
                  "router-prices.txt", visibility="team", tags=("pricing",))
    with tier.outage():
        changed = metadata.update_metadata(tier.ctx, owner, doc.document_id,
                                           MetadataChanges(tags=["pricing", "clearance"]))
        assert changed == ["tags"]  # saved: no error for the person editing
        assert _owed(tier.ctx)["pending"] == 1
        time.sleep(1.5)  # the sweeper tries again meanwhile, in vain
        assert search_service.search(tier.reader, colleague, "tag:clearance").total == 0
        assert _owed(tier.ctx)["pending"] == 1
    _eventually(lambda: search_service.search(tier.reader, colleague,
                                              "tag:clearance").total == 1,
                "the edit reached the index")
    _eventually(lambda: _owed(tier.ctx) == {"pending": 0, "failed": 0}, "nothing owed")


def _reveals(result: SearchResult, secret_id: int, words: tuple[str, ...]) -> list[str]:
    """What of the private document a search result (of fewer than 10 hits) gives away."""
    found = [f"hit {hit.title}" for hit in result.hits if hit.document_id == secret_id]
    if result.total != len(result.hits):
        found.append(f"total {result.total} for {len(result.hits)} hits")
    for field, counts in result.facets.items():
        found += [f"facet {field}={value}" for value in counts
                  if any(word in str(value).lower() for word in words)]
    if result.suggestion and any(word in result.suggestion.lower() for word in words):
        found.append(f"suggestion {result.suggestion}")
    return found


def test_a_document_made_private_while_the_index_is_behind_reveals_nothing_to_others(
        tier: Tier) -> None:
    owner, colleague = _people(tier.ctx)
    secret = _upload(tier.ctx, owner, "Zephyr rebate schedule 2031 for Northwind",
                     "zephyr-rebates.txt", visibility="team", tags=("zephyrdeal",),
                     product="Zephyr-9")
    _upload(tier.ctx, owner, "Rebate schedule brochure for every reseller", "brochure.txt",
            visibility="org", tags=("brochure",))
    words = ("zephyr", "2031", "northwind")
    before = search_service.search(tier.reader, colleague, "rebate schedule")
    assert before.total == 2 and "zephyrdeal" in before.facets["tag"]
    with tier.outage():
        metadata.update_metadata(tier.ctx, owner, secret.document_id,
                                 MetadataChanges(visibility="private"))
        assert _owed(tier.ctx)["pending"] == 1  # the index still lets the team read it
        for query in ("zephyr", "zephyr rebate", "tag:zephyrdeal", "year:2031",
                      "product:Zephyr-9", "northwind", "zephir rebate schedule"):
            result = search_service.search(tier.reader, colleague, query)
            assert _reveals(result, secret.document_id, words) == [], query
        common = search_service.search(tier.reader, colleague, "rebate schedule")
        assert common.total == 1 and [hit.title for hit in common.hits] == ["brochure"]
        assert _reveals(common, secret.document_id, words) == []
        mine = search_service.search(tier.reader, owner, "zephyr")
        assert [hit.document_id for hit in mine.hits] == [secret.document_id]
    _eventually(lambda: _owed(tier.ctx) == {"pending": 0, "failed": 0},
                "the index caught up")
    assert search_service.search(tier.reader, colleague, "zephyr").total == 0
    assert search_service.search(tier.reader, owner, "zephyr").total == 1


def _dead_worker() -> str:
    """The claim name of a worker process on this host that has exited."""
    process = subprocess.Popen(["true"])
    process.wait()
    return f"{socket.gethostname()}:{process.pid}:0badc0de"


def _set_version(ctx: Context, version_id: int, **values: object) -> None:
    with ctx.uow() as uow:
        uow.session.execute(update(Version).where(Version.id == version_id).values(**values))
        if values.get("state") != "indexed":
            uow.session.execute(Page.__table__.delete().where(Page.version_id == version_id))
        uow.commit()


def _state(ctx: Context, version_id: int) -> str:
    return ingestion.wait_for_versions(ctx, [version_id], timeout=0)[version_id]


def test_a_version_whose_worker_died_is_taken_up_by_the_sweeper_without_a_restart(
        tier: Tier) -> None:
    owner, colleague = _people(tier.ctx)
    doc = _upload(tier.ctx, owner, "Harbour crane maintenance contract", "crane.txt",
                  visibility="team")
    _set_version(tier.ctx, doc.version_id, state="extracting", claimed_by=_dead_worker(),
                 claimed_at=utcnow())  # its lease has not run out: only dead
    _eventually(lambda: _state(tier.ctx, doc.version_id) == "indexed",
                "the sweeper queued the version again")
    assert search_service.search(tier.reader, colleague, "crane maintenance").total == 1


def test_retry_failed_on_the_command_line_reads_a_failed_version_again(
        tier: Tier, monkeypatch: pytest.MonkeyPatch) -> None:
    owner, colleague = _people(tier.ctx)
    doc = _upload(tier.ctx, owner, "Wind turbine gearbox warranty terms", "gearbox.txt",
                  visibility="team")
    _set_version(tier.ctx, doc.version_id, state="failed", state_reason=INTERNAL_FAILURE,
                 claimed_by=None, claimed_at=None)
    assert ingestion.failures(tier.ctx)[0].reason == INTERNAL_FAILURE
    for key, value in tier.environ.items():
        monkeypatch.setenv(key, value)
    status = CliRunner().invoke(cli, ["status", "--json"])
    assert '"failed": 1' in status.output and '"side_effects"' in status.output
    result = CliRunner().invoke(cli, ["retry", "--failed"])
    assert result.exit_code == 0, result.output
    assert "queued again: 1 version(s), 0 side effect(s)" in result.output
    _eventually(lambda: _state(tier.ctx, doc.version_id) == "indexed", "read again")
    assert ingestion.failures(tier.ctx) == []
    events = auditlog.query_events(tier.ctx, accounts.principal_for(tier.ctx, None),
                                   auditlog.AuditFilter(action="retry"))
    assert [(event.version_id, event.actor) for event in events] == [
        (doc.version_id, "operator@localhost")]
    assert search_service.search(tier.reader, colleague, "gearbox warranty").total == 1


# -- The scale-out tier only: RQ retries outages alone; a queue away at upload -------------

@pytest.fixture
def gated(tmp_path: Path) -> Iterator[tuple[Context, Gate, dict[str, str]]]:
    """A scale-out installation whose engine sits behind a gate, with one RQ worker."""
    environ = {**scale_out_environ(tmp_path / "data"), "DOCSERVICE_SWEEP_INTERVAL_S": SWEEP_S}
    gate = Gate(environ["DOCSERVICE_ELASTICSEARCH_URL"])
    environ["DOCSERVICE_ELASTICSEARCH_URL"] = gate.url
    ctx = bootstrap(load_settings(environ=environ))
    with rq_workers(environ, count=1):
        _eventually(lambda: _listening_workers(ctx, environ) == 1, "the worker listens")
        yield ctx, gate, environ
    ctx.close()
    gate.close()


def _listening_workers(ctx: Context, environ: dict[str, str]) -> int:
    """RQ workers taking jobs (past their start, when they queue unfinished work again)."""
    from rq import Queue, Worker

    from docservice.queue.rq_queue import RQQueue, queue_name

    assert isinstance(ctx.queue, RQQueue)
    return int(Worker.count(queue=Queue(queue_name(environ["DOCSERVICE_INDEX_PREFIX"]),
                                        connection=ctx.queue.redis)))


def _attempts(ctx: Context, version_id: int) -> int:
    with ctx.uow() as uow:
        return int(uow.session.get_one(Version, version_id).attempts)


@pytest.mark.services
def test_rq_runs_a_job_again_after_an_outage_but_not_after_another_error(
        gated: tuple[Context, Gate, dict[str, str]]) -> None:
    from rq import Queue
    from rq.registry import FailedJobRegistry

    from docservice.db.models import OutboxRow
    from docservice.queue.rq_queue import RQQueue, queue_name

    ctx, gate, environ = gated
    with gate.shut():
        outcome = documents.upload(ctx, accounts.principal_for(ctx, None),
                                   io.BytesIO(b"Tidal turbine service agreement"),
                                   "tidal.txt", DocumentMeta(visibility="org"))
        _eventually(lambda: _attempts(ctx, outcome.version_id) == 1
                    and _state(ctx, outcome.version_id) == "queued", "first try refused")
        first = time.monotonic()
        _eventually(lambda: _attempts(ctx, outcome.version_id) == 2, "tried again")
        assert time.monotonic() - first >= 3  # after a pause (5 s), not at once
    _eventually(lambda: _state(ctx, outcome.version_id) == "indexed", "indexed once back")
    with ctx.uow() as uow:  # a side effect nobody can run: its kind has no handler
        row = OutboxRow(kind="test.unknown", payload="{}", state="pending", attempts=0,
                        available_at=utcnow() + outbox.LEASE)
        uow.session.add(row)
        uow.commit()
        row_id = row.id
    outbox.enqueue(ctx, [row_id])
    assert isinstance(ctx.queue, RQQueue)
    failed = FailedJobRegistry(queue=Queue(queue_name(environ["DOCSERVICE_INDEX_PREFIX"]),
                                           connection=ctx.queue.redis))
    _eventually(lambda: failed.count == 1, "the job failed")
    time.sleep(6)  # past the first retry pause: no retry comes
    with ctx.uow() as uow:
        stored = uow.session.get_one(OutboxRow, row_id)
        assert (stored.state, stored.attempts) == ("failed", 1)
        assert stored.last_error == "KeyError: 'test.unknown'"
    assert failed.count == 1


@pytest.mark.services
def test_an_upload_while_the_queue_is_away_is_run_by_a_running_worker(tmp_path: Path) -> None:
    environ = {**scale_out_environ(tmp_path / "data"), "DOCSERVICE_SWEEP_INTERVAL_S": SWEEP_S}
    web = bootstrap(load_settings(environ={**environ,
                                           "DOCSERVICE_REDIS_URL": "redis://127.0.0.1:9/0"}))
    with rq_workers(environ, count=1):
        outcome = documents.upload(web, accounts.principal_for(web, None),
                                   io.BytesIO(b"autumn fair campaign plan"), "autumn.txt",
                                   DocumentMeta(visibility="org"))
        assert outcome.state == "queued"
        _eventually(lambda: _state(web, outcome.version_id) == "indexed",
                    "the worker's sweeper queued it")
    web.close()
