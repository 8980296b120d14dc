"""Helpers shared by the API endpoints."""

from __future__ import annotations

from dataclasses import asdict, is_dataclass
from typing import Any

from docservice.services.context import Context
from docservice.web.auth import app_context


def ctx() -> Context:
    return app_context()


def plain(value: object) -> Any:
    """A view (or a list of views) as the dicts and lists ``jsonify`` sends."""
    if is_dataclass(value) and not isinstance(value, type):
        return asdict(value)
    if isinstance(value, list | tuple):
        return [plain(item) for item in value]
    return value
