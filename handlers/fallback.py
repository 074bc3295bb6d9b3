"""Everything no feature handled: unknown commands, stickers, stray buttons, odd messages.

Each gets a short, polite reply that says what to do next — or is ignored on purpose (edited
messages, updates from channels and groups the bot does not serve).
"""

from __future__ import annotations

from telegram import Update
from telegram.ext import Application, CallbackQueryHandler, ContextTypes, MessageHandler, filters

from bot.core.catalogue import t
from bot.core.replies import Reply
from handlers.common import ack, answer, current_actor


async def unknown_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    actor = await current_actor(update, context)
    await answer(update, context, Reply(t("fallback.unknown_command", actor.language)),
                 actor.language)


async def unsupported(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    actor = await current_actor(update, context)
    await answer(update, context, Reply(t("fallback.unsupported", actor.language)),
                 actor.language)


async def text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    actor = await current_actor(update, context)
    await answer(update, context, Reply(t("fallback.text", actor.language)), actor.language)


async def stale_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A button the bot did not issue (or from a finished conversation)."""
    actor = await current_actor(update, context)
    await ack(update, t("fallback.stale_button", actor.language))


def register(app: Application) -> None:
    """Last in line: whatever no feature took."""
    not_edited = ~filters.UpdateType.EDITED
    app.add_handler(MessageHandler(filters.COMMAND & not_edited, unknown_command))
    app.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND & not_edited, text))
    app.add_handler(MessageHandler(~filters.TEXT & not_edited & filters.ChatType.PRIVATE,
                                   unsupported))
    app.add_handler(CallbackQueryHandler(stale_button))
