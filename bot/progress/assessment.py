"""Progress: reading what officers type, storing reports once, and judging each target's state.

The rules for states (shown to users by /status and the digest; documented in docs/states.md):
- achieved: the current figure meets the requirement in force.
- overdue: the requirement's deadline has passed and the figure does not meet it.
- no_data: nothing reported yet (before the deadline).
- on_track / at_risk / behind: with two or more reports in the phase, the pace so far (change
  per month) is compared with the pace needed to reach the requirement by its deadline: at least
  the pace needed → on_track, at least half of it → at_risk, otherwise behind. With one report,
  the figure is compared with a straight line from 0 at the phase start to the requirement at the
  deadline: at or above the line → on_track, at least 80% of it → at_risk, otherwise behind.
  Yes/no targets not yet done are on_track until 90 days before the deadline, then at_risk.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlmodel import Session, select

from bot.core.clock import clock
from storage import models as m

SCHOOL_LEVELS = ("MN", "TH", "THCS")
DAYS_PER_MONTH = 30.44


# --- what is required, what is reached -------------------------------------------------------

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


def requirements(session: Session, target: m.Target) -> list[Requirement]:
    plan = session.get(m.Plan, target.plan_id)
    phases = {p.id: p for p in session.exec(select(m.Phase).where(m.Phase.plan_id == plan.id))}
    out = []
    for v in session.exec(select(m.TargetValue).where(m.TargetValue.target_id == target.id)):
        phase = phases.get(v.phase_id)
        start = phase.start if phase else dt.date(plan.period_start, 1, 1)
        out.append(Requirement(v.value, v.value_max, v.comparison, v.deadline, start,
                               phase.name if phase else str(v.year), v.source, v.text))
    out.sort(key=lambda r: (r.deadline, r.value or 0))
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
        "at_least": value >= target,
        "more_than": value > target,
        "at_most": value <= target,
        "range": value >= target,  # reaching the range's floor meets it
        "top": value <= target,  # a rank
        "done": value >= 1.0,
    }.get(req.comparison, value >= target)


@dataclass(frozen=True)
class Figure:
    """A target's current figure at office level."""

    value: float | None
    reported_at: dt.datetime | None
    numerator: float | None = None
    denominator: float | None = None
    reports: int = 0
    units_reported: list[str] = field(default_factory=list)
    units_missing: list[str] = field(default_factory=list)
    first_in_phase: tuple[float, dt.datetime] | None = None


def _live_reports(session: Session, target_id: int, since: dt.datetime | None = None):
    query = select(m.ProgressReport).where(m.ProgressReport.target_id == target_id,
                                           m.ProgressReport.withdrawn_at.is_(None))
    if since is not None:
        query = query.where(m.ProgressReport.reported_at >= since)
    return query


def current_figure(session: Session, target: m.Target,
                   phase_start: dt.date | None = None) -> Figure:
    """The latest office-level figure. For targets measured per school, the latest report of
    each unit is pooled (Σ numerators / Σ denominators, or the mean where units gave only a
    percentage) and units that have not reported are listed."""
    since = clock.localize(dt.datetime.combine(phase_start, dt.time())) if phase_start else None
    latest = session.exec(
        _live_reports(session, target.id)
        .order_by(m.ProgressReport.reported_at.desc(), m.ProgressReport.id.desc()).limit(1)
    ).first()
    if latest is None:
        return Figure(None, None, units_missing=school_names(session)
                      if target.measured_per == "school" else [])
    first = None
    if since is not None:
        row = session.exec(_live_reports(session, target.id, since)
                           .order_by(m.ProgressReport.reported_at, m.ProgressReport.id)
                           .limit(1)).first()
        if row is not None and row.id != latest.id:
            first = (row.value, row.reported_at)
    count = len(session.exec(_live_reports(session, target.id)
                             .with_only_columns(m.ProgressReport.id).limit(50)).all())
    if target.measured_per != "school":
        return Figure(latest.value, latest.reported_at, latest.numerator, latest.denominator,
                      count, first_in_phase=first)
    per_unit: dict[int | None, m.ProgressReport] = {}
    for row in session.exec(_live_reports(session, target.id)
                            .order_by(m.ProgressReport.reported_at.desc(),
                                      m.ProgressReport.id.desc())):
        per_unit.setdefault(row.unit_id, row)
    return pooled_figure(session, per_unit, count, first)


