"""The UI language: a remembered choice (cookie, account) or the browser's, en or zh-CN."""

from __future__ import annotations

from typing import Any

from flask import Flask, g, request
from flask_login import current_user

from docservice.web.catalogue_en import EN
from docservice.web.catalogue_zh import ZH

LANGUAGES = {"en": "English", "zh-CN": "中文"}
DEFAULT = "en"
COOKIE = "lang"


def _from_browser() -> str | None:
    for tag, _quality in request.accept_languages:
        lowered = tag.lower()
        if lowered.startswith("zh"):
            return "zh-CN"
        if lowered.startswith("en"):
            return "en"
    return None


def select_language() -> str:
    chosen = request.cookies.get(COOKIE)
    if chosen in LANGUAGES:
        return chosen
    remembered = getattr(current_user, "language", None)
    if remembered in LANGUAGES:
        return str(remembered)
    return _from_browser() or DEFAULT


def current_language() -> str:
    if "lang" not in g:
        g.lang = select_language()
    return str(g.lang)


def gettext(text: str, **values: Any) -> str:
    """``text`` in the UI language; ``{name}`` placeholders are filled from ``values``."""
    catalogue = ZH if current_language() == "zh-CN" else EN
    message = catalogue.get(text, text)
    return message.format(**values) if values else message


def init_app(app: Flask) -> None:
    app.jinja_env.globals.update(_=gettext, current_language=current_language,
                                 LANGUAGES=LANGUAGES)
