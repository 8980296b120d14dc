"""The OpenAPI document of /api/v1, served at /api/v1/openapi.json."""

from __future__ import annotations

from typing import Any

from flask import jsonify

from docservice.services.search import MAX_OFFSET
from docservice.web.api.blueprint import bp
from docservice.web.api.schemas import (
    BOOL,
    CUSTOMER_INPUT,
    INT,
    METADATA_INPUT,
    SCHEMAS,
    STR,
    UPLOAD_FORM,
    Schema,
    array,
    obj,
    ref,
)
from docservice.web.forms import MAX_ID

ERRORS = {400: "invalid input", 401: "no valid session or token", 403: "not allowed",
          404: "not found or not readable", 503: "a backing service is unavailable"}


def _json(schema: Schema, description: str = "OK") -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _param(name: str, schema: Schema, where: str = "query", required: bool = False,
           ) -> dict[str, Any]:
    return {"name": name, "in": where, "required": where == "path" or required,
            "schema": schema}


def _path_id(name: str) -> dict[str, Any]:
    return _param(name, {"type": "integer", "minimum": 1, "maximum": MAX_ID}, "path")


def op(summary: str, ok: dict[int, Any], params: list[dict[str, Any]] | None = None,
       body: dict[str, Any] | None = None, extra_errors: tuple[int, ...] = ()) -> dict[str, Any]:
    responses: dict[str, Any] = {}
    for status, schema in ok.items():
        if schema is None:
            responses[str(status)] = {"description": "done, no content"}
        elif schema == "file":
            responses[str(status)] = {"description": "the file", "content": {
                "*/*": {"schema": {"type": "string", "format": "binary"}}}}
        else:
            responses[str(status)] = _json(schema)
    for status in (*ERRORS, *extra_errors):
        responses[str(status)] = _json(ref("Error"), ERRORS.get(status, "error"))
    operation: dict[str, Any] = {"summary": summary, "responses": responses}
    if params:
        operation["parameters"] = params
    if body:
        operation["requestBody"] = body
    return operation


def _json_body(schema: Schema) -> dict[str, Any]:
    return {"required": True, "content": {"application/json": {"schema": schema}}}


def _form_body(schema: Schema) -> dict[str, Any]:
    return {"required": True, "content": {"multipart/form-data": {"schema": schema}}}


SEARCH_PARAMS = [
    _param("q", STR), _param("all_versions", BOOL),
    _param("limit", {"type": "integer", "minimum": 1, "maximum": 100}),
    _param("offset", {"type": "integer", "minimum": 0, "maximum": MAX_OFFSET}),
    _param("sort", {"enum": ["relevance", "date"]})]
DOC = [_path_id("document_id")]
VER = [_path_id("version_id")]
CUST = [_path_id("customer_id")]
NEW_VERSION_FORM = {"type": "object", "required": ["file"], "properties": {
    "file": {"type": "string", "format": "binary"}, "note": STR}}
SHARE_INPUT = {"type": "object", "additionalProperties": False, "properties": {
    "version_id": {"type": ["integer", "null"]},
    "expires_in_days": {"type": "integer", "minimum": 1, "maximum": 365},
    "password": {"type": ["string", "null"]}}}


