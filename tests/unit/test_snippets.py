"""The snippet a person sees under a hit: the right page, the words marked, safe HTML."""

from __future__ import annotations

import re

from docservice.search.query import parse_query
from docservice.search.snippets import best_snippet

FILLER = "The quarterly review covered logistics, staffing and the travel budget. "


def snippet(pages: list[str], raw: str, max_chars: int = 240) -> tuple[str, int | None]:
    return best_snippet(pages, parse_query(raw), max_chars)


def marked(html: str) -> list[str]:
    return re.findall(r"<mark>(.*?)</mark>", html)


def visible(html: str) -> str:
    return re.sub(r"</?mark>", "", html)


def test_the_page_with_the_match_and_the_stem_marked() -> None:
    pages = [FILLER * 3, FILLER + "The Contract was signed by Acme on 3 May. " + FILLER]
    text, page = snippet(pages, "contracts")
    assert page == 2
    assert marked(text) == ["Contract"]


def test_the_page_matching_more_words_wins() -> None:
    pages = ["router " + FILLER, "router price list " + FILLER, FILLER]
    assert snippet(pages, "router price")[1] == 2


def test_the_page_with_the_phrase_wins_over_scattered_words() -> None:
    pages = ["The contract draft was not signed. " + FILLER,
             FILLER + "Here is the signed contract for Acme."]
    text, page = snippet(pages, '"signed contract"')
    assert page == 2 and marked(text) == ["signed contract"]


def test_chinese_is_found_as_a_substring_in_either_script() -> None:
    pages = ["公司简介", "请参阅产品價格表第三页。"]
    for raw in ("价格表", "價格表"):
        text, page = snippet(pages, raw)
        assert page == 2 and marked(text) == ["價格表"]


def test_a_product_code_is_marked_whole() -> None:
    text, page = snippet(["Order the AX-200-EU today."], "ax200")
    assert page == 1 and marked(text) == ["AX-200-EU"]


def test_synonyms_are_marked_when_the_word_itself_is_absent() -> None:
    text, page = snippet([FILLER, "Attached: the price list for 2024."], "pricing sheet")
    assert page == 2 and marked(text) == ["price list"]


def test_text_is_html_escaped() -> None:
    text, _page = snippet(["Terms <script>alert(1)</script> & contract details"], "contract")
    assert "<script>" not in text and "&lt;script&gt;" in text and "&amp;" in text
    assert marked(text) == ["contract"]


def test_a_match_deep_in_a_long_page_is_centred_and_the_window_bounded() -> None:
    page = FILLER * 40 + "The warranty covers the AX-200 router for five years. " + FILLER * 40
    text, number = snippet([page], "warranty", max_chars=120)
    assert number == 1 and marked(text) == ["warranty"]
    assert text.startswith("…") and text.endswith("…")
    assert len(visible(text)) <= 120 + 2


def test_no_match_gives_the_start_of_page_one_and_no_page() -> None:
    text, page = snippet(["First page text. " * 30, "Second"], "xylophone", max_chars=50)
    assert page is None and text.startswith("First page text.") and "<mark>" not in text
    assert len(visible(text)) <= 50 + 1


def test_a_query_of_filters_only_marks_nothing() -> None:
    assert snippet(["Some text"], "category:contract") == ("Some text", None)


def test_no_pages_no_snippet() -> None:
    assert snippet([], "router") == ("", None)


def test_a_book_in_one_text_is_marked_where_the_words_are() -> None:
    book = FILLER * 20_000 + "They tip-toed along the path amongst the trees. " + FILLER * 20_000
    text, page = snippet([book], "path amongst the trees")
    assert page == 1
    assert marked(text) == ["path", "amongst", "trees"]


def test_a_typo_corrected_toward_sales_words_is_marked() -> None:
    text, _page = snippet([FILLER + "Pricing sheet for 2023. " + FILLER], "pricng sheet")
    assert marked(text) == ["Pricing sheet"]


def test_phrase_words_found_apart_are_marked() -> None:
    text, _page = snippet([FILLER + "The contract was not signed yet. " + FILLER],
                          '"signed contract"')
    assert sorted(marked(text)) == ["contract", "signed"]
