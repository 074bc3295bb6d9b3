"""All python-telegram-bot handlers, registered in one place: `register(application)`.

One module per feature. Each lists its commands in `COMMANDS` ((name, callback) pairs, in the
order /help shows them) and may define `register(app)` for other handlers (conversations, free
text). FEATURES is the order in which they get updates: conversations first, free-text questions
after them, the fallbacks last. The command list also drives /help, the command menu and the
"cmd:<name>" buttons that re-run a command from a reply. `gate` runs before them all (handler
groups below 0): text made safe, private chats only, fair use.
"""

from __future__ import annotations

from telegram import Update
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    filters,
)

from bot.core.vocab import ButtonPrefix, button_pattern, parse_button
from handlers import (
    admin,
    dashboard,
    errors,
    exports,
    fallback,
    gate,
    notify,
    onboarding,
    questions,
    report,
    settings,
)

FEATURES = [report, exports, admin, onboarding, settings, notify, dashboard, questions]


# How /help and the command menu list commands: the everyday ones first.
HELP_ORDER = ["report", "due", "target", "who", "status", "dashboard", "plan", "history", "undo",
              "cancel", "digest", "sent", "quarterly", "export", "snooze", "quiet", "remind",
              "digestday", "lang", "assign", "unassign", "officers", "invite", "start", "help"]


def commands() -> list[tuple[str, object]]:
    return [pair for feature in FEATURES for pair in getattr(feature, "COMMANDS", [])]


async def command_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A "cmd:<name>" button runs that command as if typed without arguments."""
    [name] = parse_button(update.callback_query.data or "", ButtonPrefix.COMMAND, 1) or [""]
    callback = dict(commands()).get(name)
    if callback is None:
        await fallback.stale_button(update, context)
        return
    context.args = []
    await callback(update, context)


def register(app: Application) -> None:
    pairs = commands()
    app.bot_data["commands"] = {name for name, _ in pairs}
    gate.register(app)
    app.bot_data["command_order"] = sorted(
        (name for name, _ in pairs),
        key=lambda n: HELP_ORDER.index(n) if n in HELP_ORDER else len(HELP_ORDER))
    for feature in FEATURES:
        if hasattr(feature, "register"):
            feature.register(app)
    for name, callback in pairs:
        app.add_handler(CommandHandler(name, callback, filters=~filters.UpdateType.EDITED))
    app.add_handler(CallbackQueryHandler(command_button,
                                         pattern=button_pattern(ButtonPrefix.COMMAND)))
    fallback.register(app)
    app.add_error_handler(errors.on_error)
