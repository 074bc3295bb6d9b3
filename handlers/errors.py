"""The global error handler: log with context, tell the user briefly, leak nothing.

The log gets the exception's type and where it was raised (file, line, function of each frame),
never its message: messages carry what people typed (a note, a phone number, a value).
"""

from __future__ import annotations

import logging
import traceback

from telegram import Update
from telegram.ext import ContextTypes

from bot.core.catalogue import language, t

log = logging.getLogger("parbot.errors")


def where(error: BaseException | None) -> str:
    """"ValueError at handlers/x.py:12 in f ← bot/y.py:40 in g": the type and the frames, no
    message (chained causes too, by type)."""
    if error is None:
        return "unknown error"
    frames = traceback.extract_tb(error.__traceback__)
    path = " ← ".join(f"{f.filename.rsplit('/site-packages/', 1)[-1]}:{f.lineno} in {f.name}"
                      for f in reversed(frames[-8:]))
    cause = error.__cause__ or error.__context__
    text = f"{type(error).__module__}.{type(error).__qualname__} at {path or '?'}"
    return text + (f" (from {type(cause).__qualname__})" if cause is not None else "")


async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    chat_id = update.effective_chat.id if isinstance(update, Update) and update.effective_chat \
        else None
    update_id = update.update_id if isinstance(update, Update) else None
    log.error("error handling update %s (chat %s): %s", update_id, chat_id,
              where(context.error))
    processor = context.application.update_processor
    if update_id is not None and hasattr(processor, "mark_failed"):
        processor.mark_failed(update_id)
    if chat_id is None:
        return
    user = update.effective_user
    lang = language(user.language_code if user else None)
    try:
        await context.bot.send_message(chat_id, t("error.generic", lang))
    except Exception:  # the channel itself is failing: logged above already
        log.warning("could not tell chat %s about the error", chat_id)
