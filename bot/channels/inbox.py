"""The durable inbox: every update a platform delivers is written before it is acknowledged.

A row of `UpdateInbox` per (channel, update key) — Telegram's update_id, Zalo's event name and
message id — holding the raw update:

- `store` runs before the platform hears back (before the next getUpdates offset confirms it,
  before the webhook answers 200) and says which updates are new: the unique key is the
  duplicate check, so a retried webhook, a restart or a second process handles an update once;
- the update processor marks a row `done` after its handler finished, or `failed` with the error
  class;
- at start, `take_unfinished` hands back the rows still pending (in the order they came) to be
  handled again — once: a row that was already taken up after a crash and is still pending is
  marked failed ("Abandoned") instead of looping over an update that kills the process;
- `prune` drops rows older than PARBOT_INBOX_DAYS.

Handling an update again must not say things twice: while a tracked update is handled (the
`CURRENT` context), every Bot API call with an effect (not get*) is numbered and written to the
row *before* it leaves (`Replay.call`). When the update is handled again after a crash, the
calls already made are not repeated: the first run's answer is returned (or, for a call that was
in flight when the process died, a stand-in: sent or not, nobody knows, and a reply must never
arrive twice); the calls after them go out as usual.

Rows carry the process handling them (`owner`); a restarted process takes up only rows whose
owner is gone (`alive` tells, e.g. from PostgreSQL advisory locks), never those a live peer is
still handling.
"""

from __future__ import annotations

import contextvars
import datetime as dt
import json
import logging
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import delete, text, update
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from bot.core.clock import clock
from storage import models as m
from storage.db import insert_for, session_scope

log = logging.getLogger("parbot.inbox")
ABANDONED = "Abandoned"  # the error recorded for an update that was taken up once already


@dataclass(frozen=True)
class Stored:
    key: str
    raw: dict
    calls: list = field(default_factory=list)


def store(engine: Engine, channel: str, items: list[tuple[str, dict]], owner: str) -> list[bool]:
    """Write each (key, raw update) unless it is there already; True for the new ones.
    One transaction, committed before this returns."""
    if not items:
        return []
    now = clock.now()
    new: list[bool] = []
    with engine.begin() as conn:
        insert = insert_for(conn.dialect.name)
        for key, raw in items:
            stmt = insert(m.UpdateInbox).values(
                channel=channel, update_key=str(key)[:255], raw=raw, status="pending",
                owner=owner, attempts=1, received_at=now,
            ).on_conflict_do_nothing(index_elements=["channel", "update_key"])
            new.append(conn.execute(stmt.returning(m.UpdateInbox.id)).first() is not None)
    return new


def finish(engine: Engine, channel: str, results: Iterable[tuple[str, str | None]]) -> None:
    """Mark rows done (error None) or failed (error = the exception's class)."""
    now = clock.now()
    with engine.begin() as conn:
        _no_flush_wait(conn)
        for key, error in results:
            conn.execute(update(m.UpdateInbox)
                         .where(m.UpdateInbox.channel == channel,
                                m.UpdateInbox.update_key == key,
                                m.UpdateInbox.status == "pending")
                         .values(status="failed" if error else "done", error=error,
                                 finished_at=now))


def take_unfinished(engine: Engine, channel: str, owner: str,
                    alive: Callable[[str], bool] = lambda owner: False) -> list[Stored]:
    """Pending rows of owners that are gone, in the order they came: taken over by `owner`
    (attempts + 1); those taken up once already are marked failed instead."""
    now = clock.now()
    out: list[Stored] = []
    with session_scope(engine) as session:
        rows = session.exec(select(m.UpdateInbox)
                            .where(m.UpdateInbox.channel == channel,
                                   m.UpdateInbox.status == "pending")
                            .order_by(m.UpdateInbox.id)).all()
        verdict: dict[str | None, bool] = {}
        for row in rows:
            if row.owner == owner:
                continue
            if row.owner not in verdict:
                verdict[row.owner] = bool(row.owner) and alive(row.owner or "")
            if verdict[row.owner]:
                continue
            if row.attempts >= 2:
                row.status, row.error, row.finished_at = "failed", ABANDONED, now
            else:
                row.attempts += 1
                row.owner = owner
                out.append(Stored(row.update_key, dict(row.raw or {}), list(row.calls or [])))
            session.add(row)
    return out


def prune(engine: Engine, before: dt.datetime) -> int:
    """Drop rows received before `before` (handled or not: past the retention)."""
    with engine.begin() as conn:
        result = conn.execute(delete(m.UpdateInbox).where(m.UpdateInbox.received_at < before))
    return int(result.rowcount or 0)


