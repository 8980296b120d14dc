"""A new test cannot forget to say what it needs: pytest runs small test files the way a
colleague would write them, under this suite's checks (tests/markers.py)."""

from __future__ import annotations

import pytest

CONFTEST = """
import pytest
from tests.conftest import corpus, pytest_collection_modifyitems, pytest_runtest_protocol

@pytest.fixture(scope="session")
def chromium():
    raise AssertionError("no browser is started while collecting")
"""


@pytest.fixture
def suite(pytester: pytest.Pytester) -> pytest.Pytester:
    pytester.makeconftest(CONFTEST)
    pytester.makeini("[pytest]\nmarkers =\n    browser: b\n    corpus: c\n    services: s\n")
    return pytester


def test_a_test_using_the_browser_without_the_marker_stops_the_run(
        suite: pytest.Pytester) -> None:
    suite.makepyfile(test_new="""
        def test_search_page_in_chromium(chromium):
            pass

        def test_needs_nothing():
            pass
    """)
    result = suite.runpytest("--collect-only")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*test_new.py::test_search_page_in_chromium: uses chromium,"
                                 " mark it browser*"])
    assert "test_needs_nothing" not in result.stderr.str()


def test_marked_tests_are_collected(suite: pytest.Pytester) -> None:
    suite.makepyfile(test_new="""
        import pytest

        pytestmark = pytest.mark.browser

        def test_search_page_in_chromium(chromium):
            pass

        @pytest.mark.corpus
        def test_reads_the_corpus(corpus):
            pass
    """)
    result = suite.runpytest("--collect-only", "-q")
    assert result.ret == pytest.ExitCode.OK
    result.stdout.fnmatch_lines(["*test_search_page_in_chromium", "*test_reads_the_corpus"])


def test_a_corpus_test_without_the_marker_stops_the_run(suite: pytest.Pytester) -> None:
    suite.makepyfile(test_new="""
        def test_reads_the_corpus(corpus):
            pass
    """)
    result = suite.runpytest("--collect-only")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*test_reads_the_corpus: uses corpus, mark it corpus*"])


def test_reaching_the_test_servers_without_the_marker_fails_the_test(
        suite: pytest.Pytester) -> None:
    suite.makepyfile(test_new="""
        from tests.services import scale_out_environ

        def test_upload_on_postgresql(tmp_path):
            scale_out_environ(tmp_path)
    """)
    result = suite.runpytest()
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*test_upload_on_postgresql uses the test servers:"
                                 " mark it @pytest.mark.services*"])
