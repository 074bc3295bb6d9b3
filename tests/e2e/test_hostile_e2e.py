"""Issue 14 over the wire: the real `parbot run` against the fake Bot API — row 14 (a lighter
start) and the flood (row 2) as a process sees it."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from pathlib import Path

import pytest

from tests.bot_process import ROOT, BotProcess, link, prepare_database
from tests.fake_telegram import FakeTelegram

HEAVY = ("matplotlib", "docx", "openpyxl", "numpy", "PIL", "lxml")


def _rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise AssertionError("no VmRSS")


def test_row14_starting_imports_no_heavy_library():
    code = ("import sys; import bot.cli.commands, bot.channels.runner, handlers; "
            f"print(sorted(m for m in {HEAVY!r} if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                         text=True, check=True)
    assert out.stdout.strip() == "[]", out.stdout


@pytest.mark.once("the process's memory and imports")
async def test_row14_idle_bot_stays_under_120_mb_and_loads_libraries_when_needed(db_url):
    await asyncio.to_thread(prepare_database, db_url)
    await asyncio.to_thread(link, db_url, "Phan Văn Thắng", 4242)
    env = {"PARBOT_AS_OF": "2025-05-10T09:00:00", "PARBOT_TICK_SECONDS": "30"}
    async with FakeTelegram() as tg, BotProcess(tg, db_url, env=env, prepare=False) as bot:
        await asyncio.sleep(2)
        maps = Path(f"/proc/{bot.proc.pid}/maps").read_text()
        assert not [lib for lib in ("matplotlib", "numpy", "lxml") if f"/{lib}/" in maps]
        assert _rss_mb(bot.proc.pid) < 120
        tg.send_command(4242, "/digest")
        await tg.wait_for_message(4242, "Bản tin tuần", timeout=60)
        tg.press_button(4242, "digest:details")  # the chart: matplotlib is loaded now, and works
        await tg.wait_for_message(4242, timeout=60, method="sendPhoto")
        assert "/matplotlib/" in Path(f"/proc/{bot.proc.pid}/maps").read_text()
        assert "Traceback" not in bot.logs()


@pytest.mark.once("the wire and the process's log; the 10,200-input fuzz runs on both "
                  "databases in tests/integration/test_hostile_fuzz.py")
async def test_hostile_inputs_over_the_wire_and_groups_refused_once(db_url):
    """Part of the fuzz through the fake Telegram and the real process: hostile texts, forged
    buttons and group messages; not one error in the bot's log."""
    import json
    import random

    from tests.integration.test_hostile_fuzz import forged_button, hostile_text

    await asyncio.to_thread(prepare_database, db_url)
    await asyncio.to_thread(link, db_url, "Diệu Anh", 5151)
    await asyncio.to_thread(link, db_url, "Phan Văn Thắng", 5252)
    rng = random.Random(2014)
    env = {"PARBOT_AS_OF": "2025-05-10T09:00:00", "PARBOT_TICK_SECONDS": "0"}
    async with FakeTelegram() as tg, BotProcess(tg, db_url, env=env, prepare=False) as bot:
        for _ in range(300):
            user = rng.choice([5151, 5252, 6161, 6262])
            if rng.random() < 0.2:
                data = forged_button(rng).encode("utf-8", "ignore").decode("utf-8")
                tg.press_button(user, data or "x", strict=False)
            else:
                # Telegram delivers UTF-8: no lone surrogates on the wire
                text = hostile_text(rng)[:4000].encode("utf-8", "ignore").decode("utf-8")
                tg.send_text(user, text or "?")
        for n in range(20):  # the staff list asked for in two groups, many times
            group = -100_777 - n % 2
            tg._inject({"message": {"message_id": 900 + n, "date": int(tg.now()),
                                    "from": tg._user_dict(5252),
                                    "chat": {"id": group, "type": "supergroup", "title": "Tổ"},
                                    "text": rng.choice(["/officers", "/export", "/invite An"]),
                                    "entities": [{"type": "bot_command", "offset": 0,
                                                  "length": 7}]}})
        await tg.wait_idle(quiet=1.0, timeout=120)
        logs = bot.logs()
    entries = [json.loads(line) for line in logs.splitlines() if line.startswith("{")]
    assert not [e for e in entries if e.get("level") in ("ERROR", "CRITICAL")
                or e.get("outcome") == "error"], logs[-2000:]
    assert "Traceback" not in logs and tg.token not in logs  # the token is never logged
    for group in (-100_777, -100_778):
        said = tg.sent_messages(group)
        assert len(said) == 1 and "riêng" in said[0]["text"], said


@pytest.mark.once("the fair-use limit is kept in memory, not in the database")
async def test_row2_a_stranger_flooding_the_real_process_never_delays_an_officer(db_url):
    import time

    await asyncio.to_thread(prepare_database, db_url)
    await asyncio.to_thread(link, db_url, "Diệu Anh", 5353)
    env = {"PARBOT_AS_OF": "2025-05-10T09:00:00", "PARBOT_TICK_SECONDS": "0",
           "PARBOT_RATE_BURST": "30", "PARBOT_RATE_PER_MINUTE": "60",
           "PARBOT_STRANGER_RATE_BURST": "10", "PARBOT_STRANGER_RATE_PER_MINUTE": "20"}
    async with FakeTelegram() as tg, BotProcess(tg, db_url, env=env, prepare=False) as bot:
        tg.send_command(5353, "/help")
        await tg.wait_for_message(5353, "Các lệnh", timeout=30)
        for _ in range(300):
            tg.send_command(6666, "/plan")
        waits = []
        for _ in range(6):
            sent = time.perf_counter()
            tg.send_command(5353, "/help")
            await tg.wait_for_message(5353, "Các lệnh", timeout=30)
            waits.append(time.perf_counter() - sent)
            await asyncio.sleep(0.1)
        await tg.wait_idle(quiet=0.5, timeout=60)
        to_stranger = [m.get("text") or "" for m in tg.sent_messages(6666)]
        assert "Traceback" not in bot.logs()
    assert max(waits) < 1.0, waits
    assert len(to_stranger) == 11 and sum("chậm lại" in s for s in to_stranger) == 1
