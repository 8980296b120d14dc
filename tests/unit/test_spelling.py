"""What a mistyped word may have meant: typo variants, corrections, "did you mean"."""

from __future__ import annotations

from docservice.search.analysis import stem
from docservice.search.spelling import closest_word, correct_word, edit_distance, typo_variants


def test_typo_variants_hold_the_index_token_of_the_word_meant() -> None:
    assert stem("policy") in typo_variants("polcy")
    assert stem("contract") in typo_variants("contarct")  # letters swapped
    assert stem("specification") in typo_variants("specificaton")  # a stem far from the typo


def test_short_words_and_codes_get_no_variants() -> None:
    assert typo_variants("prce") == () and typo_variants("ax200") == ()


def test_a_word_is_corrected_toward_the_vocabulary_within_its_edits() -> None:
    vocabulary = {"pricing", "specification", "brochure"}
    assert correct_word("pricng", vocabulary) == "pricing"
    assert correct_word("brochrue", vocabulary) == "brochure"
    assert correct_word("pricing", vocabulary) is None
    assert correct_word("printer", vocabulary) is None


def test_the_closest_word_of_a_text_is_suggested_unless_the_word_is_there() -> None:
    text = "Warranty policy: policies apply to every police report."
    assert closest_word("polcy", text) == "policy"
    assert closest_word("policy", text) is None


def test_edit_distance_counts_a_swap_as_one() -> None:
    assert edit_distance("contarct", "contract", 2) == 1
    assert edit_distance("kitten", "sitting", 2) == 3  # beyond the limit: limit + 1
