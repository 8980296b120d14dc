"""Our errors and HTTP errors, mapped once: JSON for the API, a page for people.

Messages are translated here, where they are shown. The API's ``message`` stays English
(stable for scripts); ``localized_message`` is the same message in the caller's language
(the account's setting, the language cookie or Accept-Language)."""

from __future__ import annotations

from typing import Any

from flask import Flask, jsonify, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge

from docservice.errors import N_, DocserviceError
from docservice.web.i18n import error_message, gettext

_CODES = {400: "invalid_input", 401: "unauthorized", 403: "forbidden", 404: "not_found",
          405: "method_not_allowed", 409: "conflict", 413: "too_large", 429: "rate_limited"}
_TITLES = {400: N_("The request is not right"), 401: N_("Please sign in"),
           403: N_("Not allowed"), 404: N_("Not found"), 405: N_("Not allowed"),
           409: N_("Already exists"), 413: N_("File too large"), 429: N_("Too many attempts"),
           503: N_("Temporarily unavailable")}
CSRF_FAILED = N_("The form expired or came from another site; reload and try again.")
TOO_LARGE = N_("the file is larger than the upload limit of %(limit)s MB")


def wants_json() -> bool:
    if request.path.startswith("/api/"):
        return True
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return best == "application/json"


def error_response(code: str, message: str, status: int, localized: str | None = None,
                   fields: dict[str, str] | None = None) -> Any:
    """``message`` in English; ``localized`` the same in the UI language (default: as is);
    ``fields``: what is wrong with each field of the input, in the UI language."""
    shown = message if localized is None else localized
    if wants_json():
        detail: dict[str, Any] = {"code": code, "message": message, "localized_message": shown}
        if fields:
            detail["fields"] = fields
        return jsonify(error=detail), status
    title = gettext(_TITLES.get(status, N_("Error")))
    return render_template("error.html", code=code, title=title, message=shown,
                           status=status), status


def retry_headers(exc: DocserviceError) -> dict[str, str]:
    """``Retry-After`` for an error that says how long to wait (too many attempts)."""
    retry_after = getattr(exc, "retry_after", None)
    return {"Retry-After": str(retry_after)} if retry_after else {}


def init_app(app: Flask, upload_limit_mb: int) -> None:
    @app.errorhandler(DocserviceError)
    def on_service_error(exc: DocserviceError) -> Any:
        body, status = error_response(exc.code, exc.message, exc.http_status,
                                      error_message(exc), getattr(exc, "fields", None))
        return body, status, retry_headers(exc)

    @app.errorhandler(CSRFError)
    def on_csrf_error(exc: CSRFError) -> Any:
        return error_response("csrf_failed", CSRF_FAILED, 400, gettext(CSRF_FAILED))

    @app.errorhandler(RequestEntityTooLarge)
    def on_too_large(exc: RequestEntityTooLarge) -> Any:
        values = {"limit": upload_limit_mb}
        return error_response("too_large", TOO_LARGE % values, 413,
                              gettext(TOO_LARGE, **values))

    @app.errorhandler(HTTPException)
    def on_http_error(exc: HTTPException) -> Any:
        status = exc.code or 500
        return error_response(_CODES.get(status, "error"), exc.description or exc.name, status)
