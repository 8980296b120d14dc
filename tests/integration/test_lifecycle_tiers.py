"""Review marks, contract expiry, the trash and a restored version behave the same on both
tiers (SQLite + Tantivy; PostgreSQL + OpenSearch + S3 + RQ workers)."""

from __future__ import annotations

import io
import time
from collections.abc import Callable
from datetime import timedelta

from docservice.db.models import utcnow
from docservice.domain import Principal
from docservice.services import (
    accounts,
    contracts,
    deletion,
    documents,
    ingestion,
    reading,
    trash,
)
from docservice.services import search as search_service
from docservice.services.context import Context
from docservice.services.documents import DocumentMeta
from docservice.services.version_restore import restore_version

CONVERGE_S = 90.0


def _upload(ctx: Context, who: Principal, text: str, name: str, **meta: object
            ) -> documents.UploadOutcome:
    outcome = documents.upload(ctx, who, io.BytesIO(text.encode()), name,
                               DocumentMeta(**meta))  # type: ignore[arg-type]
    assert ingestion.wait_for_versions(ctx, [outcome.version_id], CONVERGE_S) == {
        outcome.version_id: "indexed"}
    return outcome


def _eventually(check: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + CONVERGE_S
    while not check():
        assert time.monotonic() < deadline, f"never: {what}"
        time.sleep(0.2)


def _ids(ctx: Context, who: Principal, query: str) -> set[int]:
    return {hit.document_id for hit in search_service.search(ctx, who, query, limit=50).hits}


def test_marks_trash_and_restore_on_each_tier(tier_ctx: Context) -> None:
    ctx = tier_ctx
    accounts.create_user(ctx, "owner@example.com", "editor", teams=["sales"])
    owner = accounts.principal_for(ctx, "owner@example.com")
    today = utcnow().date()
    stale = _upload(ctx, owner, "zqtier old price list", "old.txt", category="product",
                    subtype="price_list", review_by=today - timedelta(days=2))
    fresh = _upload(ctx, owner, "zqtier spec sheet", "spec.txt", category="product",
                    subtype="spec")
    past = _upload(ctx, owner, "zqtier contract", "msa.txt", category="contract",
                   subtype="signed", expires_on=today - timedelta(days=1))
    soon = _upload(ctx, owner, "zqtier service contract", "sla.txt", category="contract",
                   subtype="signed", expires_on=today + timedelta(days=40))
    page = search_service.search(ctx, owner, "zqtier", limit=50)
    statuses = page.facets["status"]
    assert statuses["overdue"] == 1 and statuses["expired"] == 1
    assert statuses["expiring_60"] == 1 and "expiring_30" not in statuses
    assert statuses["current"] == 2
    assert _ids(ctx, owner, "zqtier status:current") == {fresh.document_id, soon.document_id}
    assert contracts.expire_contracts(ctx).startswith("1 ")
    _eventually(lambda: _ids(ctx, owner, "zqtier status:signed") == {soon.document_id},
                "the expired contract leaves status:signed")
    assert past.document_id in _ids(ctx, owner, "zqtier status:expired")

    trash.trash_document(ctx, owner, stale.document_id)
    _eventually(lambda: stale.document_id not in _ids(ctx, owner, "zqtier"), "trash hides")
    assert "overdue" not in search_service.search(ctx, owner, "zqtier").facets["status"]
    trash.restore_document(ctx, owner, stale.document_id)
    _eventually(lambda: stale.document_id in _ids(ctx, owner, "zqtier"), "restore shows")

    documents.add_version(ctx, owner, fresh.document_id, io.BytesIO(b"zqtier spec v2 zqnewer"),
                          "spec.txt")
    _eventually(lambda: fresh.document_id in _ids(ctx, owner, "zqnewer"), "v2 indexed")
    versions = {v.version: v.version_id for v in reading.versions(ctx, owner,
                                                                   fresh.document_id)}
    restore_version(ctx, owner, fresh.document_id, versions[1], "v2 was wrong")
    _eventually(lambda: fresh.document_id not in _ids(ctx, owner, "zqnewer"),
                "the restored v1 is the latest")
    deletion.purge_document(ctx, accounts.principal_for(ctx, None), stale.document_id)
    _eventually(lambda: stale.document_id not in _ids(ctx, owner, "zqtier"), "purged")
