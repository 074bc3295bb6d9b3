"""What the /report conversation, /history and /undo say: the domain's answers as replies.

Every text comes from the catalogue (`report.*` keys in bot/core/locales/*/report.yaml); numbers and
dates from bot.formatting. Buttons carry short data: `rep:t:<code>` (target), `rep:u:<unit id>`,
`rep:v:1|0` (yes/no value), `rep:skip`, `rep:done`, `rep:ok:<draft id>`, `rep:edit`,
`rep:e:<field>`, `rep:back`, `rep:cancel`, `rep:restart`, `rep:continue`.
"""

from __future__ import annotations

import datetime as dt

from bot.core.catalogue import t
from bot.core.formatting import days_left_phrase, fmt_date, fmt_number, progress_bar
from bot.core.replies import Button, Reply
from bot.core.vocab import ButtonPrefix, Comparison, TargetState, Unit, button_data, rep_data
from bot.progress import Assessment, Figure, ParsedValue, ValueProblem
from bot.progress.wording import requirement_text, value_text
from bot.reporting import (
    EVIDENCE_MAX,
    NOTE_MAX,
    Confirmation,
    Draft,
    History,
    HistoryLine,
    Refusal,
    Reportable,
    UndoResult,
    UnitChoice,
)

NAME_IN_BUTTON = 28


# --- values and requirements (worded by bot.progress.wording) ---------------------------------

def _parsed(value: ParsedValue, unit: str, lang: str) -> str:
    return value_text(value.value, unit, lang, value.numerator, value.denominator)


def due_text(deadline: dt.date, today: dt.date, lang: str) -> str:
    """"31/12/2025 (còn 200 ngày)"."""
    rel = days_left_phrase(deadline, today, lang)
    return f"{fmt_date(deadline)} ({rel})"


def _when(moment: dt.datetime) -> str:
    return f"{fmt_date(moment.date())} {moment:%H:%M}"


# --- choosing ----------------------------------------------------------------------------------

def cancel_row(lang: str) -> list[Button]:
    return [Button(t("report.button.cancel", lang), rep_data("cancel"))]


def target_label(item: Reportable, lang: str) -> str:
    name = item.title(lang)
    if len(name) > NAME_IN_BUTTON:
        name = name[:NAME_IN_BUTTON - 1].rstrip() + "…"
    parts = [f"{item.code} {name}", value_text(item.last_value, item.unit, lang)]
    if item.requirement is not None:
        parts.append(t("report.deadline_short", lang,
                       date=fmt_date(item.requirement.deadline)))
    return " · ".join(parts)


def target_list(items: list[Reportable], lang: str, sendable: list | tuple = (),
                today: dt.date | None = None) -> Reply:
    """The targets to report on, then the recurring reports to mark sent (a tap records it)."""
    buttons = [[Button(target_label(i, lang), rep_data("t", i.code))]
               for i in items]
    text = t("report.pick", lang)
    if sendable:
        text += "\n" + t("report.pick_sent", lang)
    for item in sendable:
        name = item.name_en if lang == "en" and item.name_en else item.name
        if len(name) > NAME_IN_BUTTON:
            name = name[:NAME_IN_BUTTON - 1].rstrip() + "…"
        due = t("report.deadline_short", lang, date=fmt_date(item.last_day))
        buttons.append([Button(f"📨 {name} · {item.label} · {due}",
                               rep_data("sent", item.item_id,
                                           item.period))])
    return Reply(text, [*buttons, cancel_row(lang)])


def no_targets(lang: str) -> Reply:
    return Reply(t("report.none_assigned", lang))


def unit_question(item: Reportable, units: list[UnitChoice], lang: str) -> Reply:
    buttons = [[Button(u.name, rep_data("u", u.id))] for u in units]
    return Reply(t("report.pick_unit", lang, code=item.code), [*buttons, cancel_row(lang)])


def target_card(item: Reportable, unit_name: str | None, today: dt.date, lang: str,
                problem: ValueProblem | None = None) -> Reply:
    """The target, its requirement and deadline, the last value, and the value question (after
    why a value typed with the quick form was not accepted, if it was not)."""
    lines = [t("report.card_title", lang, code=item.code, name=item.title(lang))]
    if unit_name:
        lines.append(t("report.unit_line", lang, unit=unit_name))
    req = item.requirement
    if req is not None:
        lines.append(t("report.requirement", lang, label=req.label,
                       requirement=requirement_text(req, item.unit, lang),
                       due=due_text(req.deadline, today, lang)))
    if item.last_value is not None and item.last_at is not None:
        lines.append(t("report.last", lang, date=fmt_date(item.last_at.date()),
                       value=value_text(item.last_value, item.unit, lang, item.last_numerator,
                                       item.last_denominator)))
    else:
        lines.append(t("report.last_none", lang))
    if problem is not None:
        lines.extend(problem_lines(problem, item.unit, lang))
    return value_question(item.unit, lang, lines)


