"""Every real third-party file of the shared corpus ends indexed or failed with a reason.

Reads the files from DOCSERVICE_CORPUS (never copied into the repository); fails, never
skips, when the corpus is missing.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from pathlib import Path

import pytest

from docservice.domain import OPERATOR
from docservice.services import documents, ingestion
from docservice.services.context import Context
from docservice.services.documents import DocumentMeta

pytestmark = pytest.mark.corpus


def test_every_corpus_file_reaches_a_terminal_state(ctx: Context, corpus: Path) -> None:
    files = sorted(p for p in corpus.iterdir() if p.is_file())
    assert len(files) > 100
    outcomes = {}
    for path in files:
        with path.open("rb") as stream:
            outcomes[path] = documents.upload(ctx, OPERATOR, stream, path.name,
                                              DocumentMeta(visibility="org"))
    fresh = [o.version_id for o in outcomes.values() if not o.duplicate]
    states = ingestion.wait_for_versions(ctx, fresh, timeout=1800)
    reasons = {row.version_id: row.reason for row in ingestion.failures(ctx, 10_000)}
    table: dict[str, Counter[str]] = defaultdict(Counter)
    why: Counter[str] = Counter()
    for path, outcome in outcomes.items():
        state = "duplicate" if outcome.duplicate else states[outcome.version_id]
        table[path.suffix.lower() or "(none)"][state] += 1
        if state == "failed":
            reason = str(reasons[outcome.version_id])
            assert reason and reason != "None", f"{path.name} failed without a reason"
            why[reason.split(":")[0]] += 1
    print("\nformat  indexed  failed  duplicate  other")
    for suffix, counts in sorted(table.items()):
        other = sum(v for k, v in counts.items() if k not in ("indexed", "failed", "duplicate"))
        print(f"{suffix:7} {counts['indexed']:7} {counts['failed']:7} {counts['duplicate']:9}"
              f" {other:6}")
    print("failure reasons:", dict(why.most_common()))
    unfinished = [p.name for p, o in outcomes.items()
                  if not o.duplicate and states[o.version_id] not in ("indexed", "failed")]
    assert not unfinished, f"files without a terminal state: {unfinished}"
    indexed = sum(counts["indexed"] for counts in table.values())
    assert indexed >= 0.7 * len(files), "most real files should be readable"
