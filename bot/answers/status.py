"""Where the plan stands: per area, how many targets are achieved, on track, at risk, behind,
overdue or without data, the area's state and its worst items; and the list of what is behind.

A target's state is `bot.progress.assess` (rules in docs/states.md). An area is behind when any
of its targets is behind or overdue, at risk when any is at risk, on track when at least one is
achieved or on track and none is worse, and "no data" when none has a figure yet.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass

from sqlalchemy.engine import Engine
from sqlmodel import Session

from bot.answers import figures, wording
from bot.answers.due import OVERDUE_SHOWN, item_name, plan_items, scope_of
from bot.answers.snapshot import AreaInfo, PlanSnapshot, TargetInfo, cite
from bot.answers.target import STATE_ICONS
from bot.core.access import Actor
from bot.core.catalogue import t
from bot.core.formatting import fmt_date
from bot.core.replies import Button, Reply
from bot.core.vocab import TargetState, ask_data
from bot.plans.overview import due_phrase
from bot.progress import Assessment
from bot.progress.wording import requirement_text, value_text
from bot.reporting.submissions import outstanding
from storage import models as m

SEVERITY = {TargetState.OVERDUE: 0, TargetState.BEHIND: 1, TargetState.AT_RISK: 2,
            TargetState.NO_DATA: 3, TargetState.ON_TRACK: 4, TargetState.ACHIEVED: 5}
ORDER = (TargetState.ACHIEVED, TargetState.ON_TRACK, TargetState.AT_RISK, TargetState.BEHIND,
         TargetState.OVERDUE, TargetState.NO_DATA)
WORST_SHOWN = 2


@dataclass(frozen=True)
class TargetRow:
    target: TargetInfo
    assessment: Assessment

    @property
    def state(self) -> str:
        return self.assessment.state


@dataclass(frozen=True)
class AreaState:
    area: AreaInfo
    counts: Counter
    state: str
    targets: list[TargetRow]

    @property
    def worst(self) -> list[TargetRow]:
        bad = [ts for ts in self.targets
               if ts.state in (TargetState.OVERDUE, TargetState.BEHIND, TargetState.AT_RISK)]
        return sorted(bad, key=lambda ts: (SEVERITY[ts.state], ts.target.code))


def area_state(counts: Counter) -> str:
    if counts[TargetState.BEHIND] or counts[TargetState.OVERDUE]:
        return "behind"
    if counts[TargetState.AT_RISK]:
        return TargetState.AT_RISK
    if counts[TargetState.ON_TRACK] or counts[TargetState.ACHIEVED]:
        return TargetState.ON_TRACK
    return TargetState.NO_DATA


def school_of(actor: Actor | None) -> int | None:
    """The school a principal's views are about (None: the whole office)."""
    if actor is not None and actor.role == "principal" and actor.unit_id is not None:
        return actor.unit_id
    return None


def compute(engine: Engine, session: Session, snap: PlanSnapshot,
            today: dt.date, actor: Actor | None = None) -> list[AreaState]:
    """Every area's targets with their assessment; for a principal, the targets measured per
    school, on their school's own reports."""
    school = school_of(actor)
    shown = [tg for tg in snap.targets if school is None or tg.measured_per == "school"]
    states = figures.assessments(engine, session, shown, today, unit_id=school)
    out = []
    for area in snap.areas:
        targets = [TargetRow(tg, states[tg.id]) for tg in snap.area_targets(area.code)
                   if tg.id in states]
        if school is not None and not targets:
            continue  # no target of this area is measured per school
        counts = Counter(ts.state for ts in targets)
        out.append(AreaState(area, counts, area_state(counts), targets))
    return out


def _counts_text(counts: Counter, lang: str) -> str:
    parts = [t(f"answers.count.{s}", lang, count=counts[s]) for s in ORDER if counts[s]]
    return " · ".join(parts) or t("answers.count.none", lang)


def _figure_text(ts: TargetRow, lang: str) -> str:
    a, tg = ts.assessment, ts.target
    req = a.requirement
    goal = requirement_text(req, tg.unit, lang) if req else "-"
    if a.figure.value is None:
        return t("answers.status.item_no_data", lang, goal=goal)
    return t("answers.status.item_figure", lang,
             value=value_text(a.figure.value, tg.unit, lang), goal=goal)


def _item_line(ts: TargetRow, lang: str) -> str:
    tg = ts.target
    name = tg.name_en if lang == "en" and tg.name_en else tg.name
    return t("answers.status.item", lang, icon=STATE_ICONS[ts.state], code=tg.code, name=name,
             figure=_figure_text(ts, lang), state=t(f"answers.state.{ts.state}", lang))


