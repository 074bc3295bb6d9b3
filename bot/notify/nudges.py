"""What each officer should be told now: deadline nudges, stale progress, overdue items and
escalations, worked out from the database and the one clock at every tick.

Nothing is scheduled in memory: every tick asks "what is due now?" and the notification log
(bot.notify.notification_log) makes each message go out once. The rules:

- Before a deadline of an officer's assignment (a recurring report's occurrence, a target's
  phase deadline) the owner is nudged at each offset (default 14, 7, 3, 1 days before the last
  allowed day) at the nudge time (08:00), on working days only: an offset that falls on a weekend
  or holiday moves to the working day before. Items already done are left out.
- Stale progress: a target still to reach with no report for `stale_days` (30) gets one gentle
  reminder per quiet spell.
- Overdue: the first working day after a missed deadline, the owner is told; `grace_days` (3)
  working days later the coordinators receive one escalation listing the item and its owners,
  and `leader_after_days` (3) working days after that the leaders.
- A notice missed while the bot was down is caught up once, marked late, if it is still useful
  (a nudge until its deadline, an overdue notice or escalation within `catch_up_days`); a newer
  nudge for the same deadline replaces an older one not yet sent.
- Notices go out on working days between the nudge time and `until` (20:00), outside the
  officer's quiet hours and snooze; those hold a notice back, they never drop it. An officer who
  turned reminders off gets no nudges (escalations to coordinators and leaders still go).
- A notice scheduled before the officer's account was linked is not caught up.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import func
from sqlmodel import Session, select

from bot.core.clock import clock
from bot.core.settings import Settings
from bot.notify.submissions import done_key, done_keys
from bot.notify.workdays import WorkCalendar
from bot.people.preferences import DIGEST_CHANGE, Preferences, parse_clock, preferences_of
from bot.plans.deadlines import DueItem, due_items
from bot.plans.store import active_plans
from bot.progress import (
    Figure,
    Requirement,
    Units,
    figure_at,
    meets,
    moment_of,
    requirement_in_force,
    requirements,
    units_of,
)
from bot.progress.book import FigureBook, book
from storage import models as m

OWN_KINDS = ("overdue", "nudge", "stale")  # about the officer's own work


# --- rules -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Rules:
    offsets: tuple[int, ...] = (14, 7, 3, 1)
    at: dt.time = dt.time(8, 0)
    until: dt.time = dt.time(20, 0)
    grace_days: int = 3
    leader_after_days: int = 3
    stale_days: int = 30
    catch_up_days: int = 7

    @classmethod
    def from_settings(cls, settings: Settings) -> Rules:
        """The rules from PARBOT_* settings; a clear ValueError names a bad one."""
        try:
            offsets = tuple(sorted({int(x) for x in settings.nudge_offsets.replace(";", ",")
                                    .split(",") if x.strip()}, reverse=True))
        except ValueError:
            raise ValueError(f"PARBOT_NUDGE_OFFSETS={settings.nudge_offsets!r}: write days "
                             "before the deadline, e.g. 14,7,3,1") from None
        if any(o < 0 for o in offsets):
            raise ValueError("PARBOT_NUDGE_OFFSETS: days cannot be negative")
        at = parse_clock(settings.nudge_time)
        if at is None:
            raise ValueError(f"PARBOT_NUDGE_TIME={settings.nudge_time!r}: write HH:MM, "
                             "e.g. 08:00")
        for name in ("escalation_grace_days", "leader_escalation_days", "stale_days",
                     "catch_up_days"):
            if getattr(settings, name) < 0:
                raise ValueError(f"{name} cannot be negative")
        return cls(offsets=offsets, at=at, grace_days=settings.escalation_grace_days,
                   leader_after_days=settings.leader_escalation_days,
                   stale_days=max(1, settings.stale_days), catch_up_days=settings.catch_up_days)

    def lookback_days(self) -> int:
        """How far back a missed deadline can still produce a notice (calendar days; generous,
        holidays included)."""
        return self.catch_up_days + 2 * (self.grace_days + self.leader_after_days + 2) + 14

    def lookahead_days(self) -> int:
        return (max(self.offsets) if self.offsets else 0) + 14


# --- who can be reached -------------------------------------------------------------------------

@dataclass(frozen=True)
class Recipient:
    officer_id: int
    external_id: str
    name: str
    role: str
    language: str
    linked_at: dt.datetime
    prefs: Preferences
    digest_changed_at: dt.datetime | None = None  # slots before a change are not missed


def recipients(session: Session, channel: str) -> dict[int, Recipient]:
    """Active officers with an account on `channel` that has not blocked the bot."""
    rows = session.exec(
        select(m.ChannelIdentity, m.Officer).join(m.Officer)
        .where(m.ChannelIdentity.channel == channel, m.ChannelIdentity.blocked == False,  # noqa: E712
               m.Officer.active)
        .order_by(m.ChannelIdentity.id)
    ).all()
    changed = dict(session.exec(
        select(m.AuditLog.entity_id, func.max(m.AuditLog.at))
        .where(m.AuditLog.action == DIGEST_CHANGE, m.AuditLog.entity == "officer")
        .group_by(m.AuditLog.entity_id)).all())
    return {o.id: Recipient(o.id, ci.external_id, o.full_name, o.role, o.language,
                            clock.local(ci.linked_at), preferences_of(o),
                            clock.local(changed.get(o.id))) for ci, o in rows}


def short_name(full_name: str) -> str:
    """"Nguyễn Tuấn An" → "Tuấn An", as colleagues name each other."""
    parts = full_name.split()
    return " ".join(parts[-2:]) if len(parts) > 2 else full_name


# --- the dated work and its people --------------------------------------------------------------

@dataclass(frozen=True)
class Tracked:
    """One dated item (a recurring report's occurrence, a target's phase deadline) with its
    owners and whether it is done."""

    item: DueItem
    owners: tuple[int, ...]
    coordinators: tuple[int, ...]
    owner_names: tuple[str, ...]
    done: bool
    unit: str | None = None  # target unit
    requirement: Requirement | None = None
    last_value: float | None = None
    last_at: dt.datetime | None = None

    @property
    def is_target(self) -> bool:
        return self.item.kind == "target"


# An imported plan never changes (a changed file comes with a new code), so its dated items and
# each target's requirements are read once per database and plan.
_STATIC: dict[tuple, object] = {}
_STATIC_LOCK = threading.Lock()


def _static(session: Session, plan: m.Plan, name: str, load: Callable[[], object]) -> object:
    key = (str(session.get_bind().url), plan.id, plan.code, str(plan.imported_at), name)
    with _STATIC_LOCK:
        if key in _STATIC:
            return _STATIC[key]
    value = load()
    with _STATIC_LOCK:
        if len(_STATIC) > 5000:
            _STATIC.clear()
        _STATIC[key] = value
    return value


@dataclass(frozen=True)
class Dated:
    """A dated item with its people, before anyone asks whether it is done."""

    item: DueItem
    owners: tuple[int, ...]
    coordinators: tuple[int, ...]
    owner_names: tuple[str, ...]


class PlanFacts:
    """What a tick needs to know about the active plans, each thing read at most once: the
    dated items, owners, targets' requirements and figures, reports marked sent."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.plans = active_plans(session)
        self._targets: dict[int, tuple[m.Target, list[Requirement]]] = {}
        self._figures: dict[tuple[int, dt.date | None], Figure] = {}
        self._tracked: dict[tuple, Tracked] = {}
        self._people: tuple[dict, dict[int, str]] | None = None
        self._done: set[str] | None = None
        self._book: FigureBook | None = None
        self._units: Units | None = None

    def people(self) -> tuple[dict, dict[int, str]]:
        if self._people is None:
            people: dict[tuple[str, int, str], list[int]] = defaultdict(list)
            for a in self.session.exec(select(m.Assignment).order_by(m.Assignment.id)):
                item = ("target", a.target_id) if a.target_id else \
                    ("obligation", a.obligation_id)
                people[(*item, a.kind)].append(a.officer_id)
            names = {o.id: o.full_name
                     for o in self.session.exec(select(m.Officer).where(m.Officer.active))}
            self._people = (people, names)
        return self._people

    def items(self, plan: m.Plan) -> list[DueItem]:
        return _static(self.session, plan, "items",  # type: ignore[return-value]
                       lambda: [i for i in due_items(self.session, plan) if i.kind != "review"])

    def target(self, target_id: int) -> tuple[m.Target, list[Requirement]]:
        if target_id not in self._targets:
            target = self.session.get(m.Target, target_id)
            plan = {p.id: p for p in self.plans}.get(target.plan_id)
            if plan is None:
                reqs = requirements(self.session, target)
            else:
                reqs = _static(self.session, plan, f"reqs:{target_id}",
                               lambda: requirements(self.session, target))
            self._targets[target_id] = (target, reqs)  # type: ignore[assignment]
        return self._targets[target_id]

    def figure(self, target: m.Target, start: dt.date | None) -> Figure:
        """The target's figure now, from the assessment's fast path."""
        key = (target.id, start)
        if key not in self._figures:
            if self._book is None:
                self._book = book(self.session.get_bind())
                self._book.refresh(self.session)
                self._units = units_of(self.session)
            with self._book.lock:
                self._figures[key] = figure_at(self._book.history(target.id, target.measured_per),
                                               moment_of(None), self._units, start)
        return self._figures[key]

    def dated(self, start: dt.date, end: dt.date) -> list[Dated]:
        people, names = self.people()
        out = []
        for plan in self.plans:
            for item in self.items(plan):
                if not start <= item.last_day <= end:
                    continue
                owners = tuple(o for o in people.get((item.kind, item.item_id, "responsible"),
                                                     []) if o in names)
                coordinators = tuple(o for o in people.get(
                    (item.kind, item.item_id, "coordinator"), []) if o in names)
                out.append(Dated(item, owners, coordinators,
                                 tuple(short_name(names[o]) for o in owners)))
        return out

    def tracked(self, d: Dated) -> Tracked:
        """The item with whether it is done (a report marked sent; a target's figure meeting
        the requirement of that deadline)."""
        key = (d.item.key(), d.item.extra.get("value_id"))
        if key in self._tracked:
            return self._tracked[key]
        item = d.item
        if item.kind == "obligation":
            if self._done is None:
                self._done = done_keys(self.session)
            tr = Tracked(item, d.owners, d.coordinators, d.owner_names,
                         done_key(item.item_id, item.period) in self._done)
        else:
            target, reqs = self.target(item.item_id)
            req = next((r for r in reqs if r.deadline == item.due and r.label == item.label),
                       None)
            figure = self.figure(target, req.start if req else None)
            done = req is not None and figure.value is not None and meets(figure.value, req)
            tr = Tracked(item, d.owners, d.coordinators, d.owner_names, done, target.unit, req,
                         figure.value, figure.reported_at)
        self._tracked[key] = tr
        return tr

    def last_reports(self) -> dict[int, dt.datetime]:
        """The newest live report of each target."""
        rows = self.session.exec(
            select(m.ProgressReport.target_id, func.max(m.ProgressReport.reported_at))
            .where(m.ProgressReport.withdrawn_at.is_(None),
                   m.ProgressReport.reported_at <= moment_of(None))
            .group_by(m.ProgressReport.target_id)).all()
        return {target_id: clock.local(at) for target_id, at in rows}


