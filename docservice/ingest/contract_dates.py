"""A contract's expiry as its text states it, in English or Chinese: a hint the person
confirms, never applied on its own.

Read, strongest first: an end date said outright ("valid until 31 December 2026", "expires on
2026-12-31", "有效期至2026年12月31日"), the end of a stated period ("from 1 January 2025 to 31
December 2026", "合同期限：2025年1月1日至2026年12月31日"), and a term counted from a start
("a term of twenty-four (24) months from 1 March 2025", "合同期限为两年，自2025年3月1日起"; from
"the Effective Date" when the text or the caller names it). A term of N months from a start
ends the day before the same date N months on.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from dateutil.relativedelta import relativedelta

MAX_CHARS = 400_000  # an expiry clause is in the text, not past the first few hundred pages

_MONTHS = {name: number for number, names in enumerate((
    ("january", "jan"), ("february", "feb"), ("march", "mar"), ("april", "apr"), ("may",),
    ("june", "jun"), ("july", "jul"), ("august", "aug"), ("september", "sept", "sep"),
    ("october", "oct"), ("november", "nov"), ("december", "dec")), start=1) for name in names}
_MONTH = r"(?P<{g}>" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + r")\.?"
_DAY_SUFFIX = r"(?:st|nd|rd|th)?"
_CN_DIGITS = "〇零一二两三四五六七八九十"
_CN = f"[0-9{_CN_DIGITS}]"
DATE = (
    rf"(?:(?P<iy>\d{{4}})[-/.](?P<im>\d{{1,2}})[-/.](?P<id>\d{{1,2}})"
    rf"|(?P<zy>{_CN}{{4}})\s*年\s*(?P<zm>{_CN}{{1,3}})\s*月\s*(?P<zd>{_CN}{{1,3}})\s*[日号]"
    rf"|(?P<dd>\d{{1,2}}){_DAY_SUFFIX}\s+(?:day\s+of\s+|of\s+)?{_MONTH.format(g='dm')},?\s+(?P<dy>\d{{4}})"
    rf"|{_MONTH.format(g='mm')}\s+(?P<md>\d{{1,2}}){_DAY_SUFFIX},?\s+(?P<my>\d{{4}}))"
)
_NUMBER_WORDS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "eighteen": 18, "twenty-four": 24,
    "twenty four": 24, "thirty": 30, "thirty-six": 36, "thirty six": 36, "forty-eight": 48,
    "forty eight": 48, "sixty": 60}
_COUNT_EN = (r"(?P<count>\d{1,3}|" + "|".join(sorted(_NUMBER_WORDS, key=len, reverse=True))
             + r")(?:\s*\(\d{1,3}\))?")
_UNIT_EN = r"(?P<unit>months?|years?)"
_COUNT_ZH = rf"(?P<count>{_CN}{{1,3}})\s*(?P<unit>个月|個月|年)"
_SPACE = r"[\s:：,，]*"

# (pattern, what the match gives): "end" an end date, "term" a count from a start
_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern, re.IGNORECASE), kind) for pattern, kind in (
        (rf"(?:valid|in\s+(?:full\s+)?force|effective)\s+(?:until|till|through|to)"
         rf"(?:\s+and\s+including)?\s+{DATE}", "end"),
        (rf"(?:expires?|expiring|terminates?|ends?)\s+(?:on\s+)?{DATE}", "end"),
        (rf"(?:expiry|expiration|end|termination)\s+date{_SPACE}(?:is\s+|of\s+)?{DATE}",
         "end"),
        (rf"有效期(?:限)?(?:至|到|截止(?:至|到)?){_SPACE}{DATE}", "end"),
        (rf"(?:有效期|合同期限|期限|有效期限)[^。；;\n]{{0,12}}?{DATE}\s*(?:起)?\s*"
         rf"(?:至|到|－|—|-|~|～)\s*{DATE.replace('(?P<', '(?P<e')}", "range"),
        (rf"(?:from|commencing(?:\s+on)?|beginning(?:\s+on)?)\s+{DATE}\s+(?:to|until|through)"
         rf"\s+{DATE.replace('(?P<', '(?P<e')}", "range"),
        (rf"(?:至|到){_SPACE}{DATE}\s*止", "end"),
        (rf"term\s+of\s+{_COUNT_EN}\s+{_UNIT_EN}\s+(?:from|commencing(?:\s+on)?|starting(?:\s+on)?"
         rf"|beginning(?:\s+on)?|after)\s+(?:the\s+)?(?:{DATE}|(?P<effective>effective\s+date"
         rf"|date\s+of\s+(?:this\s+agreement|signature|signing)|commencement\s+date))",
         "term"),
        (rf"(?:有效期|合同期限|期限)(?:为|是)?{_SPACE}{_COUNT_ZH}[^。；;\n]{{0,8}}?"
         rf"(?:自|从){_SPACE}{DATE}\s*(?:起|开始)", "term"),
        (rf"(?:自|从){_SPACE}{DATE}\s*(?:起|开始)[^。；;\n]{{0,8}}?(?:有效期|期限)?(?:为|是)?"
         rf"{_SPACE}{_COUNT_ZH}", "term"),
        (rf"(?:有效期|合同期限|期限)(?:为|是)?{_SPACE}{_COUNT_ZH}[^。；;\n]{{0,12}}?"
         rf"(?P<effective>(?:自|从)(?:本合同|合同)?(?:签订|签署|生效)之?日起)", "term"),
    ))
_EFFECTIVE = tuple(re.compile(pattern, re.IGNORECASE) for pattern in (  # strongest first
    rf"(?:effective\s+date|effective\s+as\s+of){_SPACE}(?:is\s+)?{DATE}",
    rf"(?:签订日期|签署日期|生效日期|签订时间){_SPACE}{DATE}",
    rf"dated(?:\s+as\s+of)?{_SPACE}{DATE}"))


@dataclass(frozen=True)
class ExpiryHint:
    """The expiry the text states, and the words that state it."""

    expires_on: date
    phrase: str


def suggest_expiry(text: str, start: date | None = None) -> ExpiryHint | None:
    """The expiry ``text`` states, by the strongest wording found (see the module doc);
    ``start``: the contract's start, for a term counted from "the effective date"."""
    text = " ".join(text[:MAX_CHARS].split())
    effective = _effective_date(text) or start
    for pattern, kind in _PATTERNS:
        for match in pattern.finditer(text):
            found = _expiry(match, kind, effective)
            if found is not None:
                return ExpiryHint(found, match.group(0).strip())
    return None


