"""The README's Performance table is the one bench/results/latest.json gives: a figure in
the README that no measurement backs fails here."""

from __future__ import annotations

import json

from bench import readme_table
from bench.report import RESULTS_DIR


def test_the_readme_table_is_the_one_latest_json_gives() -> None:
    latest = json.loads((RESULTS_DIR / "latest.json").read_text(encoding="utf-8"))
    readme = readme_table.README.read_text(encoding="utf-8")
    assert readme_table.rewritten(readme, latest) == readme, \
        "README.md's performance table is out of date: run `python -m bench.readme_table`"


def test_a_changed_figure_changes_the_table() -> None:
    latest = json.loads((RESULTS_DIR / "latest.json").read_text(encoding="utf-8"))
    readme = readme_table.README.read_text(encoding="utf-8")
    latest["upload_rss_growth_mb"] = 87.4
    latest["measured"]["upload_rss_growth_mb"] = {"size": "1024 MiB upload",
                                                  "date": "2027-01-02T03:04:05+0000"}
    changed = readme_table.rewritten(readme, latest)
    assert "| RSS growth during a 1 GiB upload | 87 MB | 1024 MiB upload | 2027-01-02 |" \
        in changed
    assert changed != readme
