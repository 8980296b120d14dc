"""What the upload form is pre-filled with: language, years, versions, category, title."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from docservice.domain import ExtractedText
from docservice.ingest.metadata import (
    describe,
    detect_languages,
    find_versions,
    find_years,
    suggest_category,
    suggest_title,
)


@pytest.mark.parametrize(
    ("pages", "expected"),
    [
        (["The X200 controller price list for 2024."], "en"),
        (["2024年产品价格表，型号X200的报价单。"], "zh"),
        (["X200 price list 价格表 for the EMEA and APAC sales teams, 2024 年有效"], "zh,en"),
        (["", "12 345 67"], None),
    ],
)
def test_languages(pages: list[str], expected: str | None) -> None:
    assert detect_languages(pages) == expected


def test_years_from_names_and_text() -> None:
    assert find_years("price-list-FY24.xlsx", "valid 2024-01-01 to 2025-12-31; since 1998") == [
        1998, 2024, 2025,
    ]
    assert find_years("FY2023 results", "order no. 120245, phone 2024567") == [2023]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("X200_spec_v2.1.pdf", ["v2.1"]),
        ("Datasheet V3 (supersedes v2)", ["v3", "v2"]),
        ("产品手册（第2版）", ["v2"]),
        ("用户手册 第三版", ["v3"]),
        ("第十二版", ["v12"]),
        ("Version 4.0.1 released; see also ver. 5", ["v4.0.1", "v5"]),
        ("版本：V1.2", ["v1.2"]),
        ("220V power supply, TV2000 model, vivid colours, dev2.0", []),
    ],
)
def test_versions(text: str, expected: list[str]) -> None:
    assert find_versions(text) == expected


@pytest.mark.parametrize(
    ("filename", "text", "expected"),
    [
        ("2024 报价单.xlsx", "", ("product", "price_list")),
        ("X200-pricing-sheet.pdf", "", ("product", "price_list")),
        ("price-list-2024.xlsx", "", ("product", "price_list")),  # hyphens, dots as spaces
        ("acme.user.manual.v2.pdf", "", ("product", "manual")),
        ("scan0001.pdf", "Quotation for Globex. Quote valid 30 days. Unit price list.",
         ("product", "price_list")),
        ("X200 datasheet.pdf", "", ("product", "spec")),
        ("X200规格书.docx", "", ("product", "spec")),
        ("User manual X200.pdf", "", ("product", "manual")),
        ("X200 说明书.pdf", "", ("product", "manual")),
        ("销售合同-环球贸易.pdf", "甲方（盖章）： 乙方签字： 本合同自双方签字盖章之日起生效。",
         ("contract", "signed")),
        ("service agreement.docx", "Signature: ____ Company seal: ____",
         ("contract", "signed")),
        ("service agreement DRAFT.docx", "Signature: ____ seal", ("contract", "draft")),
        ("合作协议.docx", "协议条款如下", ("contract", None)),
        ("2024 市场调研报告.pdf", "", ("campaign", "research_report")),
        ("Q3 campaign plan.pptx", "", ("campaign", "plan")),
        ("notes.txt", "We met on Monday.", None),
        ("special offer.pdf", "specially made", None),
    ],
)
def test_category_suggestions(
    filename: str, text: str, expected: tuple[str, str | None] | None
) -> None:
    assert suggest_category(filename, text) == expected


def test_titles() -> None:
    assert suggest_title("x.pdf", "X200 Datasheet") == "X200 Datasheet"
    assert suggest_title("X200_price_list_2024.xlsx", "Microsoft Word - x.doc") == (
        "X200 price list 2024"
    )
    assert suggest_title("销售合同.pdf", None) == "销售合同"


def test_describe_gathers_every_suggestion() -> None:
    created = datetime(2024, 3, 1, tzinfo=UTC)
    extracted = ExtractedText(
        pages=["X200 产品规格书 V2.1", "技术参数：功率 15 W，2024年3月发布。"],
        title=None,
        author="Product team",
        created=created,
    )
    hints = describe("X200_规格书_v2.1.pdf", extracted)
    assert hints.title == "X200 规格书 v2.1"
    assert hints.author == "Product team"
    assert hints.created == created
    assert hints.page_count == 2
    assert hints.languages == "zh,en"
    assert hints.years == (2024,)
    assert hints.versions == ("v2.1",)
    assert (hints.category, hints.subtype) == ("product", "spec")
