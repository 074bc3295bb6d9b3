"""Delivery over the Telegram wire: the real Application (AIORateLimiter included) sending nudges
and the digest to the fake Bot API server — 403, 429 and 5xx answers — and `parbot run` end to
end: a nudge arrives once, and a restart does not send it again."""

from __future__ import annotations

import asyncio
import datetime as dt

import pytest
from sqlmodel import Session, select

from bot.channels.app import build_application
from bot.channels.delivery import deliver_due
from bot.core.clock import clock
from bot.core.services import Services
from bot.core.settings import Settings
from bot.notify import notification_log as notifications
from bot.people import identity
from storage import models as m
from storage.db import make_engine
from tests.bot_process import BotProcess, prepare_database
from tests.fake_telegram import FakeTelegram
from tests.notify_support import seed_office

D = dt.date
TOKEN = "123:ABC"
BASE = 700_000


def link_telegram(engine, people: dict[str, int]) -> dict[str, int]:
    """Every officer's Telegram account: chat id BASE + officer id."""
    for officer_id in people.values():
        identity.link_account(engine, officer_id, "telegram", BASE + officer_id)
    return {name: BASE + officer_id for name, officer_id in people.items()}


class WireBot:
    def __init__(self, engine, tg: FakeTelegram) -> None:
        settings = Settings(TELEGRAM_BOT_TOKEN=tg.token, TELEGRAM_API_BASE_URL=tg.root,
                            PARBOT_TICK_SECONDS=0)
        self.app = build_application(Services(engine, settings, "telegram"))

    async def __aenter__(self) -> WireBot:
        await self.app.initialize()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.app.shutdown()

    async def tick(self, when: dt.datetime):
        clock.set(when)
        return await deliver_due(self.app)


@pytest.fixture
async def tg():
    async with FakeTelegram(token=TOKEN) as fake:
        yield fake


async def test_nudges_and_the_digest_over_the_wire(engine, tg):
    people = seed_office(engine, dt.datetime(2025, 5, 14, 10))
    chats = link_telegram(engine, people)
    async with WireBot(engine, tg) as bot:
        report = await bot.tick(dt.datetime(2025, 5, 19, 7, 30))
        assert (report.sent, report.failed) == (1, 0)
        digest = await tg.wait_for_message(chats["Văn Thắng"], "Bản tin tuần 21/2025",
                                           method="sendMessage")
        assert len(digest["text"]) <= 1200  # issue 13: one phone-size message
        buttons = [b["callback_data"] for row in digest["reply_markup"]["inline_keyboard"]
                   for b in row]
        assert buttons[0] == "digest:details"  # the details and the chart, on demand
        report = await bot.tick(dt.datetime(2025, 5, 23, 8, 0))
        assert report.sent == 4
        nudge = await tg.wait_for_message(chats["Bích Hậu"], "Nhắc việc")
        buttons = [b["callback_data"] for row in nudge["reply_markup"]["inline_keyboard"]
                   for b in row]
        assert buttons[0].startswith("done:") and buttons[-1] == "snooze:3"
        assert (await bot.tick(dt.datetime(2025, 5, 23, 9, 0))).deliveries == 0


async def test_a_blocked_user_is_marked_inactive_and_a_429_is_retried(engine, tg):
    people = seed_office(engine, dt.datetime(2025, 5, 14, 10))
    chats = link_telegram(engine, people)
    tg.block_chat(chats["Minh Lý"])
    tg.fail_next("sendMessage", 429, retry_after=1, chat_id=chats["Kim Sa"])
    async with WireBot(engine, tg) as bot:
        report = await bot.tick(dt.datetime(2025, 5, 16, 8, 0))
        assert (report.sent, report.blocked, report.retry) == (3, 1, 0)
        statuses = [c.status for c in tg.calls_to("sendMessage")
                    if c.chat_id == chats["Kim Sa"]]
        assert statuses == [429, 200], "the rate limiter waited and retried"
        with Session(engine) as session:
            account = session.exec(select(m.ChannelIdentity).where(
                m.ChannelIdentity.channel == "telegram",
                m.ChannelIdentity.external_id == str(chats["Minh Lý"]))).one()
        assert account.blocked
        before = len(tg.calls_to("sendMessage"))
        await bot.tick(dt.datetime(2025, 5, 23, 8, 0))
        assert not [c for c in tg.calls_to("sendMessage")[before:]
                    if c.chat_id == chats["Minh Lý"]], "a blocked chat is not tried again"
        # the user unblocks the bot, then blocks it again: Telegram's my_chat_member updates
        # reach the handler
        tg.inject_raw(membership(tg, chats["Minh Lý"], "kicked", "member"))
        updates = await bot.app.bot.get_updates(timeout=0)
        for update in updates:
            await bot.app.process_update(update)
        with Session(engine) as session:
            assert not session.get(m.ChannelIdentity, account.id).blocked
        tg.block_chat(chats["Minh Lý"], notify=True)
        for update in await bot.app.bot.get_updates(offset=updates[-1].update_id + 1,
                                                    timeout=0):
            await bot.app.process_update(update)
        with Session(engine) as session:
            assert session.get(m.ChannelIdentity, account.id).blocked