def value_question(unit: str, lang: str, before: list[str] | None = None) -> Reply:
    lines = [*(before or []), t(f"report.ask.{unit}", lang)]
    if unit == Unit.BOOLEAN:
        buttons = [[Button(t("report.button.yes", lang), rep_data("v", "1")),
                    Button(t("report.button.no", lang), rep_data("v", "0"))], cancel_row(lang)]
    else:  # a lone ✖: channels without keyboards take a typed number as the value, not it
        lines.append(t("report.ask.cancel_hint", lang))
        buttons = [cancel_row(lang)]
    return Reply("\n".join(lines), buttons)


def not_a_value(code: str, unit: str, lang: str) -> Reply:
    """A question (or other words) typed where the value is expected."""
    return value_question(unit, lang, [t("report.not_a_value", lang, code=code)])


def problem_lines(problem: ValueProblem, unit: str, lang: str) -> list[str]:
    """Why a value was not accepted, and an example of one that is."""
    key = problem.key
    if key == "value.out_of_range" and unit == Unit.RANK:
        key = "value.out_of_range_rank"
    return [t(f"report.{key}", lang, unit=t(f"report.unit.{unit}", lang),
              **{k: fmt_number(float(v), lang) for k, v in problem.values.items()}),
            t(f"report.example.{unit}", lang)]


def value_problem(problem: ValueProblem, unit: str, lang: str) -> Reply:
    """The explanation, the example, and the question again."""
    return value_question(unit, lang, problem_lines(problem, unit, lang))


# --- note and evidence -------------------------------------------------------------------------

def note_question(lang: str) -> Reply:
    return Reply(t("report.ask_note", lang),
                 [[Button(t("report.button.skip", lang), rep_data("skip"))], cancel_row(lang)])


def note_too_long(length: int, lang: str) -> Reply:
    return Reply(t("report.note_too_long", lang, length=length, max=NOTE_MAX),
                 [[Button(t("report.button.skip", lang), rep_data("skip"))]])


def evidence_question(draft: Draft, lang: str) -> Reply:
    if draft.evidence:
        return evidence_received(draft, lang)
    return Reply(t("report.ask_evidence", lang),
                 [[Button(t("report.button.skip", lang), rep_data("done"))], cancel_row(lang)])


def evidence_received(draft: Draft, lang: str) -> Reply:
    rows = [[Button(t("report.button.done", lang), rep_data("done"))]]
    if draft.back_to_summary:
        rows.append([Button(t("report.button.clear_evidence", lang), rep_data("clear"))])
    return Reply(t("report.evidence_received", lang, count=len(draft.evidence)), rows)


def evidence_refused(name: str, lang: str) -> Reply:
    return Reply(t("report.evidence_refused", lang, name=name),
                 [[Button(t("report.button.done", lang), rep_data("done"))]])


