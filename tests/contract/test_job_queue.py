"""One contract for the in-process queue (the RQ queue runs the same stories in
tests/integration, where real worker processes take the jobs)."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

from docservice.errors import SearchUnavailable
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


def test_a_job_that_meets_an_outage_runs_again_after_each_pause_and_others_do_not() -> None:
    runs: dict[int, list[float]] = {1: [], 2: []}

    def runner(_job: str, items: Iterator[int]) -> None:
        for item in items:
            runs[item].append(time.monotonic())
            if item == 1 and len(runs[1]) < 3:
                raise SearchUnavailable("search engine unreachable")
            if item == 2:
                raise RuntimeError("a bug")

    queue = InlineQueue(runner, workers=1, batch=1, retry_intervals_s=(0.3, 0.6))
    queue.enqueue("outbox", 1)
    queue.enqueue("outbox", 2)
    deadline = time.monotonic() + 10
    while len(runs[1]) < 3 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert queue.wait_idle(10)
    time.sleep(0.7)  # no retry of the other job comes
    first, second, third = runs[1]
    assert second - first >= 0.3 and third - second >= 0.6
    assert len(runs[2]) == 1
    queue.stop()


def test_a_job_still_meeting_the_outage_after_the_last_pause_is_left_to_the_sweeper() -> None:
    runs: list[int] = []

    def runner(_job: str, items: Iterator[int]) -> None:
        runs.extend(items)
        raise SearchUnavailable("search engine unreachable")

    queue = InlineQueue(runner, workers=1, batch=1, retry_intervals_s=(0.1,))
    queue.enqueue("outbox", 5)
    time.sleep(0.8)
    assert queue.wait_idle(5)
    assert runs == [5, 5]
    queue.stop()
