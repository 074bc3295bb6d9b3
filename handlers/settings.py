"""Per-user settings: /lang vi|en (remembered)."""

from __future__ import annotations

from telegram import Update
from telegram.ext import ContextTypes

from bot import identity
from bot.catalogue import LANGUAGES, t
from bot.replies import Reply
from handlers.common import actor_of, answer, requires, run, services


@requires("lang")
async def lang(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    actor = actor_of(context)
    choice = (context.args or [""])[0].lower()
    if choice not in LANGUAGES:
        await answer(update, context, Reply(t("lang.usage", actor.language)), actor.language)
        return
    if actor.officer_id is not None:
        await run(identity.set_language, services(context).engine, actor.officer_id, choice)
    else:
        context.user_data["lang"] = choice
    await answer(update, context, Reply(t("lang.set", choice)), choice)


COMMANDS = [("lang", lang)]
