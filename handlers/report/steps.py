"""The steps of the /report conversation: what each answer does to the draft and what the bot
asks next. `handlers.report` frames them (role check, draft loaded and saved before replying,
duplicates, idle time); the rules and the wording live in bot.reporting and bot.report_views.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from pathlib import Path

from telegram import Update
from telegram.ext import ContextTypes

from bot import reporting
from bot.core.access import Actor
from bot.core.catalogue import t
from bot.core.clock import clock
from bot.core.files import EVIDENCE_MAX_BYTES, FileUnavailable, safe_name, sniff
from bot.core.replies import Reply
from bot.core.text import fold
from bot.core.vocab import ButtonPrefix, parse_button
from bot.progress import ParsedValue, ValueProblem, parse_value
from bot.reporting import NOTE_MAX, Draft, Refusal
from bot.reporting import views as views
from bot.reporting.submissions import mark_obligation_done, sendable_items
from handlers.common import run, services
from handlers.files import download

log = logging.getLogger("parbot.report")

FILE_CHANNELS = ("telegram", "zalo")  # channels whose files can be fetched and checked


@dataclass
class Outcome:
    """What a step answers; `end` closes the conversation (and drops the draft)."""

    replies: list[Reply] = field(default_factory=list)
    end: bool = False


async def start(context: ContextTypes.DEFAULT_TYPE, actor: Actor, draft: Draft,
                 args: list[str]) -> Outcome:
    engine = services(context).engine
    lang = actor.language
    today = clock.today()
    if not args:
        items = await run(reporting.reportable_targets, engine, actor, today)
        sendable = await run(sendable_items, engine, actor, today)
        if not items and not sendable:
            if actor.role == "principal" and actor.unit_id is None:
                return Outcome([views.refusal(Refusal("no_unit"), lang)], end=True)
            return Outcome([views.no_targets(lang)], end=True)
        if len(items) == 1 and not sendable:
            return await _choose(context, actor, draft, items[0])
        draft.step = "target"
        return Outcome([views.target_list(items, lang, sendable, today)])
    checked = await run(reporting.check_target, engine, actor, args[0], today)
    if isinstance(checked, Refusal):
        return Outcome([views.refusal(checked, lang)], end=True)
    problem = None
    if len(args) > 1:
        draft.quick = True
        value, note, problem = reporting.split_quick(args[1:], checked.unit)
        if value is not None:
            draft.set_value(value)
            draft.note = note[:NOTE_MAX] if note else None
    return await _choose(context, actor, draft, checked, problem)


async def _choose(context: ContextTypes.DEFAULT_TYPE, actor: Actor, draft: Draft,
                  item: reporting.Reportable, problem: ValueProblem | None = None) -> Outcome:
    """A target is chosen: ask for the school if there is a choice, else go on to the value."""
    draft.target_id, draft.code = item.target_id, item.code
    units = await run(reporting.report_units, services(context).engine, actor, item.target_id)
    if len(units) > 1:
        draft.step = "unit"
        replies = []
        if problem is not None:
            replies.append(Reply("\n".join(views.problem_lines(problem, item.unit,
                                                               actor.language))))
        return Outcome([*replies, views.unit_question(item, units, actor.language)])
    draft.unit_id = units[0].id if units else None
    draft.unit_name = units[0].name if units else None
    return await _after_unit(context, actor, draft, problem)


async def _card(context: ContextTypes.DEFAULT_TYPE, draft: Draft) -> reporting.Reportable:
    return await run(reporting.card, services(context).engine, draft.target_id, draft.unit_id,
                     clock.today())


async def _after_unit(context: ContextTypes.DEFAULT_TYPE, actor: Actor, draft: Draft,
                      problem: ValueProblem | None = None) -> Outcome:
    if draft.value is not None and (draft.quick or draft.back_to_summary):
        return await _to_summary(context, actor, draft)
    draft.step = "value"
    item = await _card(context, draft)
    return Outcome([views.target_card(item, draft.unit_name, clock.today(), actor.language,
                                      problem)])


async def _after_value(context: ContextTypes.DEFAULT_TYPE, actor: Actor, draft: Draft,
                       value: ParsedValue) -> Outcome:
    draft.set_value(value)
    if draft.quick or draft.back_to_summary:
        return await _to_summary(context, actor, draft)
    draft.step = "note"
    return Outcome([views.note_question(actor.language)])


async def _after_note(context: ContextTypes.DEFAULT_TYPE, actor: Actor, draft: Draft) -> Outcome:
    if draft.back_to_summary:
        return await _to_summary(context, actor, draft)
    draft.step = "evidence"
    return Outcome([views.evidence_question(draft, actor.language)])


async def _to_summary(context: ContextTypes.DEFAULT_TYPE, actor: Actor, draft: Draft) -> Outcome:
    draft.step = "summary"
    draft.back_to_summary = False
    return Outcome([views.summary(draft, await _card(context, draft), actor.language)])


async def ask_again(context: ContextTypes.DEFAULT_TYPE, actor: Actor, draft: Draft) -> Reply:
    """The open question of the draft's step, asked again."""
    engine = services(context).engine
    lang = actor.language
    step = draft.step
    if step == "target":
        today = clock.today()
        items = await run(reporting.reportable_targets, engine, actor, today)
        sendable = await run(sendable_items, engine, actor, today)
        return views.target_list(items, lang, sendable, today)
    if step == "restart":
        return views.restart_question(draft, lang)
    if step == "note":
        return views.note_question(lang)
    if step == "evidence":
        return views.evidence_question(draft, lang)
    item = await _card(context, draft)
    if step == "unit":
        units = await run(reporting.report_units, engine, actor, draft.target_id)
        return views.unit_question(item, units, lang)
    if step == "summary":
        return views.summary(draft, item, lang)
    if step == "edit":
        units = await run(reporting.report_units, engine, actor, draft.target_id)
        return views.edit_menu(draft, len(units), lang)
    return views.target_card(item, draft.unit_name, clock.today(), lang)