def rows(engine: Engine, channel: str | None = None) -> list[m.UpdateInbox]:
    """Every row (tests, diagnostics)."""
    with Session(engine) as session:
        query = select(m.UpdateInbox).order_by(m.UpdateInbox.id)
        if channel is not None:
            query = query.where(m.UpdateInbox.channel == channel)
        return list(session.exec(query))


def raw_json(value: Any) -> Any:
    """A JSON-safe copy (datetimes from PTB's to_dict become epoch seconds)."""
    if isinstance(value, dict):
        return {k: raw_json(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [raw_json(v) for v in value]
    if isinstance(value, dt.datetime):
        return int(value.timestamp())
    return value


# --- replies made once ---------------------------------------------------------------------------
def _no_flush_wait(conn: Any) -> None:
    """PostgreSQL: commit without waiting for the WAL flush. What these rows guard against is
    the bot's process dying (the server has them then); a crash of the database server itself
    may lose the last fraction of a second of them: a reply said twice, an update handled
    again. (`store` keeps the full guarantee: an update is only confirmed once it is safe.)"""
    if conn.dialect.name == "postgresql":
        conn.execute(text("SET LOCAL synchronous_commit = off"))


def record_calls(engine: Engine, channel: str, key: str, calls: list[dict]) -> None:
    with engine.begin() as conn:
        _no_flush_wait(conn)
        conn.execute(update(m.UpdateInbox)
                     .where(m.UpdateInbox.channel == channel, m.UpdateInbox.update_key == key)
                     .values(calls=calls))


def _stand_in(name: str, params: dict) -> Any:
    """What a call in flight at a crash is taken to have answered."""
    if name.startswith(("send", "copy", "forward", "edit")):
        chat = params.get("chat_id")
        return {"message_id": int(params.get("message_id") or 0),
                "date": int(clock.now().timestamp()),
                "chat": {"id": int(chat) if str(chat).lstrip("-").isdigit() else 0,
                         "type": "private"},
                **({"text": params["text"]} if isinstance(params.get("text"), str) else {})}
    return True


@dataclass
class Replay:
    """The Bot API calls of one tracked update's handler, numbered."""

    engine: Engine
    channel: str
    key: str
    earlier: list[dict] = field(default_factory=list)  # made by an attempt that crashed
    calls: list[dict] = field(default_factory=list)
    n: int = 0

    def __post_init__(self) -> None:
        self.calls = [dict(c) for c in self.earlier]

    async def call(self, name: str, params: dict,
                   send: Callable[[], Awaitable[tuple[int, bytes]]]) -> tuple[int, bytes]:
        """An HTTP-level call (status, body), made once."""
        made: list[tuple[int, bytes]] = []

        async def result() -> Any:
            status, body = await send()
            made.append((status, body))
            try:
                return json.loads(body).get("result") if status == 200 else None
            except (ValueError, AttributeError):
                return None

        found = await self.result_of(name, params, result)
        if made:
            return made[0]
        return 200, json.dumps({"ok": True, "result": found}).encode()

    async def result_of(self, name: str, params: dict,
                        send: Callable[[], Awaitable[Any]]) -> Any:
        """The result of a call, made once: the earlier attempt's, a stand-in for a call that
        was in flight when it crashed, or (recorded first) the call made now."""
        if name.lower().startswith("get"):
            return await send()
        index, self.n = self.n, self.n + 1
        if index < len(self.earlier):
            result = self.earlier[index].get("result")
            if result is None:
                result = _stand_in(name, params)
                log.warning("call in flight at a crash not repeated", extra={"fields": {
                    "channel": self.channel, "update": self.key, "method": name}})
            return result
        self.calls.append({"method": name})
        # written on the event loop, not in a thread: the moment between this commit and the
        # request on the wire is the one in which a crash loses a reply, so it is kept short
        record_calls(self.engine, self.channel, self.key, [dict(c) for c in self.calls])
        result = await send()
        self.calls[index]["result"] = result
        return result


CURRENT: contextvars.ContextVar[Replay | None] = contextvars.ContextVar("parbot_update",
                                                                       default=None)


def _name_and_params(url: str, request_data: Any) -> tuple[str, dict]:
    name = url.rstrip("/").rsplit("/", 1)[-1]
    params = dict(request_data.parameters) if request_data is not None else {}
    return name, params


async def through(url: str, method: str, request_data: Any,
                  send: Callable[[], Awaitable[tuple[int, bytes]]]) -> tuple[int, bytes]:
    """A request layer's call, made once per tracked update (see `Replay`)."""
    replay = CURRENT.get()
    if replay is None or method != "POST":
        return await send()
    name, params = _name_and_params(url, request_data)
    return await replay.call(name, params, send)
