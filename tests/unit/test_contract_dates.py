"""Expiry hints from contract text: each wording, in English and Chinese, over generated
contracts with random dates and date formats (seeded), and text that states no expiry."""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import date, timedelta

import pytest
from dateutil.relativedelta import relativedelta

from docservice.ingest.contract_dates import suggest_expiry

MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December")
CN_DIGITS = "〇一二三四五六七八九"
FILLER_EN = ("The Supplier shall deliver the Products described in Schedule 1. ",
             "Payment is due within 30 days of invoice, dated 2019-04-01 for reference. ",
             "Either party may terminate for material breach on 30 days' written notice. ")
FILLER_ZH = ("甲方应按附件一的约定向乙方交付产品。", "乙方应在收到发票后30日内付款。",
             "任何一方违约，应承担违约责任。")


def english(day: date, rng: random.Random) -> str:
    return rng.choice([day.isoformat(), f"{day.day} {MONTHS[day.month - 1]} {day.year}",
                       f"{MONTHS[day.month - 1]} {day.day}, {day.year}",
                       f"{day.day}th of {MONTHS[day.month - 1][:3]} {day.year}"
                       if day.day not in (1, 2, 3, 21, 22, 23, 31) else day.isoformat()])


def chinese(day: date, rng: random.Random) -> str:
    if rng.random() < 0.25:  # 二〇二六年十二月三十一日
        year = "".join(CN_DIGITS[int(d)] for d in str(day.year))
        return f"{year}年{_cn(day.month)}月{_cn(day.day)}日"
    return rng.choice([f"{day.year}年{day.month}月{day.day}日",
                       f"{day.year} 年 {day.month:02d} 月 {day.day:02d} 日",
                       day.isoformat()])


def _cn(number: int) -> str:
    tens, ones = divmod(number, 10)
    return ("" if tens == 0 else ("十" if tens == 1 else CN_DIGITS[tens] + "十")) + \
        (CN_DIGITS[ones] if ones else "")


def _term_end(start: date, months: int) -> date:
    return start + relativedelta(months=months) - timedelta(days=1)


# Each wording: (sentence builder from start, end, term months, rng) -> (text, expected)
Wording = Callable[[date, date, int, random.Random], tuple[str, date]]
WORDINGS: dict[str, Wording] = {
    "valid until": lambda s, e, m, r: (
        f"This Agreement is valid until {english(e, r)} unless renewed.", e),
    "remains in force through": lambda s, e, m, r: (
        f"The licence shall remain in full force through {english(e, r)}.", e),
    "expires on": lambda s, e, m, r: (f"This order form expires on {english(e, r)}.", e),
    "expiration date": lambda s, e, m, r: (f"Expiration Date: {english(e, r)}", e),
    "from ... to": lambda s, e, m, r: (
        f"Services are provided from {english(s, r)} to {english(e, r)}.", e),
    "term of N months from": lambda s, e, m, r: (
        f"This Agreement has a term of {m} months from {english(s, r)}.", _term_end(s, m)),
    "term of N (N) months from the effective date": lambda s, e, m, r: (
        f"Effective Date: {english(s, r)}. The Agreement shall continue for an initial term "
        f"of {m} ({m}) months from the Effective Date.", _term_end(s, m)),
    "term of N years commencing": lambda s, e, m, r: (
        f"for a term of {m // 12 or 1} years commencing on {english(s, r)}",
        _term_end(s, 12 * (m // 12 or 1))),
    "有效期至": lambda s, e, m, r: (f"本合同有效期至{chinese(e, r)}。", e),
    "有效期：起至": lambda s, e, m, r: (
        f"本协议有效期：{chinese(s, r)}起至{chinese(e, r)}止。", e),
    "合同期限：至": lambda s, e, m, r: (f"合同期限：{chinese(s, r)}至{chinese(e, r)}。", e),
    "合同期限为N个月，自…起": lambda s, e, m, r: (
        f"合同期限为{m}个月，自{chinese(s, r)}起计算。", _term_end(s, m)),
    "自…起，有效期为N年": lambda s, e, m, r: (
        f"本合同自{chinese(s, r)}起生效，有效期为{_cn(m // 12 or 1)}年。",
        _term_end(s, 12 * (m // 12 or 1))),
    "合同期限为N年，自签订之日起": lambda s, e, m, r: (
        f"签订日期：{chinese(s, r)}。合同期限为{m // 12 or 1}年，自本合同签订之日起。",
        _term_end(s, 12 * (m // 12 or 1))),
}


@pytest.mark.parametrize("wording", sorted(WORDINGS))
def test_each_wording_gives_the_expiry_in_generated_contracts(wording: str) -> None:
    rng = random.Random(wording)
    for _round in range(25):
        start = date(2020, 1, 1) + timedelta(days=rng.randrange(3000))
        months = rng.choice([6, 12, 18, 24, 36, 60])
        end = start + timedelta(days=rng.randrange(200, 1500))
        sentence, expected = WORDINGS[wording](start, end, months, rng)
        filler = FILLER_ZH if any("\u4e00" <= ch <= "\u9fff" for ch in sentence) else FILLER_EN
        before = "".join(rng.sample(filler, 2))
        text = f"{before}\n{sentence}\n{rng.choice(filler)}"
        hint = suggest_expiry(text)
        assert hint is not None, text
        assert hint.expires_on == expected, (text, hint)
        assert hint.phrase in " ".join(text.split())


def test_a_term_from_the_effective_date_uses_the_known_start() -> None:
    text = "The Agreement shall have a term of twelve (12) months from the Effective Date."
    assert suggest_expiry(text) is None  # no start: no guess
    hint = suggest_expiry(text, start=date(2025, 3, 1))
    assert hint is not None and hint.expires_on == date(2026, 2, 28)


@pytest.mark.parametrize("text", [
    "Payment is due within 30 days of 2025-01-01.",
    "报价单日期：2025年1月1日。价格含税。",
    "valid until further notice",
    "This Agreement is valid until 31 February 2026.",  # no such day
    "",
])
def test_text_that_states_no_expiry_gives_no_hint(text: str) -> None:
    assert suggest_expiry(text) is None
