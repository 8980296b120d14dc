"""Backups of a running installation restore everything, on both tiers: a backup taken while
20 uploads and edits run is a consistent moment (each upload whole or absent, each edit
before or after), and a restore of the next (incremental) backup holds every document,
version, page text, grant, share link, customer and audit event of the source, and answers
20 searches alike. Damage is found by ``backup --verify``; a restore never overwrites."""

from __future__ import annotations

import io
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from docservice.bootstrap import backup_target, bootstrap, start_workers
from docservice.cli import main as cli
from docservice.config import Settings, load_settings
from docservice.db import models
from docservice.domain import OPERATOR, Principal
from docservice.inputs import MetadataChanges, NewCustomer
from docservice.services import (
    accounts,
    backup,
    customers,
    documents,
    ingestion,
    metadata,
    outbox,
    shares,
)
from docservice.services import search as search_service
from docservice.services.context import Context
from docservice.services.documents import DocumentMeta
from docservice.storage.backup_target import BackupTarget
from tests.conftest import embedded_settings
from tests.factories import pdf_bytes
from tests.services import rq_workers, scale_out_environ

WAIT_S = 120.0
WORDS = ["router", "gateway", "firewall", "switch", "antenna", "modem", "sensor", "controller",
         "bridge", "repeater", "光纤", "交换机"]
QUERIES = ["router", "gateway 2024", "firewall", "\"price list\"", "contract", "switch",
           "antenna", "modem", "sensor", "controller", "bridge", "repeater", "交换机",
           "光纤", "spec", "price", "tag:backup", "category:contract", "-router gateway",
           "customer:Acme"]


@dataclass
class Tier:
    name: str
    ctx: Context
    fresh: Callable[[str], Settings]  # settings of a new, empty installation
    destination: str  # a backup destination of this tier's kind


@pytest.fixture(params=["embedded", pytest.param("scale-out", marks=pytest.mark.services)])
def tier(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Tier]:
    if request.param == "embedded":
        ctx = bootstrap(embedded_settings(tmp_path / "source"))
        start_workers(ctx)
        yield Tier("embedded", ctx, lambda name: embedded_settings(tmp_path / name),
                   str(tmp_path / "backups"))
        ctx.close()
        return
    environ = scale_out_environ(tmp_path / "source")
    ctx = bootstrap(load_settings(environ=environ))
    destination = f"s3://{environ['DOCSERVICE_S3_BUCKET']}-backups/nightly"
    with rq_workers(environ, count=2):
        yield Tier("scale-out", ctx,
                   lambda name: load_settings(environ=scale_out_environ(tmp_path / name)),
                   destination)
    ctx.close()


def _world(ctx: Context) -> tuple[Principal, list[int]]:
    """Two teams, an editor and a viewer, customers, and six documents with every kind of
    visibility, a second version, grants and share links."""
    accounts.create_user(ctx, "sam@example.com", "editor", teams=["sales"])
    accounts.create_user(ctx, "vic@example.com", "viewer", teams=["marketing"])
    customers.create_customer(ctx, OPERATOR, NewCustomer(name="Acme", industry="retail"))
    sam = accounts.principal_for(ctx, "sam@example.com")
    ids = []
    kinds = [("private", ()), ("team", ()), ("org", ()), ("custom", (("vic@example.com", "read"),)),
             ("team", ()), ("org", ())]
    for number, (visibility, acl) in enumerate(kinds):
        body = pdf_bytes([f"{WORDS[number]} price list 2024 page one",
                          f"{WORDS[number + 6]} contract terms page two"])
        meta = DocumentMeta(category="contract" if number % 2 else "product",
                            tags=("backup", f"t{number}"), customer="Acme" if number < 3 else None,
                            visibility=visibility, acl=acl, title=f"{WORDS[number]} spec")
        ids.append(documents.upload(ctx, sam, io.BytesIO(body), f"doc{number}.pdf",
                                    meta).document_id)
    second = documents.add_version(ctx, sam, ids[0], io.BytesIO(pdf_bytes(["router v2 gateway"])),
                                   "doc0-v2.pdf", "second")
    shares.create_share(ctx, sam, ids[1], password="secret-pass")
    shares.create_share(ctx, sam, ids[2], version_id=None)
    _wait_indexed(ctx, [second.version_id])
    return sam, ids


def _wait_indexed(ctx: Context, version_ids: list[int] | None = None) -> None:
    with ctx.uow() as uow:
        ids = version_ids or list(uow.session.scalars(select(models.Version.id)))
    states = ingestion.wait_for_versions(ctx, ids, WAIT_S)
    assert set(states.values()) == {"indexed"}, states


