"""What the bot sends on its own — nudges, escalations, the weekly digest — and /digest.

`tick` is the JobQueue callback (bot.scheduler.install): it asks the domain what is due now
(bot.scheduler.prepare, which writes the notification log before anything leaves) and sends each
message through `context.bot`, the digest's chart with sendPhoto. Outcomes go back to the log:
- delivered: sent;
- 403 Forbidden: the user blocked the bot — their account is marked blocked, no more retries;
- 429 after the rate limiter's own retries (AIORateLimiter, bot/channels/app.py), 5xx,
  network errors:
  left pending for a later tick (failed after PARBOT_NOTIFY_ATTEMPTS);
- a timeout (delivered or not, nobody knows) and other refusals: failed, never sent twice.

Also here: the buttons those messages carry ("done:<obligation>:<period>" marks a recurring
report as sent) and the my_chat_member updates Telegram sends when a user blocks or unblocks the
bot.
"""

from __future__ import annotations

import asyncio
import logging
import os
import re
import socket
import uuid
from dataclasses import dataclass, replace

from telegram import ChatMember, Update
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError, TimedOut
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    ChatMemberHandler,
    ContextTypes,
    ConversationHandler,
)

from bot import digest, notifications, scheduler
from bot.catalogue import t
from bot.clock import clock
from bot.replies import Button, Reply
from bot.submissions import mark_obligation_done
from handlers.common import actor_of, answer, markup, requires, run, send, services

log_ = logging.getLogger("parbot.notifications")
CONCURRENCY = 8  # messages in flight at once (the rate limiter sets the pace); a crash
# leaves at most these in doubt, and those are not sent again


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
    """One tick: send everything due now on this application's channel. Ticks never overlap."""
    svc = app.bot_data["services"]
    lock: asyncio.Lock = app.bot_data.setdefault("notify_lock", asyncio.Lock())
    if lock.locked():
        return TickReport()
    async with lock:
        token = _token(app)
        deliveries = await run(scheduler.prepare, svc.engine, svc.channel, svc.settings, token)
        report = TickReport(len(deliveries))
        gate = asyncio.Semaphore(CONCURRENCY)

        async def one(d: scheduler.Delivery) -> None:
            async with gate:
                outcome = await _deliver(app, d, token)
            setattr(report, outcome, getattr(report, outcome) + 1)

        await asyncio.gather(*(one(d) for d in deliveries))
        return report


def _serves(app: Application, data: str) -> bool:
    """Does a handler of `app` (or a conversation's entry point) take this button?"""
    for group in app.handlers.values():
        for handler in group:
            inner = handler.entry_points if isinstance(handler, ConversationHandler) \
                else [handler]
            for h in inner:
                pattern = getattr(h, "pattern", None)
                if isinstance(h, CallbackQueryHandler) and isinstance(pattern, re.Pattern) \
                        and pattern.match(data):
                    return True
    return False


def _for_channel(app: Application, reply: Reply, lang: str) -> Reply:
    """"report:<code>" buttons become one "cmd:report" button where the report conversation
    does not take them (it lists the officer's targets, most urgent first)."""
    served = app.bot_data.setdefault("report_buttons", _serves(app, "report:X-1"))
    if served or not any(b.data.startswith("report:") for row in reply.buttons for b in row):
        return reply
    rows = [[b for b in row if not b.data.startswith("report:")] for row in reply.buttons]
    label = t("notify.button.report_all", lang)
    return replace(reply, buttons=[[Button(label, "cmd:report")], *[row for row in rows if row]])


def _chat(chat_id: str) -> int | str:
    return int(chat_id) if chat_id.lstrip("-").isdigit() else chat_id


async def _send(app: Application, chat_id: str, reply: Reply, lang: str) -> None:
    keyboard = markup(reply, lang, app.bot_data.get("commands"))
    if reply.photo is not None:
        await app.bot.send_photo(_chat(chat_id), reply.photo, caption=reply.text[:1024],
                                 reply_markup=keyboard)
    else:
        await app.bot.send_message(_chat(chat_id), reply.text, reply_markup=keyboard)


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


async def _deliver(app: Application, d: scheduler.Delivery, token: str) -> str:
    svc = app.bot_data["services"]
    writer: _LogWriter = app.bot_data.setdefault("notify_writer", _LogWriter(svc.engine))
    log = writer.write
    for index in range(d.parts_sent, len(d.replies)):
        await writer.mark("begin", d.keys)
        try:
            await _send(app, d.chat_id, _for_channel(app, d.replies[index], d.language),
                        d.language)
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
            log_.warning("refused", extra={"fields": {"chat": d.chat_id, "error": exc.message}})
            return "failed"
        except (RetryAfter, NetworkError) as exc:
            await log(notifications.retry_later, d.keys, type(exc).__name__,
                      svc.settings.notify_attempts)
            log_.info("retry later", extra={"fields": {"chat": d.chat_id, "error": str(exc)}})
            return "retry"
        except TelegramError as exc:
            await log(notifications.fail, d.keys, f"refused: {exc}")
            return "failed"
        if len(d.replies) == 1:
            await writer.mark("sent", d.keys)
        else:
            await log(notifications.part_sent, d.keys, index + 1, index + 1 == len(d.replies))
    return "sent"


@requires("digest")
async def digest_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/digest: this week's digest now (leaders, admin)."""
    actor = actor_of(context)
    svc = services(context)
    replies = await run(digest.on_demand, svc.engine, clock.now(), actor.language,
                        svc.settings.digest_ahead_days, svc.settings.stale_days)
    await answer(update, context, replies[0], actor.language)
    for reply in replies[1:]:
        await send(update, context, reply, actor.language)


@requires("remind")  # any roster member; the domain checks the assignment
async def done_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """"done:<obligation id>:<period>": a recurring report was sent — stop reminding."""
    actor = actor_of(context)
    _, obligation, period = update.callback_query.data.split(":", 2)
    outcome = await run(mark_obligation_done, services(context).engine, actor,
                        int(obligation), period)
    text = t(f"notify.done.{outcome.status}", actor.language, name=outcome.name,
             label=outcome.label)
    await answer(update, context, Reply(text), actor.language)


async def membership(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A user blocked (kicked) or unblocked the bot in their private chat."""
    change = update.my_chat_member
    if change is None or change.chat.type != "private":
        return
    status = change.new_chat_member.status
    if status not in (ChatMember.BANNED, ChatMember.MEMBER):
        return
    svc = services(context)
    await run(notifications.set_blocked, svc.engine, svc.channel, change.chat.id,
              status == ChatMember.BANNED)


COMMANDS = [("digest", digest_command)]


def register(app: Application) -> None:
    app.add_handler(CallbackQueryHandler(done_button, pattern=r"^done:\d+:[\w-]+$"))
    app.add_handler(ChatMemberHandler(membership, ChatMemberHandler.MY_CHAT_MEMBER))
    scheduler.install(app)