# --- the open conversation -----------------------------------------------------------------------

async def on_input(update: Update, context: ContextTypes.DEFAULT_TYPE, actor: Actor,
                   draft: Draft) -> Outcome:
    """Anything the user sends while a report is open, by the draft's step."""
    if update.callback_query is not None:
        return await _on_button(context, actor, draft, update.callback_query.data or "")
    message = update.effective_message
    if message.photo or message.document:
        return await _on_file(update, context, actor, draft)
    if message.text is not None:
        return await _on_text(context, actor, draft, message.text)
    return Outcome([await ask_again(context, actor, draft)])


def _typed_button(question: Reply, text: str, partial: bool = False) -> str | None:
    """A button chosen by typing its number or its label (without marks and emoji), or — for
    lists of names (`partial`) — a part of one label only."""
    buttons = [b for row in question.buttons for b in row]
    typed = text.strip()
    if typed.isdecimal() and 1 <= int(typed) <= len(buttons):
        return buttons[int(typed) - 1].data
    key = fold(typed)
    if not key:
        return None
    exact = [b.data for b in buttons if fold(b.label).strip("✅✖✏️🔄▶↩🗑 ") == key
             or fold(b.label) == key]
    if len(exact) == 1:
        return exact[0]
    if not partial:
        return None
    found = [b.data for b in buttons if key in fold(b.label)]
    return found[0] if len(found) == 1 else None


CANCEL_WORDS = {"huy", "huy bo", "cancel", "thoat", "dung", "dung lai", "bo qua bao cao"}


def _question_like(text: str) -> bool:
    """Words, not a value: a question mark, or three or more words of letters."""
    words = [w for w in fold(text).split() if any(c.isalpha() for c in w)]
    return "?" in text or len(words) >= 3


