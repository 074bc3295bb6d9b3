"""/report (also "báo cáo" typed, and the quick form `/report <code> <value> [note]`), /history,
/undo and /cancel: progress reporting from a phone.

One ConversationHandler ("report", persisted) with a single open state: which question is open
is the draft's `step` (the steps are in handlers.report.steps), and the draft is written to the
database before every reply (bot.reporting.save_draft). So a crash or restart resumes exactly
where the user was: PTB's own persisted state may lag a second behind a kill -9, and then
`_OpenDraft` picks the draft up again. The draft's id is the stored report's dedupe key, and
each update's fingerprint is kept in the draft, so a Confirm pressed twice or an update
delivered twice stores one report.

The idle timeout is PTB's `conversation_timeout` (a job that tells the user), plus the draft's
own last-touched time, checked on the next message: that also covers a restart, after which PTB
has no timeout job for a restored conversation.
"""

from __future__ import annotations

import datetime as dt
import functools
import secrets
import warnings
from collections.abc import Awaitable, Callable

from telegram import Update
from telegram.ext import (
    Application,
    BaseHandler,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    ConversationHandler,
    MessageHandler,
    TypeHandler,
    filters,
)
from telegram.warnings import PTBUserWarning

from bot import reporting
from bot.core.access import Actor
from bot.core.catalogue import t
from bot.core.clock import clock
from bot.core.replies import Reply
from bot.core.vocab import ButtonPrefix, button_pattern, parse_button
from bot.reporting import Draft, Refusal
from bot.reporting import views as views
from handlers import fallback
from handlers.common import (
    actor_of,
    answer,
    command_args,
    current_actor,
    requires,
    run,
    send,
    services,
)
from handlers.report import steps as steps
from handlers.report.steps import Outcome

NAME = "report"
ACTIVE = "active"
END = ConversationHandler.END
OPEN_KEYS = "report_open_drafts"  # bot_data: keys of drafts known to be open
INSTANCE = "report_instance"  # bot_data: this Application's token (see fingerprint)


# --- keys, open drafts, duplicates --------------------------------------------------------------

def draft_key(context: ContextTypes.DEFAULT_TYPE, update: Update) -> str:
    return f"{services(context).channel}:{update.effective_chat.id}:{update.effective_user.id}"


def _open_keys(app: Application) -> set[str]:
    """Drafts in the database, read once per process (at the first update that needs them),
    then kept up to date by `_track`."""
    keys = app.bot_data.get(OPEN_KEYS)
    if keys is None:
        keys = reporting.open_draft_keys(app.bot_data["services"].engine)
        app.bot_data[OPEN_KEYS] = keys
    return keys


async def _track(context: ContextTypes.DEFAULT_TYPE, key: str, is_open: bool) -> None:
    app = context.application
    keys = app.bot_data.get(OPEN_KEYS)
    if keys is None:
        keys = await run(_open_keys, app)
    if is_open:
        keys.add(key)
    else:
        keys.discard(key)


def fingerprint(update: Update, context: ContextTypes.DEFAULT_TYPE) -> str:
    """The same update delivered again has the same fingerprint. Telegram's update ids are
    unique to the bot across restarts; the console's and Zalo's bridge numbers updates from 1 in
    each process, so there the fingerprint also names the process (its Application)."""
    app = context.application
    scope = "tg" if services(context).channel == "telegram" else \
        app.bot_data.setdefault(INSTANCE, secrets.token_hex(4))
    query = update.callback_query
    kind = f"q{query.id}" if query is not None else \
        f"m{update.effective_message.message_id if update.effective_message else ''}"
    return f"{scope}:{update.update_id}:{kind}"


class _OpenDraft(BaseHandler):
    """Entry point for a user whose draft is in the database while the conversation is not open
    in memory (PTB's persisted state had not caught up when the process died)."""

    def __init__(self, callback: Callable, app: Application) -> None:
        super().__init__(callback)
        self.app = app

    def check_update(self, update: object) -> bool | None:
        if not isinstance(update, Update) or update.edited_message is not None \
                or update.effective_chat is None or update.effective_user is None:
            return None
        if update.callback_query is not None:
            if parse_button(update.callback_query.data or "", ButtonPrefix.REPORT, 1) is None:
                return None
        elif update.message is None or (update.message.text or "").startswith("/"):
            return None
        svc = self.app.bot_data["services"]
        key = f"{svc.channel}:{update.effective_chat.id}:{update.effective_user.id}"
        return key in _open_keys(self.app) or None


class _ReportWords(filters.MessageFilter):
    """"báo cáo", "bao cao tien do", "báo cáo CQS-1 62" typed as text."""

    def filter(self, message) -> bool:
        return reporting.report_words(message.text or "") is not None


