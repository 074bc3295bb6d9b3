"""Questions about the plan over the Telegram wire: the real `parbot run` against the fake Bot
API, a principal asking in plain words, the "not understood" buttons, and `parbot ask`."""

from __future__ import annotations

import asyncio
import time

import pytest

from tests.bot_process import BotProcess, link, prepare_database
from tests.cli_helpers import parbot
from tests.fake_telegram import FakeTelegram

# the answers' reads run on both databases in tests/integration; here the wire and the process
pytestmark = [pytest.mark.e2e, pytest.mark.once("questions over the wire and `parbot ask`")]
AS_OF = {"PARBOT_AS_OF": "2025-05-10T09:00:00"}
PRINCIPAL = 8810


async def test_a_principal_asks_in_plain_words(db_url):
    await asyncio.to_thread(prepare_database, db_url)
    await asyncio.to_thread(link, db_url, "Văn Bình", PRINCIPAL)
    async with FakeTelegram() as tg, BotProcess(tg, db_url, env=AS_OF, prepare=False):
        started = time.monotonic()
        tg.send_text(PRINCIPAL, "quý này có gì đến hạn?")
        due = await tg.wait_for_message(PRINCIPAL, "Quý II/2025")
        elapsed = time.monotonic() - started
        assert "trước 01/6/2025 (còn 21 ngày)" in due["text"] and "(KH 737" in due["text"]
        assert elapsed < 2.0, f"answered in {elapsed:.2f}s"
        tg.send_text(PRINCIPAL, "chi tieu sipas nam 2025")
        sipas = await tg.wait_for_message(PRINCIPAL, "CDDH-2")
        assert "từ 90 đến 95%" in sipas["text"] and "(KH 737, mục I.3.1)" in sipas["text"]
        # not understood: said so, with likely questions as buttons that re-ask
        tg.send_text(PRINCIPAL, "thời tiết hôm nay thế nào")
        lost = await tg.wait_for_message(PRINCIPAL, "chưa hiểu")
        datas = [b["callback_data"] for row in lost["reply_markup"]["inline_keyboard"]
                 for b in row]
        assert 2 <= len(datas) <= 3 and all(d.startswith("ask:") for d in datas)
        tg.press_button(PRINCIPAL, datas[0])
        await tg.wait_for_message(PRINCIPAL, "Quý II/2025")
        # a command and its button for another period
        tg.send_command(PRINCIPAL, "/due")
        due = await tg.wait_for_message(PRINCIPAL, "Quý II/2025")
        [week] = [b["callback_data"] for row in due["reply_markup"]["inline_keyboard"]
                  for b in row if b["text"] == "Tuần này"]
        tg.press_button(PRINCIPAL, week)
        await tg.wait_for_message(PRINCIPAL, "Tuần này (05/5 - 11/5/2025)")


async def test_target_who_status_over_the_wire(db_url):
    async with FakeTelegram() as tg, BotProcess(tg, db_url, env=AS_OF):
        an = 100001  # the example roster gives Tuấn An this id
        tg.send_command(an, "/target CQS-1")
        target = await tg.wait_for_message(an, "🎯 CQS-1")
        assert "GĐ 2024-2025: ≥ 85%" in target["text"]
        tg.send_command(an, "/who", "SIPAS")
        await tg.wait_for_message(an, "Trưởng phòng GDĐT")
        tg.send_command(an, "/status")
        status = await tg.wait_for_message(an, "Tình hình thực hiện KH 737")
        assert "chưa có số liệu 25" in status["text"]


def test_parbot_ask_prints_the_answer(db_url):
    prepare_database(db_url)  # migrated, plan 737, the example roster
    plain = parbot("ask", "quy nay co gi den han", db_url=db_url, env=AS_OF)
    assert plain.returncode == 0, plain.stderr
    assert "Quý II/2025" in plain.stdout and "trước 01/6/2025 (còn 21 ngày)" in plain.stdout
    principal = parbot("ask", "--as", "Văn Bình", "chi tieu sipas nam 2025", db_url=db_url,
                       env=AS_OF)
    assert "từ 90 đến 95%" in principal.stdout and "(KH 737, mục I.3.1)" in principal.stdout
