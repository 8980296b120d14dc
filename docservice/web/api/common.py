"""Helpers shared by the API endpoints."""

from __future__ import annotations

from dataclasses import asdict, is_dataclass
from typing import Any

from flask import request

from docservice.errors import N_, InvalidInput
from docservice.services.context import Context
from docservice.web.auth import app_context
from docservice.web.forms import MAX_ID


def ctx() -> Context:
    return app_context()


def plain(value: object) -> Any:
    """A view (or a list of views) as the dicts and lists ``jsonify`` sends."""
    if is_dataclass(value) and not isinstance(value, type):
        return asdict(value)
    if isinstance(value, list | tuple):
        return [plain(item) for item in value]
    return value


def json_body() -> dict[str, Any]:
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise InvalidInput(N_("send a JSON object with Content-Type: application/json"))
    return body


def int_arg(name: str, default: int) -> int:
    raw = request.args.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError as exc:
        raise InvalidInput(N_("%(name)s must be a whole number"), name=name) from exc
    if abs(value) > MAX_ID:
        raise InvalidInput(N_("%(name)s is out of range"), name=name)
    return value


def bool_arg(name: str) -> bool:
    return request.args.get(name, "").lower() in {"1", "true", "yes", "on"}
