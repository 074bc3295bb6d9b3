"""The reminder an officer reads: one message per run grouping every item due for them —
overdue first, then what is coming due, what has not been updated for long, and what others owe
that they should follow up — each with a button to act on it."""

from __future__ import annotations

import datetime as dt

from bot.core.catalogue import t
from bot.core.clock import clock
from bot.core.formatting import fmt_date
from bot.core.replies import Button, Reply
from bot.core.vocab import ButtonPrefix, button_data
from bot.notify.nudges import OWN_KINDS, Notice, Recipient, Tracked
from bot.plans.deadlines import DueItem
from bot.plans.overview import due_phrase
from bot.progress.wording import requirement_text, value_text

MAX_ITEM_BUTTONS = 6


def item_title(item: DueItem, lang: str) -> str:
    name = item.name_en if lang == "en" and item.name_en else item.name
    if item.kind == "target":
        return f"{item.code} {name}"
    return t("notify.occurrence", lang, name=name, label=item.label)


def _target_state(tr: Tracked, lang: str) -> str:
    if tr.requirement is None or tr.unit is None:
        return ""
    goal = requirement_text(tr.requirement, tr.unit, lang)
    if tr.last_value is None:
        return t("notify.no_value", lang, goal=goal)
    return t("notify.value", lang, value=value_text(tr.last_value, tr.unit, lang), goal=goal,
             date=fmt_date(clock.local(tr.last_at).date()))


def _line(n: Notice, today: dt.date, lang: str, mark_late: bool) -> str:
    tr = n.tracked
    parts = [item_title(n.item, lang)]
    if n.kind == "stale":
        parts.append(t("notify.due", lang, date=fmt_date(n.item.due)))
    else:
        parts.append(due_phrase(n.item, today, lang))
    if tr.is_target:
        state = _target_state(tr, lang)
        if state:
            parts.append(state)
    if n.kind == "escalate":
        owners = ", ".join(tr.owner_names) or t("notify.no_owner", lang)
        parts.append(t("notify.owners", lang, names=owners))
    line = "• " + " — ".join(parts)
    if mark_late and n.late:
        line += " " + t("notify.late_mark", lang)
    return line


def render_notices(notices: list[Notice], r: Recipient, now: dt.datetime,
                   stale_days: int = 30) -> Reply:
    """One message for one officer, grouping every item due for them in this run, each with a
    button to act on it."""
    lang = r.language
    today = now.date()
    weekday = t(f"notify.weekday.{today.weekday()}", lang)
    lines = [t("notify.header", lang, weekday=weekday, date=fmt_date(today))]
    late = [n for n in notices if n.late]
    mixed = 0 < len(late) < len(notices)  # then each late item says so
    if late:
        first = min(n.scheduled.date() for n in late)
        lines.append(t("notify.late_note", lang, date=fmt_date(first)))
    shown: set[str] = set()
    sections = (("overdue", "notify.section.overdue"), ("nudge", "notify.section.upcoming"),
                ("stale", "notify.section.stale"), ("escalate", "notify.section.escalate"))
    for kind, title in sections:
        group = [n for n in notices if n.kind == kind]
        group.sort(key=lambda n: (n.item.last_day, n.item.kind, n.item.code))
        lines_here = []
        for n in group:
            ident = f"{n.item.key()}:{n.kind == 'escalate'}"
            if ident in shown:
                continue
            shown.add(ident)
            lines_here.append(_line(n, today, lang, mixed))
        if lines_here:
            lines.append("")
            lines.append(t(title, lang, days=stale_days) if kind == "stale" else t(title, lang))
            lines.extend(lines_here)
    own = [n for n in notices if n.kind in OWN_KINDS]
    lines.append("")
    if not own:
        lines.append(t("notify.footer_escalate", lang))
    elif any(n.item.kind == "obligation" for n in own):
        lines.append(t("notify.footer_done", lang))
    else:
        lines.append(t("notify.footer", lang))
    return Reply("\n".join(lines), _buttons(own, lang))


def _buttons(own: list[Notice], lang: str) -> list[list[Button]]:
    if not own:
        status = button_data(ButtonPrefix.COMMAND, "status")
        return [[Button(t("notify.button.status", lang), status)]]
    items: list[Button] = []
    seen: set[str] = set()
    for n in sorted(own, key=lambda n: (n.item.last_day, n.item.code)):
        item = n.item
        if item.kind == "target":
            data = button_data(ButtonPrefix.REPORT_TARGET, item.code)
            label = t("notify.button.report", lang, code=item.code)
        else:
            data = button_data(ButtonPrefix.DONE, item.item_id, item.period)
            label = t("notify.button.done", lang, code=item.code, label=item.label)
        if data not in seen and len(data.encode()) <= 64:
            seen.add(data)
            items.append(Button(label, data))
    rows: list[list[Button]] = []
    if len(items) > MAX_ITEM_BUTTONS:
        targets = [b for b in items if b.data.startswith(f"{ButtonPrefix.REPORT_TARGET}:")]
        items = [b for b in items
                 if not b.data.startswith(f"{ButtonPrefix.REPORT_TARGET}:")][:MAX_ITEM_BUTTONS - 1]
        if targets:
            items.insert(0, Button(t("notify.button.report_all", lang),
                                   button_data(ButtonPrefix.COMMAND, "report")))
    for i in range(0, len(items), 2):
        rows.append(items[i:i + 2])
    snooze = button_data(ButtonPrefix.SNOOZE, 3)
    rows.append([Button(t("notify.button.snooze", lang, days=3), snooze)])
    return rows
