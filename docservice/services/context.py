"""What every use case needs: settings and the ports, as picked by bootstrap."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from docservice.config import Settings
from docservice.db.uow import UnitOfWork
from docservice.queue.base import JobQueue
from docservice.search.base import SearchIndex
from docservice.storage.base import BlobStore


class Closeable(Protocol):
    def close(self) -> None: ...


@dataclass
class Context:
    settings: Settings
    engine: Engine
    session_factory: sessionmaker[Session]
    blobs: BlobStore
    index: SearchIndex
    queue: JobQueue = field(init=False)
    resources: list[Closeable] = field(default_factory=list)  # made by bootstrap, closed here
    _closers: list[Callable[[], None]] = field(default_factory=list, init=False, repr=False)

    def uow(self) -> UnitOfWork:
        return UnitOfWork(self.session_factory, self._dispatch)

    def _dispatch(self, row_id: int, run_now: bool) -> None:
        from docservice.services import outbox  # it runs side effects with this context

        outbox.dispatch(self, row_id, run_now)

    def on_close(self, action: Callable[[], None]) -> None:
        """Run ``action`` (stop a background thread) when the context closes, first."""
        self._closers.append(action)

    def close(self) -> None:
        while self._closers:
            self._closers.pop()()
        if hasattr(self, "queue"):
            self.queue.stop()
        while self.resources:
            self.resources.pop().close()
        self.engine.dispose()
