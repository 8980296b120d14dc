"""Restoring an older version: it becomes the latest again as a new version with the same
file and text, found by search as the latest, audited with its note."""

from __future__ import annotations

import io

from click.testing import CliRunner

from docservice.cli import main
from tests.web.conftest import Browser, Web, text_of

V1, V2 = b"AX-200 spec sheet zqspecone 12 kg", b"AX-200 spec sheet zqspectwo 15 kg"


def _spec(web: Web, alice: Browser) -> dict[str, int]:
    first = alice.upload("ax200-spec.txt", V1, category="product", subtype="spec")
    second = alice.api("POST", f"/api/v1/documents/{first['document_id']}/versions",
                       data={"file": (io.BytesIO(V2), "ax200-spec.txt"),
                             "note": "new weight"}).get_json()
    web.settle(first["version_id"], second["version_id"])
    return {"document_id": first["document_id"], "v1": first["version_id"],
            "v2": second["version_id"]}


def test_version_1_is_restored_as_latest_from_the_document_page(
        web: Web, alice: Browser, admin: Browser) -> None:
    ids = _spec(web, alice)
    doc = ids["document_id"]
    page = text_of(alice.get(f"/d/{doc}"))
    assert page.count("Restore v1 as latest") == 1 and "Restore v2 as latest" not in page
    done = alice.post(f"/d/{doc}/versions/{ids['v1']}/restore",
                      {"note": "v2 had the wrong weight"})
    assert done.status_code == 302
    assert "Restored as version 3, now the latest." in text_of(alice.get(f"/d/{doc}"))
    versions = alice.get(f"/api/v1/documents/{doc}/versions").get_json()
    assert [(v["version"], v["is_latest"]) for v in versions] == [(3, True), (2, False),
                                                                  (1, False)]
    assert versions[0]["note"] == "restored from v1: v2 had the wrong weight"
    assert versions[0]["state"] == "indexed" and versions[0]["filename"] == "ax200-spec.txt"
    assert alice.get(f"/d/{doc}/latest").data == V1
    assert "zqspecone" in alice.get(f"/api/v1/versions/{versions[0]['version_id']}/text"
                                    ).get_data(as_text=True)
    latest = alice.get("/api/v1/search?q=zqspecone").get_json()["hits"]
    assert [(hit["version"], hit["is_latest"]) for hit in latest] == [(3, True)]
    assert alice.get("/api/v1/search?q=zqspectwo").get_json()["total"] == 0  # older only
    events = admin.get(f"/api/v1/audit?action=restore_version&document_id={doc}").get_json()
    assert [(e["actor"], e["detail"]) for e in events] == [
        ("alice@example.com", "v1 -> v3: restored from v1: v2 had the wrong weight")]


def test_restoring_is_refused_clearly(web: Web, alice: Browser, bob: Browser,
                                      carol: Browser) -> None:
    ids = _spec(web, alice)
    doc = ids["document_id"]
    latest = alice.api("POST", f"/api/v1/documents/{doc}/versions/{ids['v2']}/restore", json={})
    assert latest.status_code == 422
    assert latest.get_json()["error"]["message"] == "version 2 is the latest already"
    assert bob.api("POST", f"/api/v1/documents/{doc}/versions/{ids['v1']}/restore",
                   json={}).status_code == 403  # a viewer
    assert carol.api("POST", f"/api/v1/documents/{doc}/versions/{ids['v1']}/restore",
                     json={}).status_code == 404  # another team: cannot read it
    other = alice.upload("other.txt", b"zqother body")
    assert alice.api("POST", f"/api/v1/documents/{other['document_id']}/versions/{ids['v1']}"
                     "/restore", json={}).status_code == 404
    bad = alice.api("POST", f"/api/v1/documents/{doc}/versions/{ids['v1']}/restore",
                    json={"note": 5})
    assert bad.status_code == 400 and "note" in bad.get_json()["error"]["fields"]
    assert len(alice.get(f"/api/v1/documents/{doc}/versions").get_json()) == 2


def test_the_api_and_the_command_line_restore_too(web: Web, alice: Browser) -> None:
    ids = _spec(web, alice)
    doc = ids["document_id"]
    made = alice.api("POST", f"/api/v1/documents/{doc}/versions/{ids['v1']}/restore",
                     json={"note": "back to 12 kg"})
    assert made.status_code == 201 and made.get_json()["version"] == 3
    runner = CliRunner(env={"DOCSERVICE_DATA_DIR": str(web.ctx.settings.data_dir)})
    result = runner.invoke(main, ["restore-version", str(doc), "2", "--note", "15 kg after all"],
                           catch_exceptions=False)
    assert result.exit_code == 0 and "v2 restored as v4 (latest)" in result.output
    assert alice.get(f"/d/{doc}/latest").data == V2
    missing = runner.invoke(main, ["restore-version", str(doc), "9"])
    assert missing.exit_code == 1 and "not found" in missing.output