def evidence_too_big(name: str, max_bytes: int, lang: str) -> Reply:
    return Reply(t("report.evidence_too_big", lang, name=name, mb=max_bytes // (1024 * 1024)),
                 [[Button(t("report.button.done", lang), rep_data("done"))]])


def evidence_unreadable(name: str, lang: str) -> Reply:
    return Reply(t("report.evidence_unreadable", lang, name=name),
                 [[Button(t("report.button.done", lang), rep_data("done"))]])


def evidence_full(lang: str) -> Reply:
    return Reply(t("report.evidence_full", lang, max=EVIDENCE_MAX),
                 [[Button(t("report.button.done", lang), rep_data("done"))]])


def evidence_text(lang: str) -> Reply:
    return Reply(t("report.evidence_text", lang),
                 [[Button(t("report.button.done", lang), rep_data("done"))]])


# --- summary and confirmation ------------------------------------------------------------------

def summary(draft: Draft, item: Reportable, lang: str) -> Reply:
    lines = [t("report.summary_header", lang),
             t("report.card_title", lang, code=item.code, name=item.title(lang))]
    if draft.unit_name:
        lines.append(t("report.unit_line", lang, unit=draft.unit_name))
    lines.append(t("report.summary_value", lang, value=_parsed(draft.parsed(), item.unit,
                                                                  lang)))
    lines.append(t("report.summary_note", lang, note=draft.note) if draft.note
                 else t("report.summary_no_note", lang))
    lines.append(t("report.summary_evidence", lang, count=len(draft.evidence))
                 if draft.evidence else t("report.summary_no_evidence", lang))
    buttons = [[Button(t("report.button.confirm", lang), rep_data("ok", draft.id)),
                Button(t("report.button.edit", lang), rep_data("edit")),
                Button(t("report.button.cancel", lang), rep_data("cancel"))]]
    return Reply("\n".join(lines), buttons)


def edit_menu(draft: Draft, units: int, lang: str) -> Reply:
    row = [Button(t("report.button.edit_value", lang), rep_data("e", "value")),
           Button(t("report.button.edit_note", lang), rep_data("e", "note")),
           Button(t("report.button.edit_evidence", lang), rep_data("e", "evidence"))]
    rows = [row]
    if units > 1:
        rows.append([Button(t("report.button.edit_unit", lang), rep_data("e", "unit"))])
    rows.append([Button(t("report.button.back", lang), rep_data("back"))])
    return Reply(t("report.edit_menu", lang), rows)


def pace_lines(assessment: Assessment, unit: str, today: dt.date, lang: str) -> list[str]:
    """Whether the pace reaches the requirement: the verdict, and what it takes."""
    req = assessment.requirement
    if req is None:
        return []
    state = assessment.state
    if state in (TargetState.ACHIEVED, TargetState.OVERDUE):
        return [t(f"report.verdict.{state}", lang)]
    lines = []
    if req.comparison == Comparison.DONE:
        lines.append(t("report.done_left", lang, days=max((req.deadline - today).days, 0)))
    elif assessment.pace_needed is not None and assessment.months_left is not None:
        lines.append(t(f"report.pace.{unit if unit in ('rank', 'count') else 'percent'}", lang,
                       months=fmt_number(round(assessment.months_left, 1), lang),
                       pace=fmt_number(round(max(assessment.pace_needed, 0), 1), lang)))
        if assessment.pace_so_far is not None:
            lines.append(t("report.pace_so_far", lang,
                           pace=fmt_number(round(assessment.pace_so_far, 1), lang)))
    if state in (TargetState.ON_TRACK, TargetState.AT_RISK, TargetState.BEHIND):
        lines.append(t(f"report.verdict.{state}", lang))
    return lines


def _bar_line(value: float, req, unit: str, lang: str) -> str | None:
    if unit not in (Unit.PERCENT, Unit.COUNT) or req.value is None \
            or req.comparison in (Comparison.AT_MOST, Comparison.TOP, Comparison.DONE):
        return None
    return f"{progress_bar(value, req.value)} {value_text(value, unit, lang)} / " \
           f"{value_text(req.value, unit, lang)}"


def pooled_lines(pooled: Figure, state: str | None, unit: str, lang: str) -> list[str]:
    total = len(pooled.units_reported) + len(pooled.units_missing)
    lines = [t("report.pooled", lang, reported=len(pooled.units_reported), total=total,
               value=value_text(pooled.value, unit, lang, pooled.numerator, pooled.denominator))]
    if pooled.units_missing:
        lines.append(t("report.missing_units", lang, units=", ".join(pooled.units_missing)))
    if state in (TargetState.ACHIEVED, TargetState.OVERDUE, TargetState.ON_TRACK,
                 TargetState.AT_RISK, TargetState.BEHIND):
        lines.append(t("report.pooled_state", lang,
                       verdict=t(f"report.verdict.{state}", lang)))
    return lines


def confirmation(conf: Confirmation, today: dt.date, undo_minutes: int, lang: str) -> Reply:
    item = conf.item
    value = _parsed(conf.value, item.unit, lang)
    where = f" ({conf.unit_name})" if conf.unit_name else ""
    if not conf.created:
        return Reply(t("report.saved_again", lang, when=_when(conf.reported_at), value=value,
                       code=item.code, unit=where))
    lines = [t("report.saved", lang, value=value, code=item.code, unit=where)]
    req = item.requirement
    if req is not None:
        bar = _bar_line(conf.value.value, req, item.unit, lang)
        if bar:
            lines.append(f"{bar} ({req.label})")
        else:
            lines.append(t("report.requirement", lang, label=req.label,
                           requirement=requirement_text(req, item.unit, lang),
                           due=due_text(req.deadline, today, lang)))
        if bar:
            lines.append(t("report.deadline", lang, due=due_text(req.deadline, today, lang)))
    lines.extend(pace_lines(conf.assessment, item.unit, today, lang))
    if conf.pooled is not None:
        lines.extend(pooled_lines(conf.pooled, conf.pooled_state, item.unit, lang))
    if conf.evidence:
        lines.append(t("report.saved_evidence", lang, count=conf.evidence))
    lines.append(t("report.undo_hint", lang, minutes=undo_minutes))
    return Reply("\n".join(lines))


def already_recorded(line: HistoryLine, lang: str) -> Reply:
    where = f" ({line.unit_name})" if line.unit_name else ""
    return Reply(t("report.saved_again", lang, when=_when(line.reported_at), code=line.code,
                   value=value_text(line.value, line.unit, lang, line.numerator,
                                   line.denominator), unit=where))


# --- the conversation's frame -------------------------------------------------------------------

def cancelled(lang: str) -> Reply:
    return Reply(t("report.cancelled", lang))


def timed_out(draft: Draft, minutes: int, lang: str) -> Reply:
    if draft.code:
        return Reply(t("report.timeout_code", lang, code=draft.code, minutes=minutes))
    return Reply(t("report.timeout", lang, minutes=minutes))


def restart_question(draft: Draft, lang: str) -> Reply:
    what = draft.code or t("report.no_target_yet", lang)
    return Reply(t("report.restart_question", lang, what=what),
                 [[Button(t("report.button.restart", lang), rep_data("restart")),
                   Button(t("report.button.continue", lang), rep_data("continue"))]])


def nothing_open(lang: str) -> Reply:
    return Reply(t("report.nothing_open", lang))


def refusal(refused: Refusal, lang: str, about: str = "report") -> Reply:
    """Why not, for a report (`about="report"`) or a history (`about="history"`)."""
    allowed = ", ".join(refused.allowed) or t("report.allowed_none", lang)
    return Reply(t(f"report.{about}_refused.{refused.reason}", lang, code=refused.code,
                   allowed=allowed))


def old_button(prompt: Reply, lang: str) -> Reply:
    """A button from an earlier step was pressed: say so and ask the current question again."""
    return Reply(t("report.old_button", lang) + "\n" + prompt.text, prompt.buttons)


def file_later(prompt: Reply, lang: str) -> Reply:
    return Reply(t("report.file_later", lang) + "\n" + prompt.text, prompt.buttons)


def with_hint(prompt: Reply, lang: str) -> Reply:
    """Text typed where a button is expected: the question again, with a hint."""
    return Reply(t("report.use_buttons", lang) + "\n" + prompt.text, prompt.buttons)


# --- history and undo ---------------------------------------------------------------------------

def history_line(line: HistoryLine, lang: str) -> str:
    value = value_text(line.value, line.unit, lang, line.numerator, line.denominator)
    text = f"• {_when(line.reported_at)} · {line.code} · {value} · {line.officer}"
    if line.unit_name:
        text += f" ({line.unit_name})"
    if line.evidence:
        text += f" 📎{line.evidence}"
    if line.withdrawn_at is not None:
        text += " " + t("report.history.withdrawn", lang)
    if line.note:
        text += "\n   " + t("report.history.note", lang, note=line.note)
    return text


def history_view(view: History, lang: str) -> Reply:
    if view.scope == "target":
        name = view.name_en if lang == "en" and view.name_en else view.name
        header = t("report.history.header_target", lang, code=view.code, name=name)
    else:
        header = t(f"report.history.header_{view.scope}", lang)
    lines = [header]
    lines.extend(history_line(line, lang) for line in view.lines)
    if not view.lines:
        lines.append(t("report.history.empty", lang))
    if view.scope != "target":
        lines.append(t("report.history.more", lang))
    return Reply("\n".join(lines))


def undo_view(result: UndoResult, minutes: int, lang: str) -> Reply:
    if result.status == "none" or result.line is None:
        return Reply(t("report.undo.none", lang))
    line = result.line
    values = dict(code=line.code, when=_when(line.reported_at),
                  value=value_text(line.value, line.unit, lang, line.numerator,
                                  line.denominator))
    if result.status == "too_old":
        return Reply(t("report.undo.too_old", lang, minutes=minutes, **values))
    if result.status == "confirm":
        return Reply(t("report.undo.confirm", lang, **values), [[
            Button(t("report.button.undo", lang),
                   button_data(ButtonPrefix.UNDO, line.report_id)),
            Button(t("report.button.keep", lang), button_data(ButtonPrefix.UNDO, "keep"))]])
    if result.status in ("already", "stale"):
        return Reply(t(f"report.undo.{result.status}", lang, **values))
    return Reply(t("report.undo.done", lang, **values))


def undo_kept(lang: str) -> Reply:
    return Reply(t("report.undo.kept", lang))
