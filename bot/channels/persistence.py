"""python-telegram-bot persistence over the BotState table, written through.

PTB loads user data, chat data and conversation states once at start, then hands every change to
the persistence each `update_interval` seconds and at shutdown (`Application.update_persistence`).
Each change handed over is written to the database at once (one row per user, chat or
conversation key; unchanged data is not rewritten), and the interval is one second, so a crash
(kill -9) loses at most the last second. A feature that must lose nothing, such as the report
draft, also writes its own state before it replies (`bot.reporting.save_draft`).

`bot_data` is not persisted (it holds the engine and the services), nor callback data (buttons
carry plain strings). Rows are namespaced by channel, so a console and a Telegram bot sharing one
database never read each other's state.
"""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Any

from sqlalchemy.engine import Engine
from telegram.ext import BasePersistence, PersistenceInput
from telegram.ext._utils.types import ConversationDict, ConversationKey

from bot.core import state_store

log = logging.getLogger("parbot.persistence")

USER_DATA = "user_data"
CHAT_DATA = "chat_data"
CONVERSATION = "conv:"  # + the ConversationHandler's name


def _jsonable(data: dict, where: str) -> dict:
    """The JSON-storable part of a data dict; what cannot be stored is logged and left out."""
    out = {}
    for key, value in data.items():
        try:
            json.dumps({str(key): value})
        except (TypeError, ValueError):
            log.warning("not persisted: %s[%r] is not JSON", where, key)
            continue
        out[str(key)] = value
    return out


class SQLPersistence(BasePersistence[dict, dict, dict]):
    def __init__(self, engine: Engine, namespace: str = "telegram",
                 update_interval: float = 1.0) -> None:
        super().__init__(store_data=PersistenceInput(bot_data=False, callback_data=False),
                         update_interval=update_interval)
        self.engine = engine
        self.namespace = namespace
        self._written: dict[tuple[str, str], str | None] = {}
        self._locks: dict[tuple[str, str], asyncio.Lock] = {}

    # --- rows ----------------------------------------------------------------------------
    def _key(self, raw: object) -> str:
        return f"{self.namespace}:{raw}"

    def _strip(self, key: str) -> str | None:
        prefix = f"{self.namespace}:"
        return key[len(prefix):] if key.startswith(prefix) else None

    async def _write(self, kind: str, key: str, data: dict | None) -> None:
        """Write one row now (None or {} deletes it); the same data twice is written once."""
        payload = json.dumps(data, sort_keys=True) if data else None
        slot = (kind, key)
        lock = self._locks.setdefault(slot, asyncio.Lock())
        async with lock:
            if self._written.get(slot, "unknown") == payload:
                return
            if payload is None:
                await asyncio.to_thread(state_store.delete, self.engine, kind, key)
            else:
                await asyncio.to_thread(state_store.put, self.engine, kind, key, data)
            self._written[slot] = payload

    async def _load(self, kind: str) -> dict[str, dict]:
        rows = await asyncio.to_thread(state_store.all_of, self.engine, kind)
        out = {}
        for key, data in rows.items():
            raw = self._strip(key)
            if raw is not None:
                out[raw] = data
                self._written[(kind, key)] = json.dumps(data, sort_keys=True) if data else None
        return out

    # --- user and chat data --------------------------------------------------------------
    async def get_user_data(self) -> dict[int, dict]:
        return {int(k): v for k, v in (await self._load(USER_DATA)).items()}

    async def get_chat_data(self) -> dict[int, dict]:
        return {int(k): v for k, v in (await self._load(CHAT_DATA)).items()}

    async def update_user_data(self, user_id: int, data: dict) -> None:
        await self._write(USER_DATA, self._key(user_id), _jsonable(data, f"user_data[{user_id}]"))

    async def update_chat_data(self, chat_id: int, data: dict) -> None:
        await self._write(CHAT_DATA, self._key(chat_id), _jsonable(data, f"chat_data[{chat_id}]"))

    async def drop_user_data(self, user_id: int) -> None:
        await self._write(USER_DATA, self._key(user_id), None)

    async def drop_chat_data(self, chat_id: int) -> None:
        await self._write(CHAT_DATA, self._key(chat_id), None)

    async def refresh_user_data(self, user_id: int, user_data: dict) -> None:
        """One process owns the data: what is in memory is already current."""

    async def refresh_chat_data(self, chat_id: int, chat_data: dict) -> None:
        """One process owns the data: what is in memory is already current."""

    # --- conversations -------------------------------------------------------------------
    async def get_conversations(self, name: str) -> ConversationDict:
        rows = await self._load(CONVERSATION + name)
        return {tuple(json.loads(key)): data["state"] for key, data in rows.items()
                if "state" in data}

    async def update_conversation(self, name: str, key: ConversationKey,
                                  new_state: object | None) -> None:
        data = None if new_state is None else {"state": new_state}
        await self._write(CONVERSATION + name, self._key(json.dumps(list(key))), data)

    # --- not stored ----------------------------------------------------------------------
    async def get_bot_data(self) -> dict:
        return {}

    async def update_bot_data(self, data: dict) -> None:
        return None

    async def refresh_bot_data(self, bot_data: dict) -> None:
        return None

    async def get_callback_data(self) -> Any:
        return None

    async def update_callback_data(self, data: Any) -> None:
        return None

    async def flush(self) -> None:
        """Everything handed over was written already."""
