"""What the durable inbox costs: reply latency with and without it, against the fake Bot API.

The real `parbot run` (a subprocess, polling the fake Telegram server of tests/fake_telegram.py
in this process) answers MESSAGES messages, one at a time, from a linked officer (/help, /due
and a question in turn): as deployed and with PARBOT_INBOX=off, alternated twice. The latency
is from the moment the fake hands out the update (it is waiting in a long poll) to the moment
the reply reaches the fake. With the inbox each update costs a write before it is confirmed,
one before each reply leaves and one when it is done. Goal: a few milliseconds at most.

    .venv/bin/python bench/bench_inbox.py [--messages 100] [--database-url URL]
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

from tests.bot_process import BotProcess, prepare_database  # noqa: E402
from tests.fake_telegram import FakeTelegram  # noqa: E402

USER = 100001  # the example roster links Tuấn An to this Telegram id
TEXTS = ["/help", "/due", "quý này có gì đến hạn"]
ENV = {"PARBOT_AS_OF": "2025-05-10T09:00:00", "PARBOT_TICK_SECONDS": "0",
       "PARBOT_LOG_LEVEL": "WARNING"}


async def measure(url: str, messages: int, inbox: bool, first_update: int) -> list[float]:
    env = {**ENV, "PARBOT_INBOX": "on" if inbox else "off"}
    async with FakeTelegram() as tg, BotProcess(tg, url, env=env, prepare=False):
        tg._next_update_id = first_update  # Telegram never hands out an update id twice
        for _ in range(5):  # warm up: imports, caches, connections
            tg.send_command(USER, "/help")
            await tg.wait_for_message(USER, timeout=30)
        out = []
        for i in range(messages):
            text = TEXTS[i % len(TEXTS)]
            since = len(tg.calls)
            (tg.send_command if text.startswith("/") else tg.send_text)(USER, text)
            started = time.monotonic()
            await tg.wait_for_message(USER, timeout=30)
            reply = next(c for c in tg.calls[since:] if c.method == "sendMessage")
            out.append((reply.at - started) * 1000)
    return out


def summary(name: str, values: list[float]) -> tuple[float, float]:
    values = sorted(values)
    p50 = statistics.median(values)
    p95 = values[max(0, int(round(0.95 * len(values))) - 1)]
    print(f"{name:<15} p50 {p50:6.1f} ms   p95 {p95:6.1f} ms   ({len(values)} replies)")
    return p50, p95


async def run(url: str, messages: int) -> int:
    prepare_database(url)
    without: list[float] = []
    with_inbox: list[float] = []
    for round_ in range(2):  # alternated, so the machine's ups and downs fall on both
        base = 1_000_000 * (1 + 2 * round_)
        without += await measure(url, messages // 2, False, base)
        with_inbox += await measure(url, messages // 2, True, base + 1_000_000)
    p50_off, p95_off = summary("without inbox:", without)
    p50_on, p95_on = summary("with inbox:", with_inbox)
    print(f"{'cost:':<15} p50 {p50_on - p50_off:+6.1f} ms   p95 {p95_on - p95_off:+6.1f} ms")
    ok = p50_on - p50_off <= 5
    print("result:         " + ("goal met (a few ms at most)" if ok else "goal NOT met"))
    return 0 if ok else 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--messages", type=int, default=100)
    parser.add_argument("--database-url", help="an empty database (default: a new SQLite file)")
    args = parser.parse_args()
    url = args.database_url or f"sqlite:///{tempfile.mkdtemp(prefix='parbot-bench-')}/bench.db"
    return asyncio.run(run(url, args.messages))


if __name__ == "__main__":
    raise SystemExit(main())
