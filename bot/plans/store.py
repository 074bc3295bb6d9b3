"""Putting a validated plan into the database, whole or not at all.

Several plans live side by side; each issuing unit has one active plan, so importing a newer plan
for the same unit supersedes the older one (kept, marked inactive).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from bot.core.clock import clock
from bot.plans import schema as ps
from bot.plans.loader import load_plan
from bot.plans.passages import Passage, from_rows, read_text_file, text_file_for
from storage import models as m
from storage.db import session_scope


@dataclass(frozen=True)
class ImportResult:
    plan_code: str
    created: bool  # False: the same plan was already there, nothing changed
    superseded: list[str]
    counts: dict[str, int]


class PlanConflict(ValueError):
    """A plan with this code exists with different content."""


def _unit(session: Session, code: str, name: str, level: str) -> m.Unit:
    unit = session.exec(select(m.Unit).where(m.Unit.code == code)).first()
    if unit is None:
        unit = m.Unit(code=code, name=name, level=level)
        session.add(unit)
        session.flush()
    return unit


def import_plan(engine: Engine, plan: ps.Plan, source_file: str = "",
                passages: list[Passage] | None = None) -> ImportResult:
    """Store a plan; `passages` is its own text (none given: made of its rows)."""
    document = plan.model_dump(mode="json")
    with session_scope(engine) as session:
        existing = session.exec(select(m.Plan).where(m.Plan.code == plan.code)).first()
        if existing is not None:
            if existing.document == document:
                return ImportResult(plan.code, False, [], {})
            raise PlanConflict(
                f"plan {plan.code} is already loaded with different content; "
                "give the new version its own code"
            )
        issuer = _unit(session, plan.issuer.unit, plan.issuer.name, plan.issuer.level)
        superseded = []
        for old in session.exec(
            select(m.Plan).where(m.Plan.issuer_unit_id == issuer.id, m.Plan.active)
        ):
            if old.period_start <= plan.period_start:
                old.active = False
                superseded.append(old.code)
        row = m.Plan(
            code=plan.code, number=plan.number, title=plan.title, title_en=plan.title_en,
            issuer_unit_id=issuer.id, issued_on=plan.issued_on, period_start=plan.period_start,
            period_end=plan.period_end, active=True, source_file=source_file,
            document=document, imported_at=clock.now(),
        )
        session.add(row)
        session.flush()
        phases = {}
        for p in plan.phases:
            phases[p.code] = m.Phase(plan_id=row.id, code=p.code, name=p.name,
                                     start=p.start, end=p.end)
            session.add(phases[p.code])
        areas = {}
        for a in plan.areas:
            areas[a.code] = m.Area(plan_id=row.id, code=a.code, number=a.number, name=a.name,
                                   name_en=a.name_en, aliases=a.aliases, source=a.source)
            session.add(areas[a.code])
        people = {}
        for p in plan.people:
            people[p.key] = m.PlanPerson(plan_id=row.id, key=p.key, name=p.name, title=p.title,
                                         department=p.department)
            session.add(people[p.key])
        session.flush()
        for a in plan.areas:
            for i, text in enumerate(a.tasks, 1):
                session.add(m.Task(plan_id=row.id, area_id=areas[a.code].id, position=i,
                                   text=text))
        counts = {"areas": len(plan.areas), "targets": 0, "values": 0, "obligations": 0,
                  "reviews": len(plan.reviews), "people": len(plan.people)}
        for t in plan.targets:
            target = m.Target(
                plan_id=row.id, area_id=areas[t.area].id, code=t.code, name=t.name,
                name_en=t.name_en, text=t.text, unit=t.unit.value, baseline_year=t.baseline_year,
                measured_per=t.measured_per, keywords=t.keywords, note=t.note,
            )
            session.add(target)
            session.flush()
            counts["targets"] += 1
            for v in t.values:
                session.add(m.TargetValue(
                    target_id=target.id, phase_id=phases[v.phase].id if v.phase else None,
                    year=v.year, value=v.value, value_max=v.value_max,
                    comparison=v.comparison.value, deadline=v.deadline, text=v.text,
                    source=v.source,
                ))
                counts["values"] += 1
            _roles(session, people, t.responsible, t.coordinators, target_id=target.id)
        for o in plan.obligations:
            ob = m.Obligation(
                plan_id=row.id, area_id=areas[o.area].id if o.area else None, code=o.code,
                name=o.name, name_en=o.name_en, frequency=o.frequency, recipient=o.recipient,
                due=[d.model_dump(mode="json") for d in o.due], due_rule=o.due_rule,
                source=o.source, note=o.note,
            )
            session.add(ob)
            session.flush()
            counts["obligations"] += 1
            _roles(session, people, o.responsible, o.coordinators, obligation_id=ob.id)
        for r in plan.reviews:
            session.add(m.Review(
                plan_id=row.id, phase_id=phases[r.phase].id if r.phase else None, code=r.code,
                name=r.name, name_en=r.name_en, year=r.year, month=r.month, source=r.source,
                note=r.note,
            ))
        stored = passages or from_rows(plan)
        for i, passage in enumerate(stored, 1):
            session.add(m.PlanPassage(plan_id=row.id, position=i, section=passage.section[:64],
                                      title=passage.title, text=passage.text))
        counts["passages"] = len(stored)
        session.add(m.AuditLog(at=clock.now(), action="plan.import", entity="plan",
                               entity_id=row.id, detail={"code": plan.code, **counts}))
    return ImportResult(plan.code, True, superseded, counts)


def _roles(session: Session, people: dict[str, m.PlanPerson], responsible: list[str],
           coordinators: list[str], **item: int) -> None:
    for kind, keys in (("responsible", responsible), ("coordinator", coordinators)):
        for key in keys:
            session.add(m.PlanRole(person_id=people[key].id, kind=kind, **item))


def import_plan_file(engine: Engine, path: Path) -> ImportResult:
    """A plan file, with its full text when `<name>.text.md` lies beside it."""
    return import_plan(engine, load_plan(path), source_file=str(path),
                       passages=read_text_file(text_file_for(path)))


def has_plan(engine: Engine) -> bool:
    with Session(engine) as session:
        return session.exec(select(m.Plan.id).limit(1)).first() is not None


def ensure_plan(engine: Engine, path: Path) -> ImportResult | None:
    """Load the configured plan into a database that holds none yet (PARBOT_PLAN)."""
    if has_plan(engine):
        return None
    return import_plan_file(engine, path)


def active_plans(session: Session) -> list[m.Plan]:
    return list(session.exec(select(m.Plan).where(m.Plan.active).order_by(m.Plan.id)))


class NoPlan(LookupError):
    """No plan is loaded (or none with the code asked for)."""


def plan_by_code(session: Session, code: str | None) -> m.Plan | None:
    """The named plan, or the first active one when no code is given."""
    if code:
        return session.exec(select(m.Plan).where(m.Plan.code == code)).first()
    plans = active_plans(session)
    return plans[0] if plans else None
