"""One declaration per endpoint: the models it takes check the request and, with the models
it answers, make the OpenAPI document (served at /api/v1/openapi.json).

A thin adapter over pydantic rather than flask-openapi3 or spectree (see the issue note):
those answered deeply nested JSON with a 500, took ``"5"`` as an integer in JSON bodies
(or mangled form text through ``json.loads``) and wanted their own app, error and path
shapes; here the document keeps the existing paths, servers, error envelope and security.

    @bp.get("/search")
    @endpoint("Search documents", query=SearchParams, ok={200: SearchResult})
    def search(query: SearchParams) -> Any: ...
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, is_dataclass
from functools import wraps
from typing import Any

from flask import Flask
from pydantic import BaseModel, TypeAdapter

from docservice.inputs import MAX_ID
from docservice.web.api.models import Error
from docservice.web.validation import form_of, json_of, query_of

FILE = "file"  # an ``ok`` answer that is the stored file itself
ERRORS = {400: "invalid input: what is wrong, per field", 401: "no valid session or token",
          403: "not allowed", 404: "not found or not readable",
          503: "a backing service is unavailable"}
MORE_ERRORS = {409: "conflicts with an existing one", 413: "the file is over the upload limit",
               422: "well-formed, but names a user, team or version that does not exist, or "
                    "a subtype the category does not have"}
REF = "#/components/schemas/{model}"
PREFIX = "/api/v1"
_RULE_ARG = re.compile(r"<(?:[^:<>]+:)?([^<>]+)>")


@dataclass(frozen=True)
class Operation:
    summary: str
    ok: Mapping[int, Any]
    query: type[BaseModel] | None = None
    body: type[BaseModel] | None = None
    form: type[BaseModel] | None = None
    errors: tuple[int, ...] = field(default_factory=tuple)


def endpoint(summary: str, *, ok: Mapping[int, Any], query: type[BaseModel] | None = None,
             body: type[BaseModel] | None = None, form: type[BaseModel] | None = None,
             errors: tuple[int, ...] = ()) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Declare a view: ``query`` (query string), ``body`` (JSON) and ``form`` (multipart)
    models are checked and passed to the view under those names; ``ok`` maps each success
    status to the model (or ``list[...]``, ``FILE``, None for no content) it answers with."""
    operation = Operation(summary, ok, query, body, form, errors)

    def decorate(view: Callable[..., Any]) -> Callable[..., Any]:
        @wraps(view)
        def checked(**path: Any) -> Any:
            inputs: dict[str, Any] = {}
            if query is not None:
                inputs["query"] = query_of(query)
            if form is not None:
                inputs["form"] = form_of(form)
            if body is not None:
                inputs["body"] = json_of(body)
            return view(**path, **inputs)

        checked.operation = operation  # type: ignore[attr-defined]
        return checked

    return decorate


class _Components:
    """JSON Schemas of the models the document names, each once under its class name."""

    def __init__(self) -> None:
        self.schemas: dict[str, Any] = {}

    def schema(self, kind: Any) -> dict[str, Any]:
        """``kind``'s schema, a ``$ref`` when it is a model or a view (dataclass)."""
        found = TypeAdapter(kind).json_schema(ref_template=REF)
        defs = found.pop("$defs", {})
        if is_dataclass(kind):  # a view goes out whole (asdict): every field is always there
            for schema in (found, *defs.values()):
                schema["required"] = list(schema.get("properties", {}))
        self.schemas.update(defs)
        if isinstance(kind, type) and (issubclass(kind, BaseModel) or is_dataclass(kind)):
            self.schemas[kind.__name__] = found
            return {"$ref": REF.format(model=kind.__name__)}
        return found

    def inline(self, model: type[BaseModel]) -> dict[str, Any]:
        found = model.model_json_schema(ref_template=REF)
        self.schemas.update(found.pop("$defs", {}))
        return found


def _json(schema: dict[str, Any], description: str = "OK") -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _answers(operation: Operation, components: _Components) -> dict[str, Any]:
    answers: dict[str, Any] = {}
    for status, kind in operation.ok.items():
        if kind is None:
            answers[str(status)] = {"description": "done, no content"}
        elif kind == FILE:
            answers[str(status)] = {"description": "the file", "content": {
                "*/*": {"schema": {"type": "string", "format": "binary"}}}}
        else:
            answers[str(status)] = _json(components.schema(kind))
    error = components.schema(Error)
    for status in (*ERRORS, *operation.errors):
        answers[str(status)] = _json(error, {**ERRORS, **MORE_ERRORS}[status])
    return answers


def _query_parameters(model: type[BaseModel], components: _Components) -> list[dict[str, Any]]:
    schema = components.inline(model)
    required = set(schema.get("required", []))
    parameters = []
    for name, prop in schema.get("properties", {}).items():
        parameter = {"name": name, "in": "query", "required": name in required,
                     "schema": prop}
        if prop.get("type") == "array":  # 1,2,3 in one parameter
            parameter.update(style="form", explode=False)
        parameters.append(parameter)
    return parameters


def _blank(prop: dict[str, Any]) -> dict[str, Any]:
    if "enum" in prop:
        return {**prop, "enum": [*prop["enum"], ""]}
    if prop.get("type") == "string":
        return prop
    return {"anyOf": [prop, {"const": ""}]}


def _blank_allowed(schema: dict[str, Any]) -> dict[str, Any]:
    """Form fields: a blank field is a field not sent, whatever type the field has."""
    properties = {name: _blank(prop) for name, prop in schema.get("properties", {}).items()}
    return {**schema, "properties": properties}


def _operation(operation: Operation, path_names: list[str],
               components: _Components) -> dict[str, Any]:
    described: dict[str, Any] = {"summary": operation.summary}
    parameters = [{"name": name, "in": "path", "required": True,
                   "schema": {"type": "integer", "minimum": 1, "maximum": MAX_ID}}
                  for name in path_names]
    if operation.query is not None:
        parameters += _query_parameters(operation.query, components)
    if parameters:
        described["parameters"] = parameters
    if operation.body is not None:
        described["requestBody"] = {"required": True, "content": {
            "application/json": {"schema": components.schema(operation.body)}}}
    if operation.form is not None:
        described["requestBody"] = {"required": True, "content": {
            "multipart/form-data": {"schema": _blank_allowed(
                components.inline(operation.form))}}}
    described["responses"] = _answers(operation, components)
    return described


def document(app: Flask, blueprint: str = "api") -> dict[str, Any]:
    """The OpenAPI 3.1 document of every declared endpoint of ``blueprint``."""
    components = _Components()
    paths: dict[str, dict[str, Any]] = {}
    for rule in sorted(app.url_map.iter_rules(), key=lambda rule: rule.rule):
        operation = getattr(app.view_functions[rule.endpoint], "operation", None)
        if not rule.endpoint.startswith(f"{blueprint}.") or operation is None:
            continue
        path = _RULE_ARG.sub(r"{\1}", rule.rule.removeprefix(PREFIX))
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            paths.setdefault(path, {})[method.lower()] = _operation(
                operation, sorted(rule.arguments), components)
    return {
        "openapi": "3.1.0",
        "info": {"title": "docservice API", "version": "1",
                 "description": "Documents, versions, search, shares. Errors are "
                                "{\"error\": {\"code\", \"message\", \"fields\"}}."},
        "servers": [{"url": PREFIX}],
        "security": [{"bearer": []}],
        "components": {"schemas": dict(sorted(components.schemas.items())),
                       "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}}},
        "paths": paths,
    }