def tracked_items(session: Session, start: dt.date, end: dt.date,
                  facts: PlanFacts | None = None) -> list[Tracked]:
    """Recurring reports and target deadlines of the active plans whose last day lies in
    [start, end], with owners, coordinators and whether each is done."""
    facts = facts or PlanFacts(session)
    return [facts.tracked(d) for d in facts.dated(start, end)]


# --- what is due now --------------------------------------------------------------------------

@dataclass(frozen=True)
class Notice:
    """One item to tell one officer about."""

    key: str  # the notification log key, without the channel
    kind: str  # nudge | overdue | stale | escalate
    officer_id: int
    tracked: Tracked
    scheduled: dt.datetime
    expires: dt.datetime
    late: bool
    stage: str | None = None  # escalations: coordinator | leader
    offset: int | None = None  # nudges: days before the deadline
    superseded: tuple[str, ...] = ()  # keys of older nudges this one replaces
    since: dt.date | None = None  # stale: last report (or assignment) date

    @property
    def item(self) -> DueItem:
        return self.tracked.item


@dataclass(frozen=True)
class _Candidate:
    """A notice by the calendar alone; whether its item is done is asked only if it is still
    to be sent."""

    key: str
    kind: str
    officer_id: int
    dated: Dated
    scheduled: dt.datetime
    expires: dt.datetime
    late: bool
    stage: str | None = None
    offset: int | None = None
    superseded: tuple[str, ...] = ()
    since: dt.date | None = None
    target: m.Target | None = None
    requirement: Requirement | None = None


