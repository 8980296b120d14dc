"""The ``api`` blueprint: /api/v1, JSON in and out, session or bearer-token callers."""

from __future__ import annotations

from flask import Blueprint, current_app, g, request
from flask_wtf.csrf import CSRFError, validate_csrf
from wtforms import ValidationError

from docservice.web.auth import current_principal

bp = Blueprint("api", __name__, url_prefix="/api/v1")
PUBLIC_ENDPOINTS = {"api.openapi"}
SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}


@bp.before_request
def authenticate() -> None:
    """Every endpoint but the OpenAPI document needs a caller; browsers also a CSRF token."""
    if request.endpoint in PUBLIC_ENDPOINTS:
        return
    current_principal()
    if request.method in SAFE_METHODS or g.get("via_token"):
        return
    if not current_app.config.get("WTF_CSRF_ENABLED", True):
        return
    try:
        validate_csrf(request.headers.get("X-CSRFToken"))
    except ValidationError as exc:
        raise CSRFError(str(exc)) from exc