def _concurrent_work(ctx: Context, sam: Principal, ids: list[int]) -> list[Callable[[], Any]]:
    """12 uploads and 8 edits, mixed (an edit changes a title and the tags at once)."""
    work: list[Callable[[], Any]] = []
    for number in range(12):
        body = pdf_bytes([f"{WORDS[number % len(WORDS)]} concurrent upload {number}"])
        work.append(lambda body=body, number=number: documents.upload(
            ctx, sam, io.BytesIO(body), f"new{number}.pdf",
            DocumentMeta(tags=("backup", "new"), visibility="org")))
    for number in range(8):
        document_id = ids[1 + number % 5]
        work.insert(2 * number + 1, lambda document_id=document_id, number=number:
                    metadata.update_metadata(ctx, sam, document_id, MetadataChanges(
                        title=f"edited {number}", tags=["backup", f"edit{number}"])))
    return work


class Watched:
    """A real destination that tells when the backup writes its first file (the database
    copy is taken by then), so half the work runs while files are being copied."""

    def __init__(self, target: BackupTarget) -> None:
        self.target = target
        self.description = target.description
        self.writing = threading.Event()

    def write(self, name: str, chunks: Any) -> None:
        self.writing.set()
        self.target.write(name, chunks)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.target, name)


def _settled(ctx: Context) -> None:
    """Every version indexed and every index update done."""
    _wait_indexed(ctx)
    deadline = time.monotonic() + WAIT_S
    while outbox.counts(ctx)["pending"] and time.monotonic() < deadline:
        time.sleep(0.2)
    assert outbox.counts(ctx) == {"pending": 0, "failed": 0}


def _rows(ctx: Context) -> dict[str, list[dict[str, object]]]:
    """Every row that matters, by table, in a comparable form (leases and progress left out:
    they describe the source's workers, not its data)."""
    tables = [models.User, models.Team, models.Membership, models.Customer, models.Document,
              models.DocumentTag, models.AclEntry, models.Version, models.Page,
              models.ShareLink, models.AuditEvent]
    volatile = {"claimed_by", "claimed_at", "progress", "attempts", "indexed_at"}
    found: dict[str, list[dict[str, object]]] = {}
    with ctx.uow() as uow:
        for table in tables:
            columns = [column for column in table.__table__.columns
                       if column.name not in volatile]
            rows = uow.session.execute(select(*columns).order_by(*table.__table__.primary_key))
            found[table.__tablename__] = [
                {key: _plain(value) for key, value in row._mapping.items()} for row in rows
                if table is not models.AuditEvent or row._mapping["action"] != "restore"]
    return found


def _plain(value: object) -> object:
    return value.replace(tzinfo=None).isoformat() if isinstance(value, datetime) else value


def _searches(ctx: Context) -> list[tuple[str, str, int, list[tuple[int, int]]]]:
    answers = []
    for email in (None, "vic@example.com"):
        principal = accounts.principal_for(ctx, email)
        for query in QUERIES:
            page = search_service.search(ctx, principal, query, limit=50)
            answers.append((str(email), query, page.total,
                            sorted((hit.document_id, hit.version) for hit in page.hits)))
    return answers


def _file_bytes(ctx: Context) -> dict[int, bytes]:
    with ctx.uow() as uow:
        version_ids = list(uow.session.scalars(select(models.Version.id)))
    found = {}
    for version_id in version_ids:
        _, chunks = documents.open_version(ctx, OPERATOR, version_id)
        found[version_id] = b"".join(chunks)
    return found


def _restored(settings: Settings, target: BackupTarget, snapshot: str) -> Context:
    backup.restore_backup(settings, target, snapshot)
    return bootstrap(settings)


