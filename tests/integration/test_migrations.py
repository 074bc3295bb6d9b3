"""The migrations build exactly the schema the models describe, on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, text
from sqlmodel import SQLModel

import storage.models  # noqa: F401
from storage.db import NotMigrated, check_migrated, current_revision, head_revision, make_engine


def test_migrated_schema_matches_models(engine):
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), SQLModel.metadata)
    assert diff == [], diff
    assert current_revision(engine) == head_revision()
    check_migrated(engine)  # does not raise
    indexes = {ix["name"] for ix in inspect(engine).get_indexes("progressreport")}
    assert "ix_progress_target_unit_time" in indexes


def test_unmigrated_database_is_refused(db_url):
    engine = make_engine(db_url)
    try:
        check_migrated(engine)
    except NotMigrated as exc:
        assert "parbot db upgrade" in str(exc)
    else:
        raise AssertionError("an empty database passed the migration check")
    finally:
        engine.dispose()


def test_sqlite_pragmas(engine):
    if engine.dialect.name != "sqlite":
        pytest.skip("SQLite pragmas only")
    with engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
