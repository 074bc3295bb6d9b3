"""/digest, the "đã nộp" buttons on reminders ("done:<obligation>:<period>") and the
my_chat_member updates Telegram sends when a user blocks or unblocks the bot."""

from __future__ import annotations

from telegram import ChatMember, Update
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    ChatMemberHandler,
    ContextTypes,
)

from bot.core.catalogue import t
from bot.core.clock import clock
from bot.core.replies import Reply
from bot.core.vocab import ButtonPrefix, button_pattern, parse_button
from bot.notify import digest
from bot.notify import notification_log as notifications
from bot.notify.digest import DETAILS
from bot.notify.submissions import mark_obligation_done
from bot.reporting.submissions import mark_by_code
from handlers.common import actor_of, answer, requires, run, send, services


@requires("digest")
async def digest_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/digest: this week's digest now (leaders, admin; a principal's is about their school);
    its "details" button: every area's targets and the chart."""
    actor = actor_of(context)
    svc = services(context)
    school = actor.unit_id if actor.role == "principal" else None
    details = update.callback_query is not None and \
        parse_button(update.callback_query.data or "", ButtonPrefix.DIGEST, 1) == [DETAILS]
    replies = await run(digest.on_demand, svc.engine, clock.now(), actor.language,
                        svc.settings.digest_ahead_days, svc.settings.stale_days, school, details)
    await answer(update, context, replies[0], actor.language)
    for reply in replies[1:]:
        await send(update, context, reply, actor.language)


@requires("remind")  # any roster member; the domain checks the assignment
async def done_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """"done:<obligation id>:<period>": a recurring report was sent — stop reminding."""
    actor = actor_of(context)
    obligation, period = parse_button(update.callback_query.data or "", ButtonPrefix.DONE, 2)
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


@requires("sent")
async def sent_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/sent <code> <period> [officer]: an admin or leader marks a recurring report sent."""
    actor = actor_of(context)
    outcome = await run(mark_by_code, services(context).engine, actor,
                        " ".join(context.args or []))
    key = "notify.sent.usage" if outcome.status == "usage" else \
        "notify.sent.not_owner" if outcome.status == "not_owner" else \
        f"notify.done.{outcome.status}"
    await answer(update, context, Reply(t(key, actor.language, name=outcome.name,
                                          label=outcome.label)), actor.language)


COMMANDS = [("digest", digest_command), ("sent", sent_command)]


def register(app: Application) -> None:
    app.add_handler(CallbackQueryHandler(
        done_button, pattern=button_pattern(ButtonPrefix.DONE, r"[0-9]{1,18}:[\w-]+")))
    app.add_handler(CallbackQueryHandler(
        digest_command, pattern=button_pattern(ButtonPrefix.DIGEST, DETAILS)))
    app.add_handler(ChatMemberHandler(membership, ChatMemberHandler.MY_CHAT_MEMBER))
