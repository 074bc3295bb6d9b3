"""What falls due in a period for the person asking, from `bot.deadlines.due_items`.

Whose items (the same rule for /due and the questions):
- an officer: the recurring reports and targets assigned to them (responsible or coordinating);
- a principal: the recurring reports (schools feed them), the targets measured per school, and
  whatever is assigned to the officers of their school;
- a leader or admin: everything in the plan.
Reviews (sơ kết, tổng kết) concern everyone; the office's recurring reports someone else sends
are listed apart for an officer (the units feed them: "tháng này có báo cáo nào phải nộp").
Overdue targets in scope (deadline passed, figure
short of the requirement — `bot.progress` rules) come first, then the items by date with the
days left. Recurring reports whose date passed without a submission (bot.reporting.submissions:
the same list the digest shows) come next; in the current period, passed ones that were sent are
left out; a period wholly in the past lists them as past.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from bot.answers import figures, wording
from bot.answers.slots import Period
from bot.answers.snapshot import AreaInfo, PlanSnapshot, cite
from bot.core.access import Actor
from bot.core.catalogue import t
from bot.core.formatting import days_left_phrase, fmt_date, fmt_short_date
from bot.core.replies import Button, Reply
from bot.core.vocab import TargetState, ask_data, cmd_data
from bot.plans.deadlines import DueItem, due_items
from bot.plans.overview import due_phrase, plan_status
from bot.reporting.submissions import outstanding
from storage import models as m

OVERDUE_SHOWN = 5
GROUP_FROM = 3  # a recurring report due this many times in the period takes one line


@dataclass(frozen=True)
class Scope:
    everything: bool
    targets: frozenset[int]
    obligations: frozenset[int]
    all_obligations: bool = False

    def has(self, item: DueItem) -> bool:
        if self.everything or item.kind == "review":
            return True
        if item.kind == "obligation":
            return self.all_obligations or item.item_id in self.obligations
        return item.item_id in self.targets


def scope_of(session: Session, snap: PlanSnapshot, actor: Actor) -> Scope:
    if actor.role in ("leader", "admin"):
        return Scope(True, frozenset(), frozenset())
    officer_ids = [actor.officer_id] if actor.officer_id is not None else []
    if actor.role == "principal" and actor.unit_id is not None:
        officer_ids += list(session.exec(select(m.Officer.id).where(
            m.Officer.unit_id == actor.unit_id, m.Officer.active)).all())
    rows = session.exec(select(m.Assignment.target_id, m.Assignment.obligation_id)
                        .where(m.Assignment.officer_id.in_(officer_ids))).all() \
        if officer_ids else []
    targets = {r[0] for r in rows if r[0] is not None}
    obligations = {r[1] for r in rows if r[1] is not None}
    if actor.role == "principal":
        targets |= {tg.id for tg in snap.targets if tg.measured_per == "school"}
        return Scope(False, frozenset(targets), frozenset(obligations), all_obligations=True)
    return Scope(False, frozenset(targets), frozenset(obligations))


def plan_items(session: Session, plan: m.Plan, snap: PlanSnapshot,
               start: dt.date | None = None, end: dt.date | None = None) -> list[DueItem]:
    """`bot.deadlines.due_items` of the plan, expanded once per imported plan (its dates never
    change), then taken between `start` and `end` as due_items does (by the last day)."""
    items = snap.extra.get("due_items")
    if items is None:
        items = snap.extra["due_items"] = due_items(session, plan)
    return [i for i in items if (start is None or i.last_day >= start)
            and (end is None or i.last_day <= end)]


def due_reply(engine: Engine, session: Session, plan: m.Plan, snap: PlanSnapshot, actor: Actor,
              period: Period, today: dt.date, area: AreaInfo | None = None,
              reports_only: bool = False) -> Reply:
    """What falls due in `period` for `actor` (only in `area`; only the recurring reports)."""
    lang = actor.language
    scope = scope_of(session, snap, actor)

    def in_area(item: DueItem) -> bool:
        return (area is None or item.area_code == area.code) and \
            (not reports_only or item.kind == "obligation")

    items = [i for i in plan_items(session, plan, snap, period.start, period.end)
             if scope.has(i) and in_area(i)]
    if period.kind in ("quarter", "month"):  # the report *for* this period, due after it
        tag = f"{period.year}-Q{(period.start.month - 1) // 3 + 1}" if period.kind == "quarter" \
            else f"{period.year}-{period.start.month:02d}"
        items += [i for i in plan_items(session, plan, snap, period.end + dt.timedelta(days=1))
                  if i.kind == "obligation" and i.period == tag and scope.has(i) and in_area(i)]
    past_period = period.end < today
    if not past_period:
        items = [i for i in items if i.last_day >= today]
    targets = [tg for tg in snap.targets if (scope.everything or tg.id in scope.targets)
               and (area is None or tg.area_code == area.code) and not reports_only]
    school = actor.unit_id if actor.role == "principal" else None
    states = figures.assessments(engine, session, targets, today, unit_id=school)
    overdue = sorted(((tid, a) for tid, a in states.items() if a.state == TargetState.OVERDUE),
                     key=lambda pair: (pair[1].requirement.deadline, pair[0]))
    unsent = [i for i in outstanding(session, plan, today, plan_items(session, plan, snap))
              if scope.has(i) and (area is None or i.area_code == area.code)]
    by_id = {tg.id: tg for tg in snap.targets}

    label = wording.period_label(period, lang)
    lines = [t("answers.due.header", lang, period=label, range=wording.period_range(period))]
    lines.append(t(f"answers.due.scope_{_scope_key(actor)}", lang))
    status = plan_status(plan, today)
    if status in ("finished", "superseded") and period.end >= today:
        lines.append(t(f"answers.due.plan_{status}", lang, start=snap.period_start,
                       end=snap.period_end))
        lines += dissolved_lines(snap, today, lang)
    if period.start.year > snap.period_end or period.end.year < snap.period_start:
        lines.append(t("answers.due.outside_plan", lang, start=snap.period_start,
                       end=snap.period_end))
    sources: list[str] = []
    if overdue and not past_period:
        lines.append(t("answers.due.overdue", lang, count=len(overdue)))
        for tid, a in overdue[:OVERDUE_SHOWN]:
            tg = by_id[tid]
            name = tg.name_en if lang == "en" and tg.name_en else tg.name
            lines.append(t("answers.due.overdue_line", lang, code=tg.code, name=name,
                           deadline=fmt_date(a.requirement.deadline),
                           rel=days_left_phrase(a.requirement.deadline, today, lang)))
            sources.append(a.requirement.source)
        if len(overdue) > OVERDUE_SHOWN:
            lines.append(t("answers.more_line", lang, count=len(overdue) - OVERDUE_SHOWN))
    if unsent and not past_period:
        lines.append(t("answers.due.unsent", lang, count=len(unsent)))
        for i in unsent[:OVERDUE_SHOWN]:
            lines.append(f"📨 {item_name(i, lang)}: {due_phrase(i, today, lang)}")
            sources.append(i.source)
        if len(unsent) > OVERDUE_SHOWN:
            lines.append(t("answers.more_line", lang, count=len(unsent) - OVERDUE_SHOWN))
    if items:
        lines.append(t("answers.due.items_past" if past_period else "answers.due.items", lang))
        lines += _item_lines(items, today, lang, past_period)
        sources += [i.source for i in items]
    else:
        lines.append(t("answers.due.none", lang))
        after = [i for i in plan_items(session, plan, snap,
                                       max(period.end, today) + dt.timedelta(days=1))
                 if scope.has(i) and in_area(i)]
        if after:
            lines.append(t("answers.due.next_after", lang, name=item_name(after[0], lang),
                           when=due_phrase(after[0], today, lang)))
            sources.append(after[0].source)
    if not overdue and not unsent and not past_period and period.contains(today):
        lines.append(t("answers.due.no_overdue", lang))
    office = [i for i in plan_items(session, plan, snap, period.start, period.end)
              if i.kind == "obligation" and not scope.has(i) and in_area(i)
              and (past_period or i.last_day >= today)]
    if office:  # the office's reports others send: everyone feeds them, so everyone sees them
        lines.append(t("answers.due.office", lang))
        lines += _item_lines(office, today, lang, past_period)
        sources += [i.source for i in office]
    lines.append(cite(snap, sources, lang))
    return Reply("\n".join(lines), _buttons(snap, period, lang))


NEXT_SHOWN = 5


def next_reply(session: Session, plan: m.Plan, snap: PlanSnapshot, actor: Actor,
               today: dt.date, area: AreaInfo | None = None,
               reports_only: bool = False) -> Reply:
    """The nearest deadlines from today: the next occurrence of each recurring report, review
    and target deadline in the asker's scope, soonest first ("hạn tiếp theo", "next deadline")."""
    lang = actor.language
    scope = scope_of(session, snap, actor)
    firsts: dict[str, DueItem] = {}
    for i in plan_items(session, plan, snap, today):
        if scope.has(i) and (area is None or i.area_code == area.code) and i.code not in firsts:
            firsts[i.code] = i
    ahead = sorted(firsts.values(), key=lambda i: (i.last_day, i.kind != "obligation", i.code))
    lines = [t("answers.due.next_header", lang, date=fmt_date(today))]
    lines.append(t(f"answers.due.scope_{_scope_key(actor)}", lang))
    reports = [i for i in ahead if i.kind == "obligation"]
    if reports_only and reports:
        ahead = reports
    elif reports_only and ahead:  # no report of theirs is ahead: their other deadlines are
        lines.append(t("answers.due.no_reports_ahead", lang))
    if not ahead:
        lines.append(t("answers.due.none_ahead", lang, end=snap.period_end))
    for i in ahead[:NEXT_SHOWN]:
        lines.append(f"{_icon(i)} {item_name(i, lang)}: {due_phrase(i, today, lang)}")
    if len(ahead) > NEXT_SHOWN:
        lines.append(t("answers.more_line", lang, count=len(ahead) - NEXT_SHOWN))
    lines.append(cite(snap, [i.source for i in ahead[:NEXT_SHOWN]], lang))
    return Reply("\n".join(lines), _buttons(snap, Period("days", today, today), lang))


