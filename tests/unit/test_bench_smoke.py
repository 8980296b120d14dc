"""The benchmarks run end to end at a tiny size, so their code cannot rot.

Only the shape of what they print and write is checked: tables, columns, rows and the keys
of latest.json. Times are never asserted (noisy machines; see bench/README.md).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bench import ingest, readme_table, search, upload
from bench.report import LATEST_KEYS, BenchResult, publish, targets

pytestmark = pytest.mark.slow  # three benchmarks end to end, a minute and more


@pytest.fixture(scope="module")
def results() -> list[BenchResult]:
    return [
        ingest.run(generated=1, rounds=1, use_corpus=False, workers=(1,), tika=False),
        search.run((20, 40), rounds=1, use_corpus=False),
        upload.run(megabytes=2),
    ]


def test_ingest_prints_one_row_per_format_and_the_totals(results: list[BenchResult]) -> None:
    table = results[0].tables[0]
    names = [row[0] for row in table.rows]
    assert {"pdf (generated)", "docx (generated)", "xlsx (generated)", "pptx (generated)",
            "txt (generated)", "html (generated)", "all files"} <= set(names)
    assert table.columns[:6] == ["format", "files", "MB", "raw s", "pipeline s",
                                 "overhead vs raw"]
    assert all(row[-1] == "0/0/-" for row in table.rows), "every file was read, Tika was off"
    assert "Tika: not measured" in table.markdown()
    assert isinstance(results[0].keys["ingest_overhead_vs_raw"], float)
    assert results[0].keys["ingest_speedup_vs_tika"] is None


def test_search_compares_our_layers_with_the_raw_engines(results: list[BenchResult]) -> None:
    first, second = results[1].tables[:2]
    assert first.title.startswith("Search latency, 20 documents")
    assert second.title.startswith("Search latency, 40 documents")
    engines = [row[0] for row in second.rows]
    assert engines[:7] == [search.SERVICE_VIEWER, search.SERVICE_ADMIN, "raw tantivy-py",
                           "SQLite FTS5", "Whoosh", search.HTTP_VIEWER, search.HTTP_ADMIN]
    assert all(row[-1] == len(search.QUERIES) for row in second.rows[:7])
    titles = [table.title for table in results[1].tables]
    assert any(title.startswith("Latency growth from 20 to 40") for title in titles)
    assert results[1].keys["search_embedded_docs"] == 40
    assert results[1].keys["search_es_overhead_vs_raw"] is None


def test_upload_reports_memory_growth_for_api_and_cli(results: list[BenchResult]) -> None:
    rows = results[2].tables[0].rows
    assert rows[0][0].startswith("read + sha256")
    assert [row[0].rsplit(", ", 1)[-1] for row in rows[1:]] == ["plain", "encrypted"] * 3
    assert [row[0].split(",")[0] for row in rows[1::2]] == ["upload", "upload", "download"]
    assert isinstance(results[2].keys["upload_rss_growth_mb"], float)
    assert isinstance(results[2].keys["download_encrypted_over_plain"], float)


def test_results_file_and_latest_json_hold_every_key(results: list[BenchResult],
                                                     tmp_path: Path) -> None:
    report = publish([*results, targets(results)], size="smoke", results_dir=tmp_path,
                     echo=False)
    text = report.read_text(encoding="utf-8")
    assert "cores" in text and "Versions:" in text and "### Targets" in text
    latest = json.loads((tmp_path / "latest.json").read_text(encoding="utf-8"))
    assert set(LATEST_KEYS) <= set(latest)
    assert latest["search_embedded_docs"] == 40
    assert latest["search_es_overhead_vs_raw"] is None
    assert set(latest["runs"]) == {"ingest", "search", "upload", "targets"}
    assert latest["sources"]["search_embedded_docs"] == report.name
    # Each figure says what it was measured on and when; one not measured says nothing.
    assert latest["measured"]["search_embedded_p50_ms"]["size"] == "40 documents"
    assert latest["measured"]["search_embedded_p50_ms"]["date"] == latest["date"]
    assert latest["measured"]["search_embedded_p50_ms_10k"] is None  # no 10k size ran
    assert latest["measured"]["upload_rss_growth_mb"]["size"] == "2 MiB upload"
    assert latest["measured"]["search_embedded_docs"]["report"] == \
        report.name
    assert "small files" in latest["measured"]["ingest_small_file_ms"]["size"]
    table = readme_table.render(latest)
    assert "| same: p99 | " in table and "| 40 documents |" in table
    assert "| web server RSS, 50 uploaders + 20 searchers | not measured |" in table
    assert isinstance(latest["reindex_ratio_vs_raw"], float)
    assert latest["measured"]["reindex_ratio_vs_raw"]["size"] == "40 documents"
