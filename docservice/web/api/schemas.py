"""JSON shapes of the API, as OpenAPI 3.1 schemas (``openapi.py`` assembles the document)."""

from __future__ import annotations

from typing import Any

Schema = dict[str, Any]


def obj(required: dict[str, Any], optional: dict[str, Any] | None = None) -> Schema:
    return {"type": "object", "required": sorted(required),
            "properties": {**required, **(optional or {})}}


def ref(name: str) -> Schema:
    return {"$ref": f"#/components/schemas/{name}"}


def array(item: Schema) -> Schema:
    return {"type": "array", "items": item}


STR: Schema = {"type": "string"}
INT: Schema = {"type": "integer"}
BOOL: Schema = {"type": "boolean"}
OPT_STR: Schema = {"type": ["string", "null"]}
OPT_INT: Schema = {"type": ["integer", "null"]}

SCHEMAS: dict[str, Schema] = {
    "Error": obj({"error": obj({"code": STR, "message": STR, "localized_message": {
        **STR, "description": "the message in the caller's language (Accept-Language)"}})}),
    "Hit": obj({"document_id": INT, "version_id": INT, "version": INT, "title": STR,
                "filename": STR, "category": STR, "is_latest": BOOL, "score": {"type": "number"},
                "snippet": STR, "page": OPT_INT},
               {"uploaded_at": STR, "file_type": STR, "customer": OPT_STR,
                "customer_id": OPT_INT, "subtype": OPT_STR, "product": OPT_STR,
                "title_highlights": {**array({**array(INT), "minItems": 2, "maxItems": 2}),
                                     "description": "[start, end) character spans of the "
                                     "title that match the query, as the index analyses it "
                                     "(stems, traditional/simplified Chinese, CJK pairs)"}}),
    "SearchResult": obj({"query": STR, "total": INT, "limit": INT, "offset": INT,
                         "hits": array(ref("Hit")),
                         "facets": {"type": "object", "additionalProperties": {
                             "type": "object", "additionalProperties": INT}},
                         "suggestion": {**OPT_STR, "description": (
                             "a query to offer instead: a spelling correction when hits "
                             "lack a typed word, a broader query when nothing matched")}}),
    "Version": obj({"document_id": INT, "version_id": INT, "version": INT, "filename": STR,
                    "title": STR, "media_type": STR, "file_type": STR, "size": INT,
                    "uploaded_at": STR, "uploader": OPT_STR, "note": OPT_STR,
                    "state": {"enum": ["stored", "queued", "extracting", "indexed", "failed"]},
                    "reason": OPT_STR, "progress": OPT_STR, "pages": OPT_INT,
                    "language": OPT_STR, "is_latest": BOOL}),
    "Grant": obj({"who": STR, "kind": STR, "permission": STR}),
    "Document": obj({"document_id": INT, "title": STR, "category": STR, "subtype": OPT_STR,
                     "product": OPT_STR, "customer": OPT_STR, "tags": array(STR),
                     "owner": OPT_STR, "team": OPT_STR,
                     "visibility": {"enum": ["private", "team", "org", "custom"]},
                     "status": STR, "expires_on": OPT_STR, "latest_version_id": OPT_INT,
                     "versions": INT, "created_at": STR, "versions_list": array(ref("Version")),
                     "grants": array(ref("Grant")), "team_id": OPT_INT, "review_by": OPT_STR,
                     "can_write": BOOL, "can_manage": BOOL, "customer_id": OPT_INT,
                     "category_suggested": BOOL},
                    {"changed": array(STR)}),
    "UploadOutcome": obj({"document_id": INT, "version_id": INT, "version": INT,
                          "state": STR, "duplicate": BOOL}, {"message": STR}),
    "VersionState": obj({"version_id": INT, "document_id": INT, "filename": STR, "state": STR,
                         "reason": OPT_STR, "progress": OPT_STR, "pages": OPT_INT,
                         "category": STR, "subtype": OPT_STR, "category_suggested": BOOL}),
    "CategorySuggestion": obj({"filename": STR, "category": STR, "subtype": OPT_STR}),
    "TextPages": obj({"version": ref("Version"),
                      "pages": array(obj({"page": INT, "text": STR}))}),
    "Share": obj({"share_id": INT, "document_id": INT, "version_id": OPT_INT, "pinned": BOOL,
                  "created_at": STR, "expires_at": OPT_STR, "has_password": BOOL,
                  "revoked": BOOL, "active": BOOL}),
    "CreatedShare": obj({"share_id": INT, "token": STR, "url": STR, "expires_at": STR}),
    "Token": obj({"token_id": INT, "name": STR, "created_at": STR, "last_used_at": OPT_STR,
                  "expires_at": OPT_STR, "keep_after_password_change": BOOL}),
    "CreatedToken": obj({"token_id": INT, "token": STR, "name": STR, "created_at": STR,
                         "last_used_at": OPT_STR, "expires_at": OPT_STR,
                         "keep_after_password_change": BOOL}),
    "Customer": obj({"customer_id": INT, "name": STR,
                     "type": {"enum": ["prospect", "current", "churned"]},
                     "industry": OPT_STR, "region": OPT_STR,
                     "stage": {"enum": ["contact", "intent", "negotiation", "purchased"]}}),
    "AuditEvent": obj({"event_id": INT, "at": STR, "actor": STR, "action": STR,
                       "document_id": OPT_INT, "version_id": OPT_INT, "detail": OPT_STR}),
    "Me": obj({"user_id": OPT_INT, "email": STR, "role": STR, "team_ids": array(INT)}),
}

CUSTOMER_INPUT: Schema = {"type": "object", "properties": {
    "name": {"type": "string", "minLength": 1}, "type": SCHEMAS["Customer"]["properties"]["type"],
    "industry": OPT_STR, "region": OPT_STR,
    "stage": SCHEMAS["Customer"]["properties"]["stage"]}, "additionalProperties": False}

METADATA_INPUT: Schema = {"type": "object", "additionalProperties": False, "properties": {
    "title": STR, "category": {"enum": ["product", "contract", "campaign", "customer", "other"]},
    "subtype": OPT_STR, "tags": array(STR), "product": OPT_STR, "customer": OPT_STR,
    "status": STR, "expires_on": OPT_STR, "review_by": OPT_STR,
    "visibility": {"enum": ["private", "team", "org", "custom"]}, "team_id": OPT_INT,
    "acl": array({"type": "array", "prefixItems": [STR, {"enum": ["read", "write"]}],
                  "minItems": 2, "maxItems": 2})}}

UPLOAD_FORM: Schema = {"type": "object", "required": ["file"], "properties": {
    "file": {"type": "string", "format": "binary"}, "title": STR,
    "category": {**METADATA_INPUT["properties"]["category"],
                 "description": "leave out to have the app suggest one from the file"},
    "subtype": STR,
    "tags": {"type": "string", "description": "comma-separated"}, "product": STR,
    "customer": STR, "visibility": METADATA_INPUT["properties"]["visibility"],
    "team_id": STR, "grants": {"type": "string",
                               "description": "custom grants: alice@example.com:write, sales"}}}
