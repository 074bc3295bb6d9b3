"""Update processing: one chat's updates in order, different chats at the same time.

An update waits for its chat first and only then takes one of the shared slots
(`max_concurrent_updates`): a chat that floods the bot queues behind itself and never holds the
slots other chats need (issue 14). PTB's own semaphore is set far above, so it never binds.

Also drops an update delivered twice (same update_id, as a retrying server or webhook may do) and
writes one structured log line per update: who (ids only), what, how long, outcome.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import OrderedDict
from collections.abc import Awaitable
from typing import Any

from telegram import Update
from telegram.ext import BaseUpdateProcessor

log = logging.getLogger("parbot.updates")


def describe(update: object) -> dict[str, Any]:
    """What an update is, for the log: ids and the command, never message text."""
    if not isinstance(update, Update):
        return {"kind": type(update).__name__}
    info: dict[str, Any] = {"update_id": update.update_id,
                            "user": update.effective_user.id if update.effective_user else None,
                            "chat": update.effective_chat.id if update.effective_chat else None}
    message = update.effective_message
    if update.callback_query is not None:
        info["kind"] = "button"
        info["command"] = (update.callback_query.data or "").split(":", 1)[0]
    elif message is not None and message.text and message.text.startswith("/"):
        info["kind"] = "command"
        info["command"] = message.text.split()[0].split("@")[0]
    elif message is not None:
        info["kind"] = "edited" if update.edited_message else \
            "text" if message.text else "contact" if message.contact else \
            "photo" if message.photo else "document" if message.document else "other"
    else:
        info["kind"] = "other"
    return info


QUEUE_ROOM = 1_000_000  # PTB's semaphore: updates waiting for their chat hold no slot


class ChatOrderedProcessor(BaseUpdateProcessor):
    def __init__(self, max_concurrent_updates: int = 64, remember: int = 10_000) -> None:
        super().__init__(QUEUE_ROOM)
        self.slots = max_concurrent_updates
        self._running: asyncio.Semaphore | None = None  # made in the running loop
        self._locks: dict[Any, asyncio.Lock] = {}
        self._seen: OrderedDict[int, None] = OrderedDict()
        self._remember = remember
        self._failed: set[int] = set()

    def mark_failed(self, update_id: int) -> None:
        self._failed.add(update_id)

    def _duplicate(self, update: object) -> bool:
        if not isinstance(update, Update):
            return False
        if update.update_id in self._seen:
            return True
        self._seen[update.update_id] = None
        if len(self._seen) > self._remember:
            self._seen.popitem(last=False)
        return False

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        info = describe(update)
        if self._duplicate(update):
            coroutine.close()  # type: ignore[attr-defined]
            log.info("update", extra={"fields": {**info, "outcome": "duplicate"}})
            return
        key = info.get("chat") or info.get("user")
        lock = self._locks.setdefault(key, asyncio.Lock())
        started = time.perf_counter()
        if self._running is None:
            self._running = asyncio.Semaphore(self.slots)
        async with lock, self._running:  # the chat's turn first, then a shared slot
            await coroutine
        if not lock.locked() and not getattr(lock, "_waiters", None):
            self._locks.pop(key, None)
        update_id = info.get("update_id")
        outcome = "error" if update_id in self._failed else "ok"
        self._failed.discard(update_id)
        log.info("update", extra={"fields": {
            **info, "ms": round((time.perf_counter() - started) * 1000, 1), "outcome": outcome}})

    async def initialize(self) -> None:
        return None

    async def shutdown(self) -> None:
        return None