def membership(tg: FakeTelegram, chat_id: int, old: str, new: str) -> dict:
    """A my_chat_member update as Telegram sends it (a "kicked" member carries until_date)."""
    def member(status: str) -> dict:
        return {"user": tg.bot_user, "status": status,
                **({"until_date": 0} if status == "kicked" else {})}
    user = {"id": chat_id, "is_bot": False, "first_name": "Lý"}
    return {"my_chat_member": {"chat": {"id": chat_id, "type": "private", "first_name": "Lý"},
                               "from": user, "date": 1_750_000_000,
                               "old_chat_member": member(old), "new_chat_member": member(new)}}

async def test_a_5xx_leaves_the_message_for_the_next_tick(engine, tg):
    people = seed_office(engine, dt.datetime(2025, 5, 14, 10))
    chats = link_telegram(engine, people)
    tg.fail_next("sendMessage", 502, chat_id=chats["Diệu Anh"])
    async with WireBot(engine, tg) as bot:
        report = await bot.tick(dt.datetime(2025, 5, 16, 8, 0))
        assert (report.sent, report.retry) == (3, 1)
        assert not tg.sent_messages(chats["Diệu Anh"])
        report = await bot.tick(dt.datetime(2025, 5, 16, 8, 5))
        assert (report.sent, report.retry) == (1, 0)
        assert len(tg.sent_messages(chats["Diệu Anh"])) == 1
    [row] = notifications.entries(engine, f"telegram:nudge:{people['Diệu Anh']}:")
    assert row.status == "sent" and row.detail["attempts"] == 1


@pytest.mark.e2e
async def test_parbot_run_sends_a_due_nudge_once_across_a_restart(db_url):
    """The real `parbot run` with PARBOT_AS_OF on the day of a 14-day nudge (Wed 17/12/2025:
    every target of plan 737 is due 31/12/2025)."""
    an, dieu_anh = 100001, 100002  # Tuấn An's Telegram id is in the example roster
    clock.set(dt.datetime(2025, 12, 10, 9))  # the roster is loaded a week before
    await asyncio.to_thread(prepare_database, db_url)
    env = {"PARBOT_AS_OF": "2025-12-17T08:00:05", "PARBOT_TICK_SECONDS": "1"}
    async with FakeTelegram() as tg:
        async with BotProcess(tg, db_url, env=env, prepare=False) as bot:
            nudge = await tg.wait_for_message(an, "Nhắc việc", timeout=30)
            assert "CQS-1 Tỷ lệ cuộc họp trực tuyến" in nudge["text"]
            assert "còn 14 ngày" in nudge["text"]
            await bot.stop()
        engine = make_engine(db_url)
        try:
            [(officer, _)] = identity.find_officers(engine, "Diệu Anh")
            identity.link_account(engine, officer, "telegram", dieu_anh)
            [row] = notifications.entries(engine, "telegram:nudge:")
            assert row.status == "sent" and not row.late
        finally:
            engine.dispose()
        async with BotProcess(tg, db_url, env=env, prepare=False):
            # a tick ran after the restart: the newly linked officer got hers...
            other = await tg.wait_for_message(dieu_anh, "Nhắc việc", timeout=30)
            assert "TC-2" in other["text"]
        # ...and Tuấn An did not get his again
        assert len([r for r in tg.sent_messages(an) if "Nhắc việc" in (r["text"] or "")]) == 1
