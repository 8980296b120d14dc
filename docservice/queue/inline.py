"""Worker threads inside the process: the embedded tier's queue."""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Iterator, Sequence

from docservice.errors import ServiceUnavailable
from docservice.queue.base import RETRY_INTERVALS_S, JobRunner

log = logging.getLogger(__name__)
_STOP = ("", -1)
BATCH_SIZE = 64
BATCH_WINDOW_S = 2.0


class InlineQueue:
    """Jobs run by ``workers`` threads. A worker hands the runner the jobs of one name that
    are already queued, up to ``batch`` of them and for at most ``batch_window_s`` seconds
    after the first, so the runner can finish them together (one index commit)."""

    def __init__(self, runner: JobRunner, workers: int = 2, batch: int = BATCH_SIZE,
                 batch_window_s: float = BATCH_WINDOW_S,
                 retry_intervals_s: Sequence[float] = RETRY_INTERVALS_S) -> None:
        self._runner = runner
        self._retry_intervals_s = tuple(retry_intervals_s)
        self._retries: dict[tuple[str, int], int] = {}  # job -> retries so far
        self._timers: set[threading.Timer] = set()
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
        with self._idle:
            timers, self._timers = self._timers, set()
        for timer in timers:
            timer.cancel()
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
            except ServiceUnavailable as exc:
                self._retry_later(job, taken, exc)
            except Exception:
                # The job has recorded its own failure (and is not run again); a worker
                # thread must outlive any job.
                log.exception("job %s(%s) failed", job, ", ".join(map(str, taken)))
            else:
                self._forget_retries(job, taken)
            finally:
                with self._idle:
                    self._pending -= len(taken)
                    self._idle.notify_all()

    def _retry_later(self, job: str, item_ids: Sequence[int], exc: ServiceUnavailable) -> None:
        """Queue the jobs again after the next pause of ``retry_intervals_s``; past the last,
        the sweeper finds their work unfinished."""
        for item_id in item_ids:
            with self._idle:
                retries = self._retries.pop((job, item_id), 0)
                if retries >= len(self._retry_intervals_s):
                    log.warning("job %s(%s) left to the sweeper: %s", job, item_id, exc.message)
                    continue
                self._retries[(job, item_id)] = retries + 1
                timer = threading.Timer(self._retry_intervals_s[retries], self._retry,
                                        (job, item_id))
                timer.daemon = True
                self._timers.add(timer)
            log.warning("job %s(%s) again in %s s: %s", job, item_id,
                        self._retry_intervals_s[retries], exc.message)
            timer.start()

    def _forget_retries(self, job: str, item_ids: Sequence[int]) -> None:
        with self._idle:
            for item_id in item_ids if self._retries else ():
                self._retries.pop((job, item_id), None)

    def _retry(self, job: str, item_id: int) -> None:
        with self._idle:
            self._timers = {timer for timer in self._timers if timer.is_alive()}
        if self._threads:  # not stopped meanwhile
            self.enqueue(job, item_id)

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
