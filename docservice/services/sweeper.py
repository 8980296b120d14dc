"""The sweeper: in every running process, now and then, queue again the work nobody does.

That is versions left waiting or extracting by a worker that is gone or whose lease ran out
(a crash, a job the queue dropped, a queue that was down at upload), and outbox rows whose
retry is due or whose worker went away. Queuing twice is harmless: jobs take ids and a
claim decides who runs them.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from docservice.errors import ServiceUnavailable
from docservice.services import ingestion, outbox
from docservice.services.context import Context
from docservice.services.rounds import Rounds

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Swept:
    """What a sweep queued again: version ids and outbox (side effect) row ids."""

    versions: tuple[int, ...]
    side_effects: tuple[int, ...]


def sweep(ctx: Context, *, all_waiting: bool = False) -> Swept:
    """One round: queue stale versions and due outbox rows again (``all_waiting``: every
    waiting version, as at start). Raises QueueUnavailable, changing nothing, while the
    queue is away."""
    ctx.queue.check()
    versions = ingestion.requeue_stale(ctx, all_waiting=all_waiting)
    rows = outbox.due(ctx)
    outbox.enqueue(ctx, rows)
    return Swept(tuple(versions), tuple(rows))


def _sweep_round(ctx: Context) -> None:
    try:
        swept = sweep(ctx)
    except ServiceUnavailable as exc:
        log.warning("sweep skipped: %s", exc.message)
        return
    if swept.versions or swept.side_effects:
        log.info("sweeper queued versions %s and side effects %s again",
                 list(swept.versions), list(swept.side_effects))


def start_sweeper(ctx: Context) -> Rounds:
    """Start the sweeper of this process; ``ctx.close()`` stops it."""
    sweeper = Rounds("docservice-sweeper", ctx.settings.sweep_interval_s,
                     lambda: _sweep_round(ctx))
    sweeper.start()
    ctx.on_close(sweeper.stop)
    return sweeper
