"""All python-telegram-bot handlers, registered in one place: `register(application)`.

One module per feature; each command is listed once in COMMANDS, which also drives /help, the
command menu and the "cmd:<name>" buttons that re-run a command from a reply.
"""

from __future__ import annotations

from telegram import Update
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from handlers import errors, fallback, onboarding, questions, settings

# (command, callback) in the order /help shows them
COMMANDS = [
    ("start", onboarding.start),
    ("help", onboarding.help_command),
    ("plan", questions.plan),
    ("lang", settings.lang),
]
_BY_NAME = dict(COMMANDS)


async def command_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A "cmd:<name>" button runs that command as if typed without arguments."""
    name = update.callback_query.data.split(":", 1)[1]
    callback = _BY_NAME.get(name)
    if callback is None:
        await fallback.stale_button(update, context)
        return
    context.args = []
    await update.callback_query.answer()
    await callback(update, context)


def register(app: Application) -> None:
    app.bot_data["commands"] = {name for name, _ in COMMANDS}
    app.bot_data["command_order"] = [name for name, _ in COMMANDS]
    edited = filters.UpdateType.EDITED
    for name, callback in COMMANDS:
        app.add_handler(CommandHandler(name, callback, filters=~edited))
    app.add_handler(MessageHandler(filters.CONTACT & ~edited, onboarding.contact))
    app.add_handler(CallbackQueryHandler(command_button, pattern=r"^cmd:"))
    # Last resort (group 1 would run in addition; these are alternatives, so group 0, last).
    app.add_handler(MessageHandler(filters.COMMAND & ~edited, fallback.unknown_command))
    app.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND & ~edited, fallback.text))
    app.add_handler(MessageHandler(~filters.TEXT & ~edited & filters.ChatType.PRIVATE,
                                   fallback.unsupported))
    app.add_handler(CallbackQueryHandler(fallback.stale_button))
    app.add_error_handler(errors.on_error)