def _args(update: Update, context: ContextTypes.DEFAULT_TYPE) -> list[str]:
    query = update.callback_query
    if query is not None:  # a reminder's "report:<code>" button names the target
        code = parse_button(query.data or "", ButtonPrefix.REPORT_TARGET, 1)
        return code or []
    message = update.effective_message
    if update.callback_query is None and message is not None and message.text \
            and not message.text.startswith("/"):
        return reporting.report_words(message.text) or []
    return command_args(context)


# --- replying and saving ------------------------------------------------------------------------

async def _reply(update: Update, context: ContextTypes.DEFAULT_TYPE, replies: list[Reply],
                 lang: str) -> None:
    """Acknowledge a button press once, then send each reply."""
    if update.callback_query is not None:
        await update.callback_query.answer()
    for reply in replies:
        await send(update, context, reply, lang)


async def _finish(update: Update, context: ContextTypes.DEFAULT_TYPE, key: str, draft: Draft,
                  outcome: Outcome, lang: str, kept: set[str] | None = None) -> object:
    """Save the draft, then reply: what the user sees is always already stored. A finished
    draft is dropped after the reply: a crash in between handles the update again (from the
    inbox) with the draft still there, and the receipt is not lost.
    `kept`: the evidence copies the draft held when loaded; those it no longer holds (cancelled,
    expired, started over, cleared) are deleted unless a stored report refers to them."""
    leftover = (kept or set()) - (set() if outcome.end else reporting.kept_files(draft))
    svc = services(context)
    if outcome.end:
        await _reply(update, context, outcome.replies, lang)
        await run(reporting.drop_draft, svc.engine, key)
        if leftover:
            await run(reporting.discard_files, svc.engine, leftover)
        await _track(context, key, False)
        return END
    draft.touch()
    await run(reporting.save_draft, svc.engine, key, draft)
    if leftover:
        await run(reporting.discard_files, svc.engine, leftover)
    await _track(context, key, True)
    await _reply(update, context, outcome.replies, lang)
    return ACTIVE


def _idle_limit(context: ContextTypes.DEFAULT_TYPE) -> dt.timedelta | None:
    minutes = services(context).settings.report_idle_minutes
    return dt.timedelta(minutes=minutes) if minutes > 0 else None


def _stale(context: ContextTypes.DEFAULT_TYPE, draft: Draft) -> bool:
    limit = _idle_limit(context)
    return limit is not None and draft.idle(clock.now()) > limit


StepFn = Callable[[Update, ContextTypes.DEFAULT_TYPE, Actor, Draft], Awaitable[Outcome]]


def _step(fn: StepFn):
    """One step of an open report: the role check, the draft (loaded, checked for idle time and
    for an update seen before), then `fn`; the draft is saved or dropped before replying."""

    @requires("report")
    @functools.wraps(fn)
    async def inner(update: Update, context: ContextTypes.DEFAULT_TYPE) -> object:
        actor = actor_of(context)
        lang = actor.language
        svc = services(context)
        key = draft_key(context, update)
        draft = await run(reporting.load_draft, svc.engine, key)
        if draft is None:
            await _track(context, key, False)
            await _reply(update, context, [views.nothing_open(lang)], lang)
            return END
        kept = reporting.kept_files(draft)
        mark = fingerprint(update, context)
        if draft.handled(mark):  # handled already (again after a crash, from the inbox)
            if update.callback_query is not None:
                await update.callback_query.answer()
            return ACTIVE
        if _stale(context, draft):
            outcome = Outcome([views.timed_out(draft, svc.settings.report_idle_minutes, lang)],
                              end=True)
            return await _finish(update, context, key, draft, outcome, lang, kept)
        draft.remember(mark)
        outcome = await fn(update, context, actor, draft)
        return await _finish(update, context, key, draft, outcome, lang, kept)

    return inner


# --- starting ----------------------------------------------------------------------------------

@requires("report")
async def report_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> object:
    """/report [code [value [note]]], "báo cáo ...", the 📝 button: start — or, with a report
    already open, ask whether to start over."""
    actor = actor_of(context)
    lang = actor.language
    svc = services(context)
    key = draft_key(context, update)
    args = _args(update, context)
    mark = fingerprint(update, context)
    draft = await run(reporting.load_draft, svc.engine, key)
    replies: list[Reply] = []
    kept = reporting.kept_files(draft)
    if draft is not None and draft.handled(mark):  # again after a crash: done already
        return ACTIVE
    if draft is not None and _stale(context, draft):
        replies.append(views.timed_out(draft, svc.settings.report_idle_minutes, lang))
        draft = None
    if draft is not None:
        draft.remember(mark)
        if draft.step != "restart":
            draft.resume_step = draft.step
        draft.pending = args
        draft.step = "restart"
        return await _finish(update, context, key, draft,
                             Outcome([views.restart_question(draft, lang)]), lang, kept)
    draft = Draft.new(lang)
    draft.remember(mark)
    outcome = await steps.start(context, actor, draft, args)
    outcome.replies[:0] = replies
    return await _finish(update, context, key, draft, outcome, lang, kept)


