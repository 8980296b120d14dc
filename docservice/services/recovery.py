"""Admins re-run work: failed versions and side effects, one version, or whatever is stuck.

The same use case behind ``docservice retry`` and the admin page's button; each run is
audited.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from docservice.db import claims
from docservice.db.models import OutboxRow, Version, utcnow
from docservice.db.repositories import record_event
from docservice.domain import IngestState, Principal
from docservice.errors import N_, Conflict, PermissionDenied, VersionNotFound
from docservice.queue.base import INGEST_JOB
from docservice.services import outbox
from docservice.services.context import Context
from docservice.services.sweeper import sweep

DETAIL_LIMIT = 2000


@dataclass(frozen=True)
class Retried:
    """What was queued again: version ids and outbox (side effect) row ids."""

    versions: tuple[int, ...]
    side_effects: tuple[int, ...]


@dataclass(frozen=True)
class FailedWork:
    versions: int
    side_effects: int


def _require_admin(principal: Principal) -> None:
    if not principal.is_admin:
        raise PermissionDenied(N_("only admins retry background work"))


def failed_work(ctx: Context, principal: Principal) -> FailedWork:
    """How many versions and side effects failed for good (an admin may retry them)."""
    _require_admin(principal)
    with ctx.uow() as uow:
        versions = uow.session.scalar(select(func.count()).select_from(Version)
                                      .where(Version.state == IngestState.FAILED.value))
    return FailedWork(int(versions or 0), outbox.counts(ctx)[outbox.FAILED])


def retry(ctx: Context, principal: Principal, *, failed: bool = False,
          version_id: int | None = None) -> Retried:
    """Queue work again: the version ``version_id`` (whatever its state, unless a live worker
    is extracting it), every failed version and side effect (``failed``), or else what
    is unfinished and nobody works on, without waiting for leases to run out."""
    _require_admin(principal)
    if version_id is not None:
        retried = Retried(_retry_version(ctx, version_id), ())
    elif failed:
        retried = Retried(_retry_failed_versions(ctx), tuple(outbox.retry_failed(ctx)))
    else:
        with ctx.uow() as uow:  # due now, unless a live worker holds them
            uow.session.execute(update(OutboxRow).where(OutboxRow.state == outbox.PENDING)
                                .values(available_at=utcnow()))
            uow.commit()
        swept = sweep(ctx, all_waiting=True)
        _audit(ctx, principal, Retried(swept.versions, swept.side_effects))
        return Retried(swept.versions, swept.side_effects)
    for queued in retried.versions:
        ctx.queue.enqueue(INGEST_JOB, queued)
    outbox.enqueue(ctx, retried.side_effects)
    _audit(ctx, principal, retried)
    return retried


def _retry_version(ctx: Context, version_id: int) -> tuple[int, ...]:
    now = utcnow()
    with ctx.uow() as uow:
        version = uow.session.get(Version, version_id)
        if version is None:
            raise VersionNotFound(version_id)
        if version.state == IngestState.EXTRACTING.value and not claims.expired(
                version.claimed_by, version.claimed_at, now, claims.lease(ctx.settings)):
            raise Conflict(N_("version %(id)s is being read right now"), id=version_id)
        _queue_again(uow.session, [version_id])
        uow.commit()
    return (version_id,)


def _retry_failed_versions(ctx: Context) -> tuple[int, ...]:
    with ctx.uow() as uow:
        ids = list(uow.session.scalars(select(Version.id).where(
            Version.state == IngestState.FAILED.value).order_by(Version.id)))
        _queue_again(uow.session, ids)
        uow.commit()
    return tuple(ids)


def _queue_again(session: Session, version_ids: list[int]) -> None:
    if version_ids:
        session.execute(update(Version).where(Version.id.in_(version_ids)).values(
            state=IngestState.QUEUED.value, state_reason=None, progress=None,
            claimed_by=None, claimed_at=utcnow()))


def _audit(ctx: Context, principal: Principal, retried: Retried) -> None:
    with ctx.uow() as uow:
        document_of = dict(uow.session.execute(select(Version.id, Version.document_id).where(
            Version.id.in_(retried.versions))).tuples().all())
        for version_id in retried.versions:
            record_event(uow.session, principal, "retry", document_id=document_of.get(version_id),
                         version_id=version_id, detail="text extraction")
        if retried.side_effects:
            ids = ", ".join(map(str, retried.side_effects))
            record_event(uow.session, principal, "retry",
                         detail=f"side effects {ids}"[:DETAIL_LIMIT])
        uow.commit()
