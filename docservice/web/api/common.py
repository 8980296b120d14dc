"""Helpers shared by the API endpoints."""

from __future__ import annotations

from typing import Any

from flask import request

from docservice.errors import InvalidInput
from docservice.services.context import Context
from docservice.web.auth import app_context
from docservice.web.forms import MAX_ID


def ctx() -> Context:
    return app_context()


def json_body() -> dict[str, Any]:
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise InvalidInput("send a JSON object with Content-Type: application/json")
    return body


def int_arg(name: str, default: int) -> int:
    raw = request.args.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError as exc:
        raise InvalidInput(f"{name} must be a whole number") from exc
    if abs(value) > MAX_ID:
        raise InvalidInput(f"{name} is out of range")
    return value


def bool_arg(name: str) -> bool:
    return request.args.get(name, "").lower() in {"1", "true", "yes", "on"}
