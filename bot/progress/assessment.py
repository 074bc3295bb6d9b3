"""Progress at a moment: the one place that computes, for a target, its figure, its series over
time, the trend, the requirement in force, the state, the pace needed and whether it is overdue.
Every view (/status, /target, /due, /report receipts, the digest, the Word report, the Excel
workbook, the answers) reads these functions; the rules are in docs/states.md.

- The figure at a moment: the live (not withdrawn) reports made up to that moment — never after
  it, so reports dated after the clock count nowhere. For a target measured per school each
  school's latest value up to the moment is carried forward and pooled: Σ numerators /
  Σ denominators when every school gave a ratio, otherwise the mean of the percentages; the
  schools not reported are listed. Otherwise the latest report.
- The series: that figure after each report of the phase (the pooled series, so two schools
  reporting a minute apart are two schools, not a fall from one value to the other).
- The trend: the change per month of the series from its first to its last point, when they are
  at least 14 days apart; before that there is not enough data ("chưa đủ số liệu").
- The state: achieved when the figure meets the requirement in force; overdue once its deadline
  has passed unmet; no data before the deadline without a figure; otherwise the pace rule: with a
  trend, the trend against the pace needed (≥ needed → on track, ≥ half → at risk, else behind);
  without one, the figure against a straight line from 0 at the phase start to the requirement at
  its deadline (≥ the line → on track, ≥ 80% of it → at risk, else behind). Yes/no targets not
  yet done are on track until 90 days before the deadline, then at risk.

`History` holds a target's reports per unit in time order; the slow path reads one from the
database (`history_of`), the fast path (`bot.progress.book`) keeps them in memory for every
target. Both answer through the same functions here.
"""

from __future__ import annotations

import datetime as dt
import math
from array import array
from bisect import bisect_left, bisect_right
from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlmodel import Session, select

from bot.core.clock import clock
from bot.core.vocab import Comparison, TargetState
from storage import models as m

SCHOOL_LEVELS = ("MN", "TH", "THCS")
DAYS_PER_MONTH = 30.44
TREND_MIN_DAYS = 14
NAN = float("nan")


# --- what is required ---------------------------------------------------------------------------

@dataclass(frozen=True)
class Requirement:
    """The value a target requires in one phase or by one year."""

    value: float | None
    value_max: float | None
    comparison: str
    deadline: dt.date
    start: dt.date  # phase start (or 1 Jan of the plan's first year)
    label: str  # phase name or year
    source: str
    text: str | None


def _requirement(v: m.TargetValue, phase: m.Phase | None, plan: m.Plan) -> Requirement:
    start = phase.start if phase else dt.date(plan.period_start, 1, 1)
    return Requirement(v.value, v.value_max, v.comparison, v.deadline, start,
                       phase.name if phase else str(v.year), v.source, v.text)


def requirements(session: Session, target: m.Target) -> list[Requirement]:
    return requirements_of(session, [target]).get(target.id, [])


def requirements_of(session: Session, targets: Iterable[m.Target]
                    ) -> dict[int, list[Requirement]]:
    """Each target's requirements by deadline (the lowest first on the same deadline), read in
    three queries for any number of targets."""
    targets = list(targets)
    if not targets:
        return {}
    plan_ids = {tg.plan_id for tg in targets}
    plans = {p.id: p for p in session.exec(select(m.Plan).where(m.Plan.id.in_(plan_ids)))}
    phases = {p.id: p for p in session.exec(select(m.Phase).where(m.Phase.plan_id.in_(plan_ids)))}
    by_id = {tg.id: tg for tg in targets}
    out: dict[int, list[Requirement]] = {tg.id: [] for tg in targets}
    for v in session.exec(select(m.TargetValue).where(m.TargetValue.target_id.in_(list(by_id)))):
        tg = by_id[v.target_id]
        out[tg.id].append(_requirement(v, phases.get(v.phase_id), plans[tg.plan_id]))
    for reqs in out.values():
        reqs.sort(key=lambda r: (r.deadline, r.value or 0))
    return out