def _expiry(match: re.Match[str], kind: str, effective: date | None) -> date | None:
    if kind == "end":
        return _date(match)
    if kind == "range":
        return _date(match, "e")
    begin = effective if match.groupdict().get("effective") else _date(match)
    count = _count(match["count"])
    if begin is None or count is None or count == 0:
        return None
    months = count * 12 if match["unit"].lower().startswith(("year", "年")) else count
    return begin + relativedelta(months=months) - timedelta(days=1)


def _effective_date(text: str) -> date | None:
    for pattern in _EFFECTIVE:
        match = pattern.search(text)
        if match:
            return _date(match)
    return None


def _date(match: re.Match[str], prefix: str = "") -> date | None:
    """The date a DATE group matched (``prefix``: of the second DATE of a range)."""
    groups = {key[len(prefix):]: value for key, value in match.groupdict().items()
              if value is not None and key.startswith(prefix) and
              (prefix or not key.startswith("e") or key == "effective")}
    for year, month, day in (("iy", "im", "id"), ("zy", "zm", "zd"), ("dy", "dm", "dd"),
                             ("my", "mm", "md")):
        if year in groups:
            numbers = [_count(groups[year], year=True), _month(groups[month]),
                       _count(groups[day])]
            if None in numbers:
                return None
            try:
                return date(*numbers)  # type: ignore[arg-type]
            except ValueError:  # 31 February
                return None
    return None


def _month(raw: str) -> int | None:
    name = raw.lower().rstrip(".")
    return _MONTHS[name] if name in _MONTHS else _count(raw)


def _count(raw: str, *, year: bool = False) -> int | None:
    """``24``, ``twenty-four``, ``二十四``, ``两``, and a year as ``二〇二六``."""
    raw = raw.strip().lower()
    if raw.isdigit():
        return int(raw)
    if raw in _NUMBER_WORDS:
        return _NUMBER_WORDS[raw]
    digits = {ch: str(i) for i, ch in enumerate("〇一二三四五六七八九")} | {"零": "0", "两": "2"}
    if year:
        converted = "".join(digits.get(ch, ch) for ch in raw)
        return int(converted) if converted.isdigit() else None
    return _chinese_number(raw, digits)


def _chinese_number(raw: str, digits: dict[str, str]) -> int | None:
    """十 -> 10, 十二 -> 12, 二十 -> 20, 三十一 -> 31."""
    tens, _, ones = raw.partition("十")
    if "十" not in raw:
        return int(digits[raw]) if raw in digits else None
    high = 1 if tens == "" else int(digits[tens]) if tens in digits else None
    low = 0 if ones == "" else int(digits[ones]) if ones in digits else None
    return None if high is None or low is None else high * 10 + low
