"""`parbot run` end to end against the fake Telegram Bot API server."""

from __future__ import annotations

import json

import pytest

from tests.e2e import BotProcess
from tests.fake_telegram import FakeTelegram

pytestmark = pytest.mark.e2e


async def test_polling_start_help_and_clean_sigterm(db_url):
    async with FakeTelegram() as tg, BotProcess(tg, db_url) as bot:
        commands = tg.calls_to("setMyCommands")
        assert commands, "the command menu is set at startup"
        tg.send_command(42, "/start")
        reply = await tg.wait_for_message(42, "Anh/Chị chưa được liên kết")
        assert reply["reply_markup"]["keyboard"][0][0]["request_contact"] is True
        assert await bot.stop() == 0
        # the final getUpdates confirms what was handled
        last = tg.calls_to("getUpdates")[-1]
        assert int(last.params.get("offset", 0)) > 0
        logs = bot.logs()
        lines = [json.loads(line) for line in logs.splitlines() if line.startswith("{")]
        updates = [line for line in lines if line.get("msg") == "update"]
        assert updates and updates[0]["command"] == "/start" and updates[0]["outcome"] == "ok"
        assert "ms" in updates[0]