def requirement_in_force(reqs: list[Requirement], today: dt.date) -> Requirement | None:
    """The nearest requirement still ahead; once all have passed, the last one."""
    ahead = [r for r in reqs if r.deadline >= today]
    if ahead:
        return ahead[0]
    return reqs[-1] if reqs else None


def meets(value: float, req: Requirement) -> bool:
    target = req.value if req.value is not None else 1.0
    return {
        Comparison.AT_LEAST: value >= target,
        Comparison.MORE_THAN: value > target,
        Comparison.AT_MOST: value <= target,
        Comparison.RANGE: value >= target,  # reaching the range's floor meets it
        Comparison.TOP: value <= target,  # a rank
        Comparison.DONE: value >= 1.0,
    }.get(req.comparison, value >= target)


def lower_is_better(req: Requirement) -> bool:
    return req.comparison in (Comparison.AT_MOST, Comparison.TOP)


# --- the moment -----------------------------------------------------------------------------------

def moment_of(today: dt.date | dt.datetime | None = None) -> dt.datetime:
    """The moment a view answers for: now (the clock), a moment the caller names as its "now"
    (the digest built for Monday 07:30), or the end of a day — never after the clock."""
    now = clock.now()
    if today is None:
        return now
    if isinstance(today, dt.datetime):
        return clock.localize(today) if today.tzinfo is None else today
    end = clock.localize(dt.datetime.combine(today, dt.time(23, 59, 59, 999999)))
    return min(end, now)


def made_by_now(column=None):
    """The filter every query of reports (and submissions) carries: made up to now — nothing
    dated after the clock counts anywhere."""
    return (column if column is not None else m.ProgressReport.reported_at) <= clock.now()


def _ts(moment: dt.datetime) -> float:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)  # stored naive on SQLite: UTC
    return moment.timestamp()


def _at(ts: float) -> dt.datetime:
    return dt.datetime.fromtimestamp(ts, dt.UTC)


def _start_ts(day: dt.date) -> float:
    return _ts(clock.localize(dt.datetime.combine(day, dt.time())))


# --- reports in time order ----------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class Point:
    """One live report, as the figures need it."""

    id: int
    unit_id: int | None
    value: float | None
    numerator: float | None
    denominator: float | None
    reported_at: dt.datetime


def _opt(x: float | None) -> float:
    return NAN if x is None else float(x)


def _back(x: float) -> float | None:
    return None if math.isnan(x) else x


class _Line:
    """One unit's reports of one target in time order (compact: a million rows fit)."""

    __slots__ = ("times", "ids", "values", "nums", "dens")

    def __init__(self) -> None:
        self.times = array("d")
        self.ids = array("q")
        self.values = array("d")
        self.nums = array("d")
        self.dens = array("d")

    def add(self, ts: float, rid: int, value, num, den) -> None:
        i = len(self.times)
        if i and (self.times[-1], self.ids[-1]) > (ts, rid):  # out of order: find its place
            i = bisect_right(self.times, ts)
            while i > 0 and self.times[i - 1] == ts and self.ids[i - 1] > rid:
                i -= 1
            self.times.insert(i, ts)
            self.ids.insert(i, rid)
            self.values.insert(i, _opt(value))
            self.nums.insert(i, _opt(num))
            self.dens.insert(i, _opt(den))
            return
        self.times.append(ts)
        self.ids.append(rid)
        self.values.append(_opt(value))
        self.nums.append(_opt(num))
        self.dens.append(_opt(den))

    def upto(self, ts: float) -> int:
        """How many reports are at or before ts."""
        return bisect_right(self.times, ts)

    def point(self, i: int, unit_id: int | None) -> Point:
        return Point(self.ids[i], unit_id, _back(self.values[i]), _back(self.nums[i]),
                     _back(self.dens[i]), _at(self.times[i]))


