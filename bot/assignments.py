"""Who is assigned to what: officer ↔ targets/obligations, as responsible or coordinator."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from storage import models as m


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
