"""The JobQueue port: background jobs that take an id and are safe to run twice."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Protocol

JobRunner = Callable[[str, Iterator[int]], None]
"""Runs a job by name over the ids of a batch of queued jobs; given to queues that run jobs
themselves. The ids come lazily: the next one is taken off the queue when the runner asks
for it, so a runner that is still busy leaves the rest to other workers."""

INGEST_JOB = "ingest_version"
OUTBOX_JOB = "outbox"
RETRY_INTERVALS_S = (5, 30, 120)
"""A job that raised ServiceUnavailable runs again after these pauses (then the sweeper
finds its work unfinished); a job that raised anything else is not run again."""


class JobQueue(Protocol):
    def enqueue(self, job: str, item_id: int) -> None:
        """Schedule ``job`` for ``item_id``. Raises QueueUnavailable."""

    def start(self) -> None:
        """Begin running jobs (in-process queues); a no-op where workers run elsewhere."""

    def stop(self) -> None:
        """Stop taking jobs and wait for running ones to end."""

    def wait_idle(self, timeout: float) -> bool:
        """Wait until nothing is queued or running; False if ``timeout`` passed first."""

    def pending(self) -> int:
        """Jobs queued or running right now."""

    def check(self) -> None:
        """Raise QueueUnavailable if jobs cannot be queued right now."""
