"""The OpenAPI document of /api/v1, served at /api/v1/openapi.json (made by ``contract``)."""

from __future__ import annotations

from typing import Any

from flask import current_app, jsonify

from docservice.web.api.blueprint import bp
from docservice.web.api.contract import document


@bp.get("/openapi.json")
def openapi() -> Any:
    return jsonify(document(current_app))
