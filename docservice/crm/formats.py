"""Which CRM wrote an export, and its rows as customer records.

Recognised from the header row (column names compared case-insensitively, spaces and ``_``
ignored):

- Zoho CRM, Accounts module (export as CSV or XLSX): ``Record Id`` (the record id), ``Account
  Name``, ``Account Type``, ``Industry``, ``Billing City``/``Billing State``/``Billing
  Country``; the field labels of Zoho's Accounts module, also as the API names
  (``Account_Name``, ``Account_Type``, ``id``). A custom ``Stage`` column gives the stage.
- 纷享销客 (Fxiaoke), 客户 object (AccountObj): ``客户名称``, ``客户编号``, ``客户级别``,
  ``行业``/``一级行业``, ``地区``/``省``/``市``, ``成交状态``; the record id is the
  ``数据ID``/``唯一性ID``/``_id`` column when the export has one, else ``客户编号``. Also as the
  API names (``name``, ``account_no``, ``deal_status``, ...).
- Plain CSV (``--source csv``), header ``name,crm_id,type,industry,region,stage,aliases``:
  ``type`` one of prospect/current/churned/partner, ``stage`` a stage code or label, ``aliases``
  other names separated by ``;``.

Values are mapped to our codes: account types (Zoho ``Customer`` -> current, ``Prospect`` ->
prospect, ``Partner``/``Reseller``/``Distributor``/``Integrator`` -> partner, ``Former Customer``
-> churned), 成交状态 (未成交 -> prospect, 已成交/多次成交 -> current), and stages in English or
Chinese (``Closed Won``/赢单 -> won, 商务谈判 -> negotiation ...). A type we do not know leaves
the type as it is; a stage we do not know refuses the row.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

SOURCES = ("zoho", "fxiaoke", "csv")

FIELDS = ("crm_id", "name", "type", "industry", "region", "stage", "aliases")


@dataclass(frozen=True)
class Layout:
    """What the columns of one CRM's export mean: field -> accepted column names, in order
    of preference (several columns for a field: the first non-empty one wins)."""

    source: str
    columns: dict[str, tuple[str, ...]]
    markers: tuple[str, ...]  # columns only this CRM's export has


ALIAS_COLUMNS = ("aliases", "alias", "other names", "former name", "former names", "别名",
                 "曾用名", "英文名称", "英文名", "中文名称", "中文名", "客户简称", "chinese name",
                 "english name")
STAGE_COLUMNS = ("stage", "buying stage", "sales stage", "customer stage", "客户阶段", "销售阶段",
                 "阶段", "购买阶段")

ZOHO = Layout("zoho", {
    "crm_id": ("record id", "id", "account id"),
    "name": ("account name",),
    "type": ("account type", "type"),
    "industry": ("industry",),
    "region": ("billing city", "billing state", "billing country", "shipping city", "region"),
    "stage": STAGE_COLUMNS,
    "aliases": ALIAS_COLUMNS,
}, markers=("account name", "record id", "account owner", "account type", "billing city"))

FXIAOKE = Layout("fxiaoke", {
    "crm_id": ("数据id", "唯一性id", "_id", "客户id", "id", "客户编号", "account no"),
    "name": ("客户名称", "name"),
    "type": ("成交状态", "客户类型", "deal status", "account type"),
    "industry": ("行业", "一级行业", "所属行业", "industry level1", "industry"),
    "region": ("地区", "市", "城市", "省", "省份", "国家", "city", "province", "country"),
    "stage": STAGE_COLUMNS,
    "aliases": ALIAS_COLUMNS,
}, markers=("客户名称", "客户编号", "客户级别", "成交状态", "account no", "account level",
            "deal status"))

PLAIN = Layout("csv", {field: (field,) for field in FIELDS}, markers=("crm id",))

LAYOUTS = {layout.source: layout for layout in (ZOHO, FXIAOKE, PLAIN)}

TYPES = {
    "prospect": "prospect", "current": "current", "churned": "churned", "partner": "partner",
    "customer": "current", "former customer": "churned", "lost customer": "churned",
    "reseller": "partner", "distributor": "partner", "integrator": "partner",
    "潜在客户": "prospect", "意向客户": "prospect", "未成交": "prospect",
    "已成交": "current", "多次成交": "current", "成交客户": "current", "现有客户": "current",
    "正式客户": "current", "流失客户": "churned", "已流失": "churned",
    "合作伙伴": "partner", "代理商": "partner", "渠道商": "partner", "经销商": "partner",
}

STAGES = {
    "first contact": "first_contact", "contact": "first_contact", "lead": "first_contact",
    "qualification": "qualified", "qualified": "qualified", "needs analysis": "qualified",
    "interested": "qualified", "intent": "qualified",
    "value proposition": "proposal", "proposal": "proposal", "proposal/price quote": "proposal",
    "id. decision makers": "proposal", "perception analysis": "proposal", "quote": "proposal",
    "negotiation": "negotiation", "negotiation/review": "negotiation",
    "closed won": "won", "won": "won", "purchased": "won",
    "closed lost": "lost", "lost": "lost", "closed lost to competition": "lost",
    "初次接触": "first_contact", "初步接洽": "first_contact", "线索": "first_contact",
    "需求确认": "qualified", "有意向": "qualified", "意向": "qualified", "已确认意向": "qualified",
    "方案报价": "proposal", "报价": "proposal", "方案": "proposal",
    "商务谈判": "negotiation", "谈判": "negotiation",
    "赢单": "won", "成交": "won", "输单": "lost", "丢单": "lost",
}


@dataclass(frozen=True)
class Record:
    """One data row as customer fields (``None``: the export says nothing about it)."""

    line: int  # the row's line in the file (the header is line 1)
    crm_id: str
    name: str
    type: str | None
    type_given: str  # the export's own value, for messages
    industry: str | None
    region: str | None
    stage: str | None  # a stage code, or the export's value when it names no known stage
    aliases: tuple[str, ...]


def column_key(name: str) -> str:
    return re.sub(r"[\s_\-]+", " ", name.replace("\ufeff", "")).strip().casefold()


def recognise(header: Sequence[str]) -> str | None:
    """The CRM whose export has this header, or None."""
    keys = {column_key(name) for name in header}
    scores = {layout.source: len(keys & set(layout.markers)) for layout in (ZOHO, FXIAOKE)}
    best = max(scores, key=lambda source: scores[source])
    if scores[best]:
        return best
    return "csv" if {"name", "crm id"} <= keys else None


def missing_columns(source: str, header: Sequence[str]) -> list[str]:
    """The columns a ``source`` export needs and ``header`` lacks (its name and id)."""
    keys = {column_key(name) for name in header}
    layout = LAYOUTS[source]
    return [layout.columns[field][0] for field in ("crm_id", "name")
            if not keys & set(layout.columns[field])]


def records(source: str, header: Sequence[str], rows: Sequence[Sequence[str]]) -> list[Record]:
    layout = LAYOUTS[source]
    keys = [column_key(name) for name in header]
    positions = {field: [keys.index(column) for column in columns if column in keys]
                 for field, columns in layout.columns.items()}
    return [_record(layout, positions, line, row) for line, row in enumerate(rows, start=2)]


def _record(layout: Layout, positions: dict[str, list[int]], line: int,
            row: Sequence[str]) -> Record:
    def value(field: str) -> str:
        return next((row[i].strip() for i in positions[field] if i < len(row) and row[i].strip()),
                    "")

    given_type, given_stage = value("type"), value("stage")
    aliases = tuple(part.strip() for i in positions["aliases"] if i < len(row)
                    for part in re.split(r"[;；|]", row[i]) if part.strip())
    return Record(line=line, crm_id=value("crm_id"), name=value("name"),
                  type=TYPES.get(column_key(given_type)) if given_type else None,
                  type_given=given_type, industry=value("industry") or None,
                  region=value("region") or None,
                  stage=stage_code(given_stage) if given_stage else None,
                  aliases=aliases)


def stage_code(given: str) -> str:
    """Our code for a stage as an export writes it (``Closed Won``, 商务谈判, ``first_contact``),
    or the value itself when it names no stage we know (the caller checks)."""
    key = column_key(given)
    return STAGES.get(key) or key.replace(" ", "_")
