"""Unit of work: one transaction, with side effects (jobs) run only after it commits."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import timedelta
from types import TracebackType

from sqlalchemy.orm import Session, sessionmaker

from docservice.db.models import OutboxRow, utcnow

Dispatch = Callable[[int, bool], None]
"""Hands a committed outbox row to the outbox: (row id, run it now in this thread)."""
OUTBOX_LEASE = timedelta(minutes=5)
"""An outbox row's worker holds it this long at most; a row nobody took in that time is
queued again by the sweeper."""


class UnitOfWork:
    def __init__(self, session_factory: sessionmaker[Session],
                 dispatch: Dispatch | None = None) -> None:
        self._session_factory = session_factory
        self._dispatch = dispatch
        self._after_commit: list[Callable[[], None]] = []
        self.session: Session

    def __enter__(self) -> UnitOfWork:
        self.session = self._session_factory()
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        try:
            self.session.rollback()
        finally:
            self.session.close()

    def after_commit(self, action: Callable[[], None]) -> None:
        """Run ``action`` once the transaction has committed (never if it rolls back)."""
        self._after_commit.append(action)

    def owe(self, kind: str, *, run_now: bool = False, **payload: int | list[int]) -> None:
        """Owe the side effect ``kind`` (see services/outbox.py): an outbox row written in
        this transaction, handed to the outbox once it commits, to queue or (``run_now``)
        to run at once in this thread."""
        if self._dispatch is None:
            raise RuntimeError("this unit of work has no outbox to hand side effects to")
        dispatch = self._dispatch
        row = OutboxRow(kind=kind, payload=json.dumps(payload, sort_keys=True),
                        state="pending", attempts=0, available_at=utcnow() + OUTBOX_LEASE)
        self.session.add(row)
        self.session.flush()
        row_id = row.id
        self.after_commit(lambda: dispatch(row_id, run_now))

    def commit(self) -> None:
        self.session.commit()
        actions, self._after_commit = self._after_commit, []
        for action in actions:
            action()
