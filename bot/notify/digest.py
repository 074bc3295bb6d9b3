"""The weekly leadership digest: where every target stands, per area, and what needs attention.

Built from the database as of one moment: the state of every target (bot.progress.assess_target:
achieved, on track, at risk, behind, overdue, no data), the reports of the last 7 days and who sent
them, what falls due in the next days (bot.plans.deadlines), what is overdue and who owns it,
and the
reporting rate (officers who reported in the last `rate_days` / officers responsible for a
target). Sent to leaders on their chosen weekday and time (Monday 07:30 by default) as a chart
(bot.paperwork.charts) and a text, and on demand with /digest or `parbot digest --preview`.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass

from sqlalchemy import true
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from bot.core.catalogue import t
from bot.core.clock import clock
from bot.core.formatting import fmt_date, fmt_percent
from bot.core.replies import Button, Reply
from bot.core.text import split_text
from bot.core.vocab import ButtonPrefix, button_data
from bot.notify.messages import item_title
from bot.notify.nudges import Recipient, Tracked, _static, short_name, tracked_items
from bot.notify.workdays import WorkCalendar
from bot.paperwork.charts import Bar, ChartText, progress_chart
from bot.people.assignments import assigned_officers, reported_officers
from bot.people.preferences import DIGEST_OFF
from bot.plans.overview import due_phrase
from bot.plans.store import plan_by_code
from bot.progress import Requirement, requirements_of
from bot.progress.book import assessments
from bot.progress.wording import requirement_text, value_text
from bot.reporting.submissions import OUTSTANDING_DAYS
from storage import models as m

ICONS = {"achieved": "✅", "on_track": "🟢", "at_risk": "⚠️", "behind": "🔴", "overdue": "⛔",
         "no_data": "⚪"}
STATE_ORDER = ("achieved", "on_track", "at_risk", "behind", "overdue", "no_data")

TEXT_LIMIT = 3900  # Telegram allows 4096 characters a message
DIGEST_LIMIT = 1200  # the weekly message fits a phone screen
ACTIONS_MIN, ACTIONS_MAX = 3, 5
TITLE_SHORT = 46
DETAILS = "details"  # digest:details — the details and the chart
CAPTION_LIMIT = 1024


@dataclass(frozen=True)
class TargetRow:
    code: str
    name: str
    name_en: str
    state: str
    unit: str
    value: float | None
    requirement: Requirement | None
    owners: tuple[str, ...]
    share: float | None  # % of the requirement reached

    def title(self, lang: str) -> str:
        return f"{self.code} {self.name_en if lang == 'en' and self.name_en else self.name}"


@dataclass(frozen=True)
class AreaRow:
    code: str
    number: int
    name: str
    name_en: str
    targets: tuple[TargetRow, ...]

    def title(self, lang: str) -> str:
        return f"{self.number}. {self.name_en if lang == 'en' and self.name_en else self.name}"


@dataclass(frozen=True)
class Digest:
    plan_code: str
    plan_number: str
    at: dt.datetime
    areas: tuple[AreaRow, ...]
    new_reports: int
    reporters: tuple[str, ...]  # short names, most reports first
    due_soon: tuple[Tracked, ...]
    overdue: tuple[Tracked, ...]
    reported: int  # of `assigned`: who reported or marked a report sent in the last rate_days
    assigned: int  # officers with an assignment in the plan (a target or a recurring report)
    ahead_days: int
    rate_days: int

    @property
    def week(self) -> tuple[int, int]:
        year, week, _ = self.at.date().isocalendar()
        return year, week

    def counts(self) -> Counter:
        return Counter(row.state for area in self.areas for row in area.targets)


def share_of_target(value: float | None, req: Requirement | None) -> float | None:
    """How much of the requirement a figure reaches, in % (100 = met)."""
    if value is None or req is None:
        return None
    if req.comparison == "done" or req.value is None:
        return 100.0 if value >= 1 else 0.0
    if req.comparison in ("at_most", "top"):
        if value <= req.value:
            return 100.0
        return round(100.0 * req.value / value, 1) if value > 0 else 100.0
    if req.value <= 0:
        return 100.0 if value >= req.value else 0.0
    return round(100.0 * value / req.value, 1)


def build_digest(engine: Engine, now: dt.datetime, ahead_days: int = 14, rate_days: int = 30,
                 plan_code: str | None = None, unit_id: int | None = None) -> Digest | None:
    """The digest of one plan (the first active one by default) as of `now`; with `unit_id` (a
    principal's school) about that school: the targets measured per school on its own reports,
    its officers' reports."""
    today = now.date()
    with Session(engine) as session:
        plan = plan_by_code(session, plan_code)
        if plan is None:
            return None
        names = {o.id: short_name(o.full_name)
                 for o in session.exec(select(m.Officer).where(m.Officer.active))}
        owners: dict[int, list[int]] = {}
        for a in session.exec(
                select(m.Assignment).join(m.Target, m.Target.id == m.Assignment.target_id)
                .where(m.Target.plan_id == plan.id, m.Assignment.kind == "responsible")
                .order_by(m.Assignment.id)):
            owners.setdefault(a.target_id, []).append(a.officer_id)
        targets = [tg for tg in session.exec(select(m.Target).where(m.Target.plan_id == plan.id)
                                             .order_by(m.Target.id))
                   if unit_id is None or tg.measured_per == "school"]
        reqs = _static(session, plan, "requirements",  # an imported plan never changes
                       lambda: requirements_of(session, session.exec(
                           select(m.Target).where(m.Target.plan_id == plan.id)).all()))
        states = assessments(engine, session, targets, now, reqs=reqs, unit_id=unit_id)
        areas = []
        for area in session.exec(select(m.Area).where(m.Area.plan_id == plan.id)
                                 .order_by(m.Area.number)):
            rows = []
            for target in (tg for tg in targets if tg.area_id == area.id):
                a = states[target.id]
                rows.append(TargetRow(
                    target.code, target.name, target.name_en, a.state, target.unit,
                    a.figure.value, a.requirement,
                    tuple(names[o] for o in owners.get(target.id, []) if o in names),
                    share_of_target(a.figure.value, a.requirement)))
            areas.append(AreaRow(area.code, area.number, area.name, area.name_en, tuple(rows)))
        week_ago = now - dt.timedelta(days=7)
        recent = session.exec(
            select(m.ProgressReport.officer_id).join(m.Target)
            .where(m.Target.plan_id == plan.id, m.ProgressReport.withdrawn_at.is_(None),
                   m.ProgressReport.reported_at >= week_ago,
                   m.ProgressReport.reported_at <= now,
                   m.ProgressReport.unit_id == unit_id if unit_id is not None else true())
        ).all()
        by_officer = Counter(recent)
        reporters = tuple(names.get(o, "?") for o, _ in
                          sorted(by_officer.items(), key=lambda kv: (-kv[1], names.get(kv[0], ""))))
        assigned = assigned_officers(session, plan.id)
        if unit_id is not None:
            assigned = {i: o for i, o in assigned.items() if o.unit_id == unit_id}
        since = now - dt.timedelta(days=rate_days)
        reported = reported_officers(session, list(assigned), since, now)
        soon = [tr for tr in tracked_items(session, today, today + dt.timedelta(days=ahead_days))
                if tr.item.plan_code == plan.code]
        late = [tr for tr in tracked_items(session, today - dt.timedelta(days=OUTSTANDING_DAYS),
                                           today - dt.timedelta(days=1))
                if tr.item.plan_code == plan.code and not tr.done]
        return Digest(plan.code, plan.number, now, tuple(areas), len(recent), reporters,
                      tuple(soon), tuple(late), len(reported), len(assigned), ahead_days,
                      rate_days)


# --- rendering ---------------------------------------------------------------------------------

def _value(row: TargetRow, lang: str) -> tuple[str, str]:
    goal = requirement_text(row.requirement, row.unit, lang) if row.requirement else "—"
    if row.value is None:
        return t("digest.no_value", lang), goal
    return value_text(row.value, row.unit, lang), goal


def _counts_line(d: Digest, lang: str) -> str:
    counts = d.counts()
    return t("digest.counts", lang, **{s: counts.get(s, 0) for s in STATE_ORDER})


def _header(d: Digest, lang: str) -> str:
    year, week = d.week
    return t("digest.header", lang, week=week, year=year, number=d.plan_number,
             date=fmt_date(d.at.date()))


def _owners(tr: Tracked, lang: str) -> str:
    return ", ".join(tr.owner_names) or t("digest.no_owner", lang)


def _overdue_targets(d: Digest) -> list[tuple[AreaRow, TargetRow]]:
    return [(a, r) for a in d.areas for r in a.targets if r.state == "overdue"]


def details_text(d: Digest, lang: str, late_since: dt.date | None = None) -> str:
    """The whole digest: every target per area, the new reports, what falls due, what is
    overdue (the overdue targets counted at the top and the recurring reports not sent) and the
    reporting rate — behind the short message's button."""
    today = d.at.date()
    lines = [_header(d, lang)]
    if late_since is not None:
        lines.append(t("digest.late", lang, date=fmt_date(late_since)))
    lines.append(_counts_line(d, lang))
    for area in d.areas:
        if not area.targets:
            continue
        lines.append("")
        lines.append(area.title(lang))
        for row in area.targets:
            value, goal = _value(row, lang)
            lines.append(t("digest.target", lang, icon=ICONS[row.state], title=row.title(lang),
                           value=value, goal=goal))
    lines.append("")
    lines.append(_new_reports_line(d, lang))
    lines.append("")
    if d.due_soon:
        lines.append(t("digest.due_soon", lang, days=d.ahead_days))
        for tr in d.due_soon:
            mark = "✅ " if tr.done else ""
            lines.append(t("digest.due_line", lang, title=mark + item_title(tr.item, lang),
                           due=due_phrase(tr.item, today, lang), owners=_owners(tr, lang)))
    else:
        lines.append(t("digest.no_due_soon", lang, days=d.ahead_days))
    lines.append("")
    targets = _overdue_targets(d)
    unsent = [tr for tr in d.overdue if tr.item.kind == "obligation"]
    if targets or unsent:
        lines.append(t("digest.overdue", lang))
        for _, row in targets:
            value, goal = _value(row, lang)
            lines.append(t("digest.overdue_target", lang, title=row.title(lang), value=value,
                           goal=goal, deadline=fmt_date(row.requirement.deadline),
                           owners=", ".join(row.owners) or t("digest.no_owner", lang)))
        for tr in sorted(unsent, key=lambda tr: (tr.item.last_day, tr.item.code)):
            lines.append(t("digest.due_line", lang, title=item_title(tr.item, lang),
                           due=due_phrase(tr.item, today, lang), owners=_owners(tr, lang)))
    else:
        lines.append(t("digest.no_overdue", lang))
    lines.append("")
    lines.append(_rate_line(d, lang))
    return "\n".join(lines)


def _new_reports_line(d: Digest, lang: str, names: int | None = None) -> str:
    if not d.new_reports:
        return t("digest.no_new_reports", lang)
    shown = list(d.reporters if names is None else d.reporters[:names])
    if names is not None and len(d.reporters) > names:
        shown.append("…")
    return t("digest.new_reports", lang, count=d.new_reports, names=", ".join(shown))


def _rate_line(d: Digest, lang: str) -> str:
    if not d.assigned:
        return t("digest.rate_none", lang)
    return t("digest.rate", lang, days=d.rate_days, reported=d.reported, assigned=d.assigned,
             percent=fmt_percent(round(100.0 * d.reported / d.assigned, 1), lang))


@dataclass(frozen=True)
class Action:
    """Something that needs someone's action, with whose."""

    rank: tuple
    text: str


def _short(text: str, limit: int = TITLE_SHORT) -> str:
    return text if len(text) <= limit else text[:limit - 1].rstrip() + "…"


def _short_item(item, lang: str) -> str:
    """"CODE name" of a target or "name (kỳ label)" of a recurring report, the name cut short
    but never the period."""
    name = item.name_en if lang == "en" and item.name_en else item.name
    if item.kind == "target":
        return _short(f"{item.code} {name}")
    return t("notify.occurrence", lang, name=_short(name, TITLE_SHORT - 12), label=item.label)


def actions(d: Digest, lang: str) -> list[Action]:
    """What needs action, most pressing first: overdue targets and recurring reports not sent
    (oldest deadline first), then targets behind, then at risk, then what falls due soon and is
    not done — each with the people who own it."""
    today = d.at.date()
    out = []
    severity = {"overdue": 0, "behind": 2, "at_risk": 3}
    for area in d.areas:
        for row in area.targets:
            if row.state not in severity or row.requirement is None:
                continue
            value, goal = _value(row, lang)
            out.append(Action(
                (severity[row.state], row.requirement.deadline, row.code),
                t("digest.action_target", lang, icon=ICONS[row.state],
                  title=_short(row.title(lang)), value=value, goal=goal,
                  deadline=fmt_date(row.requirement.deadline),
                  owners=", ".join(row.owners[:3]) or t("digest.no_owner", lang))))
    unsent: dict[str, list[Tracked]] = {}
    for tr in sorted(d.overdue, key=lambda tr: tr.item.last_day):
        if tr.item.kind == "obligation":
            unsent.setdefault(tr.item.code, []).append(tr)
    for group in unsent.values():  # one line per recurring report, its periods together
        first = group[0]
        name = first.item.name_en if lang == "en" and first.item.name_en else first.item.name
        labels = ", ".join(tr.item.label for tr in group)
        out.append(Action((1, first.item.last_day, first.item.code),
                          t("digest.action_report", lang,
                            title=t("notify.occurrence", lang, name=_short(name, 34),
                                    label=labels),
                            due=due_phrase(first.item, today, lang),
                            owners=", ".join(first.owner_names[:3]) or
                            t("digest.no_owner", lang))))
    for tr in d.due_soon:
        if tr.done:
            continue
        out.append(Action((4, tr.item.last_day, tr.item.code),
                          t("digest.action_soon", lang, title=_short_item(tr.item, lang),
                            due=due_phrase(tr.item, today, lang),
                            owners=", ".join(tr.owner_names[:3]) or
                            t("digest.no_owner", lang))))
    return sorted(out, key=lambda a: a.rank)


def digest_text(d: Digest, lang: str, late_since: dt.date | None = None) -> str:
    """The phone-size digest (at most DIGEST_LIMIT characters): the counts, the three to five
    items that need someone's action with the person's name; the rest behind a button."""
    head = [_header(d, lang)]
    if late_since is not None:
        head.append(t("digest.late", lang, date=fmt_date(late_since)))
    unsent = sum(1 for tr in d.overdue if tr.item.kind == "obligation")
    soon = sum(1 for tr in d.due_soon if not tr.done)
    head += [t("digest.targets", lang, counts=_counts_line(d, lang)),
             t("digest.reports_line", lang, unsent=unsent, days=d.ahead_days, soon=soon),
             _new_reports_line(d, lang, names=3), _rate_line(d, lang)]
    todo = actions(d, lang)
    count = min(len(todo), ACTIONS_MAX)
    while True:
        lines = list(head)
        if todo:
            lines.append(t("digest.actions", lang, count=len(todo)))
            lines += [f"• {a.text}" for a in todo[:count]]  # numbers are the buttons' (console)
            if len(todo) > count:
                lines.append(t("digest.actions_more", lang, count=len(todo) - count))
        else:
            lines.append(t("digest.no_actions", lang))
        text = "\n".join(lines)
        if len(text) <= DIGEST_LIMIT or count <= ACTIONS_MIN:
            return text if len(text) <= DIGEST_LIMIT else text[:DIGEST_LIMIT - 1] + "…"
        count -= 1


def chart_text(d: Digest, lang: str) -> ChartText:
    year, week = d.week
    return ChartText(title=t("digest.chart.title", lang, week=week, year=year),
                     axis=t("digest.chart.axis", lang), target_line=t("digest.chart.target", lang),
                     states={s: t(f"digest.state.{s}", lang) for s in STATE_ORDER})


def digest_chart(d: Digest, lang: str) -> bytes:
    groups = []
    for area in d.areas:
        bars = []
        for row in area.targets:
            value, goal = _value(row, lang)
            note = f"{value} / {goal}" if row.value is not None else \
                t("digest.chart.no_data", lang, goal=goal)
            bars.append(Bar(row.title(lang), row.share, row.state, note))
        if bars:
            groups.append((area.title(lang), bars))
    return progress_chart(groups, chart_text(d, lang))


def digest_buttons(lang: str) -> list[list[Button]]:
    return [[Button(t("digest.button.details", lang),
                    button_data(ButtonPrefix.DIGEST, DETAILS))],
            [Button(t("digest.button.export", lang), button_data(ButtonPrefix.COMMAND, "export")),
             Button(t("digest.button.quarterly", lang),
                    button_data(ButtonPrefix.COMMAND, "quarterly"))]]


def digest_replies(d: Digest, lang: str, late_since: dt.date | None = None) -> list[Reply]:
    """The weekly message: one phone-size text with a button for the details and the chart."""
    return [Reply(digest_text(d, lang, late_since), digest_buttons(lang))]


def details_replies(d: Digest, lang: str, chart: bytes | None = None) -> list[Reply]:
    """Behind the button: the chart (with a short caption), then every area's targets, cut to
    Telegram's message size."""
    caption = "\n".join([_header(d, lang), _counts_line(d, lang), t("digest.caption_more", lang)])
    photo = Reply(caption[:CAPTION_LIMIT], photo=chart if chart is not None
                  else digest_chart(d, lang))
    texts = [Reply(chunk) for chunk in split_text(details_text(d, lang), TEXT_LIMIT)]
    texts[-1].buttons = [[Button(t("digest.button.status", lang),
                                 button_data(ButtonPrefix.COMMAND, "status"))]]
    return [photo, *texts]


def on_demand(engine: Engine, now: dt.datetime, lang: str, ahead_days: int = 14,
              rate_days: int = 30, unit_id: int | None = None,
              details: bool = False) -> list[Reply]:
    """/digest (a principal's: their school's) or its details button, as of now."""
    d = build_digest(engine, now, ahead_days, rate_days, unit_id=unit_id)
    if d is None:
        return [Reply(t("digest.no_plan", lang))]
    return details_replies(d, lang) if details else digest_replies(d, lang)


# --- when leaders get it --------------------------------------------------------------------------

@dataclass(frozen=True)
class DigestDue:
    officer_id: int
    key: str  # log key without the channel
    scheduled: dt.datetime
    expires: dt.datetime
    late: bool


def week_key(day: dt.date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def due_digests(people: dict[int, Recipient], now: dt.datetime) -> list[DigestDue]:
    """For each leader on the channel who takes the digest: the latest scheduled digest by
    `now` (this week's, or last week's until this week's time comes)."""
    out = []
    monday = now.date() - dt.timedelta(days=now.weekday())
    for r in people.values():
        if r.role != "leader" or r.prefs.digest_weekday == DIGEST_OFF:
            continue
        day = monday + dt.timedelta(days=r.prefs.digest_weekday)
        scheduled = clock.localize(dt.datetime.combine(day, r.prefs.digest_time))
        if scheduled > now:
            scheduled -= dt.timedelta(days=7)
        if scheduled < r.linked_at - dt.timedelta(minutes=1):
            continue  # not a leader on this channel yet at that time: nothing was missed
        if r.digest_changed_at is not None and scheduled < r.digest_changed_at:
            continue  # a slot of the new schedule before it was chosen never existed
        out.append(DigestDue(r.officer_id, f"digest:{r.officer_id}:{week_key(scheduled.date())}",
                             scheduled, scheduled + dt.timedelta(days=7),
                             now.date() > scheduled.date()))
    return out


def digest_hold(r: Recipient, now: dt.datetime, calendar: WorkCalendar) -> str | None:
    """Why a digest waits (public holiday, snooze, quiet hours), or None."""
    if calendar.is_holiday(now.date()):
        return "holiday"
    if r.prefs.snoozed(now):
        return "snoozed"
    if r.prefs.quiet(now):
        return "quiet"
    return None

