"""Wrong-typed or out-of-range input is a 400 that names the field, never a server error."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest
from werkzeug.test import TestResponse

from tests.web.conftest import Browser, Web, text_of


def _field_error(response: TestResponse, field: str) -> str:
    """The envelope's message for ``field``, after checking status and shape."""
    assert response.status_code == 400, text_of(response)
    error = response.get_json()["error"]
    assert error["code"] == "invalid_input"
    assert field in error["fields"], error
    assert error["localized_message"] in error["fields"].values()
    return str(error["fields"][field])


@pytest.fixture
def doc_id(alice: Browser) -> int:
    return int(alice.upload("checks.txt", b"input checks")["document_id"])


@pytest.mark.parametrize(("body", "field", "says"), [
    ({"title": 123}, "title", "title must be text"),
    ({"title": "   "}, "title", "a document needs a title"),
    ({"acl": {}}, "acl", "acl must be a list"),
    ({"tags": 5}, "tags", "tags must be a list"),
    ({"expires_on": 20240101}, "expires_on", "expires_on must be a date like 2025-12-31"),
    ({"expires_on": "2024-13-45"}, "expires_on", "expires_on must be a date"),
    ({"team_id": "5"}, "team_id", "team_id must be a whole number"),
    ({"team_id": 2**60}, "team_id", "team_id must be at most"),
    ({"visibility": "everyone"}, "visibility", "unknown visibility 'everyone'"),
    ({"acl": [["alice@example.com", "own"]]}, "acl", "unknown acl 'own'"),
    ({"owner": "me"}, "owner", "cannot change owner"),
])
def test_metadata_patch_of_the_wrong_type_names_the_field(alice: Browser, doc_id: int,
                                                          body: dict[str, Any], field: str,
                                                          says: str) -> None:
    response = alice.api("PATCH", f"/api/v1/documents/{doc_id}", json=body)
    assert says in _field_error(response, field)
    assert alice.get(f"/api/v1/documents/{doc_id}").get_json()["title"] == "checks"


def test_a_subtype_of_another_category_is_well_formed_but_unprocessable(alice: Browser,
                                                                         doc_id: int) -> None:
    response = alice.api("PATCH", f"/api/v1/documents/{doc_id}",
                         json={"category": "product", "subtype": "signed"})
    assert response.status_code == 422
    assert "does not belong to product" in response.get_json()["error"]["message"]


def test_deeply_nested_json_is_refused_not_a_crash(alice: Browser, doc_id: int) -> None:
    nested = "[" * 50_000 + "]" * 50_000
    for path, method in ((f"/api/v1/documents/{doc_id}", "PATCH"), ("/api/v1/customers", "POST"),
                         (f"/api/v1/documents/{doc_id}/shares", "POST")):
        response = alice.api(method, path, data=f'{{"title": {nested}}}',
                             content_type="application/json")
        assert "not valid JSON" in _field_error(response, "body")


def test_a_json_body_that_is_not_an_object_is_refused(alice: Browser, doc_id: int) -> None:
    response = alice.api("PATCH", f"/api/v1/documents/{doc_id}", data=json.dumps([1, 2]),
                         content_type="application/json")
    assert "must be an object" in _field_error(response, "body")


@pytest.mark.parametrize(("page", "says"), [
    ("²", "page must be"), ("9" * 5000, "page has too many digits"), ("0", "page must be"),
    ("-3", "page must be"), ("two", "page must be")])
def test_a_page_number_that_is_not_a_page_is_a_400_page(alice: Browser, page: str,
                                                         says: str) -> None:
    response = alice.get(f"/?q=anything&page={page}")
    assert response.status_code == 400
    assert says in text_of(response)
    assert "<html" in text_of(response)


def test_query_parameters_are_checked_per_field(alice: Browser) -> None:
    assert "version_ids must be a whole number" in _field_error(
        alice.get("/api/v1/ingestion?version_ids=²"), "version_ids")
    assert "version_ids must be a whole number" in _field_error(
        alice.get("/api/v1/ingestion?version_ids=1,x"), "version_ids")
    assert "limit has too many digits" in _field_error(
        alice.get(f"/api/v1/search?q=x&limit={'9' * 5000}"), "limit")
    assert "offset must be at most" in _field_error(
        alice.get("/api/v1/search?q=x&offset=10001"), "offset")
    assert "all_versions must be true or false" in _field_error(
        alice.get("/api/v1/search?q=x&all_versions=maybe"), "all_versions")
    assert "since must be a date" in _field_error(alice.get("/api/v1/audit?since=²"), "since")
    assert "filename must not be" in _field_error(
        alice.get("/api/v1/suggestions?filename=%20"), "filename")


def test_valid_ids_still_list_their_states(web: Web, alice: Browser) -> None:
    version_id = alice.upload("state.txt", b"state")["version_id"]
    states = alice.get(f"/api/v1/ingestion?version_ids={version_id},424242").get_json()
    assert [state["version_id"] for state in states["versions"]] == [version_id]


def test_upload_and_share_fields_are_checked(alice: Browser, doc_id: int) -> None:
    upload = alice.api("POST", "/api/v1/documents", data={
        "file": (io.BytesIO(b"z"), "z.txt"), "team_id": "²"})
    assert "team_id must be a whole number" in _field_error(upload, "team_id")
    for field, value, says in (("visibility", "everyone", "unknown visibility 'everyone'"),
                               ("expires_on", "20240101", "expires_on must be a date"),
                               ("title", "   ", "a document needs a title")):
        wrong = alice.api("POST", "/api/v1/documents", data={
            "file": (io.BytesIO(b"w"), "w.txt"), field: value})
        assert says in _field_error(wrong, field)
    nowhere = alice.api("POST", "/api/v1/documents", data={
        "file": (io.BytesIO(b"t"), "t.txt"), "team_id": "424242"})
    assert nowhere.status_code == 422 and "no team with id 424242" in text_of(nowhere)
    share = alice.api("POST", f"/api/v1/documents/{doc_id}/shares",
                      json={"expires_in_days": "7"})
    assert "expires_in_days must be a whole number" in _field_error(share, "expires_in_days")
    customer = alice.api("POST", "/api/v1/customers", json={"name": "Acme", "stage": 3})
    assert "stage" in _field_error(customer, "stage")


def test_field_messages_follow_the_ui_language(alice: Browser, doc_id: int) -> None:
    response = alice.api("PATCH", f"/api/v1/documents/{doc_id}", json={"tags": 5},
                         headers={"Accept-Language": "zh-CN"})
    assert _field_error(response, "tags") == "tags 必须是列表"


def test_the_document_page_form_keeps_its_messages(web: Web, alice: Browser,
                                                   doc_id: int) -> None:
    form = {"title": "", "category": "other", "visibility": "team"}
    blank = alice.post(f"/d/{doc_id}/edit", form, follow_redirects=True)
    assert "a document needs a title" in text_of(blank)
    wrong_date = alice.post(f"/d/{doc_id}/edit", {**form, "title": "x", "expires_on": "soon"},
                            follow_redirects=True)
    assert "expires_on must be a date like 2025-12-31" in text_of(wrong_date)
    saved = alice.post(f"/d/{doc_id}/edit", {**form, "title": "Renamed", "tags": "a, b",
                                             "expires_on": "2030-01-31", "team_id": ""},
                       follow_redirects=True)
    assert "Saved." in text_of(saved)
    details = alice.get(f"/api/v1/documents/{doc_id}").get_json()
    assert (details["title"], details["tags"], details["expires_on"]) == (
        "Renamed", ["a", "b"], "2030-01-31")

