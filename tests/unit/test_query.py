"""What people type into the search box, and what the engines are asked for."""

from __future__ import annotations

from pathlib import Path

import pytest

from docservice.errors import QuerySyntaxError
from docservice.search.analysis import analyze
from docservice.search.query import (
    excluded_runs,
    expand_synonyms,
    loose_clauses,
    parse_query,
    phrase_clauses,
    term_clauses,
    wants_latest,
)
from docservice.search.synonyms import synonym_table


def run(text: str) -> tuple[str, ...]:
    return tuple(analyze(text))


def test_free_words_phrases_and_exclusions() -> None:
    query = parse_query('signed contract "price list" -draft -"old version"')
    assert query.terms == ("signed", "contract")
    assert query.phrases == ("price list",)
    assert query.excluded == ("draft", "old version")
    assert query.raw == 'signed contract "price list" -draft -"old version"'


@pytest.mark.parametrize("raw", ["“价格表 2024”", "「价格表 2024」", "＂价格表 2024＂"])
def test_chinese_and_full_width_quotes_make_phrases(raw: str) -> None:
    assert parse_query(raw).phrases == ("价格表 2024",)


def test_an_unclosed_quote_runs_to_the_end() -> None:
    query = parse_query('router "signed copy of the')
    assert query.terms == ("router",)
    assert query.phrases == ("signed copy of the",)


def test_field_filters_with_quoted_values_are_normalised() -> None:
    query = parse_query('Category:Contract customer:"Acme Corp" tag:VIP type:PDF '
                        'subtype:"price list" status:Signed product:AX-200 industry:Retail '
                        'region:EMEA stage:Negotiation version:v3 year:FY24')
    assert query.filters == (("category", "contract"), ("customer", "acme corp"),
                             ("tag", "vip"), ("type", "pdf"), ("subtype", "price_list"),
                             ("status", "signed"), ("product", "ax-200"),
                             ("industry", "retail"), ("region", "emea"),
                             ("stage", "negotiation"), ("version", "3"), ("year", "2024"))
    assert query.terms == () and query.filter_values("customer") == ["acme corp"]


def test_full_width_colon_and_media_type_filters() -> None:
    assert parse_query("ｔｙｐｅ：application/pdf").filters == (("type", "pdf"),)


def test_an_unknown_field_stays_a_free_word() -> None:
    query = parse_query("foo:bar router")
    assert query.terms == ("foo:bar", "router") and query.filters == ()


@pytest.mark.parametrize("raw", ["year:next", "version:latest"])
def test_a_malformed_year_or_version_is_a_syntax_error(raw: str) -> None:
    with pytest.raises(QuerySyntaxError, match=raw.split(":")[0]):
        parse_query(raw)


def test_a_negated_filter_is_a_syntax_error_not_a_silent_word() -> None:
    with pytest.raises(QuerySyntaxError, match="status"):
        parse_query("-status:expired")


@pytest.mark.parametrize("raw", ["FY24", "fy2024", "2024年", "2024", "24年", "2024财年",
                                 "2024年度", "FY 24", "fy 2024"])
def test_years_are_normalised(raw: str) -> None:
    assert parse_query(raw).terms == ("2024",)


def test_a_two_digit_number_of_years_is_no_year() -> None:
    assert "2010" not in parse_query("10年质保").terms
    assert parse_query("24年报价单").terms == ("2024", "报价单")


@pytest.mark.parametrize("raw", ["latest price list", "current spec", "最新价格表", "newest"])
def test_words_asking_for_the_latest(raw: str) -> None:
    query = parse_query(raw)
    assert wants_latest(query.terms)
    if len(query.terms) > 1:  # the word itself is asked for only when alone
        assert all(clause.text not in ("latest", "current", "最新") for clause in
                   term_clauses(query.terms))


def test_a_word_naming_a_file_kind() -> None:
    [sheet, results] = term_clauses(["spreadsheets", "results"])
    assert "xlsx" in sheet.kinds and results.kinds == ()


