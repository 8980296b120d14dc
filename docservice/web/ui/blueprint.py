"""The ``ui`` blueprint: Jinja pages for people; signing in is needed except where noted."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from flask import Blueprint, flash, redirect, request, url_for
from flask_login import current_user

from docservice.domain import Principal
from docservice.errors import Conflict, InvalidInput
from docservice.services.context import Context
from docservice.web.auth import app_context, current_principal
from docservice.web.i18n import error_message, gettext

bp = Blueprint("ui", __name__)
PUBLIC_ENDPOINTS = {"ui.login", "ui.language", "ui.share", "ui.share_download"}


@bp.before_request
def require_login() -> Any:
    if request.endpoint in PUBLIC_ENDPOINTS or current_user.is_authenticated:
        return None
    return redirect(url_for("ui.login", next=request.full_path.rstrip("?")))


def ctx() -> Context:
    return app_context()


def principal() -> Principal:
    return current_principal()


def safe_next(target: str | None, default: str = "/") -> str:
    """Only a path on this site: a login link must not send people elsewhere.

    Browsers clean a URL before reading it (tabs and newlines dropped, control characters
    trimmed, a backslash read as a slash), so ``/%09/evil.example`` is ``//evil.example`` to
    them. A target holding any such character is refused rather than cleaned; what is left
    must parse as a path with neither scheme nor host."""
    if not target or any(ord(ch) < 0x20 or ch in "\\\x7f" for ch in target):
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return default
    return target


def attempt(action: Callable[[], object], done: str) -> bool:
    """Run a form's action; say what went wrong (bad input, a clash) or that it worked
    (``done``: a message id marked with ``N_``)."""
    try:
        action()
    except (InvalidInput, Conflict) as exc:
        flash(error_message(exc), "error")
        return False
    flash(gettext(done), "info")
    return True
