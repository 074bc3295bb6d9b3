"""`parbot run` end to end against the fake Telegram Bot API server: startup and shutdown,
onboarding by invite and by phone, webhooks, 429s and malformed input."""

from __future__ import annotations

import asyncio
import json
import re
import sys

import pytest

from bot.core.catalogue import t
from tests.bot_process import ROOT, BotProcess, free_port, prepare_database
from tests.fake_telegram import FakeTelegram

# onboarding's reads and writes run on both databases in tests/integration; here the process
pytestmark = [pytest.mark.e2e,
              pytest.mark.once("startup, shutdown, onboarding, webhooks, refusals on the wire")]
REFUSED = (t("refused.guest", "vi", command="X").split("/X")[0],
           t("refused.role", "vi", command="X", role="").split("/X")[0])


def _json_lines(text: str) -> list[dict]:
    return [json.loads(line) for line in text.splitlines() if line.startswith("{")]


async def test_polling_start_and_clean_sigterm(db_url):
    async with FakeTelegram() as tg, BotProcess(tg, db_url) as bot:
        assert tg.commands(), "the command menu is set at startup"
        assert tg.commands(language_code="en"), "and in English"
        tg.send_command(42, "/start")
        reply = await tg.wait_for_message(42, "Anh/Chị chưa được liên kết")
        assert reply["reply_markup"]["keyboard"][0][0]["request_contact"] is True
        assert await bot.stop() == 0
        last = tg.calls_to("getUpdates")[-1]
        assert int(last.params.get("offset", 0)) > 0, "handled updates confirmed at shutdown"
        updates = [x for x in _json_lines(bot.logs()) if x.get("msg") == "update"]
        assert updates[0]["command"] == "/start" and updates[0]["outcome"] == "ok"
        assert "ms" in updates[0] and "text" not in updates[0]


async def test_invite_link_onboarding(db_url):
    async with FakeTelegram(bot_username="parbot_hd_bot") as tg:
        await asyncio.to_thread(prepare_database, db_url)
        proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot.cli", "officers", "invite", "Bích Hậu", cwd=ROOT,
            env={**BotProcess(tg, db_url).env()}, stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE)
        out, err = await proc.communicate()
        assert proc.returncode == 0, err.decode()
        line = out.decode().strip()
        assert "https://t.me/parbot_hd_bot?start=" in line
        code = line.split("start=")[1].split()[0]
        async with BotProcess(tg, db_url, prepare=False):
            tg.send_command(501, f"/start {code}")
            hello = await tg.wait_for_message(501, "Xin chào")
            assert "Bích Hậu" in hello["text"] and "Cải cách thủ tục hành chính" in hello["text"]
            # single use: a second person with the same code is refused
            tg.send_command(502, f"/start {code}")
            await tg.wait_for_message(502, "đã được dùng")
            tg.send_command(501, "/plan")
            await tg.wait_for_message(501, "Kế hoạch số 737")
            tg.send_command(503, "/start ZZZZ-ZZZZ")
            await tg.wait_for_message(503, "Mã mời không đúng")


async def test_contact_onboarding_and_someone_elses_contact(db_url):
    async with FakeTelegram() as tg, BotProcess(tg, db_url):
        tg.send_command(601, "/start")
        await tg.wait_for_message(601, "Chia sẻ số điện thoại")
        # someone else's contact is refused
        tg.send_contact(601, "0912345604", contact_user_id=999)
        await tg.wait_for_message(601, "chính Anh/Chị")
        # a number that is not on the roster
        tg.send_contact(601, "+84 988 777 666")
        await tg.wait_for_message(601, "chưa có trong danh sách")
        # own contact, on the roster (Minh Lý: 0912 345 604), typed in +84 form
        tg.send_contact(601, "+84912345604")
        hello = await tg.wait_for_message(601, "Xin chào")
        assert "Minh Lý" in hello["text"]


async def test_roster_telegram_id_is_linked_without_code(db_url):
    async with FakeTelegram() as tg, BotProcess(tg, db_url):
        tg.send_command(100001, "/start")  # the example roster gives Tuấn An this id
        hello = await tg.wait_for_message(100001, "Xin chào")
        assert "Tuấn An" in hello["text"]


