"""Every message in the code has a Chinese translation: babel extracts the messages the way
``make i18n-extract`` does (babel.cfg), and the zh-CN catalogue must translate each one,
plural forms and messages with values included, with the same placeholders."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog, Message
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po
from flask import Flask

import docservice.services
import docservice.web
from docservice.errors import ConfigError, DocserviceError
from docservice.web import i18n
from docservice.web.i18n import TRANSLATIONS

ROOT = Path(__file__).parents[2]
PACKAGE = ROOT / "docservice"
MessageId = str | tuple[str, ...]
ZH = "zh_Hans_CN"  # zh-CN as Babel names it (Flask-Babel looks the catalogue up by this name)


def extracted() -> dict[MessageId, str]:
    """Message id (a tuple for plurals) -> where it was first found."""
    with (ROOT / "babel.cfg").open(encoding="utf-8") as cfg:
        method_map, options_map = parse_mapping_cfg(cfg)
    found: dict[MessageId, str] = {}
    for filename, lineno, message, _comments, _context in extract_from_dir(
            str(PACKAGE), method_map, options_map):
        found.setdefault(message, f"{filename}:{lineno}")
    return found


def catalogue(locale: str) -> Catalog:
    with (TRANSLATIONS / locale / "LC_MESSAGES" / "messages.po").open("rb") as po:
        return read_po(po, locale=locale)


def untranslated(messages: dict[MessageId, str], zh: Catalog) -> list[str]:
    missing = []
    for message_id, where in messages.items():
        entry = zh.get(message_id[0] if isinstance(message_id, tuple) else message_id)
        strings = () if entry is None else (
            entry.string if isinstance(entry.string, tuple) else (entry.string,))
        if (entry is None or entry.fuzzy or not all(strings)
                or isinstance(entry.id, tuple) != isinstance(message_id, tuple)):
            missing.append(f"{where}: {message_id!r}")
    return missing


def test_extraction_finds_the_ui_the_errors_and_the_plurals() -> None:
    messages = extracted()
    assert len(messages) > 300
    assert "Drop files or a folder here" in messages  # a template
    assert "document %(id)s not found" in messages  # an error with a value
    assert ("%(num)d result", "%(num)d results") in messages  # a plural
    assert "price list" in messages  # the label of a code


def test_every_message_has_a_chinese_translation() -> None:
    """On failure: `make i18n-extract`, then translate the empty msgstr in zh_Hans_CN."""
    assert untranslated(extracted(), catalogue(ZH)) == []


def test_a_missing_translation_is_found() -> None:
    messages, zh = extracted(), catalogue(ZH)
    del zh["document %(id)s not found"]
    zh["%(num)d result"].string = ("",)
    plural = ("%(num)d result", "%(num)d results")
    assert sorted(untranslated(messages, zh)) == sorted([
        f"{messages['document %(id)s not found']}: 'document %(id)s not found'",
        f"{messages[plural]}: {plural!r}"])


def test_translations_keep_every_placeholder() -> None:
    problems = [(message.id, [str(error) for error in errors])
                for message, errors in catalogue(ZH).check()]
    assert problems == []


def test_chinese_has_one_plural_form_and_english_two() -> None:
    assert catalogue(ZH).num_plurals == 1
    assert catalogue("en").num_plurals == 2


def _translations(messages: Iterator[Message]) -> dict[MessageId, MessageId]:
    """Translated entries only (a compiled plural without translation repeats its ids)."""
    found = {}
    for message in messages:
        key = message.id if isinstance(message.id, str) else tuple(message.id)
        text = message.string if isinstance(message.string, str) else tuple(message.string)
        if key and text and all(text) and text != key and not message.fuzzy:
            found[key] = text
    return found


def test_the_installed_catalogues_are_compiled_from_the_po_files() -> None:
    """The .mo files are built by `make install`; a stale one shows old text."""
    for locale in (ZH, "en"):
        with (TRANSLATIONS / locale / "LC_MESSAGES" / "messages.mo").open("rb") as mo:
            compiled = _translations(iter(read_mo(mo)))
        assert compiled == _translations(iter(catalogue(locale))), (
            f"run `make install` to compile {locale}")


# -- raise sites pass message ids, so that extraction sees them -----------------------------

def _error_names() -> set[str]:
    names, pending = set(), [DocserviceError]
    while pending:
        cls = pending.pop()
        names.add(cls.__name__)
        pending.extend(cls.__subclasses__())
    return names


def _shown_modules() -> Iterator[Path]:
    """Where errors shown to people are raised (adapters' operator diagnostics stay English)."""
    for package in (docservice.services, docservice.web):
        yield from Path(package.__path__[0]).rglob("*.py")
    yield PACKAGE / "search" / "query.py"


def unmarked_raises() -> list[str]:
    import docservice.web.ui  # noqa: F401 (loads the error classes the pages define)

    names, found = _error_names(), []
    for module in _shown_modules():
        for node in ast.walk(ast.parse(module.read_text(encoding="utf-8"))):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
                    and node.func.id in names and node.args
                    and isinstance(node.args[0], ast.Constant | ast.JoinedStr | ast.BinOp)):
                found.append(f"{module.relative_to(ROOT)}:{node.lineno}")
    return found


def test_errors_are_raised_with_marked_message_ids() -> None:
    """``raise InvalidInput(f"...")`` would reach Chinese users in English: use
    ``InvalidInput(N_("... %(name)s ..."), name=value)``."""
    assert unmarked_raises() == []


def test_the_web_app_refuses_to_start_with_an_uncompiled_catalogue(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    source = tmp_path / ZH / "LC_MESSAGES" / "messages.po"
    source.parent.mkdir(parents=True)
    source.write_bytes((TRANSLATIONS / ZH / "LC_MESSAGES" / "messages.po").read_bytes())
    monkeypatch.setattr(i18n, "TRANSLATIONS", tmp_path)
    with pytest.raises(ConfigError, match="make install"):
        i18n.init_app(Flask(__name__))
