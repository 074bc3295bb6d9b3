"""Shared fixtures: a migrated database per test on SQLite, and on PostgreSQL when
TEST_DATABASE_URL is set (each test gets its own schema there), and the clock set.

`@pytest.mark.once`: a test whose subject is the process, the wire or code that reads the
database the same way on both (the role matrix, parsing, startup and shutdown, a command's
output) runs once, on SQLite; its PostgreSQL case is skipped before any database is made. The
domain's reads and writes run on both databases in tests/integration, and so do the end-to-end
tests where the database is the point: kill -9 and the durable inbox, two processes, a nudge
sent once across a restart, rows stored across a crash, `parbot db upgrade`.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import make_url, text

from bot.core.clock import clock
from bot.core.settings import DEFAULT_PLAN
from storage.db import make_engine, normalise_url, upgrade

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"
PG_URL = os.environ.get("TEST_DATABASE_URL")
BACKENDS = ["sqlite", "postgres"]


def _pg_schema_url(schema: str) -> str:
    base = normalise_url(PG_URL or "")
    sep = "&" if "?" in base else "?"
    return f"{base}{sep}options=-csearch_path%3D{schema}"


@pytest.fixture(params=BACKENDS)
def db_url(request, tmp_path) -> Iterator[str]:
    """A database URL for an empty database: SQLite file, or a fresh PostgreSQL schema."""
    once = request.node.get_closest_marker("once")
    if request.param == "postgres" and once is not None:
        pytest.skip("runs once, on SQLite" + (f": {once.args[0]}" if once.args else ""))
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'parbot.db'}"
        return
    if not PG_URL:
        pytest.skip("PostgreSQL tests need TEST_DATABASE_URL (e.g. postgresql://postgres@127.0.0.1:5432/test)")
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = make_engine(PG_URL)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield _pg_schema_url(schema)
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture(scope="session")
def _migrated_templates(tmp_path_factory) -> Iterator[dict[str, str]]:
    """One migrated database per backend and test worker, copied for every test that wants a
    migrated one: a file copy on SQLite, CREATE DATABASE … TEMPLATE on PostgreSQL (tenths of a
    second instead of running every migration again). tests/integration/test_migrations.py runs
    the migrations themselves on empty databases."""
    from bot.plans.store import import_plan_file

    folder = tmp_path_factory.mktemp("template")
    templates: dict[str, str] = {}
    admin = _pg_admin() if PG_URL else None
    for kind in ("empty", "plan"):
        path = folder / f"{kind}.db"
        sqlite = make_engine(f"sqlite:///{path}")
        upgrade(sqlite)
        if kind == "plan":
            import_plan_file(sqlite, DEFAULT_PLAN)
        with sqlite.begin() as conn:
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        sqlite.dispose()
        templates[f"sqlite-{kind}"] = str(path)
        if admin is not None:
            name = f"tpl_{kind}_{uuid.uuid4().hex[:12]}"
            with admin.connect() as conn:
                conn.execute(text(f'CREATE DATABASE "{name}"'))
            pg = make_engine(_pg_database_url(name))
            upgrade(pg)
            if kind == "plan":
                import_plan_file(pg, DEFAULT_PLAN)
            pg.dispose()
            templates[f"postgres-{kind}"] = name
    yield templates
    if admin is not None:
        with admin.connect() as conn:
            for key, name in templates.items():
                if key.startswith("postgres"):
                    conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _pg_admin():
    return make_engine(PG_URL).execution_options(isolation_level="AUTOCOMMIT")


def _pg_database_url(name: str) -> str:
    return make_url(normalise_url(PG_URL or "")).set(database=name).render_as_string(
        hide_password=False)


@pytest.fixture
def engine(request, db_url, tmp_path, _migrated_templates):
    """A migrated, empty database (its own, beside `db_url`'s empty one); holding plan 737
    already when the test also asks for `plan_engine` (they are one database)."""
    kind = "plan" if "plan_engine" in request.fixturenames else "empty"
    if db_url.startswith("sqlite"):
        path = tmp_path / "migrated.db"
        shutil.copyfile(_migrated_templates[f"sqlite-{kind}"], path)
        eng = make_engine(f"sqlite:///{path}")
        yield eng
        eng.dispose()
        return
    name = f"t_{uuid.uuid4().hex[:12]}"
    admin = _pg_admin()
    with admin.connect() as conn:
        template = _migrated_templates[f"postgres-{kind}"]
        conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{template}"'))
    eng = make_engine(_pg_database_url(name))
    try:
        yield eng
    finally:
        eng.dispose()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def plan_engine(engine):
    """A migrated database holding the bundled plan 737 (copied from a template that imported
    it once: see `engine`)."""
    return engine


@pytest.fixture(autouse=True)
def _reset_clock():
    clock.reset()
    yield
    clock.reset()