def paths() -> dict[str, Any]:
    return {
        "/search": {"get": op("Search documents (query syntax of the search box)",
                              {200: ref("SearchResult")}, SEARCH_PARAMS)},
        "/documents": {"post": op("Upload a new document", {201: ref("UploadOutcome"),
                                                            200: ref("UploadOutcome")},
                                  body=_form_body(UPLOAD_FORM), extra_errors=(413,))},
        "/suggestions": {"get": op(
            "The category and subtype an upload of this file gets when none is chosen",
            {200: ref("CategorySuggestion")}, [_param("filename", STR, required=True)])},
        "/documents/{document_id}": {
            "get": op("A document with its versions", {200: ref("Document")}, DOC),
            "patch": op("Change metadata or permissions", {200: ref("Document")}, DOC,
                        _json_body(METADATA_INPUT)),
            "delete": op("Delete a document for good: every version, its text, index entries, "
                         "share links, and the stored files no other document uses; "
                         "403 for readers who may not change it", {204: None}, DOC)},
        "/documents/{document_id}/versions": {
            "get": op("Versions, newest first", {200: array(ref("Version"))}, DOC),
            "post": op("Upload a new version", {201: ref("UploadOutcome"),
                                                200: ref("UploadOutcome")}, DOC,
                       _form_body(NEW_VERSION_FORM), extra_errors=(413,))},
        "/documents/{document_id}/latest": {
            "get": op("The newest version", {200: ref("Version")}, DOC)},
        "/documents/{document_id}/latest/download": {
            "get": op("Download the newest version", {200: "file"}, DOC)},
        "/documents/{document_id}/shares": {
            "get": op("Share links of a document", {200: array(ref("Share"))}, DOC),
            "post": op("Create a share link", {201: ref("CreatedShare")}, DOC,
                       _json_body(SHARE_INPUT))},
        "/shares/{share_id}": {"delete": op("Revoke a share link", {204: None},
                                            [_path_id("share_id")])},
        "/latest": {"get": op("Newest readable version of a product's documents",
                              {200: ref("Version")},
                              [_param("product", STR), _param("category", STR),
                               _param("subtype", STR)])},
        "/versions/{version_id}": {"get": op("One version", {200: ref("Version")}, VER)},
        "/versions/{version_id}/download": {"get": op("Download a version", {200: "file"},
                                                      VER)},
        "/versions/{version_id}/text": {"get": op("Extracted text per page",
                                                  {200: ref("TextPages")}, VER)},
        "/ingestion": {"get": op("Ingestion state of versions", {200: obj(
            {"versions": array(ref("VersionState"))})}, [_param("version_ids", STR)])},
        "/customers": {
            "get": op("All customers", {200: array(ref("Customer"))}),
            "post": op("Create a customer", {201: ref("Customer")},
                       body=_json_body({**CUSTOMER_INPUT, "required": ["name"]}),
                       extra_errors=(409,))},
        "/customers/{customer_id}": {
            "get": op("One customer", {200: ref("Customer")}, CUST),
            "patch": op("Change a customer", {200: ref("Customer")}, CUST,
                        _json_body(CUSTOMER_INPUT), extra_errors=(409,))},
        "/customers/{customer_id}/documents": {
            "get": op("A customer's documents, with facets", {200: ref("SearchResult")},
                      CUST + SEARCH_PARAMS)},
        "/audit": {"get": op("Audit events, newest first", {200: array(ref("AuditEvent"))}, [
            _param("actor", STR), _param("document_id", INT), _param("action", STR),
            _param("since", {"type": "string", "format": "date"}),
            _param("until", {"type": "string", "format": "date"}),
            _param("limit", {"type": "integer", "minimum": 1, "maximum": 500}),
            _param("offset", {"type": "integer", "minimum": 0})])},
        "/me": {"get": op("Who the caller is", {200: ref("Me")})},
        "/tokens": {
            "get": op("The caller's API tokens", {200: array(ref("Token"))}),
            "post": op("Create an API token (shown once)", {201: ref("CreatedToken")},
                       body=_json_body({"type": "object", "properties": {
                           "name": STR, "keep_after_password_change": BOOL,
                           "expires_in_days": {"type": "integer", "minimum": 1,
                                               "maximum": 365}}}))},
        "/tokens/{token_id}": {"delete": op("Revoke an API token", {204: None},
                                            [_path_id("token_id")])},
    }


def document() -> dict[str, Any]:
    return {
        "openapi": "3.1.0",
        "info": {"title": "docservice API", "version": "1",
                 "description": "Documents, versions, search, shares. Errors are "
                                "{\"error\": {\"code\", \"message\", \"localized_message\"}}: "
                                "message in English, localized_message in the "
                                "caller's language."},
        "servers": [{"url": "/api/v1"}],
        "security": [{"bearer": []}],
        "components": {"schemas": SCHEMAS, "securitySchemes": {
            "bearer": {"type": "http", "scheme": "bearer"}}},
        "paths": paths(),
    }


@bp.get("/openapi.json")
def openapi() -> Any:
    return jsonify(document())
