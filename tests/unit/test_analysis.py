"""The analysis rules both engines index: what a word, a code or a Chinese phrase becomes."""

from __future__ import annotations

from datetime import datetime

import pytest

from docservice.domain import IndexEntry
from docservice.search.analysis import (
    analyze,
    analyze_all,
    analyze_spans,
    entry_fields,
    keyword,
    to_simplified,
)


def contains_run(tokens: list[str], run: list[str]) -> bool:
    """Whether ``run`` occurs contiguously in ``tokens`` (what a phrase query needs)."""
    return any(tokens[at:at + len(run)] == run for at in range(len(tokens) - len(run) + 1))


def test_english_words_are_stemmed_so_plurals_find_each_other() -> None:
    assert analyze("contracts") == analyze("Contract") == ["contract"]
    assert analyze("pricing sheets") == analyze("price sheet")


def test_stop_words_are_dropped_so_phrases_still_line_up() -> None:
    assert analyze("The terms of service") == ["term", "servic"]
    assert contains_run(analyze("our terms of service apply"), analyze("terms of service"))


def test_full_width_text_and_case_are_normalised() -> None:
    assert analyze("ＡＸ－２００　Ｒｏｕｔｅｒ") == analyze("ax-200 router")
    assert analyze("CAFÉ") == analyze("café") == analyze("cafe")


def test_chinese_runs_become_overlapping_bigrams() -> None:
    assert analyze("价格表") == ["价格", "格表"]
    assert analyze("表") == ["表"]
    assert contains_run(analyze("产品价格表"), analyze("价格表"))


def test_traditional_chinese_is_indexed_as_simplified() -> None:
    assert analyze("產品價格表") == analyze("产品价格表")
    assert to_simplified("價格表 Price") == "价格表 Price"


def test_chinese_spaced_out_by_pdf_extraction_reads_as_one_run() -> None:
    assert analyze("山 地 游\n击 战") == analyze("山地游击战")


def test_mixed_chinese_and_english_keep_their_order() -> None:
    assert analyze("2024年产品价格表 for AX-200 routers") == [
        "2024", "年产", "产品", "品价", "价格", "格表", "ax200", "ax", "200", "router"]


def test_numbers_and_years_are_kept() -> None:
    assert analyze("revenue 2024, 1,200,000 USD and 5G") == [
        "revenu", "2024", "1200000", "usd", "5g"]


def test_a_fiscal_year_is_followed_by_its_year() -> None:
    assert analyze("FY24 plan, fy2025") == ["fy24", "2024", "plan", "fy2025", "2025"]


def test_a_product_code_yields_its_parts_the_joined_code_and_its_prefixes() -> None:
    tokens = analyze("AX-200-EU")
    assert tokens == ["ax200eu", "ax200", "ax", "200", "eu"]
    assert contains_run(tokens, analyze("AX-200"))
    assert contains_run(tokens, analyze("ax200"))
    assert not contains_run(tokens, analyze("AX-300"))


def test_dates_and_decimals_are_not_codes() -> None:
    assert analyze("2024-01-31") == ["2024", "01", "31"]
    assert analyze("3.5") == ["3", "5"]


def test_apostrophes_and_overlong_tokens() -> None:
    assert analyze("customer's don't") == analyze("customer dont")
    assert analyze("x" * 65 + " kept") == ["kept"]


def test_pages_are_joined_so_positions_run_on() -> None:
    assert analyze_all(["price", "list"]) == "price list"


def test_spans_point_back_into_the_original_text() -> None:
    text = "Straße: ＡＸ－２００ und 價格表"
    spans = analyze_spans(text)
    assert [token for token, _start, _end in spans] == analyze(text)
    marked = {text[start:end] for _token, start, end in spans}
    assert {"Straße", "ＡＸ－２００", "價格", "格表"} <= marked


def test_keywords_are_case_folded_simplified_and_trimmed() -> None:
    assert keyword("  Acme   Corp ") == "acme corp"
    assert keyword("華為") == "华为"


def make_entry(**overrides: object) -> IndexEntry:
    values: dict[str, object] = dict(
        version_id=7, document_id=3, version=2, is_latest=True, title="Price List 2024",
        filename="price_list_AX-200.pdf", pages=["page one", "page two"], category="Product",
        subtype="price list", tags=["VIP", "Q1 push"], product="AX-200", customer="Acme Corp",
        customer_industry="Retail", customer_region="EMEA", customer_stage="negotiation",
        media_type="application/pdf", years=[2024, 2024, 2023],
        uploaded_at=datetime(2024, 3, 1, 12, 0), owner_id=5, team_id=2, status="Active",
        acl=["team:2", "user:5"], customer_type="Partner", customer_aliases=["艾克米", "Acme"])
    values.update(overrides)
    return IndexEntry(**values)  # type: ignore[arg-type]


def test_entry_fields_are_what_every_engine_indexes() -> None:
    fields = entry_fields(make_entry())
    assert fields.title == "price list 2024"
    assert fields.filename == "price list ax200 ax 200 pdf"
    assert fields.content == "page one page two"
    assert (fields.category, fields.subtype, fields.type) == ("product", "price_list", "pdf")
    assert fields.tag == ["q1 push", "vip"]
    assert (fields.product, fields.status) == ("ax-200", ["active"])
    assert fields.customer == ["acme", "acme corp", "艾克米"]  # the name and its other names
    assert fields.customertype == "partner"
    overdue = entry_fields(make_entry(freshness=("overdue", "expiring_90")))
    assert overdue.status == ["active", "expiring_90", "overdue"]
    assert (fields.industry, fields.region, fields.stage) == ("retail", "emea", "negotiation")
    assert fields.year == [2023, 2024]
    assert fields.acl == ["team:2", "user:5"]
    assert (fields.display_title, fields.display_category) == ("Price List 2024", "Product")


@pytest.mark.parametrize("media_type, kind", [
    ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", "docx"),
    ("image/jpeg", "jpg"),
])
def test_entry_type_is_the_file_kind(media_type: str, kind: str) -> None:
    assert entry_fields(make_entry(media_type=media_type)).type == kind
