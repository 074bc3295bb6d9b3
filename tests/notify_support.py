"""Shared by the notification tests: a seeded office, a bot whose ticks are driven by hand with
the clock set, and a request layer that can refuse, fail or crash like a real transport."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable
from typing import Any

from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from bot.channels.app import build_application
from bot.channels.bridge import Outgoing
from bot.channels.delivery import TickReport, deliver_due
from bot.core.clock import clock
from bot.core.services import Services
from bot.core.settings import DEFAULT_PLAN, Settings
from bot.people import identity
from bot.people.roster import import_roster
from bot.plans.store import has_plan, import_plan_file
from storage import models as m
from storage.db import session_scope
from tests.chat import RecordingRequest
from tests.conftest import ROOT

CHANNEL = "console"
FIRST_CHAT = 9000


def seed_office(engine: Engine, when: dt.datetime) -> dict[str, int]:
    """Plan 737 and the example roster, loaded at `when`; every officer linked on the console
    channel (chat id FIRST_CHAT + officer id). Returns {short name: officer id}."""
    clock.set(when)
    if not has_plan(engine):
        import_plan_file(engine, DEFAULT_PLAN)
    import_roster(engine, ROOT / "data" / "roster.example.csv")
    people = {}
    with Session(engine) as session:
        officers = session.exec(select(m.Officer).order_by(m.Officer.id)).all()
    for officer in officers:
        identity.link_account(engine, officer.id, CHANNEL, FIRST_CHAT + officer.id)
        people[" ".join(officer.full_name.split()[-2:])] = officer.id
    return people


def chat_of(officer_id: int) -> str:
    return str(FIRST_CHAT + officer_id)


class Crash(BaseException):
    """The process dies here (not an Exception: nothing catches it on the way up)."""


class ScriptedRequest(RecordingRequest):
    """The in-process transport, with scripted answers: `fail(chat, status, times)` answers
    that chat's sends with an error; `crash_after(n)` lets n messages through, then every
    call dies."""

    def __init__(self) -> None:
        super().__init__()
        self.faults: dict[str, list[int]] = {}
        self.crash_at: int | None = None
        self.delivered = 0
        self.refused: list[tuple[str, int]] = []

    def fail(self, chat_id: str, status: int, times: int = 1) -> None:
        self.faults.setdefault(str(chat_id), []).extend([status] * times)

    def crash_after(self, count: int) -> None:
        self.crash_at = self.delivered + count

    async def do_request(self, url: str, method: str, request_data: Any = None, *args: Any,
                         **kwargs: Any) -> tuple[int, bytes]:
        name = url.rstrip("/").rsplit("/", 1)[-1]
        params = dict(request_data.parameters) if request_data else {}
        chat = str(params.get("chat_id", ""))
        sending = name.startswith("send")
        if sending and self.crash_at is not None and self.delivered >= self.crash_at:
            raise Crash(f"crashed before {name} to {chat}")
        if sending and self.faults.get(chat):
            status = self.faults[chat].pop(0)
            self.refused.append((chat, status))
            body: dict[str, Any] = {"ok": False, "error_code": status,
                                    "description": {403: "Forbidden: bot was blocked by the user",
                                                    429: "Too Many Requests: retry after 1",
                                                    400: "Bad Request: chat not found"}
                                    .get(status, "Internal Server Error")}
            if status == 429:
                body["parameters"] = {"retry_after": 1}
            return status, json.dumps(body).encode()
        result = await super().do_request(url, method, request_data, *args, **kwargs)
        if sending:
            self.delivered += 1
        return result


class TickBot:
    """The real Application on the console channel with no background tick: the test drives
    `tick()` with the clock set."""

    def __init__(self, engine: Engine, request: ScriptedRequest | None = None,
                 **settings: Any) -> None:
        self.engine = engine
        self.settings = Settings(PARBOT_TICK_SECONDS=0, **settings)
        self.request = request or ScriptedRequest()
        self.app = build_application(Services(engine, self.settings, CHANNEL),
                                     request=self.request)
        self.reports: list[TickReport] = []

    async def __aenter__(self) -> TickBot:
        await self.app.initialize()
        await self.app.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.app.stop()
        await self.app.shutdown()

    @property
    def outbox(self) -> list[Outgoing]:
        return self.request.outbox

    async def tick(self, when: dt.datetime | None = None) -> list[Outgoing]:
        """One tick at `when` (Hanoi time); what it sent."""
        if when is not None:
            clock.set(when)
        start = len(self.outbox)
        self.reports.append(await deliver_due(self.app))
        return self.outbox[start:]

    async def say(self, officer_id: int, text: str) -> list[Outgoing]:
        """The officer types `text` (a command, or an option number to press a button)."""
        from telegram import Update

        user = self.request.users.get(chat_of(officer_id)) or \
            self.request.user(int(chat_of(officer_id)), "officer")
        start = len(self.outbox)
        update = self.request.text_update(user, text)
        await self.app.process_update(Update.de_json(update, self.app.bot))
        return self.outbox[start:]


def to(messages: Iterable[Outgoing], officer_id: int) -> list[Outgoing]:
    return [o for o in messages if o.chat_id == chat_of(officer_id)]


def days(start: dt.date, end: dt.date) -> Iterable[dt.date]:
    day = start
    while day <= end:
        yield day
        day += dt.timedelta(days=1)


def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute))


def add_report_recipients(engine: Engine, count: int, first_chat: int) -> None:
    """`count` officers, each responsible for the monthly TTHC report and linked on Telegram as
    chats first_chat, first_chat + 1, … (a nudge run to many recipients: the fan-out bench and
    the two-process test)."""
    with Session(engine) as session:
        report = session.exec(select(m.Obligation).where(
            m.Obligation.code == "BC-TTHC-THANG")).one()
        unit = session.exec(select(m.Unit)).first()
    with session_scope(engine) as session:
        for i in range(count):
            officer = m.Officer(full_name=f"Cán bộ Thử {i:04d}", role="officer",
                                unit_id=unit.id)
            session.add(officer)
            session.flush()
            session.add(m.ChannelIdentity(officer_id=officer.id, channel="telegram",
                                          external_id=str(first_chat + i),
                                          linked_at=clock.now()))
            session.add(m.Assignment(officer_id=officer.id, obligation_id=report.id,
                                     kind="responsible", created_at=clock.now()))
