"""Which worker extracts a version: a claim with a lease, so that a version is read once.

A worker claims a version (state ``extracting``, ``claimed_by`` its process, ``claimed_at``
now) right before reading it and renews the lease while it holds the version. Another
worker takes a version over only from a holder that is gone: the lease ran out (it is
longer than any extraction may take), or the holder ran on this host and has exited (a
restart finds its own earlier claims at once instead of waiting for them to run out).
"""

from __future__ import annotations

import os
import socket
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from typing import cast

from sqlalchemy import ColumnElement, Table, select, update
from sqlalchemy.orm import Session

from docservice.config import Settings
from docservice.db.models import Version, utcnow
from docservice.db.repositories import aware
from docservice.domain import IngestState

LEASE_GRACE_S = 120
"""Beyond the extraction time limit: sniffing, fetching the blob, waiting for the index."""
EXTRACTING = IngestState.EXTRACTING.value
WAITING = (IngestState.STORED.value, IngestState.QUEUED.value)
_VERSIONS = cast(Table, Version.__table__)


@dataclass(frozen=True)
class Claimed:
    blob_key: str
    filename: str


@cache
def this_process() -> str:
    """The claim name of this process: host, pid, and a nonce that tells it apart from an
    earlier process that had the same pid (a restarted container)."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def lease(settings: Settings) -> timedelta:
    return timedelta(seconds=settings.extract_timeout_s + LEASE_GRACE_S)


def claim(session: Session, settings: Settings, version_id: int,
          holding: Sequence[int] = ()) -> Claimed | None:
    """Claim the version for this process (None if it is finished, gone, or held by a live
    worker) and renew the lease on the versions in ``holding``. The caller commits."""
    now = utcnow()
    claimed = _claim_where(session, now, _VERSIONS.c.id == version_id,
                           _VERSIONS.c.state.in_(WAITING))
    if claimed is None:  # finished, gone, or extracting: taken over only from a gone holder
        row = session.execute(select(Version.state, Version.claimed_by, Version.claimed_at)
                              .where(Version.id == version_id)).first()
        if row is None or not takeable(row.state, row.claimed_by, row.claimed_at, now,
                                       lease(settings)):
            return None
        # Compare and set: of two workers that saw the same holder, one takes over.
        claimed = _claim_where(session, now, _VERSIONS.c.id == version_id,
                               _VERSIONS.c.state == row.state, _same_holder(row.claimed_by))
    if claimed is not None:
        renew(session, holding, now)
    return claimed


def _claim_where(session: Session, now: datetime, *where: ColumnElement[bool]
                 ) -> Claimed | None:
    # On the table, not the ORM class: a claim per file, and the ORM's update costs 3x.
    row = session.execute(
        update(_VERSIONS).where(*where)
        .values(state=EXTRACTING, state_reason=None, progress=None,
                attempts=_VERSIONS.c.attempts + 1, claimed_by=this_process(), claimed_at=now)
        .returning(_VERSIONS.c.blob_key, _VERSIONS.c.filename)).first()
    return None if row is None else Claimed(row.blob_key, row.filename)


def renew(session: Session, version_ids: Sequence[int], now: datetime | None = None) -> None:
    if version_ids:
        session.execute(update(_VERSIONS).where(_VERSIONS.c.id.in_(version_ids),
                                                _VERSIONS.c.claimed_by == this_process())
                        .values(claimed_at=now or utcnow()))


def release_stale(session: Session, settings: Settings, *, all_waiting: bool = True
                  ) -> list[int]:
    """Put every unfinished version nobody alive holds back to ``queued`` (queued now, as
    ``claimed_at`` says); their ids.

    At start (``all_waiting``) that is every version waiting: the queue of a process that
    is gone went with it. A sweep of a running process takes a waiting version only when
    no queue is known to hold it (``claimed_at`` empty) or it was queued a lease ago."""
    now = utcnow()
    rows = session.execute(select(Version.id, Version.state, Version.claimed_by,
                                  Version.claimed_at)
                           .where(Version.state.in_((*WAITING, EXTRACTING)))
                           .order_by(Version.id)).all()
    released = []
    for row in rows:
        if not takeable(row.state, row.claimed_by, row.claimed_at, now, lease(settings),
                        all_waiting=all_waiting):
            continue
        done = session.execute(
            update(_VERSIONS).where(_VERSIONS.c.id == row.id, _VERSIONS.c.state == row.state,
                                    _same_holder(row.claimed_by))
            .values(state=IngestState.QUEUED.value, claimed_by=None, claimed_at=now))
        if done.rowcount:  # type: ignore[attr-defined]
            released.append(row.id)
    return released


def takeable(state: str, holder: str | None, claimed_at: datetime | None, now: datetime,
             lease_for: timedelta, *, all_waiting: bool = True) -> bool:
    if state in WAITING:
        return all_waiting or expired(None, claimed_at, now, lease_for)
    if state != EXTRACTING:
        return False
    return expired(holder, claimed_at, now, lease_for)


def expired(holder: str | None, claimed_at: datetime | None, now: datetime,
            lease_for: timedelta) -> bool:
    """Whether a lease taken at ``claimed_at`` by ``holder`` binds nobody any more: never
    taken, run out, or its holder is known to have exited."""
    if claimed_at is None or aware(claimed_at) + lease_for < now:
        return True
    return holder is not None and _gone(holder)


def _gone(holder: str) -> bool:
    """Whether the process named ``holder`` is known to have exited (only this host knows)."""
    host, _, rest = holder.partition(":")
    pid_text, _, _nonce = rest.partition(":")
    if holder == this_process() or host != socket.gethostname() or not pid_text.isdigit():
        return False
    pid = int(pid_text)
    if pid == os.getpid():  # our pid, another nonce: the process before a restart
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:  # alive, another user's
        return False
    return False


def _same_holder(holder: str | None) -> ColumnElement[bool]:
    column = _VERSIONS.c.claimed_by
    return column.is_(None) if holder is None else column == holder