def _icon(item: DueItem) -> str:
    return "🎯" if item.kind == "target" else "📌" if item.kind == "review" else "📨"


def _scope_key(actor: Actor) -> str:
    if actor.role in ("leader", "admin"):
        return "all"
    return "principal" if actor.role == "principal" else "own"


def item_name(item: DueItem, lang: str) -> str:
    name = item.name_en if lang == "en" and item.name_en else item.name
    if item.kind == "obligation":
        return t("answers.due.occurrence", lang, name=name, label=wording.occurrence(item, lang))
    if item.kind == "target":
        return t("answers.due.target_name", lang, code=item.code, name=name, label=item.label)
    return name


def _item_lines(items: list[DueItem], today: dt.date, lang: str, past: bool) -> list[str]:
    counts: dict[str, int] = {}
    for i in items:
        counts[i.code] = counts.get(i.code, 0) + 1
    lines, grouped = [], set()
    for i in items:
        if i.kind == "obligation" and counts[i.code] >= GROUP_FROM:
            if i.code in grouped:
                continue
            grouped.add(i.code)
            rest = [x for x in items if x.code == i.code]
            name = i.name_en if lang == "en" and i.name_en else i.name
            dates = ", ".join(fmt_short_date(x.last_day) for x in rest)
            key = "answers.due.grouped_past" if past else "answers.due.grouped"
            lines.append(t(key, lang, name=name, count=len(rest), dates=dates,
                           next=due_phrase(i, today, lang)))
            continue
        icon = _icon(i)
        when = t("answers.due.past", lang, when=t("due.before" if i.before else "due.on", lang,
                                                  date=fmt_date(i.due))) if past else \
            due_phrase(i, today, lang)
        lines.append(f"{icon} {item_name(i, lang)}: {when}")
    return lines


def _buttons(snap: PlanSnapshot, period: Period, lang: str) -> list[list[Button]]:
    options = [("week", "answers.button.due_week"), ("month", "answers.button.due_month"),
               ("quarter", "answers.button.due_quarter"), ("year", "answers.button.due_year")]
    row = [Button(t(key, lang), ask_data(snap.id, "due", kind)) for kind, key in options
           if not (period.kind == kind and period.relative == "this")][:3]
    return [row, [Button(t("answers.button.status", lang), cmd_data("status"))]]


def dissolved_lines(snap: PlanSnapshot, today: dt.date, lang: str) -> list[str]:
    issuer = (snap.document or {}).get("issuer") or {}
    dissolved = issuer.get("dissolved_on")
    if not dissolved:
        return []
    day = dt.date.fromisoformat(str(dissolved))
    if today < day:
        return []
    return [t("plan.issuer_dissolved", lang, date=fmt_date(day))]
