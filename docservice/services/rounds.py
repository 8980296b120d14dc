"""A daemon thread that does one round of background work every few seconds until stopped:
the sweeper's and the scheduler's loop."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

log = logging.getLogger(__name__)


class Rounds:
    """Runs ``round_`` every ``interval_s`` seconds in a daemon thread named ``name``; an
    error is logged and the next round tries again (the database away, say)."""

    def __init__(self, name: str, interval_s: float, round_: Callable[[], None]) -> None:
        self._name = name
        self._interval_s = interval_s
        self._round = round_
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name=self._name, daemon=True)
            self._thread.start()

    def stop(self) -> None:
        self._stopping.set()
        if self._thread is not None:
            self._thread.join()
            self._thread = None

    def _run(self) -> None:
        while not self._stopping.wait(self._interval_s):
            try:
                self._round()
            except Exception:
                log.exception("%s: round failed", self._name)