class History:
    """A target's live reports per unit, in time order."""

    def __init__(self, measured_per: str = "office") -> None:
        self.measured_per = measured_per
        self.lines: dict[int | None, _Line] = {}

    def add(self, rid: int, unit_id: int | None, value, num, den, reported_at) -> None:
        ts = reported_at if isinstance(reported_at, float) else _ts(reported_at)
        self.lines.setdefault(unit_id, _Line()).add(ts, rid, value, num, den)

    @property
    def per_school(self) -> bool:
        return self.measured_per == "school"

    def carried(self, ts: float) -> dict[int | None, Point]:
        """Each unit's latest report at or before ts."""
        out = {}
        for unit_id, line in self.lines.items():
            n = line.upto(ts)
            if n:
                out[unit_id] = line.point(n - 1, unit_id)
        return out

    def pool(self, ts: float) -> tuple[float | None, float | None, float | None, float | None,
                                       list[int | None]]:
        """(value, Σ numerators, Σ denominators, newest moment, units) at ts, straight from the
        arrays: what `value_of(self.carried(ts), …)` gives, without building the points."""
        units: list[int | None] = []
        newest = None
        if not self.per_school:
            best = None
            for unit_id, line in self.lines.items():
                n = line.upto(ts)
                if n and (best is None or (line.times[n - 1], line.ids[n - 1]) > best[0]):
                    best = ((line.times[n - 1], line.ids[n - 1]), line, n - 1)
                if n:
                    units.append(unit_id)
            if best is None:
                return None, None, None, None, units
            (newest, _), line, i = best
            return (_back(line.values[i]), _back(line.nums[i]), _back(line.dens[i]), newest,
                    units)
        total = num = den = 0.0
        ratios = True
        for unit_id, line in self.lines.items():
            n = line.upto(ts)
            if not n:
                continue
            i = n - 1
            units.append(unit_id)
            at = line.times[i]
            newest = at if newest is None or at > newest else newest
            value, d = line.values[i], line.dens[i]
            total += 0.0 if math.isnan(value) else value
            if ratios and not math.isnan(d) and d:
                x = line.nums[i]
                num += 0.0 if math.isnan(x) else x
                den += d
            else:
                ratios = False
        if not units:
            return None, None, None, None, units
        if ratios:
            return (round(100.0 * num / den, 2) if den else None), num, den, newest, units
        return round(total / len(units), 2), None, None, newest, units

    def count(self, ts: float, since: float | None = None) -> int:
        total = 0
        for line in self.lines.values():
            total += line.upto(ts) - (bisect_left(line.times, since) if since is not None else 0)
        return total

    def moments(self, since: float, until: float) -> list[float]:
        """The moments of the reports in [since, until], in order."""
        out = []
        for line in self.lines.values():
            out.extend(line.times[bisect_left(line.times, since):line.upto(until)])
        return sorted(out)

    def first_moment(self, since: float, until: float) -> float | None:
        found = None
        for line in self.lines.values():
            i = bisect_left(line.times, since)
            if i < len(line.times) and line.times[i] <= until:
                found = line.times[i] if found is None else min(found, line.times[i])
        return found

    def last_moment(self, until: float) -> float | None:
        found = None
        for line in self.lines.values():
            n = line.upto(until)
            if n:
                found = line.times[n - 1] if found is None else max(found, line.times[n - 1])
        return found

    def only(self, unit_id: int) -> History:
        """The history of one unit (a school's own figure)."""
        out = History("office")
        if unit_id in self.lines:
            out.lines[unit_id] = self.lines[unit_id]
        return out


def history_of(session: Session, target: m.Target | int, measured_per: str | None = None,
               unit_id: int | None = None) -> History:
    """The slow path: a target's live reports read from the database."""
    target_id = target if isinstance(target, int) else target.id
    per = measured_per or (target.measured_per if not isinstance(target, int) else "office")
    P = m.ProgressReport
    query = select(P.id, P.unit_id, P.value, P.numerator, P.denominator, P.reported_at).where(
        P.target_id == target_id, P.withdrawn_at.is_(None))
    if unit_id is not None:
        query = query.where(P.unit_id == unit_id)
    history = History(per)
    for r in session.exec(query.order_by(P.reported_at, P.id)).all():
        history.add(r[0], r[1], r[2], r[3], r[4], r[5])
    return history


