"""Upload, the document page, versions, downloads, text preview and metadata edits."""

from __future__ import annotations

import io
from urllib.parse import quote

import pytest

from docservice.services import accounts
from docservice.services.context import Context
from docservice.web import create_app
from tests.factories import write_docx
from tests.web.conftest import PASSWORD, Browser, Web, text_of


def test_upload_reports_the_new_document_and_its_ingestion_state(web: Web, alice: Browser,
                                                                 ) -> None:
    outcome = alice.upload("spec.txt", b"AX-200 throughput 1 Gbit/s", category="product",
                           subtype="spec", product="AX-200", tags="2024, emea")
    assert outcome["state"] == "queued" or outcome["state"] in ("extracting", "indexed")
    web.settle(outcome["version_id"])
    states = alice.get(f"/api/v1/ingestion?version_ids={outcome['version_id']},999").get_json()
    assert states["versions"] == [{"version_id": outcome["version_id"],
                                   "document_id": outcome["document_id"], "filename": "spec.txt",
                                   "state": "indexed", "reason": None, "progress": None,
                                   "pages": 1, "category": "product", "subtype": "spec",
                                   "category_suggested": False}]


def test_identical_bytes_say_which_document_they_duplicate(web: Web, alice: Browser) -> None:
    first = alice.upload("a.txt", b"same bytes")
    response = alice.api("POST", "/api/v1/documents",
                         data={"file": (io.BytesIO(b"same bytes"), "b.txt")})
    assert response.status_code == 200
    body = response.get_json()
    assert body["duplicate"] and body["document_id"] == first["document_id"]
    assert f"document {first['document_id']}" in body["message"]


def test_a_failed_extraction_shows_its_reason(web: Web, alice: Browser) -> None:
    outcome = alice.upload("broken.pdf", b"%PDF-1.7\n this is not really a pdf")
    web.settle(outcome["version_id"])
    page = text_of(alice.get(f"/d/{outcome['document_id']}"))
    assert "state-failed" in page and "Text extraction failed" in page


def test_viewers_cannot_upload(bob: Browser) -> None:
    response = bob.api("POST", "/api/v1/documents", data={"file": (io.BytesIO(b"x"), "x.txt")})
    assert response.status_code == 403
    assert "viewers cannot upload" in response.get_json()["error"]["message"]
    assert "ask an admin for editor rights" in text_of(bob.get("/upload"))


def test_upload_errors_are_clear(alice: Browser) -> None:
    missing = alice.api("POST", "/api/v1/documents", data={"category": "product"})
    assert missing.status_code == 400 and "multipart/form-data" in missing.get_json()[
        "error"]["message"]
    bad = alice.api("POST", "/api/v1/documents", data={
        "file": (io.BytesIO(b"x"), "x.txt"), "category": "poetry"})
    assert bad.status_code == 400 and "unknown category" in bad.get_json()["error"]["message"]
    nobody = alice.api("POST", "/api/v1/documents", data={
        "file": (io.BytesIO(b"y"), "y.txt"), "visibility": "custom",
        "grants": "ghost@example.com:read"})
    assert nobody.status_code == 422 and "ghost@example.com" in nobody.get_json()["error"][
        "message"]


def test_files_over_the_limit_get_a_clear_413(ctx: Context) -> None:
    ctx.settings = ctx.settings.with_overrides(max_upload_mb=1)
    accounts.create_user(ctx, "eve@example.com", "editor", password=PASSWORD)
    browser = Browser(create_app(ctx, {"TESTING": True}).test_client())
    browser.login("eve@example.com")
    big = io.BytesIO(b"0" * (3 * 1024 * 1024))
    response = browser.api("POST", "/api/v1/documents", data={"file": (big, "big.txt")})
    assert response.status_code == 413
    message = "the file is larger than the upload limit of 1 MB"
    assert response.get_json()["error"] == {
        "code": "too_large", "message": message, "localized_message": message}
    again = io.BytesIO(b"0" * (3 * 1024 * 1024))
    chinese = browser.api("POST", "/api/v1/documents", data={"file": (again, "big.txt")},
                          headers={"Accept-Language": "zh-CN"})
    assert chinese.get_json()["error"]["localized_message"] == "文件超过了 1 MB 的上传上限"


