"""Apply Alembic migrations from code (``docservice init`` and start-up), one process at a time."""

from __future__ import annotations

import contextlib
from pathlib import Path

from alembic import command
from alembic.config import Config
from filelock import FileLock
from sqlalchemy import URL, Connection, Engine, text

MIGRATIONS = Path(__file__).parent / "migrations"
# Key of the PostgreSQL advisory lock held while migrating ("docs"); advisory locks belong
# to one database, so installations sharing a server do not wait for each other.
ADVISORY_LOCK_KEY = 0x646F6373


def alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade(engine: Engine) -> None:
    """Bring the schema to the newest revision; a no-op when it is there already.

    Processes started at once (web and worker replicas) take turns: the first migrates, the
    others wait for it and then find the schema at head. PostgreSQL serialises them with an
    advisory lock held by the migration's transaction, SQLite with a lock file beside the
    database (both are released when their holder dies).

    On SQLite foreign keys are off while migrating: a batch migration recreates a table
    (copy, drop, rename), and dropping ``documents`` with them on would cascade-delete every
    version and page."""
    config = alembic_config(engine.url.render_as_string(hide_password=False))
    with _sqlite_file_lock(engine.url), engine.connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        if sqlite:  # only outside a transaction does SQLite take this pragma
            connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
            connection.commit()
        try:
            with connection.begin():
                _take_advisory_lock(connection)
                config.attributes["connection"] = connection
                command.upgrade(config, "head")
        finally:
            if sqlite:
                connection.exec_driver_sql("PRAGMA foreign_keys=ON")
                connection.commit()


def _sqlite_file_lock(url: URL) -> contextlib.AbstractContextManager[object]:
    """An exclusive lock on ``<database>.migrate-lock``; nothing for other databases and for
    an in-memory SQLite, which no other process can see."""
    if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:"):
        return contextlib.nullcontext()
    return FileLock(f"{url.database}.migrate-lock")


def _take_advisory_lock(connection: Connection) -> None:
    """Wait for the PostgreSQL migration lock; the transaction's end releases it."""
    if connection.dialect.name == "postgresql":
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"),
                           {"key": ADVISORY_LOCK_KEY})
