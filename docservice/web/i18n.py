"""The UI language (a remembered choice or the browser's, en or zh-CN) and gettext through
Flask-Babel. Catalogues: ``docservice/translations/<locale>/LC_MESSAGES/messages.po``,
compiled to ``.mo`` by ``make install``; ``make i18n-extract`` refreshes them from the code.
zh-CN's catalogue sits in ``zh_Hans_CN``: Babel names the locale so, and Flask-Babel loads
catalogues by Babel's name."""

from __future__ import annotations

from pathlib import Path

from flask import Flask, g, request
from flask_babel import Babel, gettext, ngettext
from flask_login import current_user

from docservice.errors import N_, ConfigError, DocserviceError
from docservice.web.labels import facet_label, label

TRANSLATIONS = Path(__file__).resolve().parents[1] / "translations"
LANGUAGES = {"en": "English", "zh-CN": "中文"}
DEFAULT = "en"
COOKIE = "lang"

__all__ = ["COOKIE", "LANGUAGES", "current_language", "error_message", "gettext", "init_app",
           "ngettext"]


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


def _locale() -> str:
    return current_language().replace("-", "_")


def error_message(exc: DocserviceError) -> str:
    """The error's message id with its values, in the UI language."""
    return gettext(exc.message_id, **exc.values)


def _require_compiled_catalogues() -> None:
    """Without its .mo a language silently falls back to English: say so at start instead."""
    for po in sorted(TRANSLATIONS.glob("*/LC_MESSAGES/messages.po")):
        if not po.with_suffix(".mo").exists():
            raise ConfigError(N_("%(po)s is not compiled: run `make install` (or `pybabel "
                                 "compile -d %(dir)s`)"), po=str(po), dir=str(TRANSLATIONS))


def init_app(app: Flask) -> None:
    _require_compiled_catalogues()
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", str(TRANSLATIONS))
    Babel(app, locale_selector=_locale)
    app.jinja_env.globals.update(label=label, facet_label=facet_label,
                                 current_language=current_language, LANGUAGES=LANGUAGES)