def _at(day: dt.date, moment: dt.time) -> dt.datetime:
    return clock.localize(dt.datetime.combine(day, moment))


def sending_hours(now: dt.datetime, rules: Rules, calendar: WorkCalendar) -> bool:
    """Is now a time for nudges and escalations at all (a working day, between at and until)?"""
    local = now.timetz().replace(tzinfo=None)
    return calendar.is_working_day(now.date()) and rules.at <= local < rules.until


def plan_notices(session: Session, now: dt.datetime, rules: Rules, calendar: WorkCalendar,
                 people: dict[int, Recipient],
                 settled: Callable[[list[str]], set[str]] | None = None) -> list[Notice]:
    """Every nudge, overdue notice, stale reminder and escalation due by `now` for the officers
    in `people` whose item is not done. `settled(keys)` names the keys the log already holds as
    final; those are left out without looking at their items."""
    today = now.date()
    if not people:
        return []
    facts = PlanFacts(session)
    candidates = _by_calendar(facts, today, rules, calendar, people)
    final = settled([c.key for c in candidates]) if settled and candidates else set()
    notices = []
    for c in candidates:
        if c.key in final:
            continue
        if c.kind == "stale":
            figure = facts.figure(c.target, c.requirement.start)
            if figure.value is not None and meets(figure.value, c.requirement):
                continue
            tr = Tracked(c.dated.item, c.dated.owners, (), (), False, c.target.unit,
                         c.requirement, figure.value, figure.reported_at)
        else:
            tr = facts.tracked(c.dated)
            if tr.done:
                continue
        notices.append(Notice(c.key, c.kind, c.officer_id, tr, c.scheduled, c.expires, c.late,
                              c.stage, c.offset, c.superseded, c.since))
    return notices


