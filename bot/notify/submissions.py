"""Recurring reports marked as sent: the owner taps "Đã nộp" under a reminder, and nudges and
escalations for that report's period stop. Kept in BotState (kind "obligation_done", key
"<obligation id>:<period>") until the schema has a table for submissions."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from bot.core import state_store
from bot.core.access import Actor
from bot.core.clock import clock
from bot.plans.deadlines import due_items
from storage import models as m
from storage.db import session_scope

DONE_KIND = "obligation_done"


def done_key(obligation_id: int, period: str) -> str:
    return f"{obligation_id}:{period}"


def done_keys(session: Session) -> set[str]:
    return set(session.exec(select(m.BotState.key).where(m.BotState.kind == DONE_KIND)))


@dataclass(frozen=True)
class DoneOutcome:
    status: str  # done | already | not_assigned | unknown
    name: str = ""
    label: str = ""


def mark_obligation_done(engine: Engine, actor: Actor, obligation_id: int,
                         period: str) -> DoneOutcome:
    """An owner (or coordinator) says a recurring report for `period` was sent: no more
    nudges or escalations for it."""
    with Session(engine) as session:
        ob = session.get(m.Obligation, obligation_id)
        if ob is None:
            return DoneOutcome("unknown")
        name = ob.name_en if actor.language == "en" and ob.name_en else ob.name
        label = period
        plan = session.get(m.Plan, ob.plan_id)
        for item in due_items(session, plan):
            if item.kind == "obligation" and item.item_id == ob.id and item.period == period:
                label = item.label
                break
        else:
            return DoneOutcome("unknown", name)
        assigned = session.exec(select(m.Assignment.id).where(
            m.Assignment.obligation_id == ob.id,
            m.Assignment.officer_id == actor.officer_id)).first()
        if assigned is None and actor.role not in ("leader", "admin"):
            return DoneOutcome("not_assigned", name, label)
    key = done_key(obligation_id, period)
    if state_store.get(engine, DONE_KIND, key) is not None:
        return DoneOutcome("already", name, label)
    state_store.put(engine, DONE_KIND, key, {"officer_id": actor.officer_id,
                                             "at": clock.now().isoformat()})
    with session_scope(engine) as session:
        session.add(m.AuditLog(at=clock.now(), actor_officer_id=actor.officer_id,
                               action="obligation.done", entity="obligation",
                               entity_id=obligation_id, detail={"period": period}))
    return DoneOutcome("done", name, label)
