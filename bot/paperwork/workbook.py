"""The Excel workbook for the office: targets, reports, reporting rates and overdue items, with
Vietnamese headers, frozen header rows and filters, percentages stored as percentages and
dates as dates, so it can be sorted and summed in Excel as it is."""

from __future__ import annotations

import datetime as dt
import io
from collections import defaultdict
from dataclasses import dataclass, field

from openpyxl import Workbook
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from bot.core.catalogue import t
from bot.core.clock import clock
from bot.core.xlsx_tables import Column, Val, write_table
from bot.paperwork.periods import Period, figure_between
from bot.paperwork.quarterly import NoPlan
from bot.people.assignments import assigned_officers
from bot.plans.store import plan_by_code
from bot.progress import (
    SCHOOL_LEVELS,
    Figure,
    Requirement,
    assess,
    made_by_now,
    requirement_in_force,
    requirements,
)
from bot.progress.wording import requirement_text, requirement_value, value_text
from storage import models as m

SHEETS = ("targets", "reports", "rate_officers", "rate_units", "overdue")


# --- owners ------------------------------------------------------------------------------------


def person_label(person: m.PlanPerson) -> str:
    """How a plan names someone: "Diệu Anh", "Trưởng phòng GDĐT", "Tổ chuyên môn MN"."""
    return person.name or person.title or person.department or person.key


