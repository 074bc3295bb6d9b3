"""Who is assigned to what: officer ↔ targets/obligations, as responsible or coordinator."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from bot.core.clock import clock
from bot.people.identity import find_officers
from storage import models as m
from storage.db import session_scope


@dataclass(frozen=True)
class AreaShare:
    area_code: str
    area_name: str
    area_name_en: str
    targets: int


def responsibilities(engine: Engine, officer_id: int) -> list[AreaShare]:
    """The areas an officer is responsible for in active plans, with target counts."""
    with Session(engine) as session:
        rows = session.exec(
            select(m.Area, m.Target.id)
            .join(m.Target, m.Target.area_id == m.Area.id)
            .join(m.Assignment, m.Assignment.target_id == m.Target.id)
            .join(m.Plan, m.Plan.id == m.Target.plan_id)
            .where(m.Assignment.officer_id == officer_id,
                   m.Assignment.kind == "responsible", m.Plan.active)
            .order_by(m.Area.number)
        ).all()
    shares: dict[int, tuple[m.Area, set[int]]] = {}
    for area, target_id in rows:
        shares.setdefault(area.id, (area, set()))[1].add(target_id)
    return [AreaShare(a.code, a.name, a.name_en, len(ids)) for a, ids in shares.values()]


@dataclass(frozen=True)
class AssignOutcome:
    status: str  # assigned | already | removed | not_found_target | not_found_officer |
    #              ambiguous_officer | not_assigned
    target_code: str = ""
    officer_name: str = ""
    candidates: tuple[str, ...] = ()


def _target(session: Session, code: str) -> m.Target | None:
    return session.exec(
        select(m.Target).join(m.Plan, m.Plan.id == m.Target.plan_id)
        .where(m.Plan.active, func.upper(m.Target.code) == code.strip().upper())
    ).first()


def change_assignment(engine: Engine, actor_officer_id: int | None, target_code: str,
                      officer_words: str, kind: str = "responsible",
                      remove: bool = False) -> AssignOutcome:
    """Assign (or unassign) an officer, named by any part of the full name, to a target."""
    found = find_officers(engine, officer_words)
    with session_scope(engine) as session:
        target = _target(session, target_code)
        if target is None:
            return AssignOutcome("not_found_target", target_code.upper())
        if not found:
            return AssignOutcome("not_found_officer", target.code, officer_words)
        if len(found) > 1:
            return AssignOutcome("ambiguous_officer", target.code, officer_words,
                                 tuple(name for _, name in found[:8]))
        officer_id, name = found[0]
        existing = session.exec(select(m.Assignment).where(
            m.Assignment.officer_id == officer_id, m.Assignment.target_id == target.id,
            m.Assignment.kind == kind)).first()
        now = clock.now()
        if remove:
            if existing is None:
                return AssignOutcome("not_assigned", target.code, name)
            session.delete(existing)
            status = "removed"
        elif existing is not None:
            return AssignOutcome("already", target.code, name)
        else:
            session.add(m.Assignment(officer_id=officer_id, target_id=target.id, kind=kind,
                                     created_at=now))
            status = "assigned"
        session.add(m.AuditLog(at=now, actor_officer_id=actor_officer_id,
                               action=f"assignment.{status}", entity="target",
                               entity_id=target.id,
                               detail={"officer_id": officer_id, "kind": kind}))
        return AssignOutcome(status, target.code, name)


def assigned_officers(session: Session, plan_id: int) -> dict[int, m.Officer]:
    """Every active officer with an assignment in the plan — a target or a recurring report,
    responsible or coordinating: whom the reporting rates count (the digest, the workbook)."""
    targets = select(m.Target.id).where(m.Target.plan_id == plan_id)
    obligations = select(m.Obligation.id).where(m.Obligation.plan_id == plan_id)
    rows = session.exec(
        select(m.Officer).join(m.Assignment, m.Assignment.officer_id == m.Officer.id)
        .where(m.Officer.active,
               m.Assignment.target_id.in_(targets) | m.Assignment.obligation_id.in_(obligations))
        .order_by(m.Officer.id)).all()
    return {o.id: o for o in rows}


def reported_officers(session: Session, officer_ids: list[int], since, until) -> set[int]:
    """Those of `officer_ids` who reported progress or marked a recurring report sent in
    [since, until]."""
    if not officer_ids:
        return set()
    P, S = m.ProgressReport, m.Submission
    reported = set(session.exec(select(P.officer_id).where(
        P.withdrawn_at.is_(None), P.reported_at >= since, P.reported_at <= until,
        P.officer_id.in_(officer_ids))).all())
    sent = set(session.exec(select(S.by_officer_id).where(
        S.submitted_at >= since, S.submitted_at <= until,
        S.by_officer_id.in_(officer_ids))).all())
    return (reported | sent) & set(officer_ids)
