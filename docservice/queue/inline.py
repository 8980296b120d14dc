"""Worker threads inside the process: the embedded tier's queue."""

from __future__ import annotations

import logging
import queue
import threading

from docservice.queue.base import JobRunner

log = logging.getLogger(__name__)
_STOP = ("", -1)


class InlineQueue:
    def __init__(self, runner: JobRunner, workers: int = 2) -> None:
        self._runner = runner
        self._workers = workers
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
        while True:
            job, item_id = self._jobs.get()
            if (job, item_id) == _STOP:
                return
            try:
                self._runner(job, item_id)
            except Exception:
                # The job has recorded its own failure; a worker thread must outlive any job.
                log.exception("job %s(%s) failed", job, item_id)
            finally:
                with self._idle:
                    self._pending -= 1
                    self._idle.notify_all()
