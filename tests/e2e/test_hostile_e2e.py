"""Issue 14 over the wire: the real `parbot run` against the fake Bot API — row 14 (a lighter
start) and the flood (row 2) as a process sees it."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from pathlib import Path

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


async def test_row14_idle_bot_stays_under_120_mb_and_loads_libraries_when_needed(db_url):
    await asyncio.to_thread(prepare_database, db_url)
    await asyncio.to_thread(link, db_url, "Phan Văn Thắng", 4242)
    env = {"PARBOT_AS_OF": "2025-05-10T09:00:00", "PARBOT_TICK_SECONDS": "30"}
    async with FakeTelegram() as tg, BotProcess(tg, db_url, env=env, prepare=False) as bot:
        await asyncio.sleep(2)
        maps = Path(f"/proc/{bot.proc.pid}/maps").read_text()
        assert not [lib for lib in ("matplotlib", "numpy", "lxml") if f"/{lib}/" in maps]
        assert _rss_mb(bot.proc.pid) < 120
        tg.send_command(4242, "/digest")  # the chart: matplotlib is loaded now, and works
        await tg.wait_for_message(4242, timeout=60, method="sendPhoto")
        assert "/matplotlib/" in Path(f"/proc/{bot.proc.pid}/maps").read_text()
        assert "Traceback" not in bot.logs()