def pooled(rows: list[m.ProgressReport]) -> tuple[float | None, float | None, float | None]:
    """(value, Σ numerators, Σ denominators) from each unit's latest report: the pooled ratio
    when every unit gave one, otherwise the mean of the percentages."""
    if rows and all(r.denominator for r in rows):
        num = sum(r.numerator or 0 for r in rows)
        den = sum(r.denominator or 0 for r in rows)
        return (round(100.0 * num / den, 2) if den else None), num, den
    return round(sum(r.value or 0 for r in rows) / len(rows), 2), None, None


def pooled_figure(session: Session, per_unit: dict[int | None, m.ProgressReport], count: int,
                  first: tuple[float, dt.datetime] | None) -> Figure:
    """The office figure of a per-school target from each unit's latest report, with the
    schools that have reported and those that have not."""
    rows = list(per_unit.values())
    value, num, den = pooled(rows)
    units = {u.id: u.name for u in session.exec(select(m.Unit))}
    reported = sorted(units.get(u, "?") for u in per_unit if u is not None)
    missing = [n for n in school_names(session) if n not in reported]
    newest = max(r.reported_at for r in rows)
    return Figure(value, newest, num, den, count, reported, missing, first)


def school_names(session: Session) -> list[str]:
    return sorted(u.name for u in session.exec(
        select(m.Unit).where(m.Unit.level.in_(SCHOOL_LEVELS))))


@dataclass(frozen=True)
class Assessment:
    state: str
    requirement: Requirement | None
    figure: Figure
    months_left: float | None = None
    pace_needed: float | None = None  # points per month still needed
    pace_so_far: float | None = None
    expected_now: float | None = None


def assess(req: Requirement | None, figure: Figure, today: dt.date) -> Assessment:
    if req is None:
        return Assessment("no_data", None, figure)
    months_left = max((req.deadline - today).days, 0) / DAYS_PER_MONTH
    if figure.value is None:
        state = "overdue" if today > req.deadline else "no_data"
        return Assessment(state, req, figure, months_left)
    if meets(figure.value, req):
        return Assessment("achieved", req, figure, months_left)
    if today > req.deadline:
        return Assessment("overdue", req, figure, 0.0)
    if req.comparison == "done":
        state = "on_track" if (req.deadline - today).days > 90 else "at_risk"
        return Assessment(state, req, figure, months_left)
    goal = req.value or 0.0
    lower_is_better = req.comparison in ("at_most", "top")
    gap = (figure.value - goal) if lower_is_better else (goal - figure.value)
    pace_needed = gap / months_left if months_left > 0 else gap
    if figure.first_in_phase is not None:
        first_value, first_at = figure.first_in_phase
        months = max((figure.reported_at - first_at).days, 1) / DAYS_PER_MONTH
        change = (first_value - figure.value) if lower_is_better else \
            (figure.value - first_value)
        pace = change / months
        state = "on_track" if pace >= pace_needed else \
            "at_risk" if pace >= 0.5 * pace_needed else "behind"
        return Assessment(state, req, figure, months_left, pace_needed, pace)
    span = max((req.deadline - req.start).days, 1)
    elapsed = min(max((today - req.start).days, 0), span)
    expected = goal * elapsed / span
    if lower_is_better:
        state = "on_track" if figure.value <= goal else "behind"
    else:
        state = "on_track" if figure.value >= expected else \
            "at_risk" if figure.value >= 0.8 * expected else "behind"
    return Assessment(state, req, figure, months_left, pace_needed, None, expected)


def assess_target(session: Session, target: m.Target, today: dt.date) -> Assessment:
    req = requirement_in_force(requirements(session, target), today)
    figure = current_figure(session, target, req.start if req else None)
    return assess(req, figure, today)
