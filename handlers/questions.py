"""Questions about the plan: /plan (and, as they land, /due, /target, /who, /status)."""

from __future__ import annotations

from telegram import Update
from telegram.ext import ContextTypes

from bot.catalogue import t
from bot.clock import clock
from bot.plan_overview import overview, render_overview
from bot.replies import Reply
from handlers.common import actor_of, answer, requires, run, services


@requires("plan")
async def plan(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    actor = actor_of(context)
    today = clock.today()
    code = (context.args or [None])[0]
    ov = await run(overview, services(context).engine, today, code)
    if ov is None:
        reply = Reply(t("plan.none", actor.language))
    else:
        reply = render_overview(ov, today, actor.language)
    await answer(update, context, reply, actor.language)


COMMANDS = [("plan", plan)]