def status_reply(engine: Engine, session: Session, snap: PlanSnapshot, actor: Actor,
                 today: dt.date, area: AreaInfo | None = None) -> Reply:
    lang = actor.language
    areas = compute(engine, session, snap, today, actor)
    if area is not None:
        found = next((a for a in areas if a.area.code == area.code), None) \
            or AreaState(area, Counter(), TargetState.NO_DATA, [])
        name = area.name_en if lang == "en" and area.name_en else area.name
        lines = [t("answers.status.area_header", lang, number=area.number, name=name,
                   code=area.code, date=fmt_date(today)),
                 f"{STATE_ICONS[found.state]} {t(f'answers.area_state.{found.state}', lang)}"
                 f" — {_counts_text(found.counts, lang)}"]
        ordered = sorted(found.targets, key=lambda ts: (SEVERITY[ts.state], ts.target.code))
        lines += [_item_line(ts, lang) for ts in ordered]
        if not found.targets:
            lines.append(t("answers.status.no_targets", lang))
        lines.append(t("answers.status.rules", lang))
        sources = [area.source] + [v.source for ts in found.targets for v in ts.target.values]
        lines.append(cite(snap, sources, lang))
        return Reply("\n".join(lines), [[Button(t("answers.button.status_all", lang),
                                                ask_data(snap.id, "status", ""))]])
    total = Counter()
    for a in areas:
        total.update(a.counts)
    lines = [t("answers.status.header", lang, plan=snap.short(lang), date=fmt_date(today))]
    school = school_of(actor)
    if school is not None:
        unit = session.get(m.Unit, school)
        lines.append(t("answers.status.school", lang, school=unit.name if unit else "?"))
    lines.append(_counts_text(total, lang))
    for a in areas:
        name = a.area.name_en if lang == "en" and a.area.name_en else a.area.name
        lines.append(t("answers.status.area_line", lang, icon=STATE_ICONS[a.state],
                       number=a.area.number, name=name, code=a.area.code,
                       state=t(f"answers.area_state.{a.state}", lang),
                       counts=_counts_text(a.counts, lang)))
        lines += ["   " + _item_line(ts, lang) for ts in a.worst[:WORST_SHOWN]]
    lines.append(t("answers.status.rules", lang))
    lines.append(cite(snap, [a.area.source for a in areas], lang))
    bad = [a for a in areas if a.state in (TargetState.BEHIND, TargetState.AT_RISK)][:3]
    buttons = [Button(t("answers.button.area_status", lang, code=a.area.code),
                      ask_data(snap.id, "status", a.area.code)) for a in bad]
    rows = [buttons] if buttons else []
    rows.append([Button(t("answers.button.behind", lang), ask_data(snap.id, "behind", ""))])
    return Reply("\n".join(lines), rows)


def behind_reply(engine: Engine, session: Session, snap: PlanSnapshot, actor: Actor,
                 today: dt.date, area: AreaInfo | None = None) -> Reply:
    lang = actor.language
    areas = [a for a in compute(engine, session, snap, today, actor)
             if area is None or a.area.code == area.code]
    bad = sorted((ts for a in areas for ts in a.worst),
                 key=lambda ts: (SEVERITY[ts.state], ts.target.code))
    no_data = sum(a.counts[TargetState.NO_DATA] for a in areas)
    where = t("answers.behind.in_area", lang, code=area.code) if area else ""
    plan = session.get(m.Plan, snap.id)
    scope = scope_of(session, snap, actor)
    unsent = [i for i in outstanding(session, plan, today, plan_items(session, plan, snap))
              if scope.has(i) and (area is None or i.area_code == area.code)] if plan else []
    if not bad and unsent:
        lines = [t("answers.due.unsent", lang, count=len(unsent))]
    elif not bad:
        lines = [t("answers.behind.none", lang, where=where, date=fmt_date(today))]
    else:
        lines = [t("answers.behind.header", lang, count=len(bad), where=where,
                   date=fmt_date(today))]
        for ts in bad:
            lines.append(_item_line(ts, lang))
            if ts.target.responsible:
                lines.append("   " + t("answers.who.responsible", lang,
                                       people=wording.people(ts.target.responsible)))
    if unsent:
        if bad:
            lines.append(t("answers.due.unsent", lang, count=len(unsent)))
        lines += [f"📨 {item_name(i, lang)}: {due_phrase(i, today, lang)}"
                  for i in unsent[:OVERDUE_SHOWN]]
    if no_data:
        lines.append(t("answers.behind.no_data", lang, count=no_data))
    lines.append(t("answers.status.rules", lang))
    lines.append(cite(snap, [v.source for ts in bad for v in ts.target.values]
                      or [a.area.source for a in areas], lang))
    return Reply("\n".join(lines), [[Button(t("answers.button.status_all", lang),
                                            ask_data(snap.id, "status", ""))]])
