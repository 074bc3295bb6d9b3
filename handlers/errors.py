"""The global error handler: log with context, tell the user briefly, leak nothing.

The log gets the exception's type and where it was raised (file, line, function of each frame),
never its message: messages carry what people typed (a note, a phone number, a value).
"""

from __future__ import annotations

import logging

from telegram import Update
from telegram.ext import ContextTypes

from bot.core.catalogue import language, t
from bot.core.logs import where

log = logging.getLogger("parbot.errors")


async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    chat_id = update.effective_chat.id if isinstance(update, Update) and update.effective_chat \
        else None
    update_id = update.update_id if isinstance(update, Update) else None
    log.error("error handling update %s (chat %s): %s", update_id, chat_id,
              where(context.error))
    processor = context.application.update_processor
    if update_id is not None and hasattr(processor, "mark_failed"):
        processor.mark_failed(update_id, type(context.error).__name__)
    if chat_id is None:
        return
    user = update.effective_user
    lang = language(user.language_code if user else None)
    try:
        await context.bot.send_message(chat_id, t("error.generic", lang))
    except Exception:  # the channel itself is failing: logged above already
        log.warning("could not tell chat %s about the error", chat_id)