async def _on_text(context: ContextTypes.DEFAULT_TYPE, actor: Actor, draft: Draft,
                   text: str) -> Outcome:
    lang = actor.language
    step = draft.step
    if step == "value":
        item = await _card(context, draft)
        if fold(text).strip(" .!") in CANCEL_WORDS:
            return Outcome([views.cancelled(lang)], end=True)
        try:
            value = parse_value(text, item.unit)
        except ValueProblem as problem:
            if _question_like(text):
                return Outcome([views.not_a_value(item.code, item.unit, lang)])
            return Outcome([views.value_problem(problem, item.unit, lang)])
        return await _after_value(context, actor, draft, value)
    if step == "note":
        note = text.strip()
        if len(note) > NOTE_MAX:
            return Outcome([views.note_too_long(len(note), lang)])
        draft.note = note or None
        return await _after_note(context, actor, draft)
    if step == "evidence":
        return Outcome([views.evidence_text(lang)])
    question = await ask_again(context, actor, draft)
    if step == "target":
        key = reporting.code_key(text)
        for row in question.buttons:
            for button in row:
                kind, code = parse_button(button.data, ButtonPrefix.REPORT, 2) or ["", ""]
                if kind == "t" and reporting.code_key(code) == key:
                    return await _on_button(context, actor, draft, button.data)
    data = _typed_button(question, text, partial=step in ("target", "unit"))
    if data is not None:
        return await _on_button(context, actor, draft, data)
    return Outcome([views.with_hint(question, lang)])


async def _on_button(context: ContextTypes.DEFAULT_TYPE, actor: Actor, draft: Draft,
                     data: str) -> Outcome:
    engine = services(context).engine
    lang = actor.language
    kind, arg = parse_button(data, ButtonPrefix.REPORT, 2) or \
        [*(parse_button(data, ButtonPrefix.REPORT, 1) or [""]), ""]
    step = draft.step
    if kind == "cancel":
        return Outcome([views.cancelled(lang)], end=True)
    if step == "target" and kind == "sent":
        obligation, _, period = arg.partition(":")
        if obligation.isdigit():
            outcome = await run(mark_obligation_done, engine, actor, int(obligation), period)
            return Outcome([Reply(t(f"notify.done.{outcome.status}", lang, name=outcome.name,
                                    label=outcome.label))], end=True)
    if step == "target" and kind == "t":
        checked = await run(reporting.check_target, engine, actor, arg, clock.today())
        if isinstance(checked, Refusal):
            return Outcome([views.refusal(checked, lang)], end=True)
        return await _choose(context, actor, draft, checked)
    if step == "unit" and kind == "u":
        units = await run(reporting.report_units, engine, actor, draft.target_id)
        chosen = next((u for u in units if str(u.id) == arg), None)
        if chosen is not None:
            draft.unit_id, draft.unit_name = chosen.id, chosen.name
            return await _after_unit(context, actor, draft)
    if step == "value" and kind == "v" and arg in ("0", "1"):
        return await _after_value(context, actor, draft, ParsedValue(float(arg)))
    if step == "note" and kind == "skip":
        return await _after_note(context, actor, draft)
    if step == "evidence" and kind in ("done", "skip"):
        return await _to_summary(context, actor, draft)
    if step == "evidence" and kind == "clear":
        draft.evidence = []
        return Outcome([Reply(t("report.evidence_cleared", lang)),
                        views.evidence_question(draft, lang)])
    if step == "summary" and kind == "ok" and arg == draft.id:
        return await _confirm(context, actor, draft)
    if step == "summary" and kind == "edit":
        draft.step = "edit"
        return Outcome([await ask_again(context, actor, draft)])
    if step == "edit" and kind == "back":
        return await _to_summary(context, actor, draft)
    if step == "edit" and kind == "e" and arg in ("value", "note", "evidence", "unit"):
        draft.back_to_summary = True
        draft.step = arg
        return Outcome([await ask_again(context, actor, draft)])
    if step == "restart" and kind == "restart":
        pending = list(draft.pending or [])
        draft.start_over()
        return await start(context, actor, draft, pending)
    if step == "restart" and kind == "continue":
        draft.step = draft.resume_step or "target"
        draft.resume_step, draft.pending = None, None
        return Outcome([await ask_again(context, actor, draft)])
    return Outcome([views.old_button(await ask_again(context, actor, draft), lang)])


