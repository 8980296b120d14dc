"""The schema comes from Alembic migrations, from empty, on SQLite and PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect

from docservice.db.engine import make_engine
from docservice.db.migrate import MIGRATIONS, alembic_config, upgrade
from docservice.db.models import Base
from tests.services import create_database, service_env


def _database_url(kind: str, tmp_path: Path) -> str:
    if kind == "sqlite":
        return f"sqlite:///{tmp_path / 'empty.db'}"
    return create_database(service_env()["DOCSERVICE_DATABASE_URL"])


@pytest.mark.parametrize("kind", ["sqlite", pytest.param("postgresql",
                                                          marks=pytest.mark.services)])
def test_upgrade_from_empty_creates_every_table_and_is_repeatable(kind: str,
                                                                   tmp_path: Path) -> None:
    engine = make_engine(_database_url(kind, tmp_path))
    assert inspect(engine).get_table_names() == []
    upgrade(engine)
    upgrade(engine)  # a second start changes nothing
    tables = set(inspect(engine).get_table_names())
    assert set(Base.metadata.tables) <= tables
    head = ScriptDirectory.from_config(alembic_config(str(engine.url))).get_current_head()
    with engine.connect() as connection:
        assert MigrationContext.configure(connection).get_current_revision() == head
    engine.dispose()


def test_models_and_migrations_agree(tmp_path: Path) -> None:
    """A model change without a migration is caught here."""
    from alembic.autogenerate import compare_metadata

    engine = make_engine(f"sqlite:///{tmp_path / 'check.db'}")
    upgrade(engine)
    with engine.connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    assert diff == [], diff
    assert MIGRATIONS.is_dir()


@pytest.mark.parametrize("kind", ["sqlite", pytest.param("postgresql",
                                                          marks=pytest.mark.services)])
def test_upgrading_an_installation_of_the_first_release_keeps_its_documents(
        kind: str, tmp_path: Path) -> None:
    from alembic import command
    from sqlalchemy import text

    engine = make_engine(_database_url(kind, tmp_path))
    with engine.begin() as connection:  # the schema of the first release, with one document
        config = alembic_config(engine.url.render_as_string(hide_password=False))
        config.attributes["connection"] = connection
        command.upgrade(config, "0001")
    with engine.begin() as connection:
        connection.execute(text(
            "INSERT INTO documents (id, title, category, visibility, status, created_at,"
            " updated_at) VALUES (1, 'Price list', 'product', 'org', 'active', '2026-01-01',"
            " '2026-01-01')"))
        connection.execute(text(
            "INSERT INTO versions (id, document_id, number, blob_key, filename, media_type,"
            " size, uploaded_at, state, attempts) VALUES (1, 1, 1, 'k', 'p.pdf',"
            " 'application/pdf', 1, '2026-01-01', 'indexed', 0)"))
        connection.execute(text(
            "INSERT INTO pages (version_id, number, text) VALUES (1, 1, 'AX-200 prices')"))
    upgrade(engine)
    with engine.connect() as connection:
        counts = [connection.execute(text(f"SELECT count(*) FROM {table}")).scalar()
                  for table in ("documents", "versions", "pages")]
        foreign = connection.exec_driver_sql("PRAGMA foreign_keys").scalar() \
            if kind == "sqlite" else 1
    assert counts == [1, 1, 1]
    assert foreign == 1  # and the check is on again for the app
    engine.dispose()
