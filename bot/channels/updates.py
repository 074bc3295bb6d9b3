"""Update processing: one chat's updates in order, different chats at the same time.

An update waits for its chat first and only then takes one of the shared slots
(`max_concurrent_updates`): a chat that floods the bot queues behind itself and never holds the
slots other chats need (issue 14). PTB's own semaphore is set far above, so it never binds.

Updates that came through the durable inbox (`bot.channels.inbox`, which also drops an update
delivered twice) are tracked: their row is marked done when the handler finished, or failed with
the error class. Writes one structured log line per update: who (ids only), what, how long,
outcome.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable
from typing import Any

from sqlalchemy.engine import Engine
from telegram import Update
from telegram.ext import BaseUpdateProcessor

from bot.channels import inbox
from bot.core.vocab import button_prefix

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
        info["command"] = button_prefix(update.callback_query.data)
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
    def __init__(self, max_concurrent_updates: int = 64) -> None:
        super().__init__(QUEUE_ROOM)
        self.slots = max_concurrent_updates
        self._running: asyncio.Semaphore | None = None  # made in the running loop
        self._locks: dict[Any, asyncio.Lock] = {}
        self._failed: dict[int, str] = {}
        self._tracked: dict[int, tuple[str, list]] = {}  # update_id -> (inbox key, calls)
        self.engine: Engine | None = None
        self.channel = ""

    def use_inbox(self, engine: Engine, channel: str) -> None:
        self.engine, self.channel = engine, channel

    def track(self, update_id: int, key: str, calls: list | None = None) -> None:
        """This update came through the inbox as `key`: its calls are made once (`calls`: those
        an earlier attempt made), and its row is marked when it was handled."""
        self._tracked[update_id] = (key, list(calls or []))

    def mark_failed(self, update_id: int, error: str = "Exception") -> None:
        self._failed[update_id] = error

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        info = describe(update)
        update_id = info.get("update_id")
        tracked = self._tracked.pop(update_id, None) if update_id is not None else None
        key = tracked[0] if tracked else None
        chat = info.get("chat") or info.get("user")
        lock = self._locks.setdefault(chat, asyncio.Lock())
        started = time.perf_counter()
        if self._running is None:
            self._running = asyncio.Semaphore(self.slots)
        async with lock, self._running:  # the chat's turn first, then a shared slot
            context = None
            if tracked is not None and self.engine is not None:
                context = inbox.CURRENT.set(inbox.Replay(self.engine, self.channel, tracked[0],
                                                         tracked[1]))
            try:
                await coroutine  # cancelled (shutdown): the row stays pending, taken up again
            finally:
                if context is not None:
                    inbox.CURRENT.reset(context)
        if not lock.locked() and not getattr(lock, "_waiters", None):
            self._locks.pop(chat, None)
        error = self._failed.pop(update_id, None) if update_id is not None else None
        if key is not None and self.engine is not None:
            try:
                await asyncio.to_thread(inbox.finish, self.engine, self.channel, [(key, error)])
            except Exception:  # the database is away: the update is taken up again at start
                log.exception("inbox row %s not marked", key)
        log.info("update", extra={"fields": {
            **info, "ms": round((time.perf_counter() - started) * 1000, 1),
            "outcome": "error" if error else "ok"}})

    async def initialize(self) -> None:
        return None

    async def shutdown(self) -> None:
        return None
