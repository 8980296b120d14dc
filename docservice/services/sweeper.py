"""The sweeper: in every running process, now and then, queue again the work nobody does.

That is versions left waiting or extracting by a worker that is gone or whose lease ran out
(a crash, a job the queue dropped, a queue that was down at upload), and outbox rows whose
retry is due or whose worker went away. Queuing twice is harmless: jobs take ids and a
claim decides who runs them.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass

from docservice.errors import ServiceUnavailable
from docservice.services import ingestion, outbox
from docservice.services.context import Context

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


class Sweeper:
    """A daemon thread running :func:`sweep` every ``interval_s`` seconds until stopped."""

    def __init__(self, ctx: Context, interval_s: float) -> None:
        self._ctx = ctx
        self._interval_s = interval_s
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="docservice-sweeper",
                                            daemon=True)
            self._thread.start()

    def stop(self) -> None:
        self._stopping.set()
        if self._thread is not None:
            self._thread.join()
            self._thread = None

    def _run(self) -> None:
        while not self._stopping.wait(self._interval_s):
            try:
                swept = sweep(self._ctx)
            except ServiceUnavailable as exc:
                log.warning("sweep skipped: %s", exc.message)
                continue
            except Exception:  # the database away, say: the next round tries again
                log.exception("sweep failed")
                continue
            if swept.versions or swept.side_effects:
                log.info("sweeper queued versions %s and side effects %s again",
                         list(swept.versions), list(swept.side_effects))


def start_sweeper(ctx: Context) -> Sweeper:
    """Start the sweeper of this process; ``ctx.close()`` stops it."""
    sweeper = Sweeper(ctx, ctx.settings.sweep_interval_s)
    sweeper.start()
    ctx.on_close(sweeper.stop)
    return sweeper