def test_the_upload_page_offers_drag_and_drop_and_the_metadata_fields(alice: Browser) -> None:
    page = text_of(alice.get("/upload"))
    for needle in ('id="dropzone"', 'name="category"', 'name="subtype"', 'name="tags"',
                   'name="product"', 'name="customer"', 'name="visibility"', "upload.js",
                   'data-limit-mb="2048"'):
        assert needle in page


def test_document_page_shows_metadata_versions_and_highlighted_text(
        web: Web, alice: Browser) -> None:
    first = alice.upload("ax200-spec.txt", b"AX-200 specification\nThroughput 1 Gbit/s",
                         category="product", subtype="spec", product="AX-200",
                         customer="Acme Corp", tags="router")
    web.settle(first["version_id"])
    doc_id = first["document_id"]
    response = alice.post(f"/d/{doc_id}/versions", {
        "file": (io.BytesIO(b"AX-200 specification\nThroughput 5 Gbit/s"), "ax200-spec.txt"),
        "note": "faster radio"}, content_type="multipart/form-data")
    assert response.status_code == 302
    second = alice.get(f"/api/v1/documents/{doc_id}/latest").get_json()
    web.settle(second["version_id"])
    page = text_of(alice.get(f"/d/{doc_id}?q=throughput"))
    for needle in ("ax200-spec", "AX-200", "Acme Corp", "#router", "alice@example.com",
                   "faster radio", "v2", "v1", "state-indexed", "<mark>Throughput</mark> 5",
                   f"/d/{doc_id}/latest"):
        assert needle in page, needle
    older = text_of(alice.get(f"/d/{doc_id}?v={first['version_id']}"))
    assert "Throughput 1 Gbit/s" in older
    assert alice.get(f"/d/{doc_id}?v=99999").status_code == 404
    jump = alice.get(f"/v/{first['version_id']}/text?q=radio")
    assert jump.status_code == 302 and f"v={first['version_id']}" in jump.location


def test_a_duplicate_new_version_is_refused_with_a_message(web: Web, alice: Browser) -> None:
    first = alice.upload("x.txt", b"one")
    response = alice.post(f"/d/{first['document_id']}/versions", {
        "file": (io.BytesIO(b"one"), "x.txt")}, content_type="multipart/form-data",
        follow_redirects=True)
    assert "identical to the latest version" in text_of(response)


def test_latest_link_always_serves_the_newest_version(web: Web, alice: Browser) -> None:
    first = alice.upload("price.txt", b"version one")
    doc_id = first["document_id"]
    assert alice.get(f"/d/{doc_id}/latest").data == b"version one"
    alice.api("POST", f"/api/v1/documents/{doc_id}/versions",
              data={"file": (io.BytesIO(b"version two"), "price.txt"), "note": "2025"})
    assert alice.get(f"/d/{doc_id}/latest").data == b"version two"
    assert alice.get(f"/v/{first['version_id']}/download").data == b"version one"


