"""Our errors and HTTP errors, mapped once: JSON for the API, a page for people."""

from __future__ import annotations

from typing import Any

from flask import Flask, jsonify, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge

from docservice.errors import DocserviceError
from docservice.web.i18n import gettext

_CODES = {400: "invalid_input", 401: "unauthorized", 403: "forbidden", 404: "not_found",
          405: "method_not_allowed", 409: "conflict", 413: "too_large", 429: "rate_limited"}


def wants_json() -> bool:
    if request.path.startswith("/api/"):
        return True
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return best == "application/json"


def error_response(code: str, message: str, status: int) -> Any:
    if wants_json():
        return jsonify(error={"code": code, "message": message}), status
    return render_template("error.html", code=code, message=message, status=status), status


def too_large_message(limit_mb: int) -> str:
    return f"the file is larger than the upload limit of {limit_mb} MB"


def init_app(app: Flask, upload_limit_mb: int) -> None:
    @app.errorhandler(DocserviceError)
    def on_service_error(exc: DocserviceError) -> Any:
        return error_response(exc.code, exc.message, exc.http_status)

    @app.errorhandler(CSRFError)
    def on_csrf_error(exc: CSRFError) -> Any:
        message = gettext("The form expired or came from another site; reload and try again.")
        return error_response("csrf_failed", message, 400)

    @app.errorhandler(RequestEntityTooLarge)
    def on_too_large(exc: RequestEntityTooLarge) -> Any:
        return error_response("too_large", too_large_message(upload_limit_mb), 413)

    @app.errorhandler(HTTPException)
    def on_http_error(exc: HTTPException) -> Any:
        status = exc.code or 500
        return error_response(_CODES.get(status, "error"), exc.description or exc.name, status)
