"""Two `parbot run` on one database: on PostgreSQL one leads (nudges, polling) and the other
takes over when it dies in the middle of a nudge run; on SQLite the second one is refused."""

from __future__ import annotations

import asyncio
import collections
import datetime as dt
import json
import time

import pytest
from sqlmodel import select

from bot.core.clock import clock
from storage import models as m
from storage.db import make_engine
from tests.bot_process import BotProcess, prepare_database, query
from tests.fake_telegram import FakeTelegram
from tests.notify_support import add_report_recipients

pytestmark = pytest.mark.e2e

RECIPIENTS = 60
FIRST_CHAT = 6_000_000
# 14 days before May's monthly administrative-procedures report: each recipient's nudge is due
ENV = {"PARBOT_AS_OF": "2025-05-16T08:00:05", "PARBOT_TICK_SECONDS": "1",
       "PARBOT_SEND_RATE": "6", "PARBOT_LEADER_RETRY_SECONDS": "1"}


def _seed(db_url: str) -> None:
    """The plan, no example roster, RECIPIENTS officers responsible for the monthly report, each
    linked on Telegram (as bench/bench_fanout.py does)."""
    clock.set(dt.datetime(2025, 5, 1, 9, 0))
    prepare_database(db_url, roster=None)
    engine = make_engine(db_url)
    try:
        add_report_recipients(engine, RECIPIENTS, FIRST_CHAT)
    finally:
        engine.dispose()
        clock.reset()


def _nudges(tg: FakeTelegram) -> collections.Counter:
    return collections.Counter(r["chat_id"] for r in tg.sent_messages()
                               if "Nhắc việc" in (r["text"] or ""))


def _log_lines(bot: BotProcess, msg: str) -> list[dict]:
    return [json.loads(line) for line in bot.logs().splitlines()
            if line.startswith("{") and f'"msg": "{msg}"' in line]


async def _until(check, timeout: float, what: str) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not check():
        if loop.time() > deadline:
            raise AssertionError(what)
        await asyncio.sleep(0.05)


async def test_the_standby_takes_over_a_nudge_run_when_the_leader_is_killed(db_url):
    if "postgresql" not in db_url:
        pytest.skip("two processes need PostgreSQL")
    await asyncio.to_thread(_seed, db_url)
    async with FakeTelegram() as tg:
        first = BotProcess(tg, db_url, env=ENV, prepare=False)
        second = BotProcess(tg, db_url, env=ENV, prepare=False, wait_ready=False)
        async with first, second:
            await _until(lambda: _log_lines(second, "process"), 60,
                         f"the second process did not start:\n{second.logs()}")
            assert [x["leader"] for x in _log_lines(first, "process")] == [True]
            assert [x["leader"] for x in _log_lines(second, "process")] == [False]
            await _until(lambda: sum(_nudges(tg).values()) >= 15, 60,
                         f"the leader sends no nudges:\n{first.logs()[-3000:]}")
            polls = len(tg.calls_to("getUpdates"))
            killed_at = time.time()
            await first.kill()
            sent_by_first = sum(_nudges(tg).values())
            since = len(tg.calls)
            await _until(lambda: _log_lines(second, "leader"), 60,
                         f"no takeover within 60 s:\n{second.logs()[-3000:]}")
            takeover = _log_lines(second, "leader")[0]["wall"] - killed_at
            try:
                await _until(lambda: len(_nudges(tg)) >= RECIPIENTS, 90,
                             f"the run was not finished: {len(_nudges(tg))} of {RECIPIENTS}")
            except AssertionError:
                rows = await asyncio.to_thread(query, db_url, lambda s: [
                    (r.status, r.sent_at is not None, (r.detail or {}).get("owner"),
                     (r.detail or {}).get("reason")) for r in s.exec(select(m.NotificationLog))])
                print("DEBUG", collections.Counter(rows), second.log_path)
                raise
            first_after = next(c.at for c in tg.calls[since:] if c.method == "sendMessage")
            await tg.wait_idle(quiet=2.0, timeout=30)
            counts = _nudges(tg)
            print(f"\nleader killed after {sent_by_first} of {RECIPIENTS} nudges; takeover "
                  f"{takeover:.2f} s after kill -9 (PARBOT_LEADER_RETRY_SECONDS=1); the new "
                  f"leader's first nudge {first_after - tg.calls[since - 1].at:.2f} s after "
                  f"the old leader's last request")
            assert takeover < 60
            assert sorted(counts) == [FIRST_CHAT + i for i in range(RECIPIENTS)], "nobody missed"
            assert set(counts.values()) == {1}, "nobody twice"
            assert len(tg.calls_to("getUpdates")) > polls, "the new leader polls"
            assert "Traceback" not in second.logs()


async def test_sqlite_refuses_a_second_process(db_url):
    if "sqlite" not in db_url:
        pytest.skip("SQLite only")
    async with FakeTelegram() as tg:
        first = BotProcess(tg, db_url, env={"PARBOT_TICK_SECONDS": "0"})
        async with first:
            second = BotProcess(tg, db_url, env={"PARBOT_TICK_SECONDS": "0"}, prepare=False,
                                wait_ready=False)
            await second.start()
            assert await second.wait() == 2
            assert "SQLite is single-process" in second.logs()
            assert "PostgreSQL" in second.logs()
            assert first.proc.returncode is None, "the first one runs on"
