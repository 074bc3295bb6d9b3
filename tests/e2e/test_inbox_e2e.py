"""Nothing a user sent is lost, nothing is answered twice: the real `parbot run`, `kill -9` in the
middle of a burst of messages and restarted — Telegram polling, Telegram webhook (the fake
retries what was not taken), Zalo webhook — and a Confirm pressed just before the crash.

Every message is handled; every reply goes out once. The one exception is the reply that was
on its way out at the very instant of the kill (recorded as leaving, no answer yet): it is not
sent again, since it may have arrived, and the restarted bot logs it (`check_once`)."""

from __future__ import annotations

import asyncio
import collections
import itertools

import pytest
from sqlmodel import select

from bot.channels import inbox
from storage import models as m
from storage.db import make_engine
from tests.bot_process import BotProcess, free_port, link, prepare_database, query
from tests.e2e_zalo import ZaloBotProcess
from tests.fake_telegram import FakeTelegram
from tests.fake_zalo import FakeZalo

pytestmark = pytest.mark.e2e

AS_OF = {"PARBOT_AS_OF": "2025-05-10T09:00:00", "PARBOT_TICK_SECONDS": "0"}
TELEGRAM_USERS = {100001: "Tuấn An", 100002: "Diệu Anh", 100003: "Bích Hậu"}
ZALO_USERS = {"z-an": "Tuấn An", "z-anh": "Diệu Anh", "z-hau": "Bích Hậu"}
MESSAGES = ["/help", "/due", "quý này có gì đến hạn", "/plan"]
BURST = 60


def _setup(db_url: str, users: dict, channel: str) -> None:
    prepare_database(db_url)
    for user_id, name in users.items():
        if user_id != 100001:  # the example roster links Tuấn An on Telegram
            link(db_url, name, user_id, channel)


def _burst(users: list) -> list[tuple[object, str]]:
    """BURST messages, the users taking turns, each cycling through MESSAGES."""
    turns = itertools.cycle(users)
    counters: collections.Counter = collections.Counter()
    out = []
    for _ in range(BURST):
        user = next(turns)
        out.append((user, MESSAGES[counters[user] % len(MESSAGES)]))
        counters[user] += 1
    return out


IN_DOUBT = '"msg": "call in flight at a crash not repeated"'


def in_doubt(bot: BotProcess) -> int:
    """Replies that were on their way out at the instant of the kill: not sent again (delivered
    or not, nobody knows, and a reply must never arrive twice), and logged so."""
    return bot.logs().count(IN_DOUBT)


def check_once(replies: dict, sent: collections.Counter, bot: BotProcess) -> None:
    """Every message answered once: none twice; none missing but a reply the restarted bot
    logged as in flight at the crash (it was, or was about to be, on the wire)."""
    assert all(replies[u] <= sent[u] for u in sent), f"answered twice: {replies} vs {sent}"
    missing = sum(sent.values()) - sum(replies.values())
    assert missing <= in_doubt(bot), f"lost: {replies} vs {sent}"
    if missing:
        print(f"\n{missing} reply in flight at the kill, not repeated (logged)")


async def _until(check, timeout: float, what: str, logs) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not check():
        if loop.time() > deadline:
            raise AssertionError(f"{what}\n--- parbot log (end) ---\n{logs()[-6000:]}")
        await asyncio.sleep(0.05)


def _inbox_rows(db_url: str, channel: str) -> list[m.UpdateInbox]:
    return query(db_url, lambda s: list(s.exec(select(m.UpdateInbox)
                                                .where(m.UpdateInbox.channel == channel))))


