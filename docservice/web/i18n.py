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


def ngettext(singular: str, plural: str, count: int, **values: Any) -> str:
    """``singular`` or ``plural`` by ``count`` (English rules), in the UI language; both
    are message ids and ``{count}`` is filled in. Chinese has one form: same text for both."""
    return gettext(singular if count == 1 else plural, count=count, **values)


def init_app(app: Flask) -> None:
    app.jinja_env.globals.update(_=gettext, ngettext=ngettext, current_language=current_language,
                                 LANGUAGES=LANGUAGES)