def test_chinese_glued_to_a_year_or_a_code_is_split() -> None:
    assert parse_query("2024年价格表").terms == ("2024", "价格表")
    assert parse_query("AX-200型号").terms == ("AX-200", "型号")


def test_options_are_carried() -> None:
    query = parse_query("router", all_versions=True, limit=5, offset=10, sort="date")
    assert (query.all_versions, query.limit, query.offset, query.sort) == (True, 5, 10, "date")


def test_only_filters_is_an_empty_text_query() -> None:
    query = parse_query("category:contract")
    assert not query.terms and not query.phrases and not query.is_empty


def test_a_word_finds_its_synonyms() -> None:
    alternatives = expand_synonyms("contracts")
    assert alternatives[0] == run("contract")
    assert {run("agreement"), run("合同"), run("协议")} <= set(alternatives)


def test_consecutive_words_spelling_a_synonym_become_one_clause() -> None:
    clauses = term_clauses(parse_query("pricing sheet 2024").terms)
    assert [clause.text for clause in clauses] == ["pricing sheet", "2024"]
    assert {run("price list"), run("报价单"), run("价目表")} <= set(clauses[0].alternatives)
    assert clauses[1].year == 2024 and clauses[0].year is None


def test_a_chinese_synonym_inside_a_longer_word_stands_alone() -> None:
    clauses = term_clauses(["产品价格表"])
    assert [clause.text for clause in clauses] == ["产品", "价格表"]
    assert run("price list") in clauses[1].alternatives


def test_traditional_chinese_finds_the_same_synonyms() -> None:
    assert set(expand_synonyms("價格表")) == set(expand_synonyms("价格表"))


def test_phrases_find_synonyms_but_exclusions_do_not() -> None:
    assert run("pricing sheet") in phrase_clauses(["price list"])[0].alternatives
    assert excluded_runs(["quote", "old version"]) == [run("quote"), run("old version")]


def test_a_word_without_synonyms_is_its_own_clause() -> None:
    clauses = term_clauses(["router", "gateway"])
    assert [clause.alternatives for clause in clauses] == [(run("router"),), (run("gateway"),)]


def test_a_product_code_is_also_asked_for_by_its_joined_form() -> None:
    [code] = term_clauses(["AX200-EU"])
    assert code.alternatives == (run("AX200-EU"), ("ax200eu",))
    [glued] = term_clauses(["ax200"])
    assert glued.alternatives == (run("ax200"), run("ax 200"))


def test_stop_words_alone_ask_for_nothing() -> None:
    assert term_clauses(["the", "of"]) == []


def test_synonym_file_format(tmp_path: Path) -> None:
    path = tmp_path / "synonyms.txt"
    path.write_text("# comment\nrouter, gateway，网关\n\nlonely\n", encoding="utf-8")
    table = synonym_table(path)
    assert len(table.groups) == 1
    assert set(table.groups[0]) == {run("router"), run("gateway"), run("网关")}


def test_the_forgiving_stage_asks_for_words_apart_and_typos_corrected() -> None:
    clauses = loose_clauses(["pricng", "sheet", "anti-bribary"], ['"signed contract"'])
    texts = [clause.text for clause in clauses]
    assert texts[0] == "pricing sheet" and run("price list") in clauses[0].alternatives
    assert texts[1:3] == ["anti", "bribary"] and "briberi" in clauses[2].variants
    assert "signed" in " ".join(texts) and "contract" in " ".join(texts)
    assert loose_clauses(["AX-300"], [])[0].text == "AX-300"  # a product code stays whole


def test_synonym_file_is_read_again_when_it_changes(tmp_path: Path) -> None:
    path = tmp_path / "synonyms.txt"
    path.write_text("router, gateway\n", encoding="utf-8")
    assert len(synonym_table(path).groups) == 1
    path.write_text("router, gateway\nmanual, guide book\n", encoding="utf-8")
    assert len(synonym_table(path).groups) == 2
