"""What notifications say, in the reader's language: one sentence per kind, shared by the
inbox page, e-mails and team messages. E-mails and webhooks are made outside any web
request, so the catalogues are read here with Babel directly."""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from pathlib import Path

from babel import Locale
from babel.support import NullTranslations, Translations

from docservice.errors import N_
from docservice.views import NotificationView

TRANSLATIONS = Path(__file__).resolve().parents[1] / "translations"
Translate = Callable[..., str]

SENTENCES = {
    ("new_document", "customer"): N_("New document for customer %(via)s: %(title)s"),
    ("new_document", "product"): N_("New document for product %(via)s: %(title)s"),
    ("new_document", "search"): N_("New document matching your saved search %(via)s: "
                                   "%(title)s"),
    ("new_version", "document"): N_("New version of %(title)s"),
    ("review_due", None): N_("%(title)s is due for review on %(due)s"),
    ("expiring", None): N_("Contract %(title)s expires on %(due)s"),
}
TEAM_SENTENCES = {
    "new_document": N_("New document in team %(team)s: %(title)s"),
    "new_version": N_("New version of %(title)s in team %(team)s"),
}


@lru_cache(maxsize=8)
def _catalogue(language: str) -> NullTranslations:
    if language == "en":
        return NullTranslations()
    return Translations.load(str(TRANSLATIONS), [Locale.parse(language.replace("-", "_"))])


def translator(language: str | None) -> Translate:
    """gettext for ``language`` (en or zh-CN; anything else is English), taking values."""
    catalogue = _catalogue(language if language == "zh-CN" else "en")

    def translate(message_id: str, **values: object) -> str:
        text = catalogue.gettext(message_id)
        return text % values if values else text

    return translate


def sentence(notification: NotificationView, translate: Translate) -> str:
    """The notification as one sentence: what happened to which document."""
    via_kind = notification.via_kind if notification.kind in ("new_document",
                                                              "new_version") else None
    message_id = SENTENCES.get((notification.kind, via_kind)) or SENTENCES[
        ("new_version", "document")]
    return translate(message_id, title=notification.title, via=notification.via or "",
                     due=notification.due or "")
