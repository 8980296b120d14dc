"""Slowing down password guessing: a few failures are free, then every further try waits,
twice as long after each failure (up to ``WINDOW``); failures older than ``WINDOW`` are
forgotten. Failures are audit events, so every web process counts the same ones."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import ColumnElement, func, select

from docservice.db.models import AuditEvent, utcnow
from docservice.db.repositories import aware
from docservice.errors import AuthenticationFailed
from docservice.services.context import Context

WINDOW = timedelta(minutes=15)
FIRST_WAIT = timedelta(seconds=30)


class TooManyAttempts(AuthenticationFailed):
    code = "rate_limited"
    http_status = 429

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after


@dataclass(frozen=True)
class Limit:
    """Failures free before any wait, counting the events by ``actor`` (if given) whose
    detail is ``detail`` (if given) or starts with ``detail_prefix`` (if given)."""

    free: int
    actor: str | None = None
    detail: str | None = None
    detail_prefix: str | None = None

    def conditions(self) -> list[ColumnElement[bool]]:
        found = []
        if self.actor is not None:
            found.append(AuditEvent.actor == self.actor)
        if self.detail is not None:
            found.append(AuditEvent.detail == self.detail)
        if self.detail_prefix is not None:
            found.append(AuditEvent.detail.startswith(self.detail_prefix, autoescape=True))
        return found


def wait_for(failures: int, free: int) -> timedelta:
    """How long the next try waits after ``failures`` recent failures."""
    if failures < free:
        return timedelta(0)
    return min(FIRST_WAIT * 2 ** min(failures - free, 16), WINDOW)


def seconds_to_wait(ctx: Context, action: str, limits: Sequence[Limit]) -> int:
    """Whole seconds until the next try of ``action`` is allowed under every limit (0: now)."""
    now = utcnow()
    longest = 0
    with ctx.uow() as uow:
        for limit in limits:
            count, last = uow.session.execute(
                select(func.count(), func.max(AuditEvent.at)).where(
                    AuditEvent.action == action, AuditEvent.at >= now - WINDOW,
                    *limit.conditions())).one()
            if last is not None:
                remaining = aware(last) + wait_for(count, limit.free) - now
                longest = max(longest, math.ceil(remaining.total_seconds()))
    return longest
