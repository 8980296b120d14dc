"""Finish work in a thread of its own, in groups, while the caller goes on producing it."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from types import TracebackType
from typing import Generic, TypeVar

Item = TypeVar("Item")


class GroupFinisher(Generic[Item]):
    """Hands items to ``finish`` in groups from a background thread: a group goes once it
    has ``min_group`` items, its oldest item waited ``max_wait_s`` seconds, or the producer
    is done; the next group gathers meanwhile. Leaving the ``with`` block waits until every
    item is finished, then raises the first error ``finish`` raised."""

    def __init__(self, finish: Callable[[Sequence[Item]], None], *, min_group: int,
                 max_wait_s: float, name: str = "finisher") -> None:
        self._finish = finish
        self._min_group = min_group
        self._max_wait_s = max_wait_s
        self._name = name
        self._changed = threading.Condition()
        self._waiting: list[Item] = []
        self._oldest = 0.0
        self._finishing: Sequence[Item] = ()
        self._closed = False
        self._errors: list[Exception] = []
        self._thread: threading.Thread | None = None

    def add(self, item: Item) -> None:
        with self._changed:
            if not self._waiting:
                self._oldest = time.monotonic()
            self._waiting.append(item)
            self._changed.notify_all()
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name=self._name, daemon=True)
            self._thread.start()

    def unfinished(self) -> list[Item]:
        """Items handed over and not finished yet."""
        with self._changed:
            return [*self._finishing, *self._waiting]

    def __enter__(self) -> GroupFinisher[Item]:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        with self._changed:
            self._closed = True
            self._changed.notify_all()
        if self._thread is not None:
            self._thread.join()
        if exc is None and self._errors:
            raise self._errors[0]

    def _run(self) -> None:
        while (group := self._next_group()) is not None:
            try:
                self._finish(group)
            except Exception as exc:  # raised in the producer's thread when it is done
                self._errors.append(exc)
            with self._changed:
                self._finishing = ()

    def _next_group(self) -> Sequence[Item] | None:
        with self._changed:
            while True:
                if self._waiting and (self._closed or len(self._waiting) >= self._min_group):
                    break
                if not self._waiting and self._closed:
                    return None
                if self._waiting:
                    remaining = self._oldest + self._max_wait_s - time.monotonic()
                    if remaining <= 0:
                        break
                    self._changed.wait(remaining)
                else:
                    self._changed.wait()
            self._finishing, self._waiting = self._waiting, []
            return self._finishing
