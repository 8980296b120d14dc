"""The JSON API: every endpoint, bearer tokens, and one error shape for every failure."""

from __future__ import annotations

import io

import pytest

from docservice.services import tokens
from docservice.services.accounts import principal_for
from tests.web.conftest import Browser, Web


@pytest.fixture
def bearer(web: Web) -> dict[str, str]:
    _token_id, raw = tokens.create_token(web.ctx, principal_for(web.ctx, "alice@example.com"),
                                         "tests")
    return {"Authorization": f"Bearer {raw}"}


def _error(response) -> dict[str, str]:  # type: ignore[no-untyped-def]
    body = response.get_json()
    assert set(body) == {"error"}, body
    assert {"code", "message", "localized_message"} <= set(body["error"]) <= {
        "code", "message", "localized_message", "fields"}, body
    return dict(body["error"])


def test_the_api_needs_a_caller_and_says_so_in_json(web: Web) -> None:
    client = web.app.test_client()
    for path in ("/api/v1/search?q=x", "/api/v1/documents/1", "/api/v1/me"):
        response = client.get(path)
        assert response.status_code == 401 and _error(response)["code"] == "unauthorized"
    bad = client.get("/api/v1/me", headers={"Authorization": "Bearer nope"})
    assert _error(bad)["message"] == "invalid or revoked API token"
    assert client.get("/api/v1/openapi.json").status_code == 200


def test_unknown_routes_and_methods_answer_in_json(web: Web, bearer: dict[str, str]) -> None:
    client = web.app.test_client()
    assert _error(client.get("/api/v1/nothing", headers=bearer))["code"] == "not_found"
    wrong = client.put("/api/v1/search", headers=bearer)
    assert wrong.status_code == 405 and _error(wrong)["code"] == "method_not_allowed"


def test_search_documents_versions_text_and_downloads_by_token(web: Web,
                                                               bearer: dict[str, str]) -> None:
    client = web.app.test_client()
    created = client.post("/api/v1/documents", headers=bearer, data={
        "file": (io.BytesIO(b"AX-200 spec sheet\nthroughput 1 Gbit/s"), "ax200-spec.txt"),
        "category": "product", "subtype": "spec", "product": "AX-200"})
    assert created.status_code == 201
    outcome = created.get_json()
    web.settle(outcome["version_id"])
    doc_id, v1 = outcome["document_id"], outcome["version_id"]
    added = client.post(f"/api/v1/documents/{doc_id}/versions", headers=bearer, data={
        "file": (io.BytesIO(b"AX-200 spec sheet\nthroughput 5 Gbit/s"), "ax200-spec.txt"),
        "note": "v2"})
    assert added.status_code == 201
    v2 = added.get_json()["version_id"]
    web.settle(v2)

    found = client.get("/api/v1/search?q=throughput&limit=5", headers=bearer).get_json()
    assert [hit["version_id"] for hit in found["hits"]] == [v2]
    assert found["hits"][0]["file_type"] == "txt" and "<mark>" in found["hits"][0]["snippet"]
    everything = client.get("/api/v1/search?q=throughput&all_versions=true",
                            headers=bearer).get_json()
    assert {hit["version_id"] for hit in everything["hits"]} == {v1, v2}

    document = client.get(f"/api/v1/documents/{doc_id}", headers=bearer).get_json()
    assert document["product"] == "AX-200" and document["can_write"]
    versions = client.get(f"/api/v1/documents/{doc_id}/versions", headers=bearer).get_json()
    assert [v["version"] for v in versions] == [2, 1] and versions[0]["note"] == "v2"
    latest = client.get(f"/api/v1/documents/{doc_id}/latest", headers=bearer).get_json()
    assert latest["version_id"] == v2 and latest["is_latest"]
    by_product = client.get("/api/v1/latest?product=ax-200&category=product",
                            headers=bearer).get_json()
    assert by_product["version_id"] == v2
    assert client.get(f"/api/v1/versions/{v1}", headers=bearer).get_json()["version"] == 1
    text = client.get(f"/api/v1/versions/{v1}/text", headers=bearer).get_json()
    assert text["pages"][0]["page"] == 1 and "1 Gbit/s" in text["pages"][0]["text"]
    assert client.get(f"/api/v1/versions/{v1}/download", headers=bearer).data.endswith(
        b"1 Gbit/s")
    assert client.get(f"/api/v1/documents/{doc_id}/latest/download",
                      headers=bearer).data.endswith(b"5 Gbit/s")