async def _telegram_burst_killed_and_restarted(tg: FakeTelegram, bot: BotProcess,
                                               db_url: str) -> None:
    users = list(TELEGRAM_USERS)
    before = {u: len(tg.sent_messages(u)) for u in users}

    def replies() -> dict[int, int]:
        return {u: len(tg.sent_messages(u)) - before[u] for u in users}

    burst = _burst(users)
    for user, text in burst:
        tg.send_text(user, text) if not text.startswith("/") else tg.send_command(user, text)
    await _until(lambda: sum(replies().values()) >= 5, 60, "no fifth reply", bot.logs)
    await bot.kill()
    answered_before = sum(replies().values())
    since = len(tg.calls)
    await bot.start()
    try:
        await _until(lambda: sum(replies().values()) + in_doubt(bot) >= BURST, 60,
                     f"not every message answered: {replies()}", bot.logs)
    except AssertionError:
        rows = await asyncio.to_thread(_inbox_rows, db_url, "telegram")
        print("DEBUG", replies(), collections.Counter((r.status, r.attempts) for r in rows),
              collections.Counter((c.method, c.status) for c in tg.calls[since:]), bot.log_path)
        raise
    await tg.wait_idle(quiet=1.0, timeout=30)
    sent = collections.Counter(user for user, _ in burst)
    check_once(replies(), sent, bot)
    print(f"\nanswered before kill -9: {answered_before}, after the restart: "
          f"{sum(replies().values()) - answered_before}")
    rows = await asyncio.to_thread(_inbox_rows, db_url, "telegram")
    assert len(rows) == BURST + len(users)
    # a row fails only with a call in flight at the crash (logged as in doubt)
    failed = [(r.update_key, r.error) for r in rows if r.status != "done"]
    assert len(failed) <= in_doubt(bot), failed
    assert "Traceback" not in bot.logs()


async def test_telegram_polling_kill_9_after_the_fifth_reply_loses_nothing(db_url):
    await asyncio.to_thread(_setup, db_url, TELEGRAM_USERS, "telegram")
    async with FakeTelegram() as tg:
        bot = BotProcess(tg, db_url, env=AS_OF, prepare=False)
        async with bot:
            for user in TELEGRAM_USERS:  # everyone has talked to the bot before
                tg.send_command(user, "/start")
                await tg.wait_for_message(user, "Xin chào")
            await _telegram_burst_killed_and_restarted(tg, bot, db_url)
            assert '"msg": "inbox recovered"' in bot.logs()


async def test_telegram_webhook_kill_9_after_the_fifth_reply_loses_nothing(db_url):
    await asyncio.to_thread(_setup, db_url, TELEGRAM_USERS, "telegram")
    port = free_port()
    env = {**AS_OF, "WEBHOOK_URL": f"http://127.0.0.1:{port}/telegram",
           "WEBHOOK_SECRET": "s3cret-Token", "WEBHOOK_LISTEN": "127.0.0.1", "PORT": str(port)}
    # Telegram keeps an update until the webhook takes it with a 2xx
    async with FakeTelegram(webhook_retries=1200, webhook_retry_delay=0.1) as tg:
        bot = BotProcess(tg, db_url, env=env, prepare=False, ready_method="setWebhook")
        async with bot:
            for user in TELEGRAM_USERS:
                tg.send_command(user, "/start")
                await tg.wait_for_message(user, "Xin chào", timeout=30)
            await _telegram_burst_killed_and_restarted(tg, bot, db_url)