async def test_unknown_user_gets_no_plan_data(db_url):
    async with FakeTelegram() as tg, BotProcess(tg, db_url):
        tg.send_command(700, "/plan")
        refusal = await tg.wait_for_message(700, "chưa có trong danh sách")
        assert "737" not in refusal["text"] and "%" not in refusal["text"]


async def test_webhook_secret_enforced(db_url):
    port = free_port()
    env = {"WEBHOOK_URL": f"http://127.0.0.1:{port}/telegram", "WEBHOOK_SECRET": "s3cret-Token",
           "WEBHOOK_LISTEN": "127.0.0.1", "PORT": str(port)}
    async with FakeTelegram() as tg, BotProcess(tg, db_url, env=env,
                                                ready_method="setWebhook") as bot:
        assert tg.webhook_url.endswith("/telegram")
        await asyncio.sleep(0)  # let the server come up; the next call retries until it does
        update = {"update_id": 1, "message": {
            "message_id": 1, "date": 1, "chat": {"id": 77, "type": "private"},
            "from": {"id": 77, "is_bot": False, "first_name": "X"}, "text": "/start",
            "entities": [{"type": "bot_command", "offset": 0, "length": 6}]}}
        for _ in range(50):
            status = await tg.post_webhook(update, secret="wrong")
            if status is not None:
                break
            await asyncio.sleep(0.1)
        assert status == 403
        assert await tg.post_webhook(update, secret=None) == 403
        assert await tg.post_webhook(update, secret="s3cret-Token") == 200
        await tg.wait_for_message(77, "Xin chào")
        assert await bot.stop() == 0


async def test_webhook_needs_a_secret(db_url):
    env = {"WEBHOOK_URL": "http://127.0.0.1:9/telegram"}
    async with FakeTelegram() as tg:
        bot = BotProcess(tg, db_url, env=env, wait_ready=False)
        await bot.start()
        assert await bot.wait() == 2
        assert "WEBHOOK_SECRET is required" in bot.logs()


async def test_wrong_token_is_one_clear_line(db_url):
    async with FakeTelegram() as tg:
        bot = BotProcess(tg, db_url, token="999:WRONG", wait_ready=False)
        await bot.start()
        assert await bot.wait() == 2
        logs = bot.logs()
        assert "rejected TELEGRAM_BOT_TOKEN" in logs
        assert "Traceback" not in logs


async def test_429_is_retried(db_url):
    async with FakeTelegram() as tg, BotProcess(tg, db_url):
        tg.fail_next("sendMessage", status=429, retry_after=1)
        tg.send_command(900, "/help")
        await tg.wait_for_message(900, "Các lệnh", timeout=15)
        attempts = [c for c in tg.calls_to("sendMessage") if c.chat_id == 900]
        assert [c.status for c in attempts] == [429, 200]


async def test_malformed_input_never_crashes(db_url):
    async with FakeTelegram() as tg, BotProcess(tg, db_url) as bot:
        tg.send_sticker(950)
        await tg.wait_for_message(950, "chỉ đọc được tin nhắn chữ")
        tg.send_text(950, "x" * 5000)
        await tg.wait_for_message(950, re.compile("chưa hiểu|chưa có trong danh sách"))
        tg.send_text(950, "🙂🙂🙂")
        await tg.wait_for_message(950)
        tg.send_command(950, "/khong_co_lenh_nay")
        await tg.wait_for_message(950, "Lệnh này không có")
        tg.send_content(950)  # a message with no content at all
        await tg.wait_for_message(950)
        sent = tg.send_text(950, "xin chao")
        await tg.wait_for_message(950)
        before = len(tg.sent_messages(950))
        tg.edit_text(950, sent["message"]["message_id"], "sửa lại")  # ignored on purpose
        bot_message = tg.sent_messages(950)[-1]["message_id"]
        tg.press_button(950, "not-issued-by-us", message_id=bot_message, strict=False)
        await tg.wait_for_call("answerCallbackQuery")
        await tg.wait_idle(quiet=0.3)
        assert len(tg.sent_messages(950)) == before, "the edit got no reply"
        tg.send_command(950, "/help")
        await tg.wait_for_message(950, "Các lệnh")
        assert bot.proc.returncode is None
        assert "Traceback" not in bot.logs()