# --- the figure -------------------------------------------------------------------------------

@dataclass(frozen=True)
class Trend:
    """The change per month of the pooled series over `days` (None: fewer than 14 days)."""

    per_month: float | None
    days: float
    first: float | None = None
    last: float | None = None


@dataclass(frozen=True)
class Figure:
    """A target's figure at one moment."""

    value: float | None
    reported_at: dt.datetime | None
    numerator: float | None = None
    denominator: float | None = None
    reports: int = 0
    units_reported: list[str] = field(default_factory=list)
    units_missing: list[str] = field(default_factory=list)
    trend: Trend | None = None


@dataclass(frozen=True)
class Units:
    """Unit names and the schools among them (for pooled figures)."""

    names: dict[int, str]
    schools: list[str]
    key: int = 0


def units_of(session: Session) -> Units:
    rows = session.exec(select(m.Unit.id, m.Unit.name, m.Unit.level).order_by(m.Unit.id)).all()
    return Units({r[0]: r[1] for r in rows},
                 sorted(r[1] for r in rows if r[2] in SCHOOL_LEVELS),
                 hash(tuple(tuple(r) for r in rows)))


def school_names(session: Session) -> list[str]:
    return units_of(session).schools


def pooled(rows: list) -> tuple[float | None, float | None, float | None]:
    """(value, Σ numerators, Σ denominators) from each unit's latest report: the pooled ratio
    when every unit gave one, otherwise the mean of the percentages."""
    if not rows:
        return None, None, None
    if all(r.denominator for r in rows):
        num = sum(r.numerator or 0 for r in rows)
        den = sum(r.denominator or 0 for r in rows)
        return (round(100.0 * num / den, 2) if den else None), num, den
    return round(sum(r.value or 0 for r in rows) / len(rows), 2), None, None


def value_of(carried: dict[int | None, Point], per_school: bool
             ) -> tuple[float | None, float | None, float | None]:
    if not carried:
        return None, None, None
    if per_school:
        return pooled(list(carried.values()))
    latest = max(carried.values(), key=lambda p: (p.reported_at, p.id))
    return latest.value, latest.numerator, latest.denominator


def series(history: History, at: dt.datetime, since: dt.date | None = None
           ) -> list[tuple[dt.datetime, float]]:
    """The figure after each report made in [since, at] (the pooled series)."""
    until = _ts(at)
    start = _start_ts(since) if since is not None else float("-inf")
    out = []
    for ts in dict.fromkeys(history.moments(start, until)):
        value = value_of(history.carried(ts), history.per_school)[0]
        if value is not None:
            out.append((_at(ts), value))
    return out


def trend(history: History, at: dt.datetime, since: dt.date | None) -> Trend | None:
    """The pooled series' change per month from its first to its last point in [since, at];
    `per_month` is None when they are less than 14 days apart. None when nothing is reported."""
    until = _ts(at)
    start = _start_ts(since) if since is not None else float("-inf")
    first, last = history.first_moment(start, until), history.last_moment(until)
    if first is None or last is None:
        return None
    days = (last - first) / 86400
    if days < TREND_MIN_DAYS:
        return Trend(None, days)
    v0 = history.pool(first)[0]
    v1 = history.pool(last)[0]
    if v0 is None or v1 is None:
        return Trend(None, days)
    return Trend((v1 - v0) / (days / DAYS_PER_MONTH), days, v0, v1)


def figure_at(history: History, at: dt.datetime, units: Units,
              phase_start: dt.date | None = None) -> Figure:
    """The figure at `at` from the reports up to it (pooled per school), with its trend since
    the phase start."""
    ts = _ts(at)
    value, num, den, newest_ts, reported_units = history.pool(ts)
    missing_all = list(units.schools) if history.per_school else []
    if newest_ts is None:
        return Figure(None, None, units_missing=missing_all)
    newest = _at(newest_ts)
    count = history.count(ts)
    tr = trend(history, at, phase_start)
    if not history.per_school:
        return Figure(value, newest, num, den, count, trend=tr)
    reported = sorted(units.names.get(u, "?") for u in reported_units if u is not None)
    missing = [n for n in units.schools if n not in reported]
    return Figure(value, newest, num, den, count, reported, missing, tr)


