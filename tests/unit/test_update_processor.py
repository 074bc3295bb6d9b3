"""One chat's updates in order, other chats meanwhile (duplicates: test_inbox.py)."""

from __future__ import annotations

import asyncio

from telegram import Update

from bot.channels.updates import ChatOrderedProcessor


def _update(update_id: int, chat_id: int) -> Update:
    return Update.de_json({"update_id": update_id, "message": {
        "message_id": update_id, "date": 0, "chat": {"id": chat_id, "type": "private"},
        "from": {"id": chat_id, "is_bot": False, "first_name": "U"}, "text": "hi"}}, None)


async def test_same_chat_in_order_other_chats_concurrently():
    processor = ChatOrderedProcessor(max_concurrent_updates=8)
    events: list[str] = []
    release_first = asyncio.Event()

    async def work(name: str, gate: asyncio.Event | None = None) -> None:
        events.append(f"start {name}")
        if gate is not None:
            await gate.wait()
        events.append(f"end {name}")

    async with processor:
        first = work("a1", release_first)
        a1 = asyncio.create_task(processor.process_update(_update(1, 10), first))
        a2 = asyncio.create_task(processor.process_update(_update(2, 10), work("a2")))
        b1 = asyncio.create_task(processor.process_update(_update(3, 20), work("b1")))
        await b1  # chat 20 is not held up by chat 10's slow update
        assert events == ["start a1", "start b1", "end b1"]
        release_first.set()
        await asyncio.gather(a1, a2)
    assert events == ["start a1", "start b1", "end b1", "end a1", "start a2", "end a2"]


async def test_a_flooding_chat_never_holds_the_slots_others_need():
    """Issue 14, row 2: one chat's queued updates wait for their chat, not in the shared slots:
    with 4 slots and 50 updates of one chat queued behind a slow one, another chat is served."""
    processor = ChatOrderedProcessor(max_concurrent_updates=4)
    release = asyncio.Event()
    done: list[str] = []

    async def work(name: str, gate: asyncio.Event | None = None) -> None:
        if gate is not None:
            await gate.wait()
        done.append(name)

    async with processor:
        flood = [asyncio.create_task(processor.process_update(
            _update(i, 10), work(f"a{i}", release if i == 1 else None))) for i in range(1, 51)]
        other = asyncio.create_task(processor.process_update(_update(100, 20), work("b")))
        await asyncio.wait_for(other, 1)
        assert done == ["b"]
        release.set()
        await asyncio.gather(*flood)
    assert done == ["b", *(f"a{i}" for i in range(1, 51))]
