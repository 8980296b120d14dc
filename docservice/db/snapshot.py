"""Consistent copies of the database, and putting one back.

SQLite is copied with its online backup API; PostgreSQL with ``pg_dump --format=custom``
run inside a snapshot exported from a transaction that also reads the stored files' keys,
so the copy and the list of files it needs describe the same moment on both.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Connection, Engine, text
from sqlalchemy.engine import URL

from docservice.errors import N_, ConfigError, DocserviceError

SQLITE = "sqlite"
POSTGRESQL = "postgresql"
COPY_NAMES = {SQLITE: "database.sqlite", POSTGRESQL: "database.pgdump"}
_KEYS_SQL = "SELECT DISTINCT blob_key FROM versions"
_REVISION_SQL = "SELECT version_num FROM alembic_version"
_COUNTS_SQL = "SELECT (SELECT count(*) FROM documents), (SELECT count(*) FROM versions)"


@dataclass(frozen=True)
class DatabaseCopy:
    kind: str
    path: Path
    blob_keys: frozenset[str]
    revision: str
    documents: int
    versions: int


class RestoreFailed(DocserviceError):
    code = "restore_failed"


def database_kind(engine: Engine) -> str:
    return SQLITE if engine.dialect.name == "sqlite" else POSTGRESQL


def copy_database(engine: Engine, workdir: Path) -> DatabaseCopy:
    """A consistent copy of the database in ``workdir``, with the keys of the files it uses."""
    path = workdir / COPY_NAMES[database_kind(engine)]
    if database_kind(engine) == SQLITE:
        return _copy_sqlite(engine, path)
    return _copy_postgresql(engine, path)


def _copy_sqlite(engine: Engine, path: Path) -> DatabaseCopy:
    raw = engine.raw_connection()
    try:
        source = raw.driver_connection
        assert isinstance(source, sqlite3.Connection)
        with contextlib.closing(sqlite3.connect(path)) as target:
            source.backup(target)
            # the copy is a single file: no WAL beside it
            target.execute("PRAGMA journal_mode=DELETE")
            keys = frozenset(row[0] for row in target.execute(_KEYS_SQL))
            revision = str(target.execute(_REVISION_SQL).fetchone()[0])
            documents, versions = target.execute(_COUNTS_SQL).fetchone()
    finally:
        raw.close()
    return DatabaseCopy(SQLITE, path, keys, revision, int(documents), int(versions))


def _copy_postgresql(engine: Engine, path: Path) -> DatabaseCopy:
    with engine.connect() as connection:
        connection = connection.execution_options(isolation_level="REPEATABLE READ")
        with connection.begin():
            snapshot = connection.execute(text("SELECT pg_export_snapshot()")).scalar_one()
            keys = frozenset(connection.execute(text(_KEYS_SQL)).scalars())
            revision = str(connection.execute(text(_REVISION_SQL)).scalar_one())
            documents, versions = connection.execute(text(_COUNTS_SQL)).one()
            _run(_pg_tool("pg_dump", connection), engine.url,
                 ["--format=custom", f"--snapshot={snapshot}", "--no-owner",
                  "--no-privileges", f"--file={path}"])
    return DatabaseCopy(POSTGRESQL, path, keys, revision, int(documents), int(versions))


def check_copy(kind: str, path: Path) -> list[str]:
    """What is wrong with a database copy (nothing: an empty list)."""
    if kind == SQLITE:
        try:
            with contextlib.closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as db:
                problems = [row[0] for row in db.execute("PRAGMA integrity_check")
                            if row[0] != "ok"]
                problems += [f"broken reference in {row[0]} row {row[1]}"
                             for row in db.execute("PRAGMA foreign_key_check")]
                return problems
        except sqlite3.DatabaseError as exc:
            return [f"not a readable SQLite database: {exc}"]
    result = subprocess.run([str(_newest_pg_tool("pg_restore")), "--list", str(path)],
                            capture_output=True, text=True, check=False)
    return [] if result.returncode == 0 else [f"pg_restore cannot read the dump: "
                                              f"{result.stderr.strip()[:300]}"]


def database_is_empty(engine: Engine) -> bool:
    """True when the database holds no table (a fresh PostgreSQL database or SQLite file)."""
    with engine.connect() as connection:
        if database_kind(engine) == SQLITE:
            count = connection.execute(text(
                "SELECT count(*) FROM sqlite_master WHERE type = 'table'")).scalar_one()
        else:
            count = connection.execute(text(
                "SELECT count(*) FROM information_schema.tables "
                "WHERE table_schema = current_schema()")).scalar_one()
    return int(count) == 0


def restore_database(engine: Engine, kind: str, path: Path) -> None:
    """Fill the empty database behind ``engine`` from a copy made by :func:`copy_database`."""
    if kind != database_kind(engine):
        raise RestoreFailed(N_("this backup holds a %(kind)s database; restore it into one "
                               "(DOCSERVICE_DATABASE_URL)"), kind=kind)
    if kind == SQLITE:
        target = engine.url.database
        assert target
        engine.dispose()
        for suffix in ("-wal", "-shm"):
            with contextlib.suppress(FileNotFoundError):
                os.unlink(target + suffix)
        shutil.copyfile(path, target)
        return
    with engine.connect() as connection:
        tool = _pg_tool("pg_restore", connection)
    _run(tool, engine.url, ["--no-owner", "--no-privileges", "--exit-on-error",
                            "--single-transaction", f"--dbname={engine.url.database}",
                            str(path)])


def _run(tool: Path, url: URL, arguments: list[str]) -> None:
    """Run a PostgreSQL client against ``url``, which it reads from libpq's environment
    variables (so the password is not in the process list)."""
    env = dict(os.environ, PGHOST=url.host or "", PGPORT=str(url.port or 5432),
               PGUSER=url.username or "", PGPASSWORD=url.password or "",
               PGDATABASE=url.database or "")
    if "sslmode" in url.query:
        env["PGSSLMODE"] = str(url.query["sslmode"])
    result = subprocess.run([str(tool), *arguments], env=env, capture_output=True, text=True,
                            check=False)
    if result.returncode != 0:
        raise RestoreFailed(N_("%(tool)s failed: %(error)s"), tool=tool.name,
                            error=result.stderr.strip()[:500])


def _pg_tool(name: str, connection: Connection) -> Path:
    """The client binary matching the server's major version (Debian's
    /usr/lib/postgresql/<major>/bin), else the newest one installed: pg_dump refuses a
    newer server, and a newer pg_dump's archive is unreadable to an older pg_restore."""
    number = int(connection.execute(text("SHOW server_version_num")).scalar_one())
    matching = Path(f"/usr/lib/postgresql/{number // 10000}/bin/{name}")
    return matching if matching.is_file() else _newest_pg_tool(name)


def _newest_pg_tool(name: str) -> Path:
    installed = sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"),
                       key=lambda path: int(path.parent.parent.name)
                       if path.parent.parent.name.isdigit() else 0)
    if installed:
        return installed[-1]
    found = shutil.which(name)
    if found is None:
        raise ConfigError(N_("%(tool)s is not installed (Debian: postgresql-client)"),
                          tool=name)
    return Path(found)
