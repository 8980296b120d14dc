"""Where intake material goes: the e-mail rules and the watched folders' folder rule."""

from __future__ import annotations

from pathlib import Path, PurePath

import pytest

from docservice.errors import ConfigError
from docservice.intake_rules import Envelope, Placement, load_rules, place_file, place_message


def rules_from(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "rules.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_matching_rules_apply_in_order_first_value_wins_and_tags_add_up(tmp_path: Path) -> None:
    rules = load_rules(rules_from(tmp_path, """
[[rule]]
from = "*@acme.com"
customer = "Acme"
tags = ["acme"]

[[rule]]
subject = "合同"
category = "contract"
subtype = "signed"
customer = "Someone else"
tags = ["contract"]

[[rule]]
to = "quotes@*"
category = "product"
"""))
    mail = Envelope("li@acme.com", ("sales@example.com",), "采购合同 2026")
    assert place_message(rules, mail) == Placement("contract", "signed", "Acme",
                                                   ("acme", "contract"))
    assert place_message(rules, Envelope("x@y.com", ("quotes@example.com",), "Hi")) == \
        Placement("product")
    assert place_message(rules, Envelope("x@y.com", ("a@example.com",), "Hi")) == Placement()


def test_plus_addressing_names_the_customer(tmp_path: Path) -> None:
    rules = load_rules(rules_from(tmp_path, '[[rule]]\nto = "contracts+*@example.com"\n'
                                            'category = "contract"\ncustomer = "{plus}"\n'))
    mail = Envelope("a@b.com", ("team@example.com", "contracts+globex@example.com"), "")
    assert place_message(rules, mail) == Placement("contract", None, "globex")


@pytest.mark.parametrize(("text", "message"), [
    ('[[rule]]\nsender = "a@b"\n', "rule 1: unknown key 'sender'"),
    ('[[rule]]\ncategory = "contract"\nsubtype = "price_list"\n',
     "rule 1: subtype 'price_list' does not belong to contract"),
    ('[[rule]]\ntags = "one"\n', "rule 1: tags must be a list of strings"),
    ('[rules]\n', "unknown table 'rules'"),
    ('[[rule]\n', "DOCSERVICE_MAIL_RULES"),
])
def test_a_mistake_in_the_rules_is_named(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message.replace("[", r"\[")):
        load_rules(rules_from(tmp_path, text))


@pytest.mark.parametrize(("path", "placement"), [
    ("a.pdf", Placement()),
    ("contracts/Acme/a.pdf", Placement("contract", None, "Acme")),
    ("contract/pending-signature/Acme/2026/a.pdf",
     Placement("contract", "pending_signature", "Acme")),
    ("产品/price list/a.xlsx", Placement("product", "price_list")),
    ("Globex/a.pdf", Placement(customer="Globex")),
])
def test_subfolders_place_a_dropped_file(path: str, placement: Placement) -> None:
    assert place_file(PurePath(path)) == placement
