"""What the dashboard shows one person: their scope of the plan, as /status and the digest say it.

Every figure and state comes from the one assessment (bot.progress.assessment, through its fast
path bot.progress.book) that /status, the digest and the answers read — no computation of its
own (docs/states.md):
- each target's figure, trend, requirement, state and pace: `bot.answers.figures.assessments`
  at this moment (nothing after now), for a principal on their school's own reports
  (`unit_id`, as their /status and digest), grouped per area by /status's rule (`area_state`);
- a school's own latest figure on a per-school target: the book's history carried to now
  (what its `unit_point` reads), judged with
  `bot.progress.meets` against the requirement in force;
- the share of the requirement reached: the digest's `share_of_target`;
- deadlines, owners and whether a recurring report was sent: `bot.notify.nudges.PlanFacts`
  (what the digest and the reminders read).

Who sees what (the chat's role matrix): leaders and admins the whole plan; a principal the
targets measured per school, with their school's figures; an officer the targets assigned to
them. Strangers nothing (`NotAllowed`).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field

from sqlalchemy import bindparam, union_all
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from bot.answers import figures
from bot.answers.snapshot import PlanSnapshot, TargetInfo, snapshot
from bot.answers.status import ORDER, area_state, school_of
from bot.core.access import MEMBERS, Actor
from bot.core.catalogue import t
from bot.core.clock import clock
from bot.core.formatting import fmt_date
from bot.notify.digest import share_of_target
from bot.notify.messages import item_title
from bot.notify.nudges import PlanFacts, short_name
from bot.plans.overview import due_phrase, plan_status
from bot.plans.store import plan_by_code
from bot.progress import SCHOOL_LEVELS, Assessment, meets, requirement_in_force
from bot.progress.wording import requirement_text, value_text
from bot.reporting.rules import allowed_targets
from bot.reporting.submissions import OUTSTANDING_DAYS
from storage import models as m

AHEAD_DAYS = 30
RECENT_REPORTS = 12
LEADERS = frozenset({"leader", "admin"})


class NotAllowed(Exception):
    """The actor may not see the dashboard (not on the roster, or no plan)."""


@dataclass(frozen=True)
class TargetCard:
    id: int
    code: str
    title: str
    state: str
    value: str | None  # worded, None without data
    goal: str
    share: float | None  # % of the requirement reached (100 = met)
    expected: float | None  # % of the requirement expected by now (one report: straight line)
    trend: float | None  # points per month so far in the phase
    owners: tuple[str, ...]
    per_school: bool
    reported_at: dt.datetime | None
    schools_missing: int = 0
    deadline: dt.date | None = None  # of the requirement in force


@dataclass(frozen=True)
class AreaCard:
    code: str
    number: int
    title: str
    state: str
    counts: dict[str, int]
    targets: tuple[TargetCard, ...]


@dataclass(frozen=True)
class SchoolCell:
    value: str | None
    met: bool | None  # None: not reported


@dataclass(frozen=True)
class SchoolRow:
    unit_id: int
    name: str
    cells: tuple[SchoolCell, ...]


@dataclass(frozen=True)
class DatedLine:
    title: str
    when: str
    owners: tuple[str, ...]
    done: bool = False
    last_day: dt.date | None = None


@dataclass(frozen=True)
class Evidence:
    id: int
    name: str
    available: bool


@dataclass(frozen=True)
class ReportLine:
    id: int
    at: dt.datetime
    code: str
    title: str
    school: str | None
    value: str
    officer: str
    note: str | None
    evidence: tuple[Evidence, ...]


@dataclass(frozen=True)
class Choice:
    value: str
    label: str


@dataclass
class Dashboard:
    lang: str
    actor: Actor
    scope: str  # all | school | own
    school_name: str | None
    plan_number: str
    plan_title: str
    plan_status: str
    phase: str | None
    phase_days_left: int | None
    plan_days_left: int
    computed_at: dt.datetime
    areas: list[AreaCard]
    school_targets: list[TargetCard]
    schools: list[SchoolRow]
    late: list[DatedLine]
    due_soon: list[DatedLine]
    reports: list[ReportLine]
    area_choices: list[Choice]
    school_choices: list[Choice]
    area: str | None = None
    school: int | None = None
    counts: dict[str, int] = field(default_factory=dict)


# --- scope ---------------------------------------------------------------------------------

def _scope_targets(session: Session, snap: PlanSnapshot, actor: Actor) -> list[TargetInfo]:
    if actor.role in LEADERS:
        return list(snap.targets)
    allowed = {tg.id for tg in allowed_targets(session, actor)}
    return [tg for tg in snap.targets if tg.id in allowed]


def _title(tg: TargetInfo, lang: str) -> str:
    return tg.name_en if lang == "en" and tg.name_en else tg.name


def _trend(a: Assessment) -> float | None:
    """The trend per month (None: under 14 days of data, "chưa đủ số liệu")."""
    return round(a.trend.per_month, 1) if a.trend and a.trend.per_month is not None else None


def _card(tg: TargetInfo, a: Assessment, owners: tuple[str, ...], lang: str) -> TargetCard:
    req, fig = a.requirement, a.figure
    expected = None
    if a.expected_now is not None and req is not None and req.value:
        expected = round(100.0 * a.expected_now / req.value, 1)
    return TargetCard(
        tg.id, tg.code, _title(tg, lang), a.state,
        value_text(fig.value, tg.unit, lang) if fig.value is not None else None,
        requirement_text(req, tg.unit, lang) if req else "—",
        share_of_target(fig.value, req), expected, _trend(a), owners,
        tg.measured_per == "school", clock.local(fig.reported_at),
        len(fig.units_missing) if tg.measured_per == "school" else 0,
        req.deadline if req else None)


# --- the page's data ------------------------------------------------------------------------------

def gather(engine: Engine, actor: Actor, lang: str, area: str | None = None,
           school: int | None = None, now: dt.datetime | None = None) -> Dashboard:
    """Everything the page shows for `actor`, as of `now` (the clock's now by default)."""
    if actor.role not in MEMBERS or actor.officer_id is None and actor.role not in LEADERS:
        raise NotAllowed(actor.role)
    now = now or clock.now()
    today = now.date()
    with Session(engine) as session:
        plan = plan_by_code(session, None)
        if plan is None:
            raise NotAllowed("no plan")
        snap = snapshot(engine, session, plan)
        targets = _scope_targets(session, snap, actor)
        if actor.role == "principal":
            if actor.unit_id is None:
                raise NotAllowed("principal without a school")
            school = actor.unit_id
        units = {u.id: u for u in session.exec(select(m.Unit))}
        school_units = sorted((u for u in units.values() if u.level in SCHOOL_LEVELS),
                              key=lambda u: u.name)
        if school is not None and school not in {u.id for u in school_units}:
            school = None
        facts = PlanFacts(session)
        people, names = facts.people()

        def owners_of(kind: str, item_id: int) -> tuple[str, ...]:
            return tuple(short_name(names[o]) for o in people.get((kind, item_id, "responsible"),
                                                                   []) if o in names)

        # the figures /status and the digest show this person: the office's, or for a
        # principal their school's own
        assessed = figures.assessments(engine, session, targets, now, unit_id=school_of(actor))
        cards = {tg.id: _card(tg, assessed[tg.id], owners_of("target", tg.id), lang)
                 for tg in targets}

        area_cards = []
        for info in snap.areas:
            if area and info.code != area:
                continue
            in_area = [cards[tg.id] for tg in snap.area_targets(info.code) if tg.id in cards]
            if not in_area and actor.role not in LEADERS:
                continue
            counts = Counter(c.state for c in in_area)
            area_cards.append(AreaCard(
                info.code, info.number,
                info.name_en if lang == "en" and info.name_en else info.name,
                area_state(counts), {s: counts[s] for s in ORDER if counts[s]},
                tuple(sorted(in_area, key=lambda c: c.code))))
        shown = [c for a in area_cards for c in a.targets]
        total = Counter(c.state for c in shown)

        # school × target, for the targets measured per school
        school_targets = [c for c in shown if c.per_school]
        rows_units = [u for u in school_units if school is None or u.id == school]
        book = figures.book(engine)
        reqs = {tg.id: requirement_in_force(list(tg.requirements), today) for tg in targets}
        units_of = {tg.id: tg.unit for tg in targets}
        carried = {}
        with book.lock:  # each school's own latest report up to now, per target
            for c in school_targets:
                carried[c.id] = book.history(c.id, "school").carried(now.timestamp())
        schools = []
        for unit in rows_units:
            cells = []
            for c in school_targets:
                row = carried[c.id].get(unit.id)
                if row is None or row.value is None:
                    cells.append(SchoolCell(None, None))
                    continue
                req = reqs[c.id]
                cells.append(SchoolCell(value_text(row.value, units_of[c.id], lang),
                                        meets(row.value, req) if req else None))
            schools.append(SchoolRow(unit.id, unit.name, tuple(cells)))

        # overdue and due soon: the digest's lists, in scope
        target_ids = {c.id for c in shown}
        leader = actor.role in LEADERS

        def mine(d) -> bool:
            if d.item.kind == "target":
                return d.item.item_id in target_ids
            if area and d.item.area_code != area:
                return False
            return leader or actor.officer_id in d.owners or actor.officer_id in d.coordinators

        late = [DatedLine(f"{c.code} {c.title}",
                          t("dash.late_target", lang, goal=c.goal,
                            deadline=fmt_date(c.deadline) if c.deadline else "—",
                            value=c.value or t("dash.no_value", lang)), c.owners)
                for c in shown if c.state == "overdue"]
        for d in facts.dated(today - dt.timedelta(days=OUTSTANDING_DAYS),
                             today - dt.timedelta(days=1)):
            if d.item.kind != "obligation" or not mine(d):
                continue
            if not facts.tracked(d).done:
                late.append(DatedLine(item_title(d.item, lang), due_phrase(d.item, today, lang),
                                      d.owner_names, last_day=d.item.last_day))
        due_soon = []
        for d in facts.dated(today, today + dt.timedelta(days=AHEAD_DAYS)):
            if not mine(d):
                continue
            if d.item.kind == "target":
                done = cards[d.item.item_id].state == "achieved"
            else:
                done = facts.tracked(d).done
            due_soon.append(DatedLine(item_title(d.item, lang), due_phrase(d.item, today, lang),
                                      d.owner_names, done, d.item.last_day))
        due_soon.sort(key=lambda line: (line.last_day, line.title))

        reports = _recent(session, [c for c in shown], school, now, units, names, lang,
                          {tg.id: tg for tg in targets})

        phase = next((p for p in snap.phases if p.start <= today <= p.end), None)
        in_scope = {tg.area_code for tg in targets}
        area_choices = [Choice(a.code, f"{a.number}. "
                               f"{a.name_en if lang == 'en' and a.name_en else a.name}")
                        for a in snap.areas if leader or a.code in in_scope]
        school_choices = [] if actor.role == "principal" else \
            [Choice(str(u.id), u.name) for u in school_units]
        scope = "all" if leader else "school" if actor.role == "principal" else "own"
        return Dashboard(
            lang=lang, actor=actor, scope=scope,
            school_name=units[actor.unit_id].name if actor.role == "principal" else None,
            plan_number=snap.number,
            plan_title=snap.title_en if lang == "en" and snap.title_en else snap.title,
            plan_status=plan_status(plan, today),
            phase=phase.name if phase else None,
            phase_days_left=(phase.end - today).days if phase else None,
            plan_days_left=max((dt.date(snap.period_end, 12, 31) - today).days, 0),
            computed_at=now, areas=area_cards, school_targets=school_targets,
            schools=schools, late=late, due_soon=due_soon, reports=reports,
            area_choices=area_choices, school_choices=school_choices, area=area,
            school=school if actor.role != "principal" else None,
            counts={s: total[s] for s in ORDER},
        )


_STATEMENTS: dict[tuple[int, bool], object] = {}


def _recent_statement(targets: int, by_school: bool):
    """The newest RECENT_REPORTS live reports of each of `targets` targets (bound as t0, t1…),
    made by `now` (and of `school`), in one UNION ALL of indexed look-ups: built once per shape
    and reused (building the subqueries costs more than running them)."""
    key = (targets, by_school)
    if key not in _STATEMENTS:
        P = m.ProgressReport
        columns = (P.id, P.target_id, P.officer_id, P.unit_id, P.value, P.numerator,
                   P.denominator, P.note, P.reported_at)
        parts = []
        for i in range(targets):
            query = select(*columns).where(P.target_id == bindparam(f"t{i}"),
                                           P.withdrawn_at.is_(None),
                                           P.reported_at <= bindparam("now"))
            if by_school:
                query = query.where(P.unit_id == bindparam("school"))
            parts.append(select(query.order_by(P.reported_at.desc()).limit(RECENT_REPORTS)
                                .subquery()))
        _STATEMENTS[key] = union_all(*parts) if len(parts) > 1 else parts[0]
    return _STATEMENTS[key]


def _recent(session: Session, cards: list[TargetCard], school: int | None, now: dt.datetime,
            units: dict, names: dict[int, str], lang: str,
            infos: dict[int, TargetInfo]) -> list[ReportLine]:
    """The last live reports on the targets shown (of one school when filtered): the newest few
    of each target by its (target, time) index, merged."""
    if not cards:
        return []
    params = {f"t{i}": c.id for i, c in enumerate(cards)}
    params["now"] = min(now, clock.now())  # nothing made after now (made_by_now)
    if school is not None:
        params["school"] = school
    found = list(session.execute(_recent_statement(len(cards), school is not None),
                                 params).all())
    found.sort(key=lambda r: (r.reported_at, r.id), reverse=True)
    found = found[:RECENT_REPORTS]
    evidence: dict[int, list[Evidence]] = {}
    if found:
        for e in session.exec(select(m.Evidence).where(
                m.Evidence.report_id.in_([r.id for r in found])).order_by(m.Evidence.id)):
            evidence.setdefault(e.report_id, []).append(
                Evidence(e.id, e.file_name or t("dash.evidence_file", lang, id=e.id),
                         bool(e.local_path) or e.channel == "telegram"))
    by_id = {c.id: c for c in cards}
    officers = {o.id: o.full_name for o in session.exec(
        select(m.Officer).where(m.Officer.id.in_({r.officer_id for r in found} or {-1})))}
    out = []
    for r in found:
        card, info = by_id[r.target_id], infos[r.target_id]
        value = value_text(r.value, info.unit, lang) if r.value is not None else "—"
        if r.numerator is not None and r.denominator:
            value += f" ({r.numerator:g}/{r.denominator:g})"
        out.append(ReportLine(r.id, clock.local(r.reported_at), card.code, card.title,
                              units[r.unit_id].name if r.unit_id in units and
                              units[r.unit_id].level in SCHOOL_LEVELS else None,
                              value, short_name(officers.get(r.officer_id, "?")), r.note,
                              tuple(evidence.get(r.id, ()))))
    return out


def evidence_file(engine: Engine, actor: Actor, evidence_id: int) -> m.Evidence | None:
    """An evidence row, if it belongs to a report the actor may see on the dashboard."""
    with Session(engine) as session:
        row = session.get(m.Evidence, evidence_id)
        if row is None:
            return None
        report = session.get(m.ProgressReport, row.report_id)
        if report is None or report.withdrawn_at is not None:
            return None
        if actor.role in LEADERS:
            return row
        if actor.role == "principal":
            return row if report.unit_id == actor.unit_id and actor.unit_id else None
        allowed = {tg.id for tg in allowed_targets(session, actor)}
        return row if report.target_id in allowed else None


def plan_label(engine: Engine, lang: str) -> str:
    """"KH 737" — the active plan as the chat names it."""
    with Session(engine) as session:
        plan = plan_by_code(session, None)
        return snapshot(engine, session, plan).short(lang) if plan else ""


def member(engine: Engine, officer_id: int | None) -> Actor | None:
    """The officer as an Actor while they are active on the roster with a role, else None."""
    if officer_id is None:
        return None
    with Session(engine) as session:
        officer = session.get(m.Officer, officer_id)
        if officer is None or not officer.active or officer.role not in MEMBERS:
            return None
        return Actor(officer_id=officer.id, name=officer.full_name, role=officer.role,
                     unit_id=officer.unit_id, language=officer.language)

