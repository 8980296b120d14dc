"""What the integrity check and the resumable reindex read and write in the database:
batches of versions and file keys, and their run rows (the checkpoint)."""

from __future__ import annotations

import json
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from docservice.db import claims
from docservice.db.models import MaintenanceRun, OutboxRow, Version, utcnow

RUNNING = "running"
DONE = "done"


@dataclass(frozen=True)
class StoredVersion:
    version_id: int
    blob_key: str
    size: int


def versions_after(session: Session, after_id: int, limit: int) -> list[StoredVersion]:
    rows = session.execute(select(Version.id, Version.blob_key, Version.size)
                           .where(Version.id > after_id).order_by(Version.id).limit(limit))
    return [StoredVersion(row.id, row.blob_key, row.size) for row in rows]


def referenced(session: Session, keys: Collection[str]) -> set[str]:
    """The keys among ``keys`` that some version stores its file under."""
    if not keys:
        return set()
    return set(session.scalars(select(Version.blob_key).distinct()
                               .where(Version.blob_key.in_(list(keys)))))


def existing_versions(session: Session, version_ids: Collection[int]) -> set[int]:
    if not version_ids:
        return set()
    return set(session.scalars(select(Version.id).where(Version.id.in_(list(version_ids)))))


def last_version_id(session: Session) -> int:
    return int(session.scalar(select(func.max(Version.id))) or 0)


def recently_indexed(session: Session, version_ids: Collection[int], since: datetime
                     ) -> set[int]:
    """Versions among ``version_ids`` indexed after ``since`` (their entry may be on its
    way); the check leaves them for the next run."""
    if not version_ids:
        return set()
    return set(session.scalars(select(Version.id).where(Version.id.in_(list(version_ids)),
                                                       Version.indexed_at > since)))


def owed_documents(session: Session) -> set[int]:
    """Documents with an index update still owed (pending or failed outbox rows): their
    entries are expected to differ until it has run."""
    payloads = session.scalars(select(OutboxRow.payload)
                               .where(OutboxRow.kind.like("index.%")))
    return {int(document_id) for payload in payloads
            if (document_id := json.loads(payload).get("document_id")) is not None}


def unfinished_run(session: Session, kind: str) -> MaintenanceRun | None:
    """The newest run of ``kind`` that stopped halfway (or is running elsewhere)."""
    return session.scalar(select(MaintenanceRun)
                          .where(MaintenanceRun.kind == kind, MaintenanceRun.state == RUNNING)
                          .order_by(MaintenanceRun.id.desc()).limit(1))


def last_run(session: Session, kind: str) -> MaintenanceRun | None:
    return session.scalar(select(MaintenanceRun).where(MaintenanceRun.kind == kind)
                          .order_by(MaintenanceRun.id.desc()).limit(1))


def new_run(session: Session, kind: str, repair: bool, phase: str) -> MaintenanceRun:
    now = utcnow()
    run = MaintenanceRun(kind=kind, repair=repair, state=RUNNING, phase=phase, cursor="",
                         counts="{}", problems="[]", started_at=now, updated_at=now,
                         claimed_by=claims.this_process(), claimed_at=now)
    session.add(run)
    session.flush()
    return run
