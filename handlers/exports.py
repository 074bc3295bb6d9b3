"""Official documents in the chat: /quarterly (the report draft, .docx) and /export (the Excel
workbook) for leaders and admins; and an .xlsx plan sent by an admin as a document, previewed
with Confirm / Cancel buttons and imported on Confirm.

The documents themselves are in Vietnamese whatever the reader's language (they go to the
office's files and upward); the messages around them follow the reader's language.
"""

from __future__ import annotations

from telegram import Update
from telegram.ext import Application, CallbackQueryHandler, ContextTypes, MessageHandler, filters

from bot.core.access import allowed
from bot.core.catalogue import t
from bot.core.clock import clock
from bot.core.files import FileUnavailable
from bot.core.formatting import fmt_date
from bot.core.replies import Button, Reply
from bot.core.vocab import ButtonPrefix, button_data
from bot.paperwork.periods import Period, PeriodError, parse_period
from bot.paperwork.plan_sheets import (
    confirm_staged,
    read_plan_sheet,
    render_preview,
    render_problems,
    sheet_defaults,
    stage,
    unstage,
)
from bot.paperwork.workbook import export_workbook, workbook_file_name
from bot.plans.sheets.bounds import MAX_FILE_BYTES
from bot.plans.store import NoPlan
from handlers.common import actor_of, answer, command_args, current_actor, requires, run, services
from handlers.files import download

CONFIRM = button_data(ButtonPrefix.PLANSHEET, "yes")
CANCEL = button_data(ButtonPrefix.PLANSHEET, "no")
PREVIEW_LINES = 30  # per list, so a preview fits one message
MESSAGE_LIMIT = 4000


def _period_words(period: Period, lang: str) -> str:
    return t("exports.doc.period_quarter", lang, quarter=period.roman, year=period.year) \
        if period.quarter else t("exports.doc.period_year", lang, year=period.year)


async def _period(update: Update, context: ContextTypes.DEFAULT_TYPE,
                  bad_key: str) -> Period | None:
    """The period typed after the command (default: this quarter); a polite no otherwise."""
    lang = actor_of(context).language
    text = " ".join(command_args(context))
    try:
        return parse_period(text, clock.today())
    except PeriodError:
        await answer(update, context, Reply(t(bad_key, lang, text=text)), lang)
        return None


@requires("quarterly")
async def quarterly(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    lang = actor_of(context).language
    period = await _period(update, context, "exports.quarterly.bad_period")
    if period is None:
        return
    try:
        from bot.paperwork.quarterly import (  # python-docx: when first needed
            VERDICTS,
            Issuing,
            quarterly_report,
        )

        svc = services(context)
        name, content, data = await run(quarterly_report, svc.engine, period, clock.today(),
                                        None, Issuing.from_settings(svc.settings))
    except NoPlan:
        await answer(update, context, Reply(t("exports.quarterly.no_plan", lang)), lang)
        return
    caption = t("exports.quarterly.ready", lang, period=_period_words(period, lang),
                reports=data.reports, **{v: data.count(v) for v in VERDICTS})
    if data.missing:
        caption += "\n" + t("exports.quarterly.missing", lang,
                             date=fmt_date(data.reorganised_on),
                             what=", ".join(t(f"exports.quarterly.missing.{k}", lang)
                                            for k in data.missing))
    await answer(update, context, Reply(caption, document=(name, content)), lang)


@requires("export")
async def export(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    lang = actor_of(context).language
    period = await _period(update, context, "exports.export.bad_period")
    if period is None:
        return
    try:
        result = await run(export_workbook, services(context).engine, clock.today(), period)
    except NoPlan:
        await answer(update, context, Reply(t("exports.quarterly.no_plan", lang)), lang)
        return
    caption = t("exports.export.ready", lang, period=_period_words(period, lang),
                overdue=result.rows["overdue"])
    await answer(update, context, Reply(caption, document=(workbook_file_name(clock.today()),
                                                           result.content)), lang)


def _owner(update: Update, context: ContextTypes.DEFAULT_TYPE) -> str:
    """Whose preview: one per chat account."""
    return f"{services(context).channel}:{update.effective_user.id}"


async def plan_document(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """An .xlsx sent as a document: an admin's plan. Anyone else is told what it is for."""
    actor = await current_actor(update, context)
    lang = actor.language
    svc = services(context)
    if not allowed(actor.role, "plan_import", svc.settings.public_plan):
        await answer(update, context, Reply(t("exports.plansheet.admins_only", lang)), lang)
        return
    document = update.effective_message.document
    if (document.file_size or 0) > MAX_FILE_BYTES:  # refused before it is even fetched
        await answer(update, context, Reply(t("exports.plansheet.too_big", lang,
                                              mb=MAX_FILE_BYTES // (1024 * 1024))), lang)
        return
    try:
        data = await download(context.bot, document.file_id)
    except FileUnavailable as exc:
        await answer(update, context, Reply(t("exports.plansheet.download_failed", lang,
                                              reason=str(exc))), lang)
        return
    defaults = await run(sheet_defaults, svc.engine)
    result = await run(read_plan_sheet, data, document.file_name or "plan.xlsx", lang, defaults)
    if not result.ok:
        await answer(update, context, Reply(_fit(render_problems(result, lang, PREVIEW_LINES))),
                     lang)
        return
    await run(stage, svc.engine, _owner(update, context), result)
    text = _fit(render_preview(result, lang, PREVIEW_LINES), t("exports.plansheet.ask", lang))
    buttons = [[Button(t("exports.plansheet.button.confirm", lang), CONFIRM),
                Button(t("exports.plansheet.button.cancel", lang), CANCEL)]]
    await answer(update, context, Reply(text, buttons), lang)


def _fit(text: str, tail: str = "") -> str:
    """One Telegram message: the text cut at a line break, the tail (the question) kept."""
    room = MESSAGE_LIMIT - len(tail) - 2
    if len(text) > room:
        text = text[:room].rsplit("\n", 1)[0] + "\n…"
    return f"{text}\n\n{tail}" if tail else text


@requires("plan_import")
async def plan_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    actor = actor_of(context)
    lang = actor.language
    engine = services(context).engine
    owner = _owner(update, context)
    if update.callback_query.data == CANCEL:
        staged = await run(unstage, engine, owner)
        key = "exports.plansheet.cancelled" if staged else "exports.plansheet.expired"
        await answer(update, context, Reply(t(key, lang)), lang)
        return
    outcome = await run(confirm_staged, engine, owner)
    if outcome.status == "imported":
        lines = [t("exports.plansheet.imported", lang, code=outcome.code,
                   targets=outcome.counts.get("targets", 0),
                   areas=outcome.counts.get("areas", 0))]
        lines += [t("exports.plansheet.superseded", lang, code=old) for old in outcome.superseded]
        reply = Reply("\n".join(lines))
    else:
        reply = Reply(t(f"exports.plansheet.{outcome.status}", lang, code=outcome.code))
    await answer(update, context, reply, lang)


COMMANDS = [("quarterly", quarterly), ("export", export)]


def register(app: Application) -> None:
    not_edited = ~filters.UpdateType.EDITED
    app.add_handler(MessageHandler(filters.Document.FileExtension("xlsx") & not_edited,
                                   plan_document))
    app.add_handler(CallbackQueryHandler(plan_button, pattern=rf"^({CONFIRM}|{CANCEL})$"))
