"""The state of every port, for /healthz and monitoring."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import text

from docservice.errors import N_, ServiceUnavailable
from docservice.services.context import Context


@dataclass(frozen=True)
class Probe:
    ok: bool
    error: str | None = None  # why the port is unreachable


@dataclass(frozen=True)
class HealthReport:
    ok: bool
    database: Probe
    blob_store: Probe
    search_index: Probe
    queue: Probe


def _probe(check: Callable[[], None]) -> Probe:
    try:
        check()
    except ServiceUnavailable as exc:
        return Probe(ok=False, error=exc.message)
    return Probe(ok=True)


def _database(ctx: Context) -> None:
    try:
        with ctx.engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except Exception as exc:  # any driver error means the same thing here: unreachable
        raise ServiceUnavailable(N_("database unreachable: %(error)s"),
                                 error=type(exc).__name__) from exc


def health(ctx: Context) -> HealthReport:
    parts = {
        "database": _probe(lambda: _database(ctx)),
        "blob_store": _probe(ctx.blobs.check),
        "search_index": _probe(ctx.index.check),
        "queue": _probe(ctx.queue.check),
    }
    return HealthReport(ok=all(part.ok for part in parts.values()), **parts)
