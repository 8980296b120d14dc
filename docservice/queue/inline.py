"""Worker threads inside the process: the embedded tier's queue."""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Iterator

from docservice.queue.base import JobRunner

log = logging.getLogger(__name__)
_STOP = ("", -1)
BATCH_SIZE = 64
BATCH_WINDOW_S = 2.0


class InlineQueue:
    """Jobs run by ``workers`` threads. A worker hands the runner the jobs of one name that
    are already queued, up to ``batch`` of them and for at most ``batch_window_s`` seconds
    after the first, so the runner can finish them together (one index commit)."""

    def __init__(self, runner: JobRunner, workers: int = 2, batch: int = BATCH_SIZE,
                 batch_window_s: float = BATCH_WINDOW_S) -> None:
        self._runner = runner
        self._workers = workers
        self._batch = batch
        self._batch_window_s = batch_window_s
        self._jobs: queue.Queue[tuple[str, int]] = queue.Queue()
        self._threads: list[threading.Thread] = []
        self._pending = 0
        self._idle = threading.Condition()

    def enqueue(self, job: str, item_id: int) -> None:
        with self._idle:
            self._pending += 1
        self._jobs.put((job, item_id))
        if not self._threads:
            self.start()

    def start(self) -> None:
        if self._threads:
            return
        for number in range(self._workers):
            thread = threading.Thread(target=self._work, name=f"docservice-worker-{number}",
                                      daemon=True)
            thread.start()
            self._threads.append(thread)

    def stop(self) -> None:
        for _ in self._threads:
            self._jobs.put(_STOP)
        for thread in self._threads:
            thread.join()
        self._threads.clear()

    def wait_idle(self, timeout: float) -> bool:
        with self._idle:
            return self._idle.wait_for(lambda: self._pending == 0, timeout=timeout)

    def pending(self) -> int:
        with self._idle:
            return self._pending

    def check(self) -> None:
        return None

    def _work(self) -> None:
        held: list[tuple[str, int]] = []  # taken off the queue but not part of the last batch
        while True:
            job, item_id = held.pop() if held else self._jobs.get()
            if (job, item_id) == _STOP:
                return
            taken = [item_id]
            try:
                self._runner(job, self._batch_ids(job, taken, held))
            except Exception:
                # The job has recorded its own failure; a worker thread must outlive any job.
                log.exception("job %s(%s) failed", job, ", ".join(map(str, taken)))
            finally:
                with self._idle:
                    self._pending -= len(taken)
                    self._idle.notify_all()

    def _batch_ids(self, job: str, taken: list[int], held: list[tuple[str, int]]
                   ) -> Iterator[int]:
        """``taken[0]``, then jobs of the same name already queued, while the batch has room."""
        yield taken[0]
        deadline = time.monotonic() + self._batch_window_s
        while len(taken) < self._batch and time.monotonic() < deadline:
            try:
                following = self._jobs.get_nowait()
            except queue.Empty:
                return
            if following[0] != job:  # another job, or the stop sign: after this batch
                held.append(following)
                return
            taken.append(following[1])
            yield following[1]
