"""What a file says about itself, as suggestions the uploader may change: pure functions.

Everything here works on a file name and extracted text only (no I/O), so the upload form,
the ingestion job and the tests all get the same answers. Cheap rules, not models: script
ratios for the language, patterns for years and versions, weighted keywords for the
category.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import PurePath

from docservice.domain import ExtractedText

LANGUAGE_SAMPLE_CHARS = 20_000
HEAD_CHARS = 20_000
"""How much of the text (from the start) years, versions and categories are looked for in."""

_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_LATIN = re.compile(r"[A-Za-z]")
_YEAR = re.compile(r"(?<!\d)(?:19[89]\d|20[0-4]\d)(?!\d)")
_FISCAL_YEAR = re.compile(r"(?<![A-Za-z0-9])FY ?(\d{2}|\d{4})(?![0-9])", re.IGNORECASE)
_VERSION = re.compile(
    r"(?<![A-Za-z0-9.])(?:v|ver\.?\s?|version\s?|版本[:：]?\s?v?)(\d{1,3}(?:\.\d{1,4}){0,3})"
    r"(?![\d]|\.\d|[A-Za-z])",
    re.IGNORECASE,
)
_EDITION = re.compile(r"第\s?([0-9]{1,3}|[一二三四五六七八九十]{1,3})\s?版")
_CHINESE_DIGITS = {c: n for n, c in enumerate("一二三四五六七八九十", start=1)}
_MAX_FOUND = 10
JUNK_TITLES = re.compile(
    r"^(?:untitled|无标题|microsoft (?:word|powerpoint|excel)\b.*|document\d*|slide \d+|"
    r"powerpoint presentation|presentation\d*|new document)$",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class DocumentHints:
    """Suggestions for the upload form and the version record, all optional."""

    title: str | None
    author: str | None
    created: datetime | None
    modified: datetime | None
    page_count: int
    languages: str | None
    years: tuple[int, ...]
    versions: tuple[str, ...]
    category: str | None
    subtype: str | None


def describe(filename: str, extracted: ExtractedText) -> DocumentHints:
    """Every suggestion for a file called ``filename`` whose text is ``extracted``."""
    head = head_text(extracted.pages)
    suggestion = suggest_category(filename, head)
    return DocumentHints(
        title=suggest_title(filename, extracted.title),
        author=extracted.author,
        created=extracted.created,
        modified=extracted.modified,
        page_count=len(extracted.pages),
        languages=extracted.language or detect_languages(extracted.pages),
        years=tuple(find_years(_stem(filename), head)),
        versions=tuple(find_versions(f"{_stem(filename)}\n{head}")),
        category=suggestion[0] if suggestion else None,
        subtype=suggestion[1] if suggestion else None,
    )


def head_text(pages: Sequence[str], limit: int = HEAD_CHARS) -> str:
    """The first ``limit`` characters of the pages, pages separated by newlines."""
    parts: list[str] = []
    size = 0
    for page in pages:
        if size >= limit:
            break
        parts.append(page[: limit - size])
        size += len(parts[-1]) + 1
    return "\n".join(parts)


def detect_languages(pages: Sequence[str], sample: int = LANGUAGE_SAMPLE_CHARS) -> str | None:
    """"zh", "en" or "zh,en" by the share of Chinese characters and Latin letters.

    Both are named when each is over a tenth of the letters; None for text without either.
    """
    text = head_text(pages, sample)
    cjk, latin = len(_CJK.findall(text)), len(_LATIN.findall(text))
    if not cjk and not latin:
        return None
    if cjk and latin and min(cjk, latin) > 0.1 * (cjk + latin):
        return "zh,en"
    # A Chinese character carries about as much as a short English word.
    return "zh" if cjk * 2 > latin else "en"


def find_years(*texts: str) -> list[int]:
    """Years 1980-2049 named in ``texts``, fiscal years (FY24, FY2024) included, sorted."""
    found: set[int] = set()
    for text in texts:
        found.update(int(match) for match in _YEAR.findall(text))
        for match in _FISCAL_YEAR.findall(text):
            year = int(match) if len(match) == 4 else 2000 + int(match)
            if 1980 <= year <= 2049:
                found.add(year)
    return sorted(found)


def find_versions(text: str) -> list[str]:
    """Version marks in ``text`` as "v" plus the number, first seen first.

    ``v2.1`` and ``Version 2.1`` give "v2.1", ``V3`` gives "v3", ``第2版`` and ``第二版``
    give "v2". At most ten.
    """
    found: dict[str, int] = {}
    for match in _VERSION.finditer(text):
        found.setdefault(f"v{match.group(1)}", match.start())
    for match in _EDITION.finditer(text):
        number = _edition_number(match.group(1))
        if number:
            found.setdefault(f"v{number}", match.start())
    return sorted(found, key=found.__getitem__)[:_MAX_FOUND]


def _edition_number(raw: str) -> int | None:
    if raw.isdigit():
        return int(raw)
    if raw == "十":
        return 10
    if raw.startswith("十"):  # 十二 = 12
        return 10 + _CHINESE_DIGITS.get(raw[1:], 0)
    if raw.endswith("十"):  # 二十 = 20
        return 10 * _CHINESE_DIGITS.get(raw[:-1], 0) or None
    if len(raw) == 3 and raw[1] == "十":  # 二十一 = 21
        return 10 * _CHINESE_DIGITS.get(raw[0], 0) + _CHINESE_DIGITS.get(raw[2], 0)
    return _CHINESE_DIGITS.get(raw) if len(raw) == 1 else None


def suggest_title(filename: str, extracted_title: str | None) -> str | None:
    """The document's own title unless it is a placeholder, else the cleaned file name."""
    if extracted_title and not JUNK_TITLES.match(extracted_title.strip()):
        return extracted_title.strip()
    stem = re.sub(r"[_]+", " ", _stem(filename)).strip()
    return stem or None


