"""What every handler needs: the services, who is talking, the role check, and replying.

Handlers translate updates into domain calls and render the domain's `Reply`; the role matrix is
checked here, once, by `requires`.
"""

from __future__ import annotations

import asyncio
import dataclasses
import functools
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    ReplyKeyboardMarkup,
    Update,
)
from telegram.error import BadRequest
from telegram.ext import ContextTypes

from bot.core.access import Actor, allowed
from bot.core.catalogue import language, t
from bot.core.replies import Reply
from bot.core.services import Services
from bot.people import identity

Handler = Callable[[Update, ContextTypes.DEFAULT_TYPE], Awaitable[Any]]


def services(context: ContextTypes.DEFAULT_TYPE) -> Services:
    return context.application.bot_data["services"]


async def run(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """Run a (blocking, database) domain call off the event loop."""
    return await asyncio.to_thread(fn, *args, **kwargs)


async def current_actor(update: Update, context: ContextTypes.DEFAULT_TYPE) -> Actor:
    svc = services(context)
    user = update.effective_user
    guest_lang = context.user_data.get("lang") if context.user_data is not None else None
    lang = guest_lang or language(user.language_code if user else None)
    if user is None:
        return identity.guest(lang)
    actor = await run(identity.resolve, svc.engine, svc.channel, user.id, lang)
    if actor.officer_id is None and svc.console_actor is not None:
        return dataclasses.replace(svc.console_actor, language=guest_lang or "vi")
    return actor


def markup(reply: Reply, lang: str, registered: set[str] | None = None):
    """Inline keyboard for the reply's buttons; "cmd:<name>" buttons only for commands this
    application serves."""
    rows = [[b for b in row if registered is None or not b.data.startswith("cmd:")
             or b.data[4:] in registered] for row in reply.buttons]
    rows = [row for row in rows if row]
    if rows:
        return InlineKeyboardMarkup(
            [[InlineKeyboardButton(b.label, callback_data=b.data) for b in row] for row in rows]
        )
    if reply.ask_contact:
        return ReplyKeyboardMarkup(
            [[KeyboardButton(t("button.share_phone", lang), request_contact=True)]],
            resize_keyboard=True, one_time_keyboard=True,
        )
    return None


async def send(update: Update, context: ContextTypes.DEFAULT_TYPE, reply: Reply,
               lang: str) -> None:
    chat = update.effective_chat
    if chat is None:
        return
    keyboard = markup(reply, lang, context.application.bot_data.get("commands"))
    if reply.photo is not None:
        await context.bot.send_photo(chat.id, reply.photo, caption=reply.text[:1024],
                                     reply_markup=keyboard)
        return
    if reply.document is not None:
        name, content = reply.document
        await context.bot.send_document(chat.id, content, filename=name,
                                        caption=reply.text[:1024],
                                        reply_markup=keyboard)
        return
    await context.bot.send_message(chat.id, reply.text, reply_markup=keyboard)


def requires(command: str) -> Callable[[Handler], Handler]:
    """Check the role matrix before the handler runs; a refusal says why."""

    def wrap(fn: Handler) -> Handler:
        @functools.wraps(fn)
        async def inner(update: Update, context: ContextTypes.DEFAULT_TYPE) -> Any:
            actor = await current_actor(update, context)
            context.actor = actor  # CallbackContext takes attributes: one per update
            svc = services(context)
            if not allowed(actor.role, command, svc.settings.public_plan):
                key = "refused.guest" if not actor.is_member else "refused.role"
                role = t(f"role.{actor.role}", actor.language)
                await answer(update, context, Reply(t(key, actor.language, command=command,
                                                      role=role)), actor.language)
                return None
            return await fn(update, context)

        return inner

    return wrap


def actor_of(context: ContextTypes.DEFAULT_TYPE) -> Actor:
    """The actor `requires` resolved for this update."""
    return context.actor


async def answer(update: Update, context: ContextTypes.DEFAULT_TYPE, reply: Reply,
                 lang: str) -> None:
    """Reply to a message or a button press (acknowledging the press first)."""
    await ack(update)
    await send(update, context, reply, lang)


async def ack(update: Update, text: str | None = None) -> None:
    """Acknowledge a button press. A press older than Telegram allows (e.g. across a restart)
    cannot be acknowledged any more; the reply that follows still answers it."""
    if update.callback_query is None:
        return
    try:
        await update.callback_query.answer(text)
    except BadRequest as exc:
        logging.getLogger("parbot").info("button not acknowledged: %s", exc)


def command_args(context: ContextTypes.DEFAULT_TYPE) -> list[str]:
    return list(context.args or [])
