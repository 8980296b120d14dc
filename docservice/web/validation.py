"""Request input checked against its declared model; what is wrong is said per field.

Query strings and form fields arrive as text and are read leniently (a blank form field is a
field not sent); JSON bodies are checked strictly, so ``"5"`` is not an integer there, just
as the OpenAPI document says. Every failure is an :class:`InvalidFields` (HTTP 400) whose
messages go through the translation catalogue.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from flask import request
from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails
from werkzeug.datastructures import MultiDict

from docservice.errors import N_, InvalidFields, InvalidInput
from docservice.web.i18n import gettext

Model = TypeVar("Model", bound=BaseModel)

NOT_JSON = N_("send a JSON object with Content-Type: application/json")
WHOLE_NUMBER = N_("%(field)s must be a whole number")
DATE = N_("%(field)s must be a date like 2025-12-31")
LIST = N_("%(field)s must be a list")
BOOL = N_("%(field)s must be true or false")
OBJECT = N_("%(field)s must be an object")
# Message per pydantic error type (and our own, raised as PydanticCustomError).
TEMPLATES = {
    "missing": N_("%(field)s is missing"),
    "null_given": N_("%(field)s cannot be null; leave it out to keep it as it is"),
    "extra_forbidden": N_("cannot change %(field)s; editable: %(allowed)s"),
    "string_type": N_("%(field)s must be text"),
    "string_too_short": N_("%(field)s must not be empty"),
    "string_pattern_mismatch": N_("%(field)s must not be blank"),
    "string_too_long": N_("%(field)s must be at most %(max_length)s characters"),
    "int_type": WHOLE_NUMBER, "int_parsing": WHOLE_NUMBER, "int_from_float": WHOLE_NUMBER,
    "int_parsing_size": N_("%(field)s has too many digits"),
    "greater_than_equal": N_("%(field)s must be at least %(ge)s"),
    "less_than_equal": N_("%(field)s must be at most %(le)s"),
    "bool_type": BOOL, "bool_parsing": BOOL,
    "list_type": LIST, "tuple_type": LIST,
    "too_short": N_("%(field)s needs at least %(min_length)s items"),
    "too_long": N_("%(field)s takes at most %(max_length)s items"),
    "model_type": OBJECT, "dict_type": OBJECT,
    "date_type": DATE, "date_parsing": DATE, "date_from_datetime_parsing": DATE,
    "date_from_datetime_inexact": DATE,
    "literal_error": N_("unknown %(field)s %(input)s; use one of %(expected)s"),
    "enum": N_("unknown %(field)s %(input)s; use one of %(expected)s"),
    "json_invalid": N_("the body is not valid JSON: %(error)s"),
    "extra_forbidden@query": N_("unknown parameter %(field)s; use %(allowed)s"),
    # A field of its own kind: "<type>:<field>".
    "missing:file": N_("send the file as multipart/form-data field %(field)r"),
    "string_too_short:title": N_("a document needs a title"),
    "string_pattern_mismatch:title": N_("a document needs a title"),
    "string_too_short:password": N_("a share link password needs at least %(count)s characters"),
}
FALLBACK = N_("%(field)s is not valid")


def _field(error: ErrorDetails) -> str:
    ctx = error.get("ctx") or {}
    if "field" in ctx:
        return str(ctx["field"])
    return str(error["loc"][0]) if error["loc"] else "body"


def _message(error: ErrorDetails, field: str, model: type[BaseModel],
             where: str) -> tuple[str, dict[str, object]]:
    """The message id for ``error`` and its values."""
    values: dict[str, object] = {key: str(value)
                                 for key, value in (error.get("ctx") or {}).items()}
    values.setdefault("count", values.get("min_length", ""))
    values.update(field=field, input=repr(error.get("input"))[:60],
                  allowed=", ".join(model.model_fields))
    kind = error["type"]
    template = (TEMPLATES.get(f"{kind}:{field}") or TEMPLATES.get(f"{kind}@{where}")
                or TEMPLATES.get(kind) or FALLBACK)
    return template, values


def field_errors(exc: ValidationError, model: type[BaseModel],
                 where: str = "body") -> InvalidFields:
    """One message per wrong field (the first pydantic found), in the UI language; ``where``
    (body, query, form) picks a wording of its own where there is one. The error's own
    message is the first field's, in English as every error's ``message`` is."""
    first: tuple[str, dict[str, object]] | None = None
    fields: dict[str, str] = {}
    for error in exc.errors():
        field = _field(error)
        if field not in fields:
            template, values = _message(error, field, model, where)
            first = first or (template, values)
            fields[field] = gettext(template, **values)
    assert first is not None  # a ValidationError has at least one error
    return InvalidFields(first[0], first[1], fields)


def validated(model: type[Model], data: Mapping[str, Any], where: str = "form") -> Model:
    """``data`` (text from a form or query string) as ``model``; raises InvalidFields."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise field_errors(exc, model, where) from exc


def _fields(sent: MultiDict[str, str]) -> dict[str, Any]:
    """Each field once as text; a field sent twice stays a list, which no text field takes."""
    return {key: values[0] if len(values) == 1 else values for key, values in sent.lists()}


def query_of(model: type[Model]) -> Model:
    return validated(model, _fields(request.args), "query")


def form_of(model: type[Model]) -> Model:
    """Form fields and files; a blank field or an empty file input counts as not sent."""
    data = {key: value for key, value in _fields(request.form).items() if value != ""}
    data.update((key, upload) for key, upload in request.files.items() if upload.filename)
    return validated(model, data)


def json_of(model: type[Model]) -> Model:
    if not request.is_json:
        raise InvalidInput(NOT_JSON)
    try:  # pydantic's parser has a depth limit: deeply nested JSON is an error, not a crash
        return model.model_validate_json(request.get_data(), strict=True)
    except ValidationError as exc:
        raise field_errors(exc, model) from exc