def test_read_errors_are_404_and_never_reveal_what_exists(web: Web, alice: Browser,
                                                          carol: Browser) -> None:
    outcome = alice.upload("private.txt", b"private", visibility="private")
    doc_id, version_id = outcome["document_id"], outcome["version_id"]
    for path in (f"/api/v1/documents/{doc_id}", f"/api/v1/documents/{doc_id}/versions",
                 f"/api/v1/documents/{doc_id}/latest", f"/api/v1/versions/{version_id}",
                 f"/api/v1/versions/{version_id}/text",
                 f"/api/v1/versions/{version_id}/download"):
        hidden, missing = carol.get(path), carol.get(path.replace(str(doc_id), "9999")
                                                     .replace(str(version_id), "9999"))
        assert hidden.status_code == missing.status_code == 404, path
        assert _error(hidden)["code"] == _error(missing)["code"] == "not_found"
    assert carol.get("/api/v1/latest?product=nothing").status_code == 404


def test_search_answers_with_a_suggestion_the_client_can_run(web: Web,
                                                             bearer: dict[str, str]) -> None:
    client = web.app.test_client()
    created = client.post("/api/v1/documents", headers=bearer, data={
        "file": (io.BytesIO(b"Warranty policy: five years on every router."), "warranty.txt")})
    web.settle(created.get_json()["version_id"])
    typo = client.get("/api/v1/search?q=warranty+polcy", headers=bearer).get_json()
    assert typo["total"] == 1 and typo["suggestion"] == "warranty policy"
    nothing = client.get("/api/v1/search?q=warranty+category:contract",
                         headers=bearer).get_json()
    assert nothing["total"] == 0 and nothing["suggestion"] == "warranty"
    exact = client.get(f"/api/v1/search?q={typo['suggestion']}", headers=bearer).get_json()
    assert exact["total"] == 1 and exact["suggestion"] is None
    spec = client.get("/api/v1/openapi.json").get_json()["components"]["schemas"]
    assert "suggestion" in spec["SearchPage"]["required"]


def test_search_parameters_are_checked(alice: Browser) -> None:
    assert _error(alice.get("/api/v1/search?q=x&limit=1000"))["code"] == "invalid_input"
    assert alice.get("/api/v1/search?q=x&limit=ten").status_code == 400
    assert alice.get("/api/v1/search?q=x&sort=random").status_code == 400
    assert _error(alice.get("/api/v1/search?q=year:soon"))["code"] == "query_syntax"


def test_customers_tokens_and_me(web: Web, alice: Browser) -> None:
    created = alice.api("POST", "/api/v1/customers", json={
        "name": "Acme", "type": "current", "industry": "Energy", "region": "APAC",
        "stage": "qualified"})
    assert created.status_code == 201
    customer = created.get_json()
    assert alice.get(f"/api/v1/customers/{customer['customer_id']}").get_json() == customer
    changed = alice.api("PATCH", f"/api/v1/customers/{customer['customer_id']}",
                        json={"stage": "won"}).get_json()
    assert changed["stage"] == "won" and changed["industry"] == "Energy"
    assert [c["name"] for c in alice.get("/api/v1/customers").get_json()] == ["Acme"]
    assert alice.api("POST", "/api/v1/customers", json={"name": "acme"}).status_code == 409
    token = alice.api("POST", "/api/v1/tokens", json={"name": "ci"})
    assert token.status_code == 201 and token.get_json()["token"].startswith("ds_")
    listed = alice.get("/api/v1/tokens").get_json()
    assert [t["name"] for t in listed] == ["ci"] and "token" not in listed[0]
    assert alice.api("DELETE", f"/api/v1/tokens/{listed[0]['token_id']}").status_code == 204
    assert alice.api("DELETE", f"/api/v1/tokens/{listed[0]['token_id']}").status_code == 404
    me = alice.get("/api/v1/me").get_json()
    assert me["email"] == "alice@example.com" and me["role"] == "editor"


def test_deep_paging_is_refused_before_it_reaches_the_engine(alice: Browser) -> None:
    response = alice.get(f"/api/v1/search?q=x&offset={2**53}")
    assert response.status_code == 400 and "offset must be at most" in _error(response)[
        "message"]
    assert alice.get("/?q=x&page=99999999999").status_code == 400
