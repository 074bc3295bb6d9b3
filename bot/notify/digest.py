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
from bot.notify.messages import item_title
from bot.notify.nudges import Recipient, Tracked, short_name, tracked_items
from bot.notify.workdays import WorkCalendar
from bot.paperwork.charts import Bar, ChartText, progress_chart
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
    reported: int  # officers who reported in the last rate_days
    assigned: int  # officers responsible for at least one target
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
        states = assessments(engine, session, targets, now,
                             reqs=requirements_of(session, targets), unit_id=unit_id)
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
        responsible = {o for target_owners in owners.values() for o in target_owners
                       if o in names}
        since = now - dt.timedelta(days=rate_days)
        reported = set(session.exec(
            select(m.ProgressReport.officer_id).where(
                m.ProgressReport.withdrawn_at.is_(None), m.ProgressReport.reported_at >= since,
                m.ProgressReport.reported_at <= now,
                m.ProgressReport.officer_id.in_(list(responsible) or [-1])))) & responsible
        soon = [tr for tr in tracked_items(session, today, today + dt.timedelta(days=ahead_days))
                if tr.item.plan_code == plan.code]
        late = [tr for tr in tracked_items(session, today - dt.timedelta(days=OUTSTANDING_DAYS),
                                           today - dt.timedelta(days=1))
                if tr.item.plan_code == plan.code and not tr.done]
        return Digest(plan.code, plan.number, now, tuple(areas), len(recent), reporters,
                      tuple(soon), tuple(late), len(reported), len(responsible), ahead_days,
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


def digest_text(d: Digest, lang: str, late_since: dt.date | None = None) -> str:
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
    if d.new_reports:
        lines.append(t("digest.new_reports", lang, count=d.new_reports,
                       names=", ".join(d.reporters)))
    else:
        lines.append(t("digest.no_new_reports", lang))
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
    if d.overdue:
        lines.append(t("digest.overdue", lang))
        for tr in sorted(d.overdue, key=lambda tr: (tr.item.last_day, tr.item.code)):
            lines.append(t("digest.due_line", lang, title=item_title(tr.item, lang),
                           due=due_phrase(tr.item, today, lang), owners=_owners(tr, lang)))
    else:
        lines.append(t("digest.no_overdue", lang))
    lines.append("")
    if d.assigned:
        lines.append(t("digest.rate", lang, days=d.rate_days, reported=d.reported,
                       assigned=d.assigned,
                       percent=fmt_percent(round(100.0 * d.reported / d.assigned, 1), lang)))
    else:
        lines.append(t("digest.rate_none", lang))
    return "\n".join(lines)


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


def digest_replies(d: Digest, lang: str, chart: bytes | None = None,
                   late_since: dt.date | None = None) -> list[Reply]:
    """The chart (with a short caption) then the text, cut to Telegram's message size."""
    caption = "\n".join([_header(d, lang), _counts_line(d, lang), t("digest.caption_more", lang)])
    photo = Reply(caption[:CAPTION_LIMIT], photo=chart if chart is not None
                  else digest_chart(d, lang))
    texts = [Reply(chunk) for chunk in split_text(digest_text(d, lang, late_since), TEXT_LIMIT)]
    texts[-1].buttons = [[Button(t("digest.button.status", lang), "cmd:status"),
                          Button(t("digest.button.export", lang), "cmd:export"),
                          Button(t("digest.button.quarterly", lang), "cmd:quarterly")]]
    return [photo, *texts]


def on_demand(engine: Engine, now: dt.datetime, lang: str, ahead_days: int = 14,
              rate_days: int = 30, unit_id: int | None = None) -> list[Reply]:
    """/digest: the digest as of now (a principal's: their school's), or why there is none."""
    d = build_digest(engine, now, ahead_days, rate_days, unit_id=unit_id)
    if d is None:
        return [Reply(t("digest.no_plan", lang))]
    return digest_replies(d, lang)


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