async def _confirm(context: ContextTypes.DEFAULT_TYPE, actor: Actor, draft: Draft) -> Outcome:
    svc = services(context)
    today = clock.today()
    result = await run(reporting.confirm, svc.engine, actor, draft, svc.channel, today,
                       draft.seen[-1] if draft.seen else None)
    if isinstance(result, Refusal):
        return Outcome([views.refusal(result, actor.language)], end=True)
    return Outcome([views.confirmation(result, today, svc.settings.undo_window_minutes,
                                       actor.language)], end=True)


# --- evidence ------------------------------------------------------------------------------------

async def _on_file(update: Update, context: ContextTypes.DEFAULT_TYPE, actor: Actor,
                   draft: Draft) -> Outcome:
    lang = actor.language
    if draft.step not in ("note", "evidence"):
        return Outcome([views.file_later(await ask_again(context, actor, draft), lang)])
    message = update.effective_message
    draft.step = "evidence"
    if message.photo:
        photo = message.photo[-1]  # the largest size
        evidence = {"file_id": photo.file_id, "file_unique_id": photo.file_unique_id,
                    "file_name": None, "mime_type": "image/jpeg", "size": photo.file_size}
        shown = "photo"
    else:
        doc = message.document
        shown = doc.file_name or doc.mime_type or "?"
        if reporting.document_extension(doc.file_name, doc.mime_type) is None:
            return Outcome([views.evidence_refused(shown, lang)])
        evidence = {"file_id": doc.file_id, "file_unique_id": doc.file_unique_id,
                    "file_name": doc.file_name, "mime_type": doc.mime_type,
                    "size": doc.file_size}
    if (evidence.get("size") or 0) > EVIDENCE_MAX_BYTES:
        return Outcome([views.evidence_too_big(shown, EVIDENCE_MAX_BYTES, lang)])
    known = {e.get("file_unique_id") for e in draft.evidence}
    if evidence["file_unique_id"] not in known:
        if len(draft.evidence) >= reporting.EVIDENCE_MAX:
            return Outcome([views.evidence_full(lang)])
        refused = await _check(context, draft, evidence, shown, lang)
        if refused is not None:
            return Outcome([refused])
        draft.evidence.append(evidence)
    if message.caption and not draft.note:
        draft.note = message.caption.strip()[:NOTE_MAX] or None
    return Outcome([views.evidence_received(draft, lang)])


async def _check(context: ContextTypes.DEFAULT_TYPE, draft: Draft, evidence: dict, shown: str,
                 lang: str) -> Reply | None:
    """Where the channel gives the bytes (Telegram, Zalo): fetch the file and take it only if
    its bytes are a photo, PDF, DOCX or XLSX and within the size cap; its type and name are then
    the checked ones ("setup.pdf.scr" holding a PDF is kept as "setup.pdf"). A copy goes to
    PARBOT_EVIDENCE_DIR when it is set (Zalo links may not last). The console has no files:
    there the declared type is all there is. None when the file is taken; else the refusal."""
    svc = services(context)
    if svc.channel not in FILE_CHANNELS:
        return None
    try:
        content = await download(context.bot, evidence["file_id"])
    except FileUnavailable as exc:
        log.warning("evidence not downloaded", extra={"fields": {"error": type(exc).__name__}})
        return views.evidence_unreadable(shown, lang)
    if len(content) > EVIDENCE_MAX_BYTES:
        return views.evidence_too_big(shown, EVIDENCE_MAX_BYTES, lang)
    kind = sniff(content)
    if kind is None:
        return views.evidence_refused(shown, lang)
    evidence["mime_type"], evidence["size"] = kind.mime_type, len(content)
    if evidence.get("file_name") is not None:
        evidence["file_name"] = safe_name(evidence["file_name"], kind)
    evidence["local_path"] = None
    folder = svc.settings.evidence_dir
    if folder is not None:
        name = f"{draft.id}-{len(draft.evidence) + 1}-{evidence['file_unique_id']}" \
               f"{kind.extension}"
        path = Path(folder) / safe_name(name, kind)
        try:
            await asyncio.to_thread(_write_file, path, content)
            evidence["local_path"] = str(path)
        except OSError as exc:
            log.warning("evidence not kept", extra={"fields": {"error": type(exc).__name__}})
    return None


def _write_file(path: Path, content: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
