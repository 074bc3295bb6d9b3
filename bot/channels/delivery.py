"""Sending what bot.notify decided is due: the JobQueue tick and its delivery.

`tick` asks the domain what is due now (bot.notify.scheduler.prepare, which writes the
notification log before anything leaves) and sends each message through the application's bot,
the digest's chart with sendPhoto. Only the leader runs it (`bot.channels.leader`) when several
processes share one database. Sends are paced (`bot.channels.pacing`); a recipient's failure
is handled for that recipient, while the others go on:
- delivered: sent;
- 429: that recipient waits `retry_after` and is tried again in the same run (up to
  RETRIES_429 times), the others keep their pace;
- 5xx or a refused connection (certainly not delivered): tried again in the same run after a
  short backoff (BACKOFF), its log row staying claimed, so a retry never doubles;
- what still fails after that, and other network errors: left pending for a later tick
  (failed after PARBOT_NOTIFY_ATTEMPTS);
- 403 Forbidden: the user blocked the bot — their account is marked blocked, no more retries;
- a timeout (delivered or not, nobody knows) and other refusals: failed, never sent twice.
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
import uuid
from dataclasses import dataclass
from typing import Any

from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError, TimedOut
from telegram.ext import (
    Application,
    ContextTypes,
)

from bot.channels.pacing import NotDelivered, PacedLimiter, retry_seconds
from bot.core.replies import Reply
from bot.core.settings import Settings
from bot.notify import notification_log as notifications
from bot.notify import nudges, scheduler
from handlers.common import markup, run

log_ = logging.getLogger("parbot.notifications")
CONCURRENCY = 8  # messages in flight at once (the pacing sets the rate); a crash
# leaves at most these in doubt, and those are not sent again
RETRIES_429 = 5  # per message, in one run
BACKOFF = (0.25, 0.5, 1.0)  # seconds before each retry of a 5xx or refused connection


@dataclass
class TickReport:
    deliveries: int = 0
    sent: int = 0
    retry: int = 0
    failed: int = 0
    blocked: int = 0


def _token(app: Application) -> str:
    """Who is sending: this process and application (recorded on rows in flight)."""
    return app.bot_data.setdefault(
        "notify_token", f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}")


async def tick(context: ContextTypes.DEFAULT_TYPE) -> None:
    await deliver_due(context.application)


async def deliver_due(app: Application) -> TickReport:
    """One tick: send everything due now on this application's channel. Ticks never overlap;
    with several processes on one database, only the leader's run."""
    svc = app.bot_data["services"]
    leadership = app.bot_data.get("leadership")
    if leadership is not None and not leadership.is_leader:
        return TickReport()
    lock: asyncio.Lock = app.bot_data.setdefault("notify_lock", asyncio.Lock())
    if lock.locked():
        return TickReport()
    async with lock:
        token = _token(app)
        deliveries = await run(scheduler.prepare, svc.engine, svc.channel, svc.settings, token)
        report = TickReport(len(deliveries))
        gate = asyncio.Semaphore(CONCURRENCY)

        async def one(d: scheduler.Delivery) -> None:
            outcome = await _deliver(app, d, token, gate)
            setattr(report, outcome, getattr(report, outcome) + 1)

        await asyncio.gather(*(one(d) for d in deliveries))
        return report


def _chat(chat_id: str) -> int | str:
    return int(chat_id) if chat_id.lstrip("-").isdecimal() else chat_id


async def _send(app: Application, chat_id: str, reply: Reply, lang: str) -> None:
    keyboard = markup(reply, lang, app.bot_data.get("commands"))
    paced = {"rate_limit_args": {"paced": True}} if _pacer(app) is not None else {}
    if reply.photo is not None:
        await app.bot.send_photo(_chat(chat_id), reply.photo, caption=reply.text[:1024],
                                 reply_markup=keyboard, **paced)
    else:
        await app.bot.send_message(_chat(chat_id), reply.text, reply_markup=keyboard, **paced)


def _pacer(app: Application) -> PacedLimiter | None:
    limiter = getattr(app.bot, "rate_limiter", None)
    return limiter if isinstance(limiter, PacedLimiter) else None