def test_backup_during_uploads_and_edits_restores_everything(tier: Tier) -> None:
    ctx = tier.ctx
    sam, ids = _world(ctx)
    before = _rows(ctx)
    target = Watched(backup_target(ctx.settings, tier.destination))

    def after_copy_started(job: Callable[[], Any]) -> Any:
        assert target.writing.wait(WAIT_S)
        return job()

    work = _concurrent_work(ctx, sam, ids)
    with ThreadPoolExecutor(4) as pool:
        running = [pool.submit(job) for job in work[:10]]
        running += [pool.submit(after_copy_started, job) for job in work[10:]]
        try:
            first = backup.make_backup(ctx, OPERATOR, target)
        finally:
            target.writing.set()  # a failed backup lets the waiting work go at once
        for future in running:
            future.result()
    assert 6 <= first.documents < 18  # the last uploads came after the database copy

    # The first backup is one moment: every document the source had before is there, each
    # edit is wholly before or after, each concurrent upload is whole (file and text) or absent.
    moment = _restored(tier.fresh("moment"), target, first.snapshot)
    try:
        rows = _rows(moment)
        titles = {row["id"]: row["title"] for row in rows["documents"]}
        assert {row["id"] for row in before["documents"]} <= set(titles)
        tags = {(row["document_id"], row["tag"]) for row in rows["document_tags"]}
        for document_id, title in titles.items():
            if str(title).startswith("edited "):
                assert (document_id, f"edit{str(title).split()[1]}") in tags
        restored_bytes = _file_bytes(moment)
        source_bytes = _file_bytes(ctx)
        assert restored_bytes == {vid: source_bytes[vid] for vid in restored_bytes}
        assert first.versions == len(restored_bytes) >= 7
    finally:
        moment.close()

    # Once the work is done, the next backup copies only the new files and restores the
    # source exactly.
    _settled(ctx)
    second = backup.make_backup(ctx, OPERATOR, target)
    assert second.copied_files == second.files - first.files > 0
    source_rows, source_searches = _rows(ctx), _searches(ctx)
    assert len(source_rows["documents"]) == 18 and len(source_rows["pages"]) > 20
    assert sum(1 for answer in source_searches if answer[3]) >= 30
    copy = _restored(tier.fresh("copy"), target, second.snapshot)
    try:
        assert _rows(copy) == source_rows
        assert _searches(copy) == source_searches
        assert _file_bytes(copy) == _file_bytes(ctx)
        with copy.uow() as uow:
            events = uow.session.scalars(select(models.AuditEvent.action)).all()
        assert "restore" in events
    finally:
        copy.close()

    report = backup.verify_backup(target)
    assert report.ok and report.snapshots == (first.snapshot, second.snapshot)
    assert report.files_checked == second.files


def test_verify_finds_damage_and_restore_refuses_a_used_installation(tmp_path: Path) -> None:
    ctx = bootstrap(embedded_settings(tmp_path / "source"))
    start_workers(ctx)
    try:
        _world(ctx)
        destination = tmp_path / "backups"
        result = backup.make_backup(ctx, OPERATOR, backup_target(ctx.settings, str(destination)),
                                    with_index=True)
    finally:
        ctx.close()
    env = {"DOCSERVICE_DATA_DIR": str(tmp_path / "source")}
    runner = CliRunner()

    # restoring over the source itself (a used installation) is refused, changing nothing
    refused = runner.invoke(cli, ["restore", str(destination)], env=env)
    assert refused.exit_code == 1
    assert "the database is not empty" in refused.output

    checked = runner.invoke(cli, ["backup", "--verify", str(destination)], env=env)
    assert checked.exit_code == 0, checked.output
    assert f"checked 1 snapshot(s) and {result.files} file(s)" in checked.output

    damaged = next(path for path in (destination / "files").rglob("*") if path.is_file())
    data = bytearray(damaged.read_bytes())
    data[100] ^= 0xFF
    damaged.write_bytes(bytes(data))
    database = destination / "snapshots" / result.snapshot / "database.sqlite"
    database.write_bytes(database.read_bytes()[:4096])
    checked = runner.invoke(cli, ["backup", "--verify", str(destination)], env=env)
    assert checked.exit_code == 1
    assert f"DAMAGED: files/{damaged.parent.parent.name}/{damaged.parent.name}/{damaged.name} " \
           "is damaged" in checked.output
    assert "database.sqlite is damaged" in checked.output

    # a damaged backup restores nothing: the new data dir stays empty, and says why
    fresh = {"DOCSERVICE_DATA_DIR": str(tmp_path / "fresh")}
    failed = runner.invoke(cli, ["restore", str(destination)], env=fresh)
    assert failed.exit_code == 1
    assert "is damaged" in failed.output
    assert not [path for path in (tmp_path / "fresh" / "blobs").rglob("*") if path.is_file()]


def test_retention_keeps_the_newest_snapshots_and_the_files_they_use(tmp_path: Path) -> None:
    ctx = bootstrap(embedded_settings(tmp_path / "source"))
    start_workers(ctx)
    try:
        _, ids = _world(ctx)
        target = backup_target(ctx.settings, str(tmp_path / "backups"))
        first = backup.make_backup(ctx, OPERATOR, target)
        from docservice.services import deletion

        deletion.purge_document(ctx, OPERATOR, ids[5])  # its file is in the first backup only
        second = backup.make_backup(ctx, OPERATOR, target, keep=2)
        third = backup.make_backup(ctx, OPERATOR, target, keep=2)
    finally:
        ctx.close()
    assert first.copied_files == 7 and second.copied_files == third.copied_files == 0
    assert second.pruned_snapshots == () and third.pruned_snapshots == (first.snapshot,)
    assert third.pruned_files == 1
    assert backup.snapshots(target) == [second.snapshot, third.snapshot]
    assert len(list(target.names("files/"))) == 6
    assert backup.verify_backup(target).ok
    restored = _restored(embedded_settings(tmp_path / "restored"), target, second.snapshot)
    restored.close()