def test_downloads_keep_chinese_file_names(web: Web, alice: Browser, tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = write_docx(tmp_path / "2024年产品价格表.docx", ["2024年产品价格表"])
    outcome = alice.upload(path.name, path.read_bytes())
    response = alice.get(f"/v/{outcome['version_id']}/download")
    assert response.data == path.read_bytes()
    assert quote("2024年产品价格表.docx") in response.headers["Content-Disposition"]
    assert response.headers["Content-Length"] == str(path.stat().st_size)


@pytest.mark.parametrize("who", ["bob", "carol"])
def test_people_who_may_not_write_cannot_edit(web: Web, alice: Browser, who: str) -> None:
    outcome = alice.upload("team.txt", b"team doc", visibility="org")
    other = web.signed_in(f"{who}@example.com")
    response = other.post(f"/d/{outcome['document_id']}/edit", {"title": "hijacked"},
                          follow_redirects=True)
    assert "may read this document but not change it" in text_of(response)
    assert 'name="title"' not in text_of(other.get(f"/d/{outcome['document_id']}"))


def test_the_owner_edits_metadata_and_permissions_and_search_follows(
        web: Web, alice: Browser, carol: Browser) -> None:
    outcome = alice.upload("plan.txt", b"campaign plan for the autumn fair")
    web.settle(outcome["version_id"])
    doc_id = outcome["document_id"]
    assert carol.get(f"/d/{doc_id}").status_code == 404
    assert "campaign plan" not in text_of(carol.get("/?q=autumn"))
    response = alice.post(f"/d/{doc_id}/edit", {
        "title": "Autumn fair plan", "category": "campaign", "subtype": "plan",
        "tags": "fair, 2025", "product": "", "customer": "", "status": "active",
        "visibility": "custom", "team_id": "", "grants": "carol@example.com:read"},
        follow_redirects=True)
    assert "Saved." in text_of(response)
    assert "<mark>Autumn</mark> fair plan" in text_of(carol.get("/?q=autumn"))
    assert carol.get(f"/d/{doc_id}").status_code == 200
    kinds = [e["action"] for e in alice.get(f"/api/v1/audit?document_id={doc_id}").get_json()]
    assert "metadata" in kinds and "permissions" in kinds


def test_a_document_shared_with_named_people_can_be_edited_again(web: Web,
                                                                alice: Browser) -> None:
    doc_id = alice.upload("deal.txt", b"deal memo", visibility="custom",
                          grants="carol@example.com:read, marketing:write")["document_id"]
    edited = alice.api("PATCH", f"/api/v1/documents/{doc_id}", json={"product": "AX-200"})
    assert edited.status_code == 200, edited.get_data(as_text=True)
    assert edited.get_json()["product"] == "AX-200"
    assert {(g["who"], g["permission"]) for g in edited.get_json()["grants"]} == {
        ("carol@example.com", "read"), ("marketing", "write")}
    regranted = alice.api("PATCH", f"/api/v1/documents/{doc_id}", json={
        "acl": [["carol@example.com", "write"], ["marketing", "write"]]})
    assert {(g["who"], g["permission"]) for g in regranted.get_json()["grants"]} == {
        ("carol@example.com", "write"), ("marketing", "write")}


def test_team_editors_edit_metadata_but_not_permissions(web: Web, alice: Browser) -> None:
    accounts.create_user(web.ctx, "dave@example.com", "editor", teams=["sales"],
                         password=PASSWORD)
    dave = web.signed_in("dave@example.com")
    doc_id = alice.upload("t.txt", b"team text")["document_id"]
    ok = dave.api("PATCH", f"/api/v1/documents/{doc_id}", json={"tags": ["q3"]})
    assert ok.status_code == 200 and ok.get_json()["tags"] == ["q3"]
    denied = dave.api("PATCH", f"/api/v1/documents/{doc_id}", json={"visibility": "org"})
    assert denied.status_code == 403
    assert "only the owner or an admin" in denied.get_json()["error"]["message"]


def test_metadata_errors_are_reported(web: Web, alice: Browser) -> None:
    doc_id = alice.upload("m.txt", b"meta")["document_id"]
    wrong = alice.post(f"/d/{doc_id}/edit", {"title": "x", "category": "product",
                                             "subtype": "signed", "visibility": "team"},
                       follow_redirects=True)
    assert "does not belong to product" in text_of(wrong)
    unknown = alice.api("PATCH", f"/api/v1/documents/{doc_id}", json={"owner": "me"})
    assert unknown.status_code == 400 and "cannot change owner" in unknown.get_json()[
        "error"]["message"]
    not_json = alice.api("PATCH", f"/api/v1/documents/{doc_id}", data="title=x")
    assert not_json.status_code == 400


def test_new_version_errors_and_missing_pages_are_explained(web: Web, alice: Browser,
                                                            bob: Browser) -> None:
    doc_id = alice.upload("v.txt", b"v", visibility="team")["document_id"]
    denied = bob.post(f"/d/{doc_id}/versions", {"file": (io.BytesIO(b"w"), "v.txt")},
                      content_type="multipart/form-data")
    assert denied.status_code == 403 and "viewers cannot upload" in text_of(denied)
    empty = alice.post(f"/d/{doc_id}/versions", {"note": "no file"},
                       content_type="multipart/form-data")
    assert empty.status_code == 400 and "multipart/form-data" in text_of(empty)
    missing = alice.get("/d/424242")
    assert missing.status_code == 404 and "document 424242 not found" in text_of(missing)
    assert "Not found" in text_of(missing) and "<html" in text_of(missing)
    assert alice.get(f"/d/{2**70}").status_code == 404
    assert alice.get("/v/424242/download").status_code == 404


def test_the_pages_scripts_and_styles_are_served(alice: Browser) -> None:
    for asset in ("app.css", "app.js", "upload.js", "states.js"):
        assert alice.get(f"/static/{asset}").status_code == 200
