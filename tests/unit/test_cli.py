"""The docservice command, as an operator would use it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from docservice.bootstrap import bootstrap
from docservice.cli import main
from docservice.config import load_settings
from docservice.services import accounts
from tests.factories import price_list_rows, write_docx, write_pdf, write_xlsx


@pytest.fixture
def run(tmp_path: Path):  # type: ignore[no-untyped-def]
    env = {"DOCSERVICE_DATA_DIR": str(tmp_path / "data")}

    def invoke(*args: str, stdin: str | None = None) -> Result:
        return CliRunner(env=env).invoke(main, list(args), input=stdin, catch_exceptions=False)

    return invoke


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    root = tmp_path / "import"
    (root / "sub").mkdir(parents=True)
    write_xlsx(root / "price-list-2024.xlsx", "2024", price_list_rows(2024))
    write_docx(root / "sub" / "gateway-manual.docx", ["GW-10 edge gateway manual"])
    (root / "sub" / "random.bin").write_bytes(bytes(range(256)) * 8)
    (root / ".hidden.txt").write_text("not imported")
    return root


def test_import_prints_a_json_summary(run, folder: Path) -> None:  # type: ignore[no-untyped-def]
    result = run("import", str(folder), "--category", "product", "--tag", "2024", "--json")
    assert result.exit_code == 0, result.output
    summary = json.loads(result.output)
    assert summary["indexed"] == 2 and summary["duplicates"] == 0
    assert [Path(row["file"]).name for row in summary["failed"]] == ["random.bin"]
    assert summary["failed"][0]["reason"].startswith("unsupported file type")
    assert {row["state"] for row in summary["documents"]} == {"indexed", "failed"}
    assert {"file", "document_id", "version_id", "state"} <= set(summary["documents"][0])
    again = json.loads(run("import", str(folder), "--json").output)
    assert again["duplicates"] == 3 and again["indexed"] == 0


def test_search_json_has_hits_snippets_and_facets(run, folder: Path) -> None:  # type: ignore[no-untyped-def]
    run("import", str(folder), "--category", "product")
    result = json.loads(run("search", "gateway manual", "--json").output)
    assert result["total"] >= 1
    hit = result["hits"][0]
    assert hit["filename"] == "gateway-manual.docx" and hit["is_latest"] is True
    assert {"document_id", "version_id", "version", "title", "category", "score", "snippet",
            "page"} <= set(hit)
    assert "<mark>" in hit["snippet"]
    assert result["facets"]["category"]["product"] >= 1


def test_versions_and_latest_with_download(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    spec = write_pdf(tmp_path / "spec.pdf", ["AX-200 spec version 1"])
    doc = json.loads(run("import", str(spec), "--product", "AX-200", "--category", "product",
                         "--subtype", "spec", "--json").output)["documents"][0]["document_id"]
    for number in (2, 3):
        write_pdf(spec, [f"AX-200 spec version {number}"])
        added = json.loads(run("add-version", str(doc), str(spec), "--note", f"v{number}",
                               "--json").output)
        assert added["version"] == number and added["state"] == "indexed"
    latest = json.loads(run("latest", str(doc), "--json").output)
    assert latest["version"] == 3 and latest["filename"] == "spec.pdf"
    by_product = json.loads(run("latest", "--product", "ax-200", "--category", "product",
                                "--json", "--download", str(tmp_path / "out.pdf")).output)
    assert by_product["version_id"] == latest["version_id"]
    assert b"version 3" in _pdf_text(tmp_path / "out.pdf")
    listed = json.loads(run("versions", str(doc), "--json").output)
    assert [row["version"] for row in listed] == [3, 2, 1]
    status = json.loads(run("status", "--json").output)
    assert status["states"]["indexed"] == 3


def _pdf_text(path: Path) -> bytes:
    import pypdfium2

    pdf = pypdfium2.PdfDocument(str(path))
    return pdf[0].get_textpage().get_text_range().encode()


def test_acting_as_a_viewer_is_refused_an_import(run, folder: Path) -> None:  # type: ignore[no-untyped-def]
    assert run("create-user", "vic@example.com", "--role", "viewer", "--team", "sales",
               "--password-stdin", stdin="long-enough-pw\n").exit_code == 0
    result = run("import", str(folder), "--as", "vic@example.com", "--json")
    summary = json.loads(result.output)
    assert summary["indexed"] == 0
    assert all("viewers cannot upload" in row["reason"] for row in summary["failed"])


def test_errors_are_one_clear_line(run) -> None:  # type: ignore[no-untyped-def]
    result = run("show", "999")
    assert result.exit_code == 1
    assert "document 999 not found" in result.output
    as_json = run("show", "999", "--json")
    assert json.loads(as_json.output)["error"]["code"] == "not_found"
    bad = CliRunner(env={"DOCSERVICE_WORKERS": "many"}).invoke(main, ["status"])
    assert bad.exit_code == 1 and "DOCSERVICE_WORKERS" in bad.output


@pytest.mark.slow  # starts several docservice processes
def test_two_processes_import_into_one_data_dir_at_once(tmp_path: Path) -> None:
    """The index has one writer at a time; two CLI processes must both get through."""
    env = {**os.environ, "DOCSERVICE_DATA_DIR": str(tmp_path / "data")}
    folders = []
    for side in ("left", "right"):
        folder = tmp_path / side
        folder.mkdir()
        for number in range(8):
            (folder / f"{side}-{number}.txt").write_text(f"{side} report number {number}")
        folders.append(folder)
    subprocess.run([sys.executable, "-m", "docservice.cli", "init"], env=env, check=True)
    procs = [subprocess.Popen([sys.executable, "-m", "docservice.cli", "import", str(folder),
                               "--json"], env=env, stdout=subprocess.PIPE, text=True)
             for folder in folders]
    outputs = [json.loads(proc.communicate(timeout=300)[0]) for proc in procs]
    assert [out["indexed"] for out in outputs] == [8, 8]
    found = subprocess.run([sys.executable, "-m", "docservice.cli", "search", "report",
                            "--limit", "50", "--json"], env=env, check=True,
                           capture_output=True, text=True)
    assert json.loads(found.stdout)["total"] == 16


def test_delete_moves_to_the_trash_and_purge_asks_first(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    sheet = tmp_path / "old-prices.txt"
    sheet.write_text("discontinued price list zqgone")
    doc = json.loads(run("import", str(sheet), "--json").output)["documents"][0]["document_id"]
    trashed = json.loads(run("delete", str(doc), "--json").output)
    assert trashed["trashed"] is True and trashed["title"] == "old-prices"
    assert json.loads(run("search", "zqgone", "--json").output)["total"] == 0
    assert "not found" in run("show", str(doc)).output
    assert run("restore-document", str(doc)).exit_code == 0
    assert json.loads(run("search", "zqgone", "--json").output)["total"] == 1
    refused = run("delete", str(doc), "--purge", stdin="n\n")
    assert refused.exit_code == 1 and "delete 'old-prices'" in refused.output
    assert json.loads(run("search", "zqgone", "--json").output)["total"] == 1
    deleted = json.loads(run("delete", str(doc), "--purge", "--yes", "--json").output)
    assert deleted == {"document_id": doc, "title": "old-prices", "versions": 1, "deleted": True}
    assert json.loads(run("search", "zqgone", "--json").output)["total"] == 0
    assert "not found" in run("restore-document", str(doc)).output


def test_set_password_asks_twice_and_the_new_one_signs_in(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    run("create-user", "dan@example.com", "--role", "editor", "--password-stdin",
        stdin="first-password\n")
    mismatch = run("set-password", "dan@example.com", stdin="second-password\nother-one\n"
                   "second-password\nsecond-password\n")
    assert mismatch.exit_code == 0 and "do not match" in mismatch.output.lower()
    assert "password of dan@example.com set" in mismatch.output
    short = run("set-password", "dan@example.com", "--password-stdin", stdin="short\n")
    assert short.exit_code == 1 and "passwords need at least 8 characters" in short.output
    assert run("set-password", "nobody@example.com", "--password-stdin",
               stdin="long-enough-pw\n").exit_code == 1
    ctx = bootstrap(load_settings(environ={"DOCSERVICE_DATA_DIR": str(tmp_path / "data")}))
    try:
        assert accounts.authenticate(ctx, "dan@example.com", "second-password").email == \
            "dan@example.com"
    finally:
        ctx.close()


def test_an_import_without_a_category_files_each_file_as_the_upload_page_would(
        run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    root = tmp_path / "onboarding"
    root.mkdir()
    write_xlsx(root / "price-list-2024.xlsx", "2024", price_list_rows(2024))
    (root / "scan0001.txt").write_text("销售合同\n甲方（盖章）： 乙方签字：\n"
                                       "本合同自双方签字盖章之日起生效。", encoding="utf-8")
    (root / "notes.txt").write_text("met the buyer on Tuesday", encoding="utf-8")
    rows = json.loads(run("import", str(root), "--json").output)["documents"]

    def filed(name: str) -> tuple[str, str | None, bool]:
        doc_id = next(row["document_id"] for row in rows if Path(row["file"]).name == name)
        shown = json.loads(run("show", str(doc_id), "--json").output)
        return shown["category"], shown["subtype"], shown["category_suggested"]

    assert filed("price-list-2024.xlsx") == ("product", "price_list", True)
    assert filed("scan0001.txt") == ("contract", "signed", True)  # from the text
    assert filed("notes.txt") == ("other", None, True)
    found = json.loads(run("search", "2024 subtype:price_list", "--json").output)["hits"]
    assert [hit["filename"] for hit in found] == ["price-list-2024.xlsx"]


def test_an_imports_chosen_category_wins_over_the_suggestion(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    sheet = write_xlsx(tmp_path / "price-list-2024.xlsx", "2024", price_list_rows(2024))
    doc = json.loads(run("import", str(sheet), "--category", "campaign", "--json")
                     .output)["documents"][0]["document_id"]
    shown = json.loads(run("show", str(doc), "--json").output)
    assert (shown["category"], shown["subtype"], shown["category_suggested"]) == (
        "campaign", None, False)