def _by_calendar(facts: PlanFacts, today: dt.date, rules: Rules, calendar: WorkCalendar,
                 people: dict[int, Recipient]) -> list[_Candidate]:
    leaders = [r.officer_id for r in people.values() if r.role == "leader"]
    out: list[_Candidate] = []
    end_of_catch_up = _at(today, rules.at) + dt.timedelta(days=rules.catch_up_days + 1)

    def window_open(officer_id: int, day: dt.date) -> bool:
        """Still worth sending: within the catch-up window, counted from the end of a snooze,
        and not scheduled before the account existed."""
        r = people[officer_id]
        anchor = day
        if r.prefs.snooze_until is not None:
            anchor = max(anchor, r.prefs.snooze_until.date())
        return (today - anchor).days <= rules.catch_up_days and \
            _at(day, rules.at) >= r.linked_at - dt.timedelta(minutes=1)

    dated = facts.dated(today - dt.timedelta(days=rules.lookback_days()),
                        today + dt.timedelta(days=rules.lookahead_days()))
    for d in dated:
        item, last_day = d.item, d.item.last_day
        if today <= last_day:
            out.extend(_nudges(d, today, rules, calendar, people, window_open))
            continue
        overdue_day = calendar.next_working_day(last_day)
        if overdue_day <= today:
            for officer in d.owners:
                if officer in people and window_open(officer, overdue_day):
                    out.append(_Candidate(
                        f"overdue:{officer}:{item.key()}", "overdue", officer, d,
                        _at(overdue_day, rules.at), end_of_catch_up, overdue_day < today))
        coordinator_day = calendar.add_working_days(last_day, rules.grace_days + 1)
        if coordinator_day <= today:
            for officer in d.coordinators:
                if officer in people and officer not in d.owners and \
                        window_open(officer, coordinator_day):
                    out.append(_Candidate(
                        f"escalate:coordinator:{officer}:{item.key()}", "escalate", officer, d,
                        _at(coordinator_day, rules.at), end_of_catch_up,
                        coordinator_day < today, stage="coordinator"))
        leader_day = calendar.add_working_days(coordinator_day, rules.leader_after_days)
        if leader_day <= today:
            told = set(d.owners) | set(d.coordinators)
            for officer in leaders:
                if officer not in told and window_open(officer, leader_day):
                    out.append(_Candidate(
                        f"escalate:leader:{officer}:{item.key()}", "escalate", officer, d,
                        _at(leader_day, rules.at), end_of_catch_up, leader_day < today,
                        stage="leader"))
    out.extend(_stale(facts, today, rules, calendar, people))
    return out


