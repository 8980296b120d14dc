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
