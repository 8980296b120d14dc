"""Export: a zip of the documents a person may read (all, a customer's, or a search's), with
metadata.json and documents.csv, from the admin page or ``docservice export``; audited."""

from __future__ import annotations

import csv
import io
import json
import zipfile

from click.testing import CliRunner

from docservice.cli import main as cli
from tests.web.conftest import Browser, Web, text_of


def _zip(response_data: bytes) -> zipfile.ZipFile:
    return zipfile.ZipFile(io.BytesIO(response_data))


def _documents(web: Web, alice: Browser) -> dict[str, dict[str, object]]:
    made = {
        "acme price": alice.upload("acme-price.txt", b"acme price list 2024 routers",
                                   customer="Acme", tags="pricing", visibility="org"),
        "acme contract": alice.upload("合同 acme.txt", "签署 contract with acme".encode(),
                                      customer="Acme", visibility="private"),
        "globex spec": alice.upload("globex-spec.txt", b"globex router spec sheet",
                                    customer="Globex", visibility="team"),
    }
    web.settle(*(int(str(outcome["version_id"])) for outcome in made.values()))
    return made


def test_admin_page_offers_an_export_in_both_languages(web: Web, admin: Browser) -> None:
    page = text_of(admin.get("/admin/users"))
    assert "Download zip" in page and 'action="/export.zip"' in page
    page = text_of(admin.get("/admin/users", headers={"Accept-Language": "zh-CN"}))
    assert "下载 zip" in page


def test_export_of_a_customer_holds_its_files_metadata_and_csv(web: Web, alice: Browser,
                                                                admin: Browser) -> None:
    made = _documents(web, alice)
    response = admin.get("/export.zip?customer=acme")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/zip"
    assert response.headers["Cache-Control"] == "no-store"
    archive = _zip(response.data)
    about = json.loads(archive.read("metadata.json"))
    assert about["selection"] == "customer acme" and about["exported_by"] == "admin@example.com"
    titles = sorted(entry["title"] for entry in about["documents"])
    assert titles == ["acme-price", "合同 acme"]
    for entry in about["documents"]:
        original = made["acme price" if entry["title"] == "acme-price" else "acme contract"]
        assert entry["document_id"] == original["document_id"]
        assert entry["customer"] == "Acme" and entry["owner"] == "alice@example.com"
    price = next(entry for entry in about["documents"] if entry["title"] == "acme-price")
    assert archive.read(price["file"]) == b"acme price list 2024 routers"
    assert price["tags"] == ["pricing"] and price["size"] == 28
    rows = list(csv.DictReader(io.StringIO(archive.read("documents.csv").decode("utf-8-sig"))))
    assert sorted(row["title"] for row in rows) == titles
    assert {row["file"] for row in rows} == {entry["file"] for entry in about["documents"]}
    assert any(row["filename"] == "合同 acme.txt" for row in rows)


def test_export_holds_only_what_the_person_may_read_and_is_audited(
        web: Web, alice: Browser, carol: Browser, admin: Browser) -> None:
    _documents(web, alice)
    every = json.loads(_zip(carol.get("/export.zip?all=1").data).read("metadata.json"))
    assert [entry["title"] for entry in every["documents"]] == ["acme-price"]  # org only
    found = json.loads(_zip(alice.get("/export.zip?q=router").data).read("metadata.json"))
    assert sorted(entry["title"] for entry in found["documents"]) == ["acme-price",
                                                                       "globex-spec"]
    audit = text_of(admin.get("/audit?action=export"))
    assert audit.count("carol@example.com") == 1 and audit.count("alice@example.com") >= 2


def test_a_bad_export_request_says_what_to_choose(web: Web, admin: Browser) -> None:
    for query in ("", "?customer=acme&all=1", "?q=+"):
        response = admin.get(f"/export.zip{query}")
        assert response.status_code == 400
    assert "choose one of" in text_of(admin.get("/export.zip"))
    assert web.browser().get("/export.zip?all=1").status_code in (302, 401)


def test_command_line_export_as_a_user(web: Web, alice: Browser, tmp_path: object) -> None:
    _documents(web, alice)
    from pathlib import Path

    target = Path(str(tmp_path)) / "out.zip"
    env = {"DOCSERVICE_DATA_DIR": str(web.ctx.settings.data_dir)}
    result = CliRunner().invoke(cli, ["export", "--all", "--as", "carol@example.com",
                                      str(target)], env=env)
    assert result.exit_code == 0, result.output
    assert "exported 1 document(s)" in result.output
    assert sorted(_zip(target.read_bytes()).namelist()) == [
        "documents.csv", "files/1/acme-price.txt", "metadata.json"]
    refused = CliRunner().invoke(cli, ["export", "--all", "--query", "x", str(target)], env=env)
    assert refused.exit_code == 1 and "choose one of" in refused.output
