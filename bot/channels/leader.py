"""Who runs the scheduled work: one `parbot run` at a time, even with several on one database.

PostgreSQL: each process keeps one dedicated connection. On it, it holds an advisory lock of its
own (so others can tell it is alive: `alive`) and tries `pg_try_advisory_lock` on the leader's
key every PARBOT_LEADER_RETRY_SECONDS. The process holding the leader's lock runs nudges,
escalations and digests, and polls the platforms (they allow one `getUpdates` consumer); the
others serve webhooks and wait. When the leader dies, PostgreSQL ends its session and frees its
locks, and the next try of another process takes over. A leader that loses its connection steps
down at once.

SQLite is single-process: the first `parbot run` takes a lock file next to the database and is
the leader for its whole life; a second one is refused at start (`SingleProcess`).
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import os
import socket
import time
import uuid
from pathlib import Path
from typing import IO, Any

from sqlalchemy import text
from sqlalchemy.engine import Engine, make_url

log = logging.getLogger("parbot.leader")

PROCESS = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


class SingleProcess(RuntimeError):
    """Another `parbot run` already uses this SQLite database."""


def lock_key(*parts: str) -> int:
    """A signed 64-bit advisory lock key for a name."""
    digest = hashlib.sha256(":".join(parts).encode()).digest()[:8]
    return int.from_bytes(digest, "big", signed=True)


def _sqlite_path(engine: Engine) -> Path | None:
    database = make_url(str(engine.url)).database
    if not database or database == ":memory:":
        return None
    return Path(database)


class Leadership:
    def __init__(self, engine: Engine, retry_seconds: float = 10.0,
                 owner: str = PROCESS) -> None:
        self.engine = engine
        self.retry = max(retry_seconds, 0.2)
        self.owner = owner
        self.postgres = engine.dialect.name == "postgresql"
        self._leader = False
        self.became = asyncio.Event()  # set while this process leads
        self._conn: Any = None  # the dedicated DBAPI connection (PostgreSQL)
        self._lockfile: IO[str] | None = None
        self._task: asyncio.Task | None = None
        self._namespace = ""
        self.since: float | None = None  # time.time() it became the leader

    @property
    def is_leader(self) -> bool:
        return self._leader

    async def wait_to_lead(self, stop: asyncio.Event) -> bool:
        """Wait until this process leads or `stop` is set; True when it now leads (the caller
        then takes over what the old leader left unfinished)."""
        waiting = asyncio.create_task(self.became.wait())
        stopping = asyncio.create_task(stop.wait())
        await asyncio.wait({waiting, stopping}, return_when=asyncio.FIRST_COMPLETED)
        waiting.cancel()
        stopping.cancel()
        return self.is_leader and not stop.is_set()

    # --- start and stop ----------------------------------------------------------------------
    async def start(self) -> None:
        """SQLite: take the lock file (raises SingleProcess) and lead. PostgreSQL: connect,
        announce this process, try to lead now and keep trying in the background."""
        if not self.postgres:
            await asyncio.to_thread(self._lock_file)
            self._become()
            return
        await asyncio.to_thread(self._connect)
        await self._try()
        self._task = asyncio.create_task(self._loop(), name="leadership")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        self._leader = False
        self.became.clear()
        await asyncio.to_thread(self._close)

    # --- SQLite ----------------------------------------------------------------------------
    def _lock_file(self) -> None:
        import fcntl

        path = _sqlite_path(self.engine)
        if path is None:
            return
        handle = open(path.with_name(path.name + ".lock"), "a+")  # noqa: SIM115
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            handle.seek(0)
            holder = handle.read().strip() or "another process"
            handle.close()
            raise SingleProcess(
                f"SQLite is single-process: {holder} already runs on {path}. Stop it first, or "
                "use PostgreSQL (DATABASE_URL=postgresql://...) to run two processes.") from None
        handle.seek(0)
        handle.truncate()
        handle.write(f"parbot run {self.owner}\n")
        handle.flush()
        self._lockfile = handle

    # --- PostgreSQL ------------------------------------------------------------------------
    def _connect(self) -> None:
        conn = self.engine.raw_connection()
        conn.detach()  # its own session, really closed at the end (the locks go with it)
        cur = conn.cursor()
        cur.execute("SELECT current_database(), current_schema()")
        database, schema = cur.fetchone()
        self._namespace = f"{database}:{schema}"
        cur.execute("SELECT pg_advisory_lock(%s)", (self.owner_key(self.owner),))
        cur.close()
        conn.commit()
        self._conn = conn

    def owner_key(self, owner: str) -> int:
        return lock_key("parbot-process", self._namespace, owner)

    def _close(self) -> None:
        if self._conn is not None:
            with contextlib.suppress(Exception):
                self._conn.close()  # the session ends: every lock it held is free
            self._conn = None
        if self._lockfile is not None:
            self._lockfile.close()
            self._lockfile = None

    def _acquire(self) -> bool:
        if self._conn is None:
            self._connect()
        cur = self._conn.cursor()
        try:
            if self._leader:  # still connected? (a lost session has lost the lock too)
                cur.execute("SELECT 1")
                return True
            cur.execute("SELECT pg_try_advisory_lock(%s)",
                        (lock_key("parbot-leader", self._namespace),))
            return bool(cur.fetchone()[0])
        finally:
            cur.close()
            self._conn.commit()

    async def _try(self) -> None:
        try:
            got = await asyncio.to_thread(self._acquire)
        except Exception as exc:  # the database is away: not the leader until it is back
            log.warning("leadership check failed: %s", exc)
            await asyncio.to_thread(self._close)
            got = False
        if got and not self._leader:
            self._become()
        elif not got and self._leader:
            self._leader = False
            self.became.clear()
            log.warning("leadership lost", extra={"fields": {"owner": self.owner}})

    def _become(self) -> None:
        self._leader = True
        self.since = time.time()
        self.became.set()
        log.info("leader", extra={"fields": {"owner": self.owner, "wall": self.since}})

    async def _loop(self) -> None:
        while True:
            await asyncio.sleep(self.retry)
            await self._try()

    # --- liveness of other processes ---------------------------------------------------------
    def alive(self, owner: str) -> bool:
        """Is the process `owner` still running (holding its own lock)? Blocking."""
        if owner == self.owner:
            return True
        if not self.postgres:
            return False  # single-process: whoever wrote it is gone
        key = self.owner_key(owner)
        with self.engine.connect() as conn:
            free = bool(conn.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": key})
                        .scalar())
            if free:
                conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": key})
            conn.commit()
        return not free
