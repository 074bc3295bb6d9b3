"""Before any feature sees an update (handler groups below 0, in this order):

1. the text made safe: incoming text, captions, button data, file and contact names lose `\\x00`
   and the other characters no document or database column can hold (`bot.core.text.xml_safe`),
   once, here — so no handler stores what would later break an export;
2. fair use: a token bucket per person (`bot.core.fair_use`; officers' roomier than strangers'),
   one polite "chậm lại" past it, then silence until it refills — checked before any feature
   runs, so a flood costs a dictionary look-up per message, and (with
   `bot.channels.updates`) never delays anyone else;
3. private chats only: in groups, supergroups and channels the bot answers nothing but one
   polite refusal per chat per day (kept in the state store, so a restart does not repeat it) —
   staff lists, invite codes and workbooks are never posted where others read.
"""

from __future__ import annotations

import logging
import time

from telegram import Chat, Update
from telegram.error import TelegramError
from telegram.ext import Application, ApplicationHandlerStop, ContextTypes, TypeHandler

from bot.core import state_store
from bot.core.catalogue import language, t
from bot.core.clock import clock
from bot.core.fair_use import FairUse, Verdict
from bot.core.text import xml_safe
from bot.people import identity
from handlers.common import run, services

log = logging.getLogger("parbot.gate")

GROUP_CLEAN = -100
GROUP_FAIR = -95
GROUP_PRIVATE = -90
FAIR_USE = "fair_use"  # bot_data: the FairUse buckets of this Application
MEMBERS = "fair_use_members"  # bot_data: user id → (on the roster?, until when)
MEMBER_TTL = 60.0  # seconds a membership answer is trusted
REFUSED_KIND = "group_refused"  # state store: (channel:chat) → the day of the last refusal
REFUSED_TODAY = "group_refused_today"  # bot_data: the same, in memory


def _clean_fields(obj: object, *names: str) -> None:
    if obj is None:
        return
    dirty = {n: getattr(obj, n, None) for n in names}
    dirty = {n: v for n, v in dirty.items() if isinstance(v, str) and xml_safe(v) != v}
    if not dirty:
        return
    with obj._unfrozen():  # PTB's objects are frozen; this one is ours until handlers run
        for name, value in dirty.items():
            setattr(obj, name, xml_safe(value))


def clean(update: Update) -> None:
    """Drop XML-illegal characters from everything a person typed or named."""
    for message in (update.message, update.edited_message, update.channel_post,
                    update.edited_channel_post,
                    update.callback_query.message if update.callback_query else None):
        if message is None or not hasattr(message, "text"):
            continue
        _clean_fields(message, "text", "caption")
        _clean_fields(message.document, "file_name", "mime_type")
        _clean_fields(message.contact, "first_name", "last_name", "phone_number")
        _clean_fields(message.from_user, "first_name", "last_name", "username")
    if update.callback_query is not None:
        _clean_fields(update.callback_query, "data")
        _clean_fields(update.callback_query.from_user, "first_name", "last_name", "username")


async def clean_update(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    clean(update)


def _fair_use(context: ContextTypes.DEFAULT_TYPE) -> FairUse:
    data = context.application.bot_data
    if FAIR_USE not in data:
        s = services(context).settings
        data[FAIR_USE] = FairUse(s.rate_per_minute, s.rate_burst, s.stranger_rate_per_minute,
                                 s.stranger_rate_burst)
    return data[FAIR_USE]


async def _member(context: ContextTypes.DEFAULT_TYPE, user_id: int) -> bool:
    """Is this account linked to a roster officer? (asked at most once a minute per person)"""
    cache: dict[int, tuple[bool, float]] = context.application.bot_data.setdefault(MEMBERS, {})
    now = time.monotonic()
    known = cache.get(user_id)
    if known is not None and known[1] > now:
        return known[0]
    svc = services(context)
    actor = await run(identity.resolve, svc.engine, svc.channel, user_id, "vi")
    member = actor.officer_id is not None or svc.console_actor is not None
    if len(cache) > 10_000:
        cache.clear()
    cache[user_id] = (member, now + MEMBER_TTL)
    return member


async def fair_use(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Past the person's bucket: one "chậm lại", then nothing until it refills."""
    user = update.effective_user
    limits = _fair_use(context)
    if user is None or not (limits.active(True) or limits.active(False)):
        return
    verdict = await limits.check(user.id, await _member(context, user.id))
    if verdict is Verdict.OK:
        return
    if verdict is Verdict.WARN and update.effective_chat is not None:
        lang = language(user.language_code)
        await context.bot.send_message(update.effective_chat.id, t("gate.slow_down", lang))
    raise ApplicationHandlerStop


def _refused_today(context: ContextTypes.DEFAULT_TYPE, key: str, today: str) -> bool:
    """Was this chat refused today already? Marks it refused if not (memory, then the store)."""
    memory: dict[str, str] = context.application.bot_data.setdefault(REFUSED_TODAY, {})
    if memory.get(key) == today:
        return True
    engine = services(context).engine
    stored = state_store.get(engine, REFUSED_KIND, key)
    memory[key] = today
    if stored is not None and stored.get("day") == today:
        return True
    state_store.put(engine, REFUSED_KIND, key, {"day": today})
    return False


async def private_only(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Anything from a chat that is not private: one polite refusal a day, then silence."""
    chat = update.effective_chat
    if chat is None or chat.type == Chat.PRIVATE:
        return
    key = f"{services(context).channel}:{chat.id}"
    today = clock.today().isoformat()
    memory = context.application.bot_data.get(REFUSED_TODAY, {})
    if memory.get(key) != today and not await run(_refused_today, context, key, today):
        user = update.effective_user
        lang = language(user.language_code if user else None)
        try:
            if update.callback_query is not None:
                await update.callback_query.answer()
            await context.bot.send_message(chat.id, t("gate.private_only", lang))
        except TelegramError as exc:  # removed from the group, a channel it may not post in
            log.info("group refusal not sent", extra={"fields": {
                "chat": chat.id, "error": type(exc).__name__}})
    raise ApplicationHandlerStop


def register(app: Application) -> None:
    app.add_handler(TypeHandler(Update, clean_update), group=GROUP_CLEAN)
    app.add_handler(TypeHandler(Update, fair_use), group=GROUP_FAIR)
    app.add_handler(TypeHandler(Update, private_only), group=GROUP_PRIVATE)
