"""One contract for the in-process queue (the RQ queue runs the same stories in
tests/integration, where real worker processes take the jobs)."""

from __future__ import annotations

import threading

from docservice.queue.inline import InlineQueue


def test_jobs_run_in_the_background_and_wait_idle_sees_the_end() -> None:
    done: list[tuple[str, int]] = []
    queue = InlineQueue(lambda job, item: done.append((job, item)), workers=2)
    for number in range(20):
        queue.enqueue("ingest_version", number)
    assert queue.wait_idle(10)
    assert sorted(item for _job, item in done) == list(range(20))
    assert queue.pending() == 0
    queue.stop()


def test_a_failing_job_does_not_stop_the_workers() -> None:
    done: list[int] = []

    def runner(_job: str, item: int) -> None:
        if item == 1:
            raise RuntimeError("boom")
        done.append(item)

    queue = InlineQueue(runner, workers=1)
    for number in range(3):
        queue.enqueue("ingest_version", number)
    assert queue.wait_idle(10)
    assert done == [0, 2]
    queue.stop()


def test_two_workers_run_jobs_at_the_same_time() -> None:
    both_running = threading.Barrier(2, timeout=5)
    queue = InlineQueue(lambda _job, _item: both_running.wait(), workers=2)
    queue.enqueue("ingest_version", 1)
    queue.enqueue("ingest_version", 2)
    assert queue.wait_idle(10)
    assert not both_running.broken
    queue.stop()
