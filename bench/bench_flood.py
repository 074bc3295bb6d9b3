"""Flood and footprint benchmark: the real `parbot run` (a subprocess) against the fake Bot API.

1. Idle footprint: the bot's resident memory (VmRSS) once it has started and polls with nothing to
   do. Goal: under 120 MB (heavy libraries are imported when first needed).
2. Flood: a stranger sends `--flood` /plan commands at once while an officer asks /help every
   0.2 s; the officer's reply times (from sending to the bot's sendMessage reaching the fake).
   Goal: p95 under 1 s; the stranger gets a few answers and one "chậm lại", then silence.

    .venv/bin/python bench/bench_flood.py [--flood 500] [--probes 25] [--database-url URL]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.core.settings import Settings  # noqa: E402
from tests.bot_process import BotProcess, link, prepare_database  # noqa: E402
from tests.fake_telegram import FakeTelegram  # noqa: E402

OFFICER, STRANGER = 7_000_001, 7_000_666
RSS_GOAL_MB, P95_GOAL_S = 120, 1.0


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


async def run(url: str, flood: int, probes: int) -> int:
    await asyncio.to_thread(prepare_database, url)
    await asyncio.to_thread(link, url, "Diệu Anh", OFFICER)
    defaults = Settings.model_fields  # the fair-use limits as shipped (the e2e harness
    limits = {f.alias: str(f.default) for name, f in defaults.items()  # switches them off)
              if name.startswith(("rate_", "stranger_rate_"))}
    env = {"PARBOT_AS_OF": "2025-05-10T09:00:00", "PARBOT_TICK_SECONDS": "30", **limits}
    async with FakeTelegram() as tg, BotProcess(tg, url, env=env, prepare=False) as bot:
        await asyncio.sleep(3)  # started, polling, nothing to do
        idle = rss_mb(bot.proc.pid)
        # warm: the first /help of a process reads the catalogue and the plan
        tg.send_command(OFFICER, "/help")
        await tg.wait_for_message(OFFICER, "Các lệnh", timeout=30)
        started = time.perf_counter()
        for _ in range(flood):
            tg.send_command(STRANGER, "/plan")
        latencies = []
        for _ in range(probes):
            sent = time.perf_counter()
            tg.send_command(OFFICER, "/help")
            await tg.wait_for_message(OFFICER, "Các lệnh", timeout=60)
            latencies.append(time.perf_counter() - sent)
            await asyncio.sleep(0.2)
        await tg.wait_idle(quiet=1.0, timeout=60)
        elapsed = time.perf_counter() - started
        to_stranger = tg.sent_messages(STRANGER)
        busy = rss_mb(bot.proc.pid)
        errors = bot.logs().count('"outcome": "error"') + bot.logs().count("Traceback")
    latencies.sort()
    p95 = latencies[max(0, round(0.95 * len(latencies)) - 1)]
    slow = sum("chậm lại" in (m.get("text") or "") for m in to_stranger)
    print(f"idle RSS:                {idle:.1f} MB (goal: under {RSS_GOAL_MB} MB)")
    print(f"RSS after the flood:     {busy:.1f} MB")
    print(f"flood:                   {flood} /plan from one stranger, {probes} /help from an "
          f"officer every 0.2 s ({elapsed:.1f} s until quiet)")
    print(f"officer reply p50/p95:   {statistics.median(latencies):.3f} s / {p95:.3f} s "
          f"(max {latencies[-1]:.3f} s; goal: p95 under {P95_GOAL_S:g} s)")
    print(f"answers to the stranger: {len(to_stranger)} ({slow} of them 'chậm lại')")
    print(f"errors in the bot's log: {errors}")
    ok = idle < RSS_GOAL_MB and p95 < P95_GOAL_S and len(to_stranger) < flood // 10 \
        and errors == 0
    print("result:                  " + ("goals met" if ok else "goals NOT met"))
    return 0 if ok else 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--flood", type=int, default=500)
    parser.add_argument("--probes", type=int, default=25)
    parser.add_argument("--database-url", help="an empty database (default: a new SQLite file)")
    args = parser.parse_args()
    url = args.database_url or f"sqlite:///{tempfile.mkdtemp(prefix='parbot-bench-')}/bench.db"
    return asyncio.run(run(url, args.flood, args.probes))


if __name__ == "__main__":
    raise SystemExit(main())
