"""The state of every port, for /healthz and monitoring."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import text

from docservice.errors import ServiceUnavailable
from docservice.services.context import Context


def _probe(check: Callable[[], None]) -> dict[str, Any]:
    try:
        check()
    except ServiceUnavailable as exc:
        return {"ok": False, "error": exc.message}
    return {"ok": True}


def _database(ctx: Context) -> None:
    try:
        with ctx.engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except Exception as exc:  # any driver error means the same thing here: unreachable
        raise ServiceUnavailable(f"database unreachable: {type(exc).__name__}") from exc


def health(ctx: Context) -> dict[str, Any]:
    parts = {
        "database": _probe(lambda: _database(ctx)),
        "blob_store": _probe(ctx.blobs.check),
        "search_index": _probe(ctx.index.check),
        "queue": _probe(ctx.queue.check),
    }
    return {"ok": all(part["ok"] for part in parts.values()), **parts}
