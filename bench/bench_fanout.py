"""Fan-out benchmark: one nudge run to N recipients (default 600) through the fake Bot API.

The real python-telegram-bot Application of `parbot run`
(bot.channels.app.build_application, with its
AIORateLimiter) delivers one tick (handlers.digest.deliver_due) against tests/fake_telegram.py
with Telegram's broadcast limit switched on (30 messages per second; a 429 with retry_after for
anything faster). Prints the delivery time against the floor N / 30 s and the 429s received.
Goal: within 10% of the floor, zero 429s.

With --faults the fake also answers 10% of sends with 429 (retry_after 1 s) and 3% with 502 Bad
Gateway (seeded, repeatable), as a busy Bot API does. Goal: still within 10% of the floor, every
recipient exactly once (0 missing, 0 doubled).

    .venv/bin/python bench/bench_fanout.py [--recipients 600] [--faults] [--database-url URL]
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import multiprocessing
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


from bot.channels.app import build_application  # noqa: E402
from bot.channels.delivery import deliver_due  # noqa: E402
from bot.core.clock import clock  # noqa: E402
from bot.core.services import Services  # noqa: E402
from bot.core.settings import DEFAULT_PLAN, Settings  # noqa: E402
from bot.notify import notification_log as notifications  # noqa: E402
from bot.plans.store import import_plan_file  # noqa: E402
from storage.db import make_engine, upgrade  # noqa: E402
from tests.fake_telegram import FakeTelegram  # noqa: E402
from tests.notify_support import add_report_recipients  # noqa: E402

TELEGRAM_RATE = 30  # messages per second, all chats together
FIRST_CHAT = 5_000_000
NO_FLOOD = bool(os.environ.get("BENCH_NO_FLOOD"))  # to measure the bot alone
RUN_AT = dt.datetime(2025, 5, 16, 8, 0)  # 14 days before May's monthly TTHC report


def seed(url: str, recipients: int) -> None:
    """The plan and `recipients` officers, each responsible for the monthly TTHC report and
    linked on Telegram."""
    engine = make_engine(url)
    upgrade(engine)
    clock.set(dt.datetime(2025, 5, 1, 9, 0))
    import_plan_file(engine, DEFAULT_PLAN)
    add_report_recipients(engine, recipients, FIRST_CHAT)
    engine.dispose()


def serve_fake(conn, faults: bool = False) -> None:
    """The fake Bot API in its own process (Telegram is another machine, not a task in the
    bot's event loop): Telegram's limit on, until told to stop; then what it saw."""

    async def serve() -> None:
        async with FakeTelegram() as tg:
            if not NO_FLOOD:
                tg.enable_flood_control(global_per_second=TELEGRAM_RATE)
            if faults:
                tg.random_faults(p429=0.10, p502=0.03, retry_after=1)
            conn.send((tg.root, tg.token))
            await asyncio.get_running_loop().run_in_executor(None, conn.recv)
            sends = [c for c in tg.calls if c.method.lower() == "sendmessage"]
            per_chat: dict = {}
            for r in tg.sent_messages():
                per_chat[r["chat_id"]] = per_chat.get(r["chat_id"], 0) + 1
            conn.send({"statuses": [c.status for c in sends], "at": [c.at for c in sends],
                       "chats": len(per_chat), "per_chat": per_chat})

    asyncio.run(serve())


async def run(url: str, recipients: int, faults: bool = False) -> int:
    engine = make_engine(url)
    here, there = multiprocessing.Pipe()
    fake = multiprocessing.get_context("spawn").Process(target=serve_fake, args=(there, faults))
    fake.start()
    root, token = here.recv()
    settings = Settings(TELEGRAM_BOT_TOKEN=token, TELEGRAM_API_BASE_URL=root,
                        DATABASE_URL=url, PARBOT_TICK_SECONDS=0)
    app = build_application(Services(engine, settings, "telegram"))
    await app.initialize()
    clock.set(RUN_AT - dt.timedelta(hours=17))  # a running bot: the tick before had nothing to do
    warm = await deliver_due(app)
    assert warm.deliveries == 0, warm
    clock.set(RUN_AT)
    started = time.perf_counter()
    report = await deliver_due(app)
    elapsed = time.perf_counter() - started
    await app.shutdown()
    here.send("stop")
    seen = here.recv()
    fake.join(10)
    throttled = sum(1 for status in seen["statuses"] if status == 429)
    bad_gateway = sum(1 for status in seen["statuses"] if status == 502)
    chats = {FIRST_CHAT + i for i in range(recipients)}
    missing = len([c for c in chats if seen["per_chat"].get(c, 0) == 0])
    doubled = len([c for c in chats if seen["per_chat"].get(c, 0) > 1])
    sending = seen["at"][-1] - seen["at"][0] if seen["at"] else 0.0
    delivered = seen["chats"]
    logged = len(notifications.entries(engine, "telegram:nudge:", status="sent"))
    engine.dispose()
    floor = recipients / TELEGRAM_RATE
    over = 100.0 * (elapsed - floor) / floor
    print(f"recipients:        {recipients}")
    print(f"delivered:         {delivered} chats ({report.sent} sent, {report.retry} to retry, "
          f"{report.failed} failed; {logged} marked sent in the log)")
    print(f"delivery time:     {elapsed:.2f} s (first to last message: {sending:.2f} s; before "
          f"the first: {elapsed - sending:.2f} s working out what is due and logging it)")
    print(f"floor:             {floor:.2f} s ({recipients} / {TELEGRAM_RATE} per second)")
    print(f"over the floor:    {over:+.1f}% (goal: within 10%)")
    if faults:
        print(f"faults injected:   {throttled} x 429 (retry_after 1 s), {bad_gateway} x 502 "
              f"(10% and 3% of {len(seen['statuses'])} sendMessage calls)")
    else:
        print(f"429s received:     {throttled} (goal: 0)")
    print(f"missing / doubled: {missing} / {doubled} (goal: 0 / 0)")
    print(f"send rate setting: {settings.send_rate:g} per second, no bursts (PARBOT_SEND_RATE)")
    ok = delivered == recipients and (faults or throttled == 0) and over <= 10 and \
        missing == 0 and doubled == 0
    print("result:            " + ("goal met" if ok else "goal NOT met"))
    return 0 if ok else 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--recipients", type=int, default=600)
    parser.add_argument("--faults", action="store_true",
                        help="10%% 429 (retry_after 1 s) and 3%% 502 from the fake")
    parser.add_argument("--database-url", help="an empty database (default: a new SQLite file)")
    args = parser.parse_args()
    url = args.database_url or f"sqlite:///{tempfile.mkdtemp(prefix='parbot-bench-')}/bench.db"
    seed(url, args.recipients)
    return asyncio.run(run(url, args.recipients, args.faults))


if __name__ == "__main__":
    raise SystemExit(main())
