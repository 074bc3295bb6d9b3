"""End-to-end harness: the real `parbot run` in a subprocess against the fake Bot API server.

    async with FakeTelegram() as tg, BotProcess(tg, db_url) as bot:
        tg.send_command(42, "/start")
        await tg.wait_for_message(42, "Xin chào")

`BotProcess` prepares the database (migrated, plan loaded, example roster imported unless told
otherwise), starts `python -m bot.cli run` with the fake's URL and token, and waits until the
bot polls. `stop()` sends SIGTERM and waits for a clean exit; `kill()` is kill -9; `restart()`
starts it again on the same database.
"""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import sys
import tempfile
from pathlib import Path

from sqlmodel import Session

from bot.core.settings import DEFAULT_PLAN
from bot.people import identity
from bot.people.roster import import_roster
from bot.plans.store import ensure_plan
from storage.db import make_engine, upgrade
from tests.fake_telegram import FakeTelegram

ROOT = Path(__file__).resolve().parent.parent
ROSTER = ROOT / "data" / "roster.example.csv"


def prepare_database(db_url: str, roster: Path | None = ROSTER) -> None:
    engine = make_engine(db_url)
    try:
        upgrade(engine)
        ensure_plan(engine, DEFAULT_PLAN)
        if roster is not None:
            import_roster(engine, roster)
    finally:
        engine.dispose()


def query(db_url: str, fn):
    """Run `fn(session)` on the bot's database from the test, as a separate client would."""
    engine = make_engine(db_url)
    try:
        with Session(engine) as session:
            return fn(session)
    finally:
        engine.dispose()


def link(db_url: str, name: str, user_id: int, channel: str = "telegram") -> None:
    """Link a chat account to the roster officer whose name contains `name`."""
    engine = make_engine(db_url)
    try:
        [(officer_id, _)] = identity.find_officers(engine, name)
        identity.link_account(engine, officer_id, channel, user_id)
    finally:
        engine.dispose()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class BotProcess:
    def __init__(self, tg: FakeTelegram, db_url: str, env: dict[str, str] | None = None,
                 roster: Path | None = ROSTER, token: str | None = None,
                 prepare: bool = True, wait_ready: bool = True,
                 ready_method: str = "getUpdates") -> None:
        self.tg = tg
        self.db_url = db_url
        self.extra_env = env or {}
        self.roster = roster
        self.token = token or tg.token
        self.prepare = prepare
        self.wait_ready = wait_ready
        self.ready_method = ready_method
        self.proc: asyncio.subprocess.Process | None = None
        self.log_path = Path(tempfile.mkstemp(prefix="parbot-e2e-", suffix=".log")[1])
        self.returncode: int | None = None

    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items()
               if not k.startswith(("PARBOT_", "TELEGRAM_", "WEBHOOK_", "DATABASE_URL"))}
        env.update({
            "PYTHONPATH": str(ROOT), "DATABASE_URL": self.db_url,
            "TELEGRAM_BOT_TOKEN": self.token, "TELEGRAM_API_BASE_URL": self.tg.root,
            "PARBOT_POLL_TIMEOUT": "1", "PARBOT_LOG_LEVEL": "INFO",
            # a test types faster than any person: no fair-use limit unless a test sets one
            "PARBOT_RATE_BURST": "0", "PARBOT_STRANGER_RATE_BURST": "0",
        })
        env.update(self.extra_env)
        return env

    async def start(self) -> BotProcess:
        if self.prepare:
            await asyncio.to_thread(prepare_database, self.db_url, self.roster)
            self.prepare = False
        since = len(self.tg.calls)
        log = open(self.log_path, "ab")  # noqa: SIM115 (kept open for the child)
        self.proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot.cli", "run", cwd=ROOT, env=self.env(),
            stdout=log, stderr=log, stdin=asyncio.subprocess.DEVNULL,
        )
        log.close()
        self.returncode = None
        if self.wait_ready:
            try:  # received, not answered: the first long poll is the bot polling
                await self.tg.wait_for_request(self.ready_method, timeout=30, since=since)
            except AssertionError:
                raise AssertionError(f"parbot did not start polling:\n{self.logs()}") from None
        return self

    async def wait(self, timeout: float = 30) -> int:
        assert self.proc is not None
        self.returncode = await asyncio.wait_for(self.proc.wait(), timeout)
        return self.returncode

    def fakes(self) -> list:
        """The fake platforms this process polls."""
        return [self.tg]

    async def stop(self, timeout: float = 30) -> int:
        """SIGTERM, then wait for a clean exit (the fakes answer its long polls at once
        meanwhile: a stop does not wait a poll's timeout out)."""
        if self.proc is None or self.proc.returncode is not None:
            return self.proc.returncode if self.proc else 0
        self.proc.send_signal(signal.SIGTERM)
        for fake in self.fakes():
            fake.end_polls()
        try:
            return await self.wait(timeout)
        finally:
            for fake in self.fakes():
                fake.end_polls(False)

    async def kill(self) -> int:
        """kill -9: no chance to flush anything."""
        assert self.proc is not None
        self.proc.kill()
        return await self.wait()

    async def restart(self) -> BotProcess:
        await self.stop()
        return await self.start()

    def logs(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    async def __aenter__(self) -> BotProcess:
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        if self.proc is not None and self.proc.returncode is None:
            self.proc.kill()
            await self.proc.wait()
