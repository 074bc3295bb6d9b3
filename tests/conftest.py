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
def _migrated_templates(tmp_path_factory) -> Iterator[dict[str, object]]:
    """One migrated database per backend, kind (empty, plan 737) and test worker, for every test
    that wants a migrated one, instead of running every migration again: on SQLite a file
    copied for each test; on PostgreSQL one database reused test after test, put back as it was
    before each (`_PgReusable`: its rows deleted and the first ones copied back, hundredths of a
    second where CREATE DATABASE … TEMPLATE takes half of one). tests/integration/test_migrations.py
    runs the migrations themselves on empty databases."""
    from bot.plans.store import import_plan_file

    folder = tmp_path_factory.mktemp("template")
    templates: dict[str, object] = {}
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
            templates[f"postgres-{kind}"] = _PgReusable(admin, name)
    yield templates
    if admin is not None:
        for key, value in templates.items():
            if key.startswith("postgres"):
                value.drop()
        admin.dispose()


def _pg_admin():
    return make_engine(PG_URL).execution_options(isolation_level="AUTOCOMMIT")


def _pg_database_url(name: str, application_name: str | None = None) -> str:
    url = make_url(normalise_url(PG_URL or "")).set(database=name)
    if application_name:
        url = url.update_query_dict({"application_name": application_name})
    return url.render_as_string(hide_password=False)


class _PgReusable:
    """A PostgreSQL database cloned once from a template and put back as the template left it
    before each test: every table emptied and refilled, rows in the same order, from a copy of
    its first rows kept in the schema KEPT, and every sequence set back. DELETE, not TRUNCATE
    (which makes new files for every table and index: ten times slower on tables this small),
    and every COMPACT-th time TRUNCATE, so the deleted rows do not pile up. Autovacuum is off
    on its tables, so new rows go after the others, as in a fresh copy. A test that changed the
    schema (the migration revision differs) gets a fresh clone."""

    KEPT = "parbot_test_template"
    COMPACT = 25

    def __init__(self, admin, template: str) -> None:
        from storage.db import head_revision

        self.admin = admin
        self.template = template
        self.name = f"w_{template[4:]}"
        self.head = head_revision()
        self.uses = 0
        self._clone()

    def _clone(self) -> None:
        from sqlalchemy import MetaData

        with self.admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)'))
            conn.execute(text(f'CREATE DATABASE "{self.name}" TEMPLATE "{self.template}"'))
        eng = make_engine(_pg_database_url(self.name))
        try:
            meta = MetaData()
            meta.reflect(eng, schema="public")
            tables = [t.name for t in meta.sorted_tables  # parents first
                      if t.name != "alembic_version"]
            with eng.begin() as conn:
                sequences = conn.execute(text(
                    "SELECT sequencename FROM pg_sequences WHERE schemaname = 'public' "
                    "ORDER BY sequencename")).scalars().all()
                states = [(s, *conn.execute(text(
                    f'SELECT last_value, is_called FROM public."{s}"')).one()) for s in sequences]
                conn.execute(text(f'CREATE SCHEMA "{self.KEPT}"'))
                for t in tables:
                    conn.execute(text(f'CREATE TABLE "{self.KEPT}"."{t}" AS TABLE public."{t}"'))
                    conn.execute(text(f'ALTER TABLE public."{t}" SET (autovacuum_enabled = false)'))
        finally:
            eng.dispose()
        refill = [f'INSERT INTO public."{t}" OVERRIDING SYSTEM VALUE '
                  f'SELECT * FROM "{self.KEPT}"."{t}"' for t in tables]
        refill += [f"SELECT setval('public.\"{s}\"', {value}, {str(called).lower()})"
                   for s, value, called in states]
        self.delete = ";\n".join([f'DELETE FROM public."{t}"' for t in reversed(tables)]
                                  + refill)
        self.truncate = ";\n".join(["TRUNCATE " + ", ".join(f'public."{t}"' for t in tables)]
                                    + refill)

    def _disconnect(self) -> None:
        with self.admin.connect() as conn:
            conn.execute(text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                              "WHERE datname = :name AND pid <> pg_backend_pid()"),
                         {"name": self.name})

    def fresh(self) -> str:
        """The database as the template left it; its URL, unique to the test (the product
        keeps some caches by URL, as it would for two databases)."""
        self._disconnect()
        self.uses += 1
        eng = make_engine(_pg_database_url(self.name))
        try:
            with eng.begin() as conn:
                revision = conn.execute(text("SELECT max(version_num) FROM alembic_version")) \
                    .scalar()
                if revision == self.head:
                    conn.exec_driver_sql(self.truncate if self.uses % self.COMPACT == 0
                                         else self.delete)
        finally:
            eng.dispose()
        if revision != self.head:
            self._clone()
        return _pg_database_url(self.name, application_name=f"t_{uuid.uuid4().hex[:12]}")

    def release(self) -> None:
        self._disconnect()

    def drop(self) -> None:
        with self.admin.connect() as conn:
            for name in (self.name, self.template):
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


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
    database = _migrated_templates[f"postgres-{kind}"]
    eng = make_engine(database.fresh())
    try:
        yield eng
    finally:
        eng.dispose()
        database.release()


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
