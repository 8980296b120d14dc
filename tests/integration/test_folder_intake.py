"""Watched folders on the embedded tier: files dropped in become documents once complete,
placed by their subfolders, and land in done/ or failed/ with a reason."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from docservice.bootstrap import bootstrap, start_workers
from docservice.domain import OPERATOR, Principal
from docservice.services import accounts, documents, folder_intake, mail_intake, scheduler
from docservice.services import search as search_service
from docservice.services.context import Context
from tests.conftest import embedded_settings
from tests.factories import pdf_bytes


@pytest.fixture
def inbox(tmp_path: Path) -> Path:
    folder = tmp_path / "intake"
    folder.mkdir()
    return folder


@pytest.fixture
def ctx(tmp_path: Path, inbox: Path) -> Iterator[Context]:
    context = bootstrap(embedded_settings(tmp_path / "data", scheduler_interval_s=0,
                                          intake_dirs=(inbox,),
                                          intake_owner="bob@example.com"))
    start_workers(context)
    accounts.create_user(context, "bob@example.com", "editor", teams=["sales"])
    yield context
    context.close()


@pytest.fixture
def bob(ctx: Context) -> Principal:
    return accounts.principal_for(ctx, "bob@example.com")


def found(ctx: Context, principal: Principal, query: str) -> list[str]:
    return [hit.title for hit in search_service.search(ctx, principal, query).hits]


def test_a_file_still_being_written_waits_until_it_is_complete(
        ctx: Context, bob: Principal, inbox: Path) -> None:
    content = pdf_bytes(["Framework agreement with Initech", "signed by both parties zebrafish"])
    target = inbox / "agreement.pdf"
    with target.open("wb") as writer:
        writer.write(content[: len(content) // 2])
        writer.flush()
        assert folder_intake.poll_folder(ctx, bob, inbox) == {"waiting": 1}
        # Same size at the next poll, but still open for writing: not taken.
        assert folder_intake.poll_folder(ctx, bob, inbox) == {"waiting": 1}
        writer.write(content[len(content) // 2:])
    assert target.exists()
    assert folder_intake.poll_folder(ctx, bob, inbox) == {"waiting": 1}  # it grew
    assert folder_intake.poll_folder(ctx, bob, inbox) == {"imported": 1}
    assert not target.exists() and (inbox / "done" / "agreement.pdf").read_bytes() == content
    (title,) = found(ctx, bob, "zebrafish")  # the whole file was read
    assert title.startswith("agreement")


def test_a_bad_file_goes_to_failed_with_its_reason(
        ctx: Context, bob: Principal, inbox: Path) -> None:
    (inbox / "scan.pdf").write_bytes(b"%PDF-1.7\n\x00 truncated")
    folder_intake.poll_folder(ctx, bob, inbox)
    assert folder_intake.poll_folder(ctx, bob, inbox) == {"failed": 1}
    reason = (inbox / "failed" / "scan.pdf.reason").read_text(encoding="utf-8")
    assert "scan.pdf: the file is damaged or incomplete" in reason
    assert [(Path(f.path).name, f.reason) for f in folder_intake.failures(inbox)] == \
        [("scan.pdf", reason.strip())]
    assert not (inbox / "scan.pdf").exists()


def test_subfolders_set_category_subtype_and_customer(
        ctx: Context, bob: Principal, inbox: Path) -> None:
    drops = {"contracts/signed/Acme/Acme MSA.pdf": "Master services agreement quokka",
             "合同/Globex/Globex 合同.pdf": "Supply contract Globex pangolin",
             "Initech/notes.pdf": "Meeting notes with Initech axolotl"}
    for name, text in drops.items():
        (inbox / name).parent.mkdir(parents=True, exist_ok=True)
        (inbox / name).write_bytes(pdf_bytes([text]))
    assert scheduler.run_task(ctx, OPERATOR, "intake.folders").summary == \
        f"{inbox}: 3 waiting"
    assert scheduler.run_task(ctx, OPERATOR, "intake.folders").summary == \
        f"{inbox}: 3 imported"
    placed = {}
    for name in drops:
        (hit,) = search_service.search(ctx, bob, drops[name].split()[-1]).hits
        document = documents.get_document(ctx, bob, hit.document_id)
        placed[name] = (document.category, document.subtype, document.customer, document.owner)
    assert placed == {
        "contracts/signed/Acme/Acme MSA.pdf": ("contract", "signed", "Acme", "bob@example.com"),
        "合同/Globex/Globex 合同.pdf": ("contract", None, "Globex", "bob@example.com"),
        "Initech/notes.pdf": (placed["Initech/notes.pdf"][0], None, "Initech",
                              "bob@example.com")}
    assert sorted(str(p.relative_to(inbox / "done")) for p in (inbox / "done").rglob("*.pdf")) \
        == sorted(drops)
    assert mail_intake.recent_messages(ctx, OPERATOR) == []