def owners(session: Session, plan_id: int) -> dict[int, tuple[list[str], list[str]]]:
    """Per target: (responsible, coordinators) — the officers assigned, or where nobody is
    assigned yet, the people the plan names."""
    officers = {o.id: o.full_name for o in session.exec(select(m.Officer))}
    target_ids = set(session.exec(select(m.Target.id).where(m.Target.plan_id == plan_id)))
    assigned: dict[int, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for a in session.exec(select(m.Assignment).where(m.Assignment.target_id.is_not(None))
                          .order_by(m.Assignment.id)):
        if a.target_id in target_ids:
            assigned[a.target_id][a.kind].append(officers.get(a.officer_id, "?"))
    named: dict[int, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for role, person in session.exec(
            select(m.PlanRole, m.PlanPerson).join(m.PlanPerson)
            .where(m.PlanPerson.plan_id == plan_id, m.PlanRole.target_id.is_not(None))
            .order_by(m.PlanRole.id)):
        named[role.target_id][role.kind].append(person_label(person))
    out = {}
    for target_id in target_ids:
        source = assigned[target_id] if assigned[target_id] else named[target_id]
        out[target_id] = (source.get("responsible", []), source.get("coordinator", []))
    return out


# --- the workbook ------------------------------------------------------------------------------


def header(key: str, lang: str) -> str:
    return t(f"exports.xlsx.{key}", lang)


def _value_cell(value: float | None, unit: str, lang: str):
    if value is None:
        return None
    if unit == "percent":
        return Val(value, "percent")
    if unit == "boolean":
        return value_text(value, unit, lang)
    return Val(value, "number")


def _end_of(day: dt.date) -> dt.datetime:
    return clock.localize(dt.datetime.combine(day + dt.timedelta(days=1), dt.time()))


def _figure_for(session: Session, target: m.Target, req: Requirement,
                today: dt.date) -> Figure:
    """What was reported by the requirement's deadline (or by today, while it runs)."""
    return figure_between(session, target, None, _end_of(min(req.deadline, today)), req.start)


def _state(key: str, lang: str) -> str:
    return t(f"exports.state.{key}", lang)


def _targets_sheet(ws, session, plan, today, lang, who) -> None:
    columns = [Column(header(k, lang), w, kind) for k, w, kind in (
        ("area", 26, "wrap"), ("code", 10, "text"), ("target", 44, "wrap"),
        ("phase", 20, "text"), ("requirement", 14, "text"), ("required_value", 12, "number"),
        ("deadline", 12, "date"), ("responsible", 28, "wrap"), ("coordinators", 28, "wrap"),
        ("latest_value", 12, "number"), ("updated", 12, "date"), ("state", 16, "text"),
        ("source", 16, "text"))]
    rows = []
    for area, target in _targets(session, plan):
        responsible, coordinators = who[target.id]
        for req in requirements(session, target):
            figure = _figure_for(session, target, req, today)
            required = Val(requirement_value(req), "number")  # one form: the target's unit
            rows.append([
                f"{area.number}. {area.name}", target.code, target.name, req.label,
                requirement_text(req, target.unit, lang), required, req.deadline,
                "\n".join(responsible), "\n".join(coordinators),
                Val(figure.value, "number") if figure.value is not None else None,
                clock.local(figure.reported_at).date() if figure.reported_at else None,
                _state(assess(req, figure, today).state, lang), req.source,
            ])
    write_table(ws, columns, rows)


def _targets(session: Session, plan: m.Plan) -> list[tuple[m.Area, m.Target]]:
    return list(session.exec(select(m.Area, m.Target).join(m.Target, m.Target.area_id == m.Area.id)
                             .where(m.Area.plan_id == plan.id)
                             .order_by(m.Area.number, m.Target.id)))


def _reports_sheet(ws, session, plan, lang) -> None:
    columns = [Column(header(k, lang), w, kind) for k, w, kind in (
        ("report_id", 8, "int"), ("reported_at", 17, "datetime"), ("period", 10, "text"),
        ("area", 24, "wrap"), ("code", 10, "text"), ("target", 40, "wrap"),
        ("unit", 26, "text"), ("officer", 24, "text"), ("value", 11, "number"),
        ("numerator", 9, "number"), ("denominator", 9, "number"), ("note", 36, "wrap"),
        ("evidence", 9, "int"), ("withdrawn_at", 17, "datetime"))]
    units = {u.id: u.name for u in session.exec(select(m.Unit))}
    officers = {o.id: o for o in session.exec(select(m.Officer))}
    evidence = defaultdict(int)
    for report_id in session.exec(select(m.Evidence.report_id)):
        evidence[report_id] += 1
    rows = []
    for report, target, area in session.exec(
            select(m.ProgressReport, m.Target, m.Area)
            .join(m.Target, m.Target.id == m.ProgressReport.target_id)
            .join(m.Area, m.Area.id == m.Target.area_id)
            .where(m.Target.plan_id == plan.id, made_by_now())
            .order_by(m.ProgressReport.reported_at, m.ProgressReport.id)):
        officer = officers.get(report.officer_id)
        unit_id = report.unit_id if report.unit_id is not None else \
            (officer.unit_id if officer else None)
        rows.append([
            report.id, report.reported_at, report.period, f"{area.number}. {area.name}",
            target.code, target.name, units.get(unit_id), officer.full_name if officer else None,
            _value_cell(report.value, target.unit, lang), report.numerator, report.denominator,
            report.note, evidence[report.id], report.withdrawn_at,
        ])
    write_table(ws, columns, rows)


@dataclass
class _Rate:
    name: str
    unit: str | None
    assigned: set[int] = field(default_factory=set)
    reported: set[int] = field(default_factory=set)
    last: dt.datetime | None = None
    obligations: set[int] = field(default_factory=set)
    submitted: int = 0


def _rates(session: Session, plan: m.Plan, period: Period) -> list[_Rate]:
    """Every officer with an assignment in the plan (as the digest counts them): the targets
    they are responsible for and those they reported on in the period, the recurring reports
    they own and the submissions they recorded in it."""
    start, end = period.utc_bounds()
    target_ids = set(session.exec(select(m.Target.id).where(m.Target.plan_id == plan.id)))
    units = {u.id: u.name for u in session.exec(select(m.Unit))}
    rates: dict[int, _Rate] = {i: _Rate(o.full_name, units.get(o.unit_id))
                               for i, o in assigned_officers(session, plan.id).items()}
    for assignment in session.exec(select(m.Assignment).where(
            m.Assignment.officer_id.in_(list(rates) or [-1]),
            m.Assignment.kind == "responsible")):
        if assignment.target_id in target_ids:
            rates[assignment.officer_id].assigned.add(assignment.target_id)
        elif assignment.obligation_id is not None:
            rates[assignment.officer_id].obligations.add(assignment.obligation_id)
    for by in session.exec(select(m.Submission.by_officer_id).where(
            m.Submission.submitted_at >= start, m.Submission.submitted_at < end,
            made_by_now(m.Submission.submitted_at))):
        if by in rates:
            rates[by].submitted += 1
    for report in session.exec(
            select(m.ProgressReport).where(m.ProgressReport.withdrawn_at.is_(None),
                                           m.ProgressReport.reported_at >= start,
                                           m.ProgressReport.reported_at < end,
                                           made_by_now())):
        rate = rates.get(report.officer_id)
        if rate is None or report.target_id not in rate.assigned:
            continue
        rate.reported.add(report.target_id)
        if rate.last is None or report.reported_at > rate.last:
            rate.last = report.reported_at
    return list(rates.values())


def _ratio(done: int, total: int) -> Val | None:
    return Val(round(100.0 * done / total, 2), "percent") if total else None


def _school_rates(session: Session, plan: m.Plan, period: Period) -> dict[str, tuple[int, int]]:
    """Per school: the targets measured per school (each school reports them) and how many of
    them have a report for that school in the period."""
    start, end = period.utc_bounds()
    targets = set(session.exec(select(m.Target.id).where(m.Target.plan_id == plan.id,
                                                         m.Target.measured_per == "school")))
    out = {}
    for school in session.exec(select(m.Unit).where(m.Unit.level.in_(SCHOOL_LEVELS))
                               .order_by(m.Unit.name)):
        reported = set(session.exec(select(m.ProgressReport.target_id).where(
            m.ProgressReport.unit_id == school.id, m.ProgressReport.withdrawn_at.is_(None),
            m.ProgressReport.reported_at >= start, m.ProgressReport.reported_at < end,
            made_by_now())))
        out[school.name] = (len(targets), len(reported & targets))
    return out


def _rate_sheets(ws_officers, ws_units, rates: list[_Rate], schools: dict[str, tuple[int, int]],
                 lang: str) -> None:
    columns = [Column(header(k, lang), w, kind) for k, w, kind in (
        ("officer", 26, "text"), ("unit", 28, "text"), ("assigned", 12, "int"),
        ("reported", 12, "int"), ("rate", 10, "percent"), ("last_report", 17, "datetime"),
        ("obligations", 14, "int"), ("submitted", 12, "int"))]
    write_table(ws_officers, columns, [
        [r.name, r.unit, len(r.assigned), len(r.reported),
         _ratio(len(r.reported), len(r.assigned)), r.last, len(r.obligations), r.submitted]
        for r in sorted(rates, key=lambda r: (r.unit or "", r.name))])
    per_unit: dict[str, list[_Rate]] = defaultdict(list)
    for r in rates:
        per_unit[r.unit or "-"].append(r)
    columns = [Column(header(k, lang), w, kind) for k, w, kind in (
        ("unit", 30, "text"), ("officers", 10, "int"), ("officers_reported", 14, "int"),
        ("assigned", 12, "int"), ("reported", 12, "int"), ("rate", 10, "percent"))]
    rows = []
    for unit in sorted(set(per_unit) | set(schools)):
        group = per_unit.get(unit, [])
        school_assigned, school_reported = schools.get(unit, (0, 0))
        assigned = sum(len(r.assigned) for r in group) + school_assigned
        reported = sum(len(r.reported) for r in group) + school_reported
        rows.append([unit, len(group), sum(1 for r in group if r.reported or r.submitted),
                     assigned, reported, _ratio(reported, assigned)])
    write_table(ws_units, columns, rows)


def _overdue_sheet(ws, session, plan, today, lang, who) -> None:
    columns = [Column(header(k, lang), w, kind) for k, w, kind in (
        ("area", 26, "wrap"), ("code", 10, "text"), ("target", 44, "wrap"),
        ("requirement", 14, "text"), ("deadline", 12, "date"), ("days_overdue", 10, "int"),
        ("latest_value", 12, "number"), ("responsible", 28, "wrap"),
        ("coordinators", 28, "wrap"))]
    rows = []
    for area, target in _targets(session, plan):
        req = requirement_in_force(requirements(session, target), today)
        if req is None:
            continue
        figure = figure_between(session, target, None, _end_of(today), req.start)
        if assess(req, figure, today).state != "overdue":
            continue
        responsible, coordinators = who[target.id]
        rows.append([f"{area.number}. {area.name}", target.code, target.name,
                     requirement_text(req, target.unit, lang), req.deadline,
                     (today - req.deadline).days,
                     Val(figure.value, "number") if figure.value is not None else None,
                     "\n".join(responsible), "\n".join(coordinators)])
    write_table(ws, columns, rows)


def sheet_title(key: str, lang: str) -> str:
    return t(f"exports.sheet.{key}", lang)


@dataclass(frozen=True)
class ExportedWorkbook:
    content: bytes
    period: Period
    rows: dict[str, int]  # sheet key → data rows


def export_workbook(engine: Engine, today: dt.date, period: Period | None = None,
                    plan_code: str | None = None, lang: str = "vi") -> ExportedWorkbook:
    """The workbook (.xlsx bytes and row counts); `period` (default: this quarter) is the
    window of the reporting rates."""
    period = period or Period.containing(today)
    workbook = Workbook()
    sheets = [workbook.active] + [workbook.create_sheet() for _ in SHEETS[1:]]
    for ws, key in zip(sheets, SHEETS, strict=True):
        ws.title = sheet_title(key, lang)
    with Session(engine) as session:
        plan = plan_by_code(session, plan_code)
        if plan is None:
            raise NoPlan(plan_code or "")
        who = owners(session, plan.id)
        _targets_sheet(sheets[0], session, plan, today, lang, who)
        _reports_sheet(sheets[1], session, plan, lang)
        _rate_sheets(sheets[2], sheets[3], _rates(session, plan, period),
                     _school_rates(session, plan, period), lang)
        _overdue_sheet(sheets[4], session, plan, today, lang, who)
    out = io.BytesIO()
    workbook.save(out)
    rows = {key: ws.max_row - 1 for key, ws in zip(SHEETS, sheets, strict=True)}
    return ExportedWorkbook(out.getvalue(), period, rows)


def workbook_file_name(today: dt.date) -> str:
    return f"cchc-{today.isoformat()}.xlsx"