def title_from_filename(filename: str) -> str:
    """The title an upload gets from its file name when nobody gives one."""
    stem = PurePath(filename).stem
    return " ".join(stem.replace("_", " ").split()) or filename


def _stem(filename: str) -> str:
    return PurePath(filename).stem if filename else ""


# (category, subtype, words): a word in the file name counts three times one in the text.
_RULES: tuple[tuple[str, str | None, tuple[str, ...]], ...] = (
    ("product", "price_list", ("报价单", "报价", "价格表", "价目表", "价格清单", "price list",
                               "pricelist", "pricing", "price sheet", "quotation", "quote")),
    ("product", "spec", ("规格书", "规格", "技术参数", "参数表", "产品参数", "datasheet",
                         "data sheet", "specification", "spec sheet", "spec")),
    ("product", "manual", ("说明书", "使用手册", "用户手册", "操作手册", "手册", "使用指南",
                           "manual", "user guide", "handbook", "instructions")),
    ("contract", None, ("合同", "协议", "合约", "contract", "agreement")),
    ("campaign", "research_report", ("调研报告", "研究报告", "市场调研", "行业报告",
                                     "research report", "market research", "whitepaper",
                                     "white paper")),
    ("campaign", "plan", ("营销方案", "活动方案", "推广方案", "营销计划", "campaign plan",
                          "marketing plan", "launch plan")),
    ("campaign", "summary", ("活动总结", "总结", "复盘", "campaign summary", "recap",
                             "post-mortem")),
    ("customer", None, ("客户资料", "客户档案", "拜访记录", "customer profile", "account plan",
                        "visit report")),
)
_SIGNED_WORDS = ("盖章", "签章", "公章", "合同专用章", "签字", "签名", "signature", "signed by",
                 "seal", "stamp")
_CONTRACT_STATES = (
    ("draft", ("草稿", "草案", "征求意见稿", "draft")),
    ("pending_signature", ("待签", "待签署", "pending signature", "for signature")),
    ("expired", ("已过期", "已失效", "已终止", "expired", "terminated")),
)
_NAME_WEIGHT = 3
_NAME_SEPARATORS = re.compile(r"[-_.\s]+")
_TEXT_CAP = 3
_MIN_SCORE = 2


def suggest_category(filename: str, text: str) -> tuple[str, str | None] | None:
    """(category, subtype) the file most likely belongs to, or None when nothing stands out.

    A keyword in the file name outweighs the same keyword in the text; a contract whose
    text has signature and seal words is suggested as signed.
    """
    name = _NAME_SEPARATORS.sub(" ", _stem(filename).lower())  # price-list, price_list
    body = text[:HEAD_CHARS].lower()
    best: tuple[int, str, str | None] | None = None
    for category, subtype, words in _RULES:
        in_name = sum(_count(name, _NAME_SEPARATORS.sub(" ", word)) for word in words)
        in_text = min(sum(_count(body, word) for word in words), _TEXT_CAP)
        score = _NAME_WEIGHT * in_name + in_text
        if score >= _MIN_SCORE and (best is None or score > best[0]):
            best = (score, category, subtype)
    if best is None:
        return None
    _, category, subtype = best
    if category == "contract":
        subtype = contract_state(name, body)
    return category, subtype


def contract_state(name: str, body: str) -> str | None:
    """draft / pending_signature / expired when said so, signed with signature and seal words."""
    for state, words in _CONTRACT_STATES:
        if any(_count(name, word) or _count(body, word) for word in words):
            return state
    signing = {word for word in _SIGNED_WORDS if _count(body, word)}
    has_signature = signing & {"签字", "签名", "signature", "signed by", "签章"}
    has_seal = signing & {"盖章", "签章", "公章", "合同专用章", "seal", "stamp"}
    return "signed" if has_signature and has_seal else None


def _count(text: str, word: str) -> int:
    """Occurrences of ``word``; Latin words only as whole words ("spec" not in "special")."""
    if word.isascii():
        return len(re.findall(rf"(?<![a-z]){re.escape(word)}(?![a-z])", text))
    return text.count(word)