class _LogWriter:
    """Writes to the notification log from concurrent sends, one transaction at a time: the
    marks before and after each send (the hot path of a fan-out) that arrive together share one
    commit; the rare outcomes (failures, retries, blocked users) are written one by one."""

    def __init__(self, engine) -> None:
        self.engine = engine
        self.lock = asyncio.Lock()
        self.queue: list[tuple[str, list[str], asyncio.Future]] = []
        self.flusher: asyncio.Task | None = None

    async def mark(self, op: str, keys: list[str]) -> None:
        done = asyncio.get_running_loop().create_future()
        self.queue.append((op, keys, done))
        if self.flusher is None or self.flusher.done():
            self.flusher = asyncio.create_task(self._flush())
        await done

    async def _flush(self) -> None:
        while self.queue:
            batch, self.queue = self.queue, []
            begun = [k for op, keys, _ in batch if op == "begin" for k in keys]
            sent = [k for op, keys, _ in batch if op == "sent" for k in keys]
            try:
                async with self.lock:
                    await run(notifications.mark_many, self.engine, begun, sent)
            except Exception as exc:  # every waiter hears of it
                for _, _, done in batch:
                    done.set_exception(exc)
                continue
            for _, _, done in batch:
                done.set_result(None)

    async def write(self, fn, *args) -> None:
        async with self.lock:
            await run(fn, self.engine, *args)


async def _deliver(app: Application, d: scheduler.Delivery, token: str,
                   gate: asyncio.Semaphore) -> str:
    svc = app.bot_data["services"]
    writer: _LogWriter = app.bot_data.setdefault("notify_writer", _LogWriter(svc.engine))
    log = writer.write
    pacer = _pacer(app)
    for index in range(d.parts_sent, len(d.replies)):
        reply = d.replies[index]
        throttled = failures = 0
        while True:
            wait, ticket = 0.0, 0.0
            async with gate:  # a recipient waiting for a retry holds no place
                if pacer is not None:
                    ticket = await pacer.slot(again=bool(throttled or failures))
                await writer.mark("begin", d.keys)
                try:
                    await _send(app, d.chat_id, reply, d.language)
                except Forbidden:
                    await log(notifications.set_blocked, svc.channel, d.chat_id, True)
                    await log(notifications.fail, d.keys, "blocked")
                    log_.info("blocked", extra={"fields": {"chat": d.chat_id, "kind": d.kind}})
                    return "blocked"
                except TimedOut:
                    await log(notifications.fail, d.keys, "uncertain")
                    log_.warning("timed out, not resent", extra={"fields": {"chat": d.chat_id}})
                    return "failed"
                except BadRequest as exc:
                    await log(notifications.fail, d.keys, f"refused: {exc.message}")
                    log_.warning("refused", extra={"fields": {"chat": d.chat_id,
                                                              "error": exc.message}})
                    return "failed"
                except RetryAfter as exc:
                    throttled += 1
                    if pacer is not None:
                        pacer.refund(ticket)
                    if throttled > RETRIES_429:
                        return await _later(app, d, exc)
                    wait = retry_seconds(exc)
                except NotDelivered as exc:
                    failures += 1
                    if pacer is not None:
                        pacer.refund(ticket)
                    if failures > len(BACKOFF):
                        return await _later(app, d, exc)
                    wait = BACKOFF[failures - 1]
                except NetworkError as exc:
                    return await _later(app, d, exc)
                except TelegramError as exc:
                    await log(notifications.fail, d.keys, f"refused: {exc}")
                    return "failed"
            if not wait:
                break
            await asyncio.sleep(wait)  # this recipient only; its row stays claimed
        if len(d.replies) == 1:
            await writer.mark("sent", d.keys)
        else:
            await log(notifications.part_sent, d.keys, index + 1, index + 1 == len(d.replies))
    return "sent"


async def _later(app: Application, d: scheduler.Delivery, exc: Exception) -> str:
    """Still failing after this run's retries: pending for a later tick."""
    svc = app.bot_data["services"]
    writer: _LogWriter = app.bot_data["notify_writer"]
    await writer.write(notifications.retry_later, d.keys, type(exc).__name__,
                       svc.settings.notify_attempts)
    log_.info("retry later", extra={"fields": {"chat": d.chat_id, "error": str(exc)}})
    return "retry"


def install(app: Any) -> None:
    """Run the notification tick on `app`'s JobQueue every PARBOT_TICK_SECONDS (0: never).

    The first tick comes one interval after start, so a bot that only answers a few messages
    (the console's `ask`) is never interrupted by reminders."""
    from bot.channels.delivery import tick

    settings: Settings = app.bot_data["services"].settings
    nudges.Rules.from_settings(settings)  # a bad PARBOT_* value stops the start, clearly
    interval = float(settings.tick_seconds)
    if interval <= 0 or app.job_queue is None:
        return
    app.job_queue.run_repeating(
        tick, interval=interval, first=interval, name=scheduler.JOB_NAME,
        job_kwargs={"max_instances": 1, "coalesce": True, "misfire_grace_time": None})
