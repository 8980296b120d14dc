"""Where intake material goes (read like settings, so its mistakes are ConfigErrors for
the operator, in English, as in config.py): e-mail rules (by sender, recipient or subject) and the
folder rule of watched folders, both giving a :class:`Placement` (category, subtype,
customer, tags).

E-mail rules live in a TOML file named by ``DOCSERVICE_MAIL_RULES`` (format in README,
"E-mail intake"); it is read at every poll, so an edit applies without a restart."""

from __future__ import annotations

import fnmatch
import tomllib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from email.utils import getaddresses
from pathlib import Path, PurePath

from docservice.domain import SUBTYPES, Category
from docservice.errors import ConfigError

RULE_CONDITIONS = ("from", "to", "subject")
RULE_ACTIONS = ("category", "subtype", "customer", "tags")
RECIPIENT_HEADERS = ("To", "Cc", "Delivered-To", "X-Original-To", "Envelope-To")
PLUS = "{plus}"

# Folder names that name a category besides its code and plural (README "Watched folders").
CATEGORY_WORDS = {"合同": Category.CONTRACT, "产品": Category.PRODUCT,
                  "活动": Category.CAMPAIGN, "市场活动": Category.CAMPAIGN,
                  "客户": Category.CUSTOMER, "其他": Category.OTHER}


@dataclass(frozen=True)
class Placement:
    """What intake sets on a new document (None: the upload's own suggestion)."""

    category: str | None = None
    subtype: str | None = None
    customer: str | None = None
    tags: tuple[str, ...] = ()

    def then(self, other: Placement) -> Placement:
        """This placement, completed by ``other`` where it says nothing; tags add up."""
        return Placement(self.category or other.category,
                         self.subtype if self.category or self.subtype else other.subtype,
                         self.customer or other.customer,
                         tuple(dict.fromkeys(self.tags + other.tags)))


@dataclass(frozen=True)
class MailRule:
    sender: str | None = None
    recipient: str | None = None
    subject: str | None = None
    placement: Placement = field(default_factory=Placement)


@dataclass(frozen=True)
class Envelope:
    """What rules look at in a message."""

    sender: str
    recipients: tuple[str, ...]
    subject: str


def recipients_of(headers: Iterable[str | None]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(address.lower() for _name, address
                               in getaddresses([h for h in headers if h]) if address))


def load_rules(path: Path | None) -> list[MailRule]:
    """The rules in ``path`` (none without a file); a mistake raises ConfigError naming
    the rule."""
    if path is None:
        return []
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"DOCSERVICE_MAIL_RULES {path}: {exc}") from exc
    unknown = sorted(set(data) - {"rule"})
    if unknown:
        raise ConfigError(f"DOCSERVICE_MAIL_RULES {path}: unknown table {unknown[0]!r} "
                          "(rules are [[rule]] tables)")
    return [_rule(path, number, entry) for number, entry in enumerate(data.get("rule", []), 1)]


def _rule(path: Path, number: int, entry: dict[str, object]) -> MailRule:
    where = f"DOCSERVICE_MAIL_RULES {path}, rule {number}"
    unknown = sorted(set(entry) - set(RULE_CONDITIONS) - set(RULE_ACTIONS))
    if unknown:
        raise ConfigError(f"{where}: unknown key {unknown[0]!r}; conditions are "
                          f"{', '.join(RULE_CONDITIONS)}, actions {', '.join(RULE_ACTIONS)}")
    values = {key: entry.get(key) for key in RULE_CONDITIONS + RULE_ACTIONS[:3]}
    for key, value in values.items():
        if value is not None and not (isinstance(value, str) and value.strip()):
            raise ConfigError(f"{where}: {key} must be a non-empty string")
    tags = entry.get("tags", [])
    if not isinstance(tags, list) or not all(isinstance(t, str) and t.strip() for t in tags):
        raise ConfigError(f"{where}: tags must be a list of strings")
    placement = Placement(_text(values["category"]), _text(values["subtype"]),
                          _text(values["customer"]), tuple(t.strip() for t in tags))
    problem = placement_problem(placement)
    if problem:
        raise ConfigError(f"{where}: {problem}")
    return MailRule(_text(values["from"]), _text(values["to"]), _text(values["subject"]),
                    placement)


def _text(value: object) -> str | None:
    return value.strip() if isinstance(value, str) else None


def placement_problem(placement: Placement) -> str | None:
    if placement.category is None:
        return "a subtype needs a category" if placement.subtype else None
    try:
        category = Category(placement.category)
    except ValueError:
        return (f"unknown category {placement.category!r}; use one of "
                f"{', '.join(c.value for c in Category)}")
    if placement.subtype and placement.subtype not in SUBTYPES[category]:
        return f"subtype {placement.subtype!r} does not belong to {category.value}"
    return None


def place_message(rules: Sequence[MailRule], envelope: Envelope) -> Placement:
    """Every rule that matches applies, in file order: a field keeps the first rule's
    value; tags add up. ``{plus}`` in a customer is the +detail of the matched recipient."""
    placement = Placement()
    for rule in rules:
        matched, plus = _matches(rule, envelope)
        if matched:
            found = rule.placement
            if found.customer and PLUS in found.customer:
                found = replace(found, customer=found.customer.replace(PLUS, plus).strip()
                                or None)
            placement = placement.then(found)
    return placement


def _matches(rule: MailRule, envelope: Envelope) -> tuple[bool, str]:
    if rule.sender and not fnmatch.fnmatchcase(envelope.sender.lower(), rule.sender.lower()):
        return False, ""
    if rule.subject and rule.subject.casefold() not in envelope.subject.casefold():
        return False, ""
    if not rule.recipient:
        return True, ""
    for address in envelope.recipients:
        if fnmatch.fnmatchcase(address, rule.recipient.lower()):
            local = address.partition("@")[0]
            return True, local.partition("+")[2]
    return False, ""


def place_file(relative: PurePath) -> Placement:
    """The placement of a file by the folders it sits in under a watched folder:
    ``[category/[subtype/]]customer/...``. The first folder names a category (its code,
    plural, or Chinese name) or else the customer; after a category, a folder that is one
    of its subtypes sets the subtype; the next folder is the customer; deeper folders only
    organise."""
    folders = list(relative.parts[:-1])
    if not folders:
        return Placement()
    category = _category_named(folders[0])
    if category is None:
        return Placement(customer=folders[0])
    folders.pop(0)
    subtype = None
    if folders and _code(folders[0]) in SUBTYPES[category]:
        subtype = _code(folders.pop(0))
    return Placement(category.value, subtype, folders[0] if folders else None)


def _code(name: str) -> str:
    return name.strip().lower().replace("-", "_").replace(" ", "_")


def _category_named(name: str) -> Category | None:
    code = _code(name)
    for category in Category:
        if code in (category.value, category.value + "s"):
            return category
    return CATEGORY_WORDS.get(name.strip())
