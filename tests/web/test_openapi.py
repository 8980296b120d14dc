"""The OpenAPI document matches the running app: schemathesis generates valid and invalid
input for every operation, calls it as an API client with a token, and runs every check:
valid input is accepted, invalid input is refused, status codes, content types and response
shapes are as documented.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
import schemathesis
from flask import Flask
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.config._checks import (
    POSITIVE_DATA_ACCEPTANCE_EXPECTED_STATUSES,
    PositiveDataAcceptanceConfig,
)

from docservice.services import accounts, tokens
from docservice.services.context import Context
from docservice.web import create_app
from tests.web.conftest import PASSWORD, Browser

# Input the schema accepts can still name a user, team or version that does not exist, or a
# subtype the stored category does not have: the API answers 422 (documented per operation)
# rather than 400, which is kept for input that breaks the schema.
ACCEPTED_VALID = [*POSITIVE_DATA_ACCEPTANCE_EXPECTED_STATUSES, "422"]
# A multipart form carries text only: a number or boolean generated for a text field (a title
# "false") arrives as valid text, and schemathesis cannot re-check what was sent because it
# keeps the file part's raw bytes. Invalid input for the two upload forms is tested in
# test_input_checks.py instead; they get valid input here, every other operation both.
TEXT_ONLY = {"POST /documents", "POST /documents/{document_id}/versions"}


@dataclass
class LiveApi:
    app: Flask
    schema: schemathesis.BaseSchema
    headers: dict[str, str]


@pytest.fixture
def live_api(ctx: Context) -> Iterator[LiveApi]:
    accounts.create_user(ctx, "api@example.com", "editor", teams=["sales"], password=PASSWORD)
    app = create_app(ctx, {"TESTING": True})
    owner = Browser(app.test_client())
    owner.login("api@example.com")
    for name in ("one", "two"):
        owner.upload(f"{name}.txt", f"pricing sheet {name}".encode(), product="AX-200")
    owner.api("POST", "/api/v1/customers", json={"name": "Acme"})
    for name in ("decoy-1", "decoy-2", "decoy-3"):  # DELETE /tokens/{id} may hit these
        tokens.create_token(ctx, accounts.principal_for(ctx, "api@example.com"), name)
    _token_id, raw = tokens.create_token(ctx, accounts.principal_for(ctx, "api@example.com"))
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    schema.config.checks.positive_data_acceptance = PositiveDataAcceptanceConfig(
        expected_statuses=ACCEPTED_VALID)
    yield LiveApi(app, schema, {"Authorization": f"Bearer {raw}"})


def _operations(schema: schemathesis.BaseSchema) -> list[schemathesis.APIOperation]:
    return [result.ok() for result in schema.get_all_operations()]


def test_every_operation_conforms_to_the_document(live_api: LiveApi) -> None:
    operations = _operations(live_api.schema)
    assert len(operations) >= 25
    strategy = st.one_of([operation.as_strategy(generation_mode=mode, headers=live_api.headers)
                          for operation in operations
                          for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)
                          if mode.is_positive or operation.label not in TEXT_ONLY])
    called: set[tuple[str, bool]] = set()

    @given(case=strategy)
    @settings(max_examples=400, deadline=None, database=None,
              suppress_health_check=list(HealthCheck))
    def call(case: schemathesis.Case) -> None:
        assert case.meta is not None
        called.add((case.operation.label, case.meta.generation.mode.is_negative))
        case.call_and_validate(headers=live_api.headers)

    call()
    # Hypothesis draws from one_of unevenly: with 57 operations 400 examples reach about 72%
    # of the (operation, mode) pairs, so two thirds are required (three quarters at 28).
    assert len(called) >= (len(operations) * 2 - len(TEXT_ONLY)) * 2 // 3, sorted(called)
    assert any(negative for _label, negative in called)


def test_documented_errors_have_the_documented_shape(live_api: LiveApi) -> None:
    client = live_api.app.test_client()
    schemas = live_api.schema.raw_schema["components"]["schemas"]
    error_schema, detail_schema = schemas["Error"], schemas["ErrorDetail"]
    for path in ("/api/v1/documents/424242", "/api/v1/versions/424242/text"):
        body = client.get(path, headers=live_api.headers).get_json()
        assert set(body) == set(error_schema["required"])
        assert set(body["error"]) == set(detail_schema["required"])
    wrong = client.get("/api/v1/search?limit=ten", headers=live_api.headers).get_json()
    assert set(wrong["error"]) == set(detail_schema["properties"])
    for path, item in live_api.schema.raw_schema["paths"].items():
        for method, operation in item.items():
            assert {"400", "401", "404"} <= set(operation["responses"]), (method, path)


def test_deleting_a_document_answers_as_documented(live_api: LiveApi) -> None:
    operation = live_api.schema["/documents/{document_id}"]["DELETE"]
    assert {"204", "403", "404"} <= set(operation.definition.raw["responses"])
    client = live_api.app.test_client()
    document_id = client.get("/api/v1/latest?product=AX-200", headers=live_api.headers
                             ).get_json()["document_id"]
    for expected in (204, 404):  # deleted, then gone
        case = operation.Case(path_parameters={"document_id": document_id})
        response = case.call_and_validate(headers=live_api.headers)
        assert response.status_code == expected


def test_every_api_route_is_declared_and_documented(live_api: LiveApi) -> None:
    routes = {(method.lower(), re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}",
                                       rule.rule.removeprefix("/api/v1")))
              for rule in live_api.app.url_map.iter_rules()
              if rule.endpoint.startswith("api.") and rule.endpoint != "api.openapi"
              for method in (rule.methods or set()) - {"HEAD", "OPTIONS"}}
    documented = {(method, path) for path, item in live_api.schema.raw_schema["paths"].items()
                  for method in item}
    assert routes == documented
    assert len(documented) == 59  # 43 + reports (5), a document's usage, query history (2),
    # a customer and its documents by CRM id (2), lifecycle (6)