def _nudges(d: Dated, today: dt.date, rules: Rules, calendar: WorkCalendar,
            people: dict[int, Recipient], window_open) -> list[_Candidate]:
    item = d.item
    due: list[tuple[int, dt.date]] = []
    for offset in rules.offsets:
        day = calendar.on_or_before(item.last_day - dt.timedelta(days=offset))
        if day <= today:
            due.append((offset, day))
    if not due:
        return []
    offset, day = min(due, key=lambda pair: (-pair[1].toordinal(), pair[0]))
    expires = _at(item.last_day + dt.timedelta(days=1), dt.time())
    out = []
    for officer in d.owners:
        if officer not in people or not window_open(officer, day):
            continue
        base = f"nudge:{officer}:{item.key()}"
        older = tuple(f"{base}:d{o}" for o, _ in due if o != offset)
        out.append(_Candidate(f"{base}:d{offset}", "nudge", officer, d, _at(day, rules.at),
                              expires, day < today, offset=offset, superseded=older))
    return out


def _stale(facts: PlanFacts, today: dt.date, rules: Rules, calendar: WorkCalendar,
           people: dict[int, Recipient]) -> list[_Candidate]:
    """Targets still to reach, not reported for `stale_days`: one reminder per spell (the
    spell is named by the date of the last report, or of the assignment)."""
    rows = facts.session.exec(
        select(m.Assignment, m.Target).join(m.Target, m.Target.id == m.Assignment.target_id)
        .join(m.Plan, m.Plan.id == m.Target.plan_id)
        .where(m.Assignment.kind == "responsible", m.Plan.active,
               m.Assignment.officer_id.in_(list(people)))
        .order_by(m.Target.id, m.Assignment.officer_id)
    ).all()
    if not rows:
        return []
    last_reports = facts.last_reports()
    plans = {p.id: p.code for p in facts.plans}
    out: list[_Candidate] = []
    for assignment, target in rows:
        req = requirement_in_force(facts.target(target.id)[1], today)
        if req is None or req.deadline < today:
            continue
        last = last_reports.get(target.id)
        since = last.date() if last else max(clock.local(assignment.created_at).date(),
                                             req.start)
        if (today - since).days < rules.stale_days:
            continue
        day = calendar.on_or_after(since + dt.timedelta(days=rules.stale_days))
        if day > today:
            continue
        officer = assignment.officer_id
        item = DueItem(kind="target", code=target.code, name=target.name,
                       name_en=target.name_en, due=req.deadline, before=False, period=req.label,
                       label=req.label, source=req.source, plan_code=plans[target.plan_id],
                       item_id=target.id)
        out.append(_Candidate(
            f"stale:{officer}:{item.plan_code}:target:{target.code}:{since.isoformat()}",
            "stale", officer, Dated(item, (officer,), (), ()), _at(day, rules.at),
            _at(today, rules.at) + dt.timedelta(days=rules.catch_up_days + 1), False,
            since=since, target=target, requirement=req))
    return out


def hold_reason(r: Recipient, now: dt.datetime, rules: Rules, calendar: WorkCalendar) -> str | None:
    """Why notices for `r` wait now (they go out when it ends), or None."""
    if not sending_hours(now, rules, calendar):
        return "off_hours"
    if r.prefs.snoozed(now):
        return "snoozed"
    if r.prefs.quiet(now):
        return "quiet"
    return None
