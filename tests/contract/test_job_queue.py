"""One contract for the in-process queue (the RQ queue runs the same stories in
tests/integration, where real worker processes take the jobs)."""

from __future__ import annotations

import threading
from collections.abc import Iterator

from docservice.queue.inline import InlineQueue


def test_jobs_run_in_the_background_and_wait_idle_sees_the_end() -> None:
    done: list[tuple[str, int]] = []
    queue = InlineQueue(lambda job, items: done.extend((job, item) for item in items),
                        workers=2)
    for number in range(20):
        queue.enqueue("ingest_version", number)
    assert queue.wait_idle(10)
    assert sorted(item for _job, item in done) == list(range(20))
    assert queue.pending() == 0
    queue.stop()


def test_a_failing_job_does_not_stop_the_workers() -> None:
    done: list[int] = []

    def runner(_job: str, items: Iterator[int]) -> None:
        for item in items:
            if item == 1:
                raise RuntimeError("boom")
            done.append(item)

    queue = InlineQueue(runner, workers=1, batch=1)
    for number in range(3):
        queue.enqueue("ingest_version", number)
    assert queue.wait_idle(10)
    assert done == [0, 2]
    queue.stop()


def test_two_workers_run_jobs_at_the_same_time() -> None:
    both_running = threading.Barrier(2, timeout=5)
    queue = InlineQueue(lambda _job, _items: both_running.wait(), workers=2)
    queue.enqueue("ingest_version", 1)
    queue.enqueue("ingest_version", 2)
    assert queue.wait_idle(10)
    assert not both_running.broken
    queue.stop()


def test_jobs_waiting_while_a_worker_is_busy_come_to_it_as_one_batch() -> None:
    batches: list[list[int]] = []
    busy = threading.Event()
    release = threading.Event()

    def runner(_job: str, items: Iterator[int]) -> None:
        first = next(items)
        busy.set()
        release.wait(5)  # meanwhile the other jobs queue up
        batches.append([first, *items])

    queue = InlineQueue(runner, workers=1, batch=4)
    queue.enqueue("ingest_version", 0)
    assert busy.wait(5)
    for number in range(1, 7):
        queue.enqueue("ingest_version", number)
    release.set()
    assert queue.wait_idle(10)
    assert batches == [[0, 1, 2, 3], [4, 5, 6]]
    queue.stop()


def test_a_busy_runner_leaves_the_waiting_jobs_to_the_other_workers() -> None:
    seen: dict[str, list[int]] = {}
    both_running = threading.Barrier(2, timeout=5)

    def runner(_job: str, items: Iterator[int]) -> None:
        first = next(items)
        both_running.wait()  # two jobs queued, two workers: each took one
        seen[threading.current_thread().name] = [first, *items]

    queue = InlineQueue(runner, workers=2, batch=16)
    queue.enqueue("ingest_version", 1)
    queue.enqueue("ingest_version", 2)
    assert queue.wait_idle(10)
    assert sorted(seen.values()) == [[1], [2]]
    queue.stop()
