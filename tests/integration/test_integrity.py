"""`docservice check [--repair]` on both tiers: it finds what a crash, a lost disk block or a
missed index update leaves behind (a version without its file, a damaged file, a file no
version uses, an index entry missing, out of date or left over), repairs what can be
repaired, says what cannot, and continues where it stopped after an interruption."""

from __future__ import annotations

import io
from dataclasses import replace
from datetime import timedelta

import pytest
from click.testing import CliRunner
from sqlalchemy import update

from docservice.db.index_entries import entries_between
from docservice.db.models import Document
from docservice.domain import OPERATOR, Principal
from docservice.errors import PermissionDenied
from docservice.services import accounts, documents, ingestion, integrity
from docservice.services import search as search_service
from docservice.services.context import Context
from docservice.services.documents import DocumentMeta
from docservice.views import IntegrityReport

NOW = timedelta(0)  # no grace: nothing in these tests is on its way


def _upload(ctx: Context, who: Principal, text: str, name: str) -> documents.UploadOutcome:
    outcome = documents.upload(ctx, who, io.BytesIO(text.encode()), name,
                               DocumentMeta(visibility="org"))  # type: ignore[call-arg]
    states = ingestion.wait_for_versions(ctx, [outcome.version_id], timeout=60)
    assert states == {outcome.version_id: "indexed"}
    return outcome


def _found(report: IntegrityReport) -> dict[str, int]:
    return dict(report.found)


def _titles(ctx: Context, who: Principal, query: str) -> list[str]:
    return [hit.title for hit in search_service.search(ctx, who, query).hits]


def test_check_finds_and_repairs_what_went_wrong(tier_ctx: Context) -> None:
    ctx = tier_ctx
    accounts.create_user(ctx, "rep@example.com", "editor", teams=["sales"])
    rep = accounts.principal_for(ctx, "rep@example.com")
    harbour = _upload(ctx, rep, "Harbour crane maintenance contract", "harbour.txt")
    turbine = _upload(ctx, rep, "Wind turbine gearbox warranty terms", "turbine.txt")
    lost = _upload(ctx, rep, "Glacier survey price list for 2031", "glacier.txt")

    clean = integrity.check(ctx, OPERATOR, grace=NOW)
    assert clean.state == "done" and clean.remaining == 0
    assert dict(clean.checked) == {"versions": 3, "files read": 3, "stored files": 3,
                                   "index entries": 3}

    # What goes wrong: a file with no version (a crash between storing and saving), an
    # entry the index lost, a title changed behind the outbox's back, an entry of a version
    # that no longer exists, and a version whose file is gone.
    orphan = ctx.blobs.put(io.BytesIO(b"bytes of an upload that never finished"))
    ctx.index.delete_versions([harbour.version_id])
    with ctx.uow() as uow:
        uow.session.execute(update(Document).where(Document.id == turbine.document_id)
                            .values(title="Gearbox warranty 2032"))
        uow.commit()
    with ctx.uow() as uow:
        ghost = replace(entries_between(uow.session, lost.version_id, lost.version_id + 1)[0],
                        version_id=lost.version_id + 500, title="ghost of a deleted version")
    ctx.index.index([ghost])
    with ctx.uow() as uow:
        lost_key = documents_key(uow, lost.version_id)
    ctx.blobs.delete(lost_key)

    found = integrity.check(ctx, OPERATOR, grace=NOW)
    assert _found(found) == {"missing_file": 1, "orphan_file": 1, "missing_entry": 1,
                             "outdated_entry": 1, "stale_entry": 1}
    assert found.repaired == 0 and found.remaining == 5
    subjects = {(problem.kind, problem.subject) for problem in found.problems}
    assert ("orphan_file", orphan.key) in subjects and ("missing_file", lost_key) in subjects
    assert _titles(ctx, rep, "harbour crane") == []  # the lost entry: nobody finds it

    repaired = integrity.check(ctx, OPERATOR, repair=True, grace=NOW)
    assert repaired.repaired == 4 and repaired.remaining == 1  # a lost file stays lost
    assert not ctx.blobs.exists(orphan.key)
    assert _titles(ctx, rep, "harbour crane") == ["harbour"]
    assert _titles(ctx, rep, "gearbox 2032") == ["Gearbox warranty 2032"]
    assert _titles(ctx, rep, "ghost deleted") == []

    after = integrity.check(ctx, OPERATOR, grace=NOW)
    assert _found(after) == {"missing_file": 1}
    assert integrity.last_check(ctx, OPERATOR) == after


def documents_key(uow: object, version_id: int) -> str:
    from docservice.db.models import Version

    version = uow.session.get(Version, version_id)  # type: ignore[attr-defined]
    assert version is not None
    return str(version.blob_key)


def test_a_check_stopped_halfway_continues_where_it_stopped(
        ctx: Context, monkeypatch: pytest.MonkeyPatch) -> None:
    accounts.create_user(ctx, "rep@example.com", "editor", teams=["sales"])
    rep = accounts.principal_for(ctx, "rep@example.com")
    for number in range(4):
        _upload(ctx, rep, f"Quarterly price list number {number}", f"prices-{number}.txt")
    monkeypatch.setattr(integrity, "VERSION_BATCH", 1)
    lines: list[str] = []

    def interrupted(line: str) -> None:
        lines.append(line)
        if len(lines) == 2:
            raise KeyboardInterrupt  # Ctrl-C after two versions

    with pytest.raises(KeyboardInterrupt):
        integrity.check(ctx, OPERATOR, grace=NOW, progress=interrupted)
    halfway = integrity.last_check(ctx, OPERATOR)
    assert halfway is not None and halfway.state == "running" and halfway.phase == "files"
    assert dict(halfway.checked)["versions"] == 2

    resumed: list[str] = []
    done = integrity.check(ctx, OPERATOR, grace=NOW, progress=resumed.append)
    assert resumed[0].startswith("continuing the check")
    assert done.run_id == halfway.run_id and done.state == "done"
    assert dict(done.checked)["versions"] == 4  # each version counted once
    assert done.remaining == 0


def test_the_command_exits_non_zero_while_problems_remain(ctx: Context, tmp_path: object,
                                                          monkeypatch: pytest.MonkeyPatch
                                                          ) -> None:
    from docservice.cli import main as cli

    accounts.create_user(ctx, "rep@example.com", "editor", teams=["sales"])
    rep = accounts.principal_for(ctx, "rep@example.com")
    doc = _upload(ctx, rep, "Harbour crane maintenance contract", "harbour.txt")
    orphan = ctx.blobs.put(io.BytesIO(b"left behind by a crash"))
    monkeypatch.setenv("DOCSERVICE_DATA_DIR", str(ctx.settings.data_dir))
    runner = CliRunner()
    first = runner.invoke(cli, ["check", "--grace", "0"])
    assert first.exit_code == 1, first.output
    assert f"orphan_file: {orphan.key}" in first.output
    assert "1 remaining" in first.output
    second = runner.invoke(cli, ["check", "--grace", "0", "--repair"])
    assert second.exit_code == 0, second.output
    assert "1 repaired, 0 remaining" in second.output
    assert runner.invoke(cli, ["check", "--grace", "0"]).exit_code == 0
    assert doc.version_id


def test_only_admins_check(ctx: Context) -> None:
    accounts.create_user(ctx, "rep@example.com", "editor", teams=["sales"])
    rep = accounts.principal_for(ctx, "rep@example.com")
    with pytest.raises(PermissionDenied):
        integrity.check(ctx, rep)
    with pytest.raises(PermissionDenied):
        integrity.last_check(ctx, rep)