on_update = _step(steps.on_input)


# --- cancel, timeout, confirm again ---------------------------------------------------------------

@requires("cancel")
async def cancel(update: Update, context: ContextTypes.DEFAULT_TYPE) -> object:
    """/cancel: drop the open report (if any), nothing stored."""
    actor = actor_of(context)
    lang = actor.language
    key = draft_key(context, update)
    engine = services(context).engine
    draft = await run(reporting.load_draft, engine, key)
    if draft is None:
        await answer(update, context, Reply(t("report.cancel_nothing", lang)), lang)
        return END
    return await _finish(update, context, key, draft, Outcome([views.cancelled(lang)], end=True),
                         lang, reporting.kept_files(draft))


async def timed_out(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """PTB's conversation timeout: tell the user the unfinished report was closed."""
    svc = services(context)
    key = draft_key(context, update)
    draft = await run(reporting.load_draft, svc.engine, key)
    if draft is None:
        return
    await run(reporting.drop_draft, svc.engine, key)
    await run(reporting.discard_files, svc.engine, reporting.kept_files(draft))
    await _track(context, key, False)
    await send(update, context, views.timed_out(draft, svc.settings.report_idle_minutes,
                                                draft.lang), draft.lang)


async def confirmed_again(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A Confirm button of a report that is no longer open: stored already, or stale."""
    data = update.callback_query.data or ""
    actor = await current_actor(update, context)
    [key] = parse_button(data, ButtonPrefix.REPORT, 2)[1:] or [""]
    line = await run(reporting.recorded, services(context).engine, key, actor)
    if line is None:  # not stored, or not this person's: as any stale button
        await fallback.stale_button(update, context)
        return
    await answer(update, context, views.already_recorded(line, actor.language), actor.language)


# --- history and undo -----------------------------------------------------------------------------

@requires("history")
async def history(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    actor = actor_of(context)
    lang = actor.language
    args = command_args(context)
    result = await run(reporting.history, services(context).engine, actor,
                       args[0] if args else None)
    reply = views.refusal(result, lang, about="history") if isinstance(result, Refusal) \
        else views.history_view(result, lang)
    await answer(update, context, reply, lang)


@requires("undo")
async def undo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    actor = actor_of(context)
    svc = services(context)
    minutes = svc.settings.undo_window_minutes
    confirm = None
    if update.callback_query is not None:  # the confirmation's buttons
        [arg] = parse_button(update.callback_query.data or "", ButtonPrefix.UNDO, 1) or [""]
        if not arg.isdigit():
            await answer(update, context, views.undo_kept(actor.language), actor.language)
            return
        confirm = int(arg)
    result = await run(reporting.undo_last, svc.engine, actor, dt.timedelta(minutes=minutes),
                       confirm)
    await answer(update, context, views.undo_view(result, minutes, actor.language),
                 actor.language)


COMMANDS = [("report", report_command), ("history", history), ("undo", undo),
            ("cancel", cancel)]


def register(app: Application) -> None:
    svc = app.bot_data["services"]
    not_edited = ~filters.UpdateType.EDITED
    start = [CommandHandler("report", report_command, filters=not_edited),
             CallbackQueryHandler(report_command,
                                  pattern=button_pattern(ButtonPrefix.COMMAND, "report")),
             CallbackQueryHandler(report_command,
                                  pattern=button_pattern(ButtonPrefix.REPORT_TARGET)),
             MessageHandler(filters.TEXT & ~filters.COMMAND & not_edited & _ReportWords(),
                            report_command)]
    idle = svc.settings.report_idle_minutes * 60
    with warnings.catch_warnings():  # CallbackQueryHandlers are meant per chat, not per message
        warnings.simplefilter("ignore", PTBUserWarning)
        conversation = ConversationHandler(
            entry_points=[*start, _OpenDraft(on_update, app)],
            states={
                ACTIVE: [*start, CommandHandler("cancel", cancel, filters=not_edited),
                         CallbackQueryHandler(on_update,
                                              pattern=button_pattern(ButtonPrefix.REPORT)),
                         MessageHandler(~filters.COMMAND & not_edited, on_update)],
                ConversationHandler.TIMEOUT: [TypeHandler(Update, timed_out)],
            },
            fallbacks=[],
            name=NAME,
            persistent=app.persistence is not None,
            conversation_timeout=idle or None,
        )
    app.add_handler(conversation)
    app.add_handler(CallbackQueryHandler(
        confirmed_again, pattern=button_pattern(ButtonPrefix.REPORT, "ok:.+")))
    app.add_handler(CallbackQueryHandler(
        undo, pattern=button_pattern(ButtonPrefix.UNDO, r"(\d+|keep)")))
