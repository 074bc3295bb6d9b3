"""The durable inbox (stored once, done or failed, taken up once after a crash, pruned) and the
leadership of one process among several (PostgreSQL advisory locks; SQLite single-process)."""

from __future__ import annotations

import asyncio
import datetime as dt

import pytest
from telegram import Update

from bot.channels import inbox
from bot.channels.leader import Leadership, SingleProcess
from bot.channels.updates import ChatOrderedProcessor
from bot.core.clock import clock
from storage.db import make_engine

NOW = dt.datetime(2025, 5, 10, 9, 0)


def _raw(update_id: int, chat_id: int = 1) -> dict:
    return {"update_id": update_id, "message": {
        "message_id": update_id, "date": 0, "chat": {"id": chat_id, "type": "private"},
        "from": {"id": chat_id, "is_bot": False, "first_name": "U"}, "text": "hi"}}


def _status(engine) -> dict[str, tuple[str, str | None]]:
    return {r.update_key: (r.status, r.error) for r in inbox.rows(engine, "telegram")}


def test_an_update_is_stored_once_per_channel(engine):
    clock.set(NOW)
    items = [("5", _raw(5)), ("6", _raw(6)), ("5", _raw(5))]
    assert inbox.store(engine, "telegram", items, "a") == [True, True, False]
    assert inbox.store(engine, "telegram", [("6", _raw(6))], "b") == [False]
    assert inbox.store(engine, "zalo", [("6", {"x": 1})], "a") == [True]
    [five, six] = inbox.rows(engine, "telegram")
    assert (five.update_key, five.raw, five.status, five.owner) == ("5", _raw(5), "pending", "a")
    assert five.received_at == clock.now() and six.update_key == "6"


def test_unfinished_updates_are_taken_up_in_order_once(engine):
    clock.set(NOW)
    inbox.store(engine, "telegram", [(str(i), _raw(i)) for i in (3, 1, 2)], "dead")
    inbox.store(engine, "telegram", [("9", _raw(9))], "alive")
    inbox.finish(engine, "telegram", [("1", None)])
    taken = inbox.take_unfinished(engine, "telegram", "me", alive=lambda o: o == "alive")
    assert [t.key for t in taken] == ["3", "2"], "in the order they came; a live peer's kept"
    assert taken[0].raw == _raw(3)
    assert inbox.take_unfinished(engine, "telegram", "me", alive=lambda o: o == "alive") == [], \
        "mine now: not taken again"
    # the process that took them dies too: the next one does not take them a second time
    assert [t.key for t in inbox.take_unfinished(engine, "telegram", "third")] == ["9"]
    assert _status(engine) == {"3": ("failed", inbox.ABANDONED), "1": ("done", None),
                               "2": ("failed", inbox.ABANDONED), "9": ("pending", None)}


def test_old_rows_are_pruned(engine):
    clock.set(NOW)
    inbox.store(engine, "telegram", [("1", _raw(1))], "a")
    clock.advance(days=10)
    inbox.store(engine, "telegram", [("2", _raw(2))], "a")
    clock.advance(days=5)
    assert inbox.prune(engine, clock.now() - dt.timedelta(days=14)) == 1
    assert list(_status(engine)) == ["2"]


async def test_the_processor_marks_done_or_failed_with_the_error_class(engine):
    clock.set(NOW)
    processor = ChatOrderedProcessor()
    processor.use_inbox(engine, "telegram")
    inbox.store(engine, "telegram", [("7", _raw(7)), ("8", _raw(8))], "me")

    async def work() -> None:
        return None

    async with processor:
        for update_id in (7, 8):
            processor.track(update_id, str(update_id))
        processor.mark_failed(8, "ValueError")  # as handlers/errors.py does
        await processor.process_update(Update.de_json(_raw(7), None), work())
        await processor.process_update(Update.de_json(_raw(8), None), work())
    assert _status(engine) == {"7": ("done", None), "8": ("failed", "ValueError")}


async def test_sqlite_runs_one_process(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'one.db'}")
    first, second = Leadership(engine, owner="first"), Leadership(engine, owner="second")
    await first.start()
    try:
        assert first.is_leader
        with pytest.raises(SingleProcess, match="single-process.*first.*PostgreSQL"):
            await second.start()
        assert not first.alive("someone else")
    finally:
        await first.stop()
    await second.start()  # the first one is gone
    assert second.is_leader
    await second.stop()
    engine.dispose()


async def test_postgres_elects_one_leader_and_the_other_takes_over(engine):
    if engine.dialect.name != "postgresql":
        pytest.skip("advisory locks: PostgreSQL only")
    first = Leadership(engine, retry_seconds=0.2, owner="first")
    second = Leadership(engine, retry_seconds=0.2, owner="second")
    await first.start()
    await second.start()
    try:
        assert first.is_leader and not second.is_leader
        assert await asyncio.to_thread(second.alive, "first")
        assert not await asyncio.to_thread(second.alive, "nobody")
        await first.stop()  # its session ends: both of its locks are free
        await asyncio.wait_for(second.became.wait(), 5)
        assert second.is_leader
        assert not await asyncio.to_thread(second.alive, "first")
    finally:
        await first.stop()
        await second.stop()
