"""The cross-language vocabulary: built from dictionaries, used by the query analysis."""

from __future__ import annotations

import gzip
import importlib.util
from pathlib import Path
from types import ModuleType

from docservice.search.query import term_clauses

ROOT = Path(__file__).resolve().parents[2]
_DIGITS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"


def _builder() -> ModuleType:
    spec = importlib.util.spec_from_file_location("build_crosslang",
                                                  ROOT / "scripts" / "build_crosslang.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _number(value: int) -> str:
    digits = ""
    while True:
        digits = _DIGITS[value % 64] + digits
        value //= 64
        if not value:
            return digits


def _dictd(folder: Path, name: str, entries: list[tuple[str, str]]) -> None:
    """A dictd dictionary as Debian's dict-freedict packages install it."""
    data, index = b"", []
    for head, body in entries:
        text = f"{head} /x/\n{body}\n".encode()
        index.append(f"{head}\t{_number(len(data))}\t{_number(len(text))}")
        data += text
    (folder / f"{name}.dict.dz").write_bytes(gzip.compress(data))
    (folder / f"{name}.index").write_text("\n".join(index) + "\n", encoding="utf-8")


def test_translations_come_from_the_dictionaries_and_must_translate_back(tmp_path: Path) -> None:
    _dictd(tmp_path, "freedict-eng-deu", [
        ("invoice", "Rechnung <fem> [econ.]"), ("offer", "Angebot <neut> [econ.]"),
        ("offer", "Gift <neut>"), ("gift", "Geschenk <neut>"),
        ("offer", "anbieten <v, trans>")])
    _dictd(tmp_path, "freedict-deu-eng", [("rechnung", "invoice <n>, bill <n>"),
                                          ("angebot", "offer <n>"), ("anbieten", "offer")])
    _dictd(tmp_path, "freedict-eng-fra", [("invoice", "facture"), ("offer", "1. offre")])
    _dictd(tmp_path, "freedict-fra-eng", [("facture", "bill, invoice"), ("offre", "offer")])
    cedict = tmp_path / "cedict.txt"
    cedict.write_text("發票 发票 [fa1 piao4] /invoice/receipt or bill for purchase/\n"
                      "引文 引文 [yin3 wen2] /citation/invoice/\n", encoding="utf-8")
    lines = _builder().build(tmp_path, cedict, ["invoice", "offer"])
    assert lines == ["invoice, Rechnung, facture, 发票", "offer, Angebot, offre"]


def test_a_sales_word_finds_its_translations_below_itself() -> None:
    [offer] = term_clauses(["offer"])
    assert offer.translated_from == 1
    assert ("angebot",) in offer.alternatives[1:] and ("offr",) in offer.alternatives[1:]
    [invoice] = term_clauses(["發票"])  # traditional Chinese: the simplified entry
    assert ("invoic",) in invoice.alternatives and ("rechnung",) in invoice.alternatives
    [general] = term_clauses(["router"])  # outside the sales vocabulary: as typed only
    assert general.alternatives == (("router",),) and general.translated_from is None
