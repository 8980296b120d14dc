"""The JobQueue port: background jobs that take an id and are safe to run twice."""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

JobRunner = Callable[[str, int], None]
"""Runs one job by name with its id argument; given to queues that run jobs themselves."""

INGEST_JOB = "ingest_version"


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
