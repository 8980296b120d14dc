"""What every use case needs: settings and the ports, as picked by bootstrap."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from docservice.config import Settings
from docservice.db.uow import UnitOfWork
from docservice.queue.base import JobQueue
from docservice.search.base import SearchIndex
from docservice.storage.base import BlobStore


@dataclass
class Context:
    settings: Settings
    engine: Engine
    session_factory: sessionmaker[Session]
    blobs: BlobStore
    index: SearchIndex
    queue: JobQueue = field(init=False)

    def uow(self) -> UnitOfWork:
        return UnitOfWork(self.session_factory)

    def close(self) -> None:
        if hasattr(self, "queue"):
            self.queue.stop()
        self.engine.dispose()