# --- the state --------------------------------------------------------------------------------

@dataclass(frozen=True)
class Assessment:
    state: TargetState
    requirement: Requirement | None
    figure: Figure
    months_left: float | None = None
    pace_needed: float | None = None  # per month still needed to meet the requirement in time
    pace_so_far: float | None = None  # the trend (per month), when there is one
    expected_now: float | None = None  # the straight line's value today

    @property
    def overdue(self) -> bool:
        return self.state == TargetState.OVERDUE

    @property
    def trend(self) -> Trend | None:
        return self.figure.trend


def assess(req: Requirement | None, figure: Figure, today: dt.date) -> Assessment:
    if req is None:
        return Assessment(TargetState.NO_DATA, None, figure)
    months_left = max((req.deadline - today).days, 0) / DAYS_PER_MONTH
    if figure.value is None:
        state = TargetState.OVERDUE if today > req.deadline else TargetState.NO_DATA
        return Assessment(state, req, figure, months_left)
    if meets(figure.value, req):
        return Assessment(TargetState.ACHIEVED, req, figure, months_left)
    if today > req.deadline:
        return Assessment(TargetState.OVERDUE, req, figure, 0.0)
    if req.comparison == Comparison.DONE:
        state = TargetState.ON_TRACK if (req.deadline - today).days > 90 else \
            TargetState.AT_RISK
        return Assessment(state, req, figure, months_left)
    goal = req.value or 0.0
    low = lower_is_better(req)
    gap = (figure.value - goal) if low else (goal - figure.value)
    pace_needed = gap / months_left if months_left > 0 else gap
    tr = figure.trend
    if tr is not None and tr.per_month is not None:
        pace = -tr.per_month if low else tr.per_month
        state = TargetState.ON_TRACK if pace >= pace_needed else \
            TargetState.AT_RISK if pace >= 0.5 * pace_needed else TargetState.BEHIND
        return Assessment(state, req, figure, months_left, pace_needed, tr.per_month)
    span = max((req.deadline - req.start).days, 1)
    elapsed = min(max((today - req.start).days, 0), span)
    expected = goal * elapsed / span
    if low:
        state = TargetState.ON_TRACK if figure.value <= goal else TargetState.BEHIND
    else:
        state = TargetState.ON_TRACK if figure.value >= expected else \
            TargetState.AT_RISK if figure.value >= 0.8 * expected else TargetState.BEHIND
    return Assessment(state, req, figure, months_left, pace_needed, None, expected)


def assess_history(history: History, reqs: list[Requirement], units: Units,
                   at: dt.datetime) -> Assessment:
    """The assessment of a target at `at` from its history (both paths end here)."""
    today = clock.local(at).date()
    req = requirement_in_force(reqs, today)
    figure = figure_at(history, at, units, req.start if req else None)
    return assess(req, figure, today)


def assess_target(session: Session, target: m.Target,
                  today: dt.date | dt.datetime | None = None,
                  unit_id: int | None = None) -> Assessment:
    """The slow path for one target (or one school's own figure, with `unit_id`)."""
    at = moment_of(today)
    history = history_of(session, target, unit_id=unit_id)
    if unit_id is not None:
        history = history.only(unit_id)
    return assess_history(history, requirements(session, target), units_of(session), at)


def current_figure(session: Session, target: m.Target, phase_start: dt.date | None = None,
                   at: dt.datetime | None = None) -> Figure:
    """The figure now (or at `at`), from the database."""
    return figure_at(history_of(session, target), moment_of(at), units_of(session), phase_start)


def state_of(a: Assessment) -> TargetState:
    return a.state
