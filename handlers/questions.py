"""Questions about the plan: /plan, /due, /target, /who, /status, and questions typed in plain
words (with their "ask:" buttons). The answers come from `bot.answers`."""

from __future__ import annotations

import logging

from telegram import Message, Update
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from bot import answers
from bot.answers.ask import is_report_phrase
from bot.answers.figures import warm
from bot.core.access import allowed
from bot.core.catalogue import t
from bot.core.clock import clock
from bot.core.replies import Reply
from bot.core.vocab import ButtonPrefix, button_pattern
from bot.plans.overview import overview, render_overview
from handlers.common import actor_of, answer, command_args, current_actor, requires, run, services


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


@requires("due")
async def due(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    actor = actor_of(context)
    reply = await run(answers.due_command, services(context).engine, actor,
                      " ".join(command_args(context)), clock.today())
    await answer(update, context, reply, actor.language)


@requires("target")
async def target(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    actor = actor_of(context)
    svc = services(context)
    reply = await run(answers.target_command, svc.engine, actor,
                      " ".join(command_args(context)), clock.today(), svc.settings.public_plan)
    await answer(update, context, reply, actor.language)


@requires("who")
async def who(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    actor = actor_of(context)
    svc = services(context)
    reply = await run(answers.who_command, svc.engine, actor, " ".join(command_args(context)),
                      clock.today(), svc.settings.public_plan)
    await answer(update, context, reply, actor.language)


@requires("status")
async def status(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    actor = actor_of(context)
    reply = await run(answers.status_command, services(context).engine, actor,
                      " ".join(command_args(context)), clock.today())
    await answer(update, context, reply, actor.language)


async def _ask(update: Update, context: ContextTypes.DEFAULT_TYPE, respond, text: str) -> None:
    """Members (and guests when the plan is public) get the domain's answer to `text`."""
    actor = await current_actor(update, context)
    svc = services(context)
    if not allowed(actor.role, "ask", svc.settings.public_plan):
        await answer(update, context, Reply(t("answers.guest", actor.language)), actor.language)
        return
    reply = await run(respond, svc.engine, actor, text, clock.today(), svc.settings.public_plan)
    await answer(update, context, reply, actor.language)


async def question(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A question typed in plain words."""
    await _ask(update, context, answers.answer, update.effective_message.text)


async def button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """An "ask:" button: the question it stands for, asked again."""
    await _ask(update, context, answers.press, update.callback_query.data)


async def _warm_figures(context: ContextTypes.DEFAULT_TYPE) -> None:
    try:
        await run(warm, services(context).engine)
    except Exception:  # noqa: BLE001 - the first question reads them instead
        logging.getLogger(__name__).warning("reading the progress figures failed",
                                            exc_info=True)


class _NotReportPhrase(filters.MessageFilter):
    """Leaves "báo cáo" typed alone to the /report conversation."""

    def filter(self, message: Message) -> bool:
        return not is_report_phrase(message.text)


COMMANDS = [("plan", plan), ("due", due), ("target", target), ("who", who),
            ("status", status)]


def register(app: Application) -> None:
    app.add_handler(MessageHandler(
        filters.TEXT & ~filters.COMMAND & ~filters.UpdateType.EDITED
        & filters.ChatType.PRIVATE & _NotReportPhrase(), question))
    app.add_handler(CallbackQueryHandler(button, pattern=button_pattern(ButtonPrefix.ASK)))
    if app.job_queue is not None:  # read the figures once at startup, off the event loop
        app.job_queue.run_once(_warm_figures, when=0, name="answers.warm")