async def test_zalo_webhook_kill_9_after_the_fifth_reply_loses_nothing(db_url):
    await asyncio.to_thread(_setup, db_url, ZALO_USERS, "zalo")
    port = free_port()
    env = {**AS_OF, "ZALO_WEBHOOK_URL": f"http://127.0.0.1:{port}/zalo",
           "ZALO_WEBHOOK_SECRET": "zalo-s3cret-Token", "WEBHOOK_LISTEN": "127.0.0.1",
           "PORT": str(port)}
    async with FakeZalo(webhook_retry_seconds=60) as zl:
        bot = ZaloBotProcess(zl, db_url, env=env, prepare=False, ready_method="setWebhook")
        async with bot:
            users = list(ZALO_USERS)
            for user in users:  # the first message of each gets the "automated" notice too
                zl.send_text(user, "/help")
                await zl.wait_for_message(user, "Các lệnh", timeout=30)
            await zl.wait_idle()
            before = {u: len(zl.sent_messages(u)) for u in users}

            def replies() -> dict[str, int]:
                return {u: len(zl.sent_messages(u)) - before[u] for u in users}

            burst = _burst(users)
            for user, text in burst:
                zl.send_text(user, text)
            await _until(lambda: sum(replies().values()) >= 5, 60, "no fifth reply", bot.logs)
            await bot.kill()
            answered_before = sum(replies().values())
            since = len(zl.calls)
            await bot.start()
            try:
                await _until(lambda: sum(replies().values()) + in_doubt(bot) >= BURST, 60,
                             f"not every message answered: {replies()}", bot.logs)
            except AssertionError:
                rows = await asyncio.to_thread(_inbox_rows, db_url, "zalo")
                print("DEBUG", replies(), collections.Counter((r.status, r.attempts)
                                                             for r in rows),
                      collections.Counter((c.method, c.status) for c in zl.calls[since:]),
                      collections.Counter(d.status for d in zl.deliveries), bot.log_path)
                raise
            await zl.wait_idle(quiet=1.0, timeout=30)
            check_once(replies(), collections.Counter(u for u, _ in burst), bot)
            print(f"\nanswered before kill -9: {answered_before}, after the restart: "
                  f"{sum(replies().values()) - answered_before}")
            rows = await asyncio.to_thread(_inbox_rows, db_url, "zalo")
            assert len(rows) == BURST + len(users)
            # a row fails only with a call in flight at the crash (logged as in doubt)
            failed = [(r.update_key, r.error) for r in rows if r.status != "done"]
            assert len(failed) <= in_doubt(bot), failed
            assert "Traceback" not in bot.logs()


async def test_confirm_pressed_then_kill_9_stores_once_and_the_receipt_comes(db_url):
    anh = 100002
    await asyncio.to_thread(_setup, db_url, {anh: "Diệu Anh"}, "telegram")
    async with FakeTelegram() as tg:
        bot = BotProcess(tg, db_url, env=AS_OF, prepare=False)
        async with bot:
            tg.send_command(anh, "/report", "TC-1 62")
            summary = await tg.wait_for_message(anh, "Kiểm tra lại")
            [confirm] = [b["callback_data"] for row in summary["reply_markup"]["inline_keyboard"]
                         for b in row if b["callback_data"].startswith("rep:ok:")]
            since = len(tg.calls)
            tg.press_button(anh, confirm)
            # the report is stored and the press being acknowledged when the process dies
            await tg.wait_for_call("answerCallbackQuery", since=since, timeout=30)
            await bot.kill()
            stored = await asyncio.to_thread(lambda: query(db_url, lambda s: list(
                s.exec(select(m.ProgressReport)))))
            assert len(stored) == 1, "stored before the acknowledgement"
            await bot.start()  # no second press
            receipt = await tg.wait_for_message(anh, "Đã ghi nhận 62% cho TC-1", timeout=60)
            await tg.wait_idle(quiet=1.0)
            assert "Traceback" not in bot.logs()
        texts = [r["text"] or "" for r in tg.sent_messages(anh) if r["call_index"] >= since]
        assert sum("Đã ghi nhận" in t for t in texts) == 1, texts
        assert not any("đã được ghi nhận lúc" in t for t in texts), "the receipt, not 'again'"
        assert "▓" in receipt["text"]
    reports = await asyncio.to_thread(lambda: query(db_url, lambda s: list(
        s.exec(select(m.ProgressReport)))))
    assert len(reports) == 1 and reports[0].value == 62
    engine = make_engine(db_url)
    try:
        assert {r.status for r in inbox.rows(engine, "telegram")} == {"done"}
    finally:
        engine.dispose()
