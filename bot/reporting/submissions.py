"""Recurring reports sent: facts in the `submission` table (obligation, period, for whom, when,
marked by whom, note, evidence). The owner taps "Đã nộp" under a reminder or picks the report in
/report; an admin (or leader) can mark it for an owner. A period's report counts as sent from
its submission on — never a submission dated after the clock — and nudges, escalations, the
digest, /due and the answers all read `sent_keys` / `outstanding` from here.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from bot.core.access import Actor
from bot.core.clock import clock
from bot.people.identity import find_officers
from bot.plans.deadlines import DueItem, due_items
from bot.progress import made_by_now
from storage import models as m
from storage.db import session_scope

S = m.Submission
OUTSTANDING_DAYS = 90  # how far back an unsent recurring report is still called outstanding


def done_key(obligation_id: int, period: str) -> str:
    return f"{obligation_id}:{period}"


def done_keys(session: Session) -> set[str]:
    """"<obligation id>:<period>" of every report sent by now."""
    rows = session.exec(select(S.obligation_id, S.period).where(made_by_now(S.submitted_at)))
    return {done_key(o, p) for o, p in rows}


def is_sent(session: Session, item: DueItem) -> bool:
    return item.kind == "obligation" and \
        done_key(item.item_id, item.period) in done_keys(session)


@dataclass(frozen=True)
class DoneOutcome:
    status: str  # done | already | not_assigned | unknown
    name: str = ""
    label: str = ""


def _occurrence(session: Session, ob: m.Obligation, period: str) -> DueItem | None:
    plan = session.get(m.Plan, ob.plan_id)
    for item in due_items(session, plan):
        if item.kind == "obligation" and item.item_id == ob.id and item.period == period:
            return item
    return None


def mark_obligation_done(engine: Engine, actor: Actor, obligation_id: int, period: str,
                         note: str | None = None, evidence: list[dict] | None = None,
                         for_officer_id: int | None = None) -> DoneOutcome:
    """A recurring report for `period` was sent: recorded once, audited; no more nudges or
    escalations for it. An owner (or coordinator) marks their own; an admin or leader may mark
    it for an owner (`for_officer_id`)."""
    now = clock.now()
    with session_scope(engine) as session:
        ob = session.get(m.Obligation, obligation_id)
        if ob is None:
            return DoneOutcome("unknown")
        name = ob.name_en if actor.language == "en" and ob.name_en else ob.name
        item = _occurrence(session, ob, period)
        if item is None:
            return DoneOutcome("unknown", name)
        manager = actor.role in ("leader", "admin")
        assigned = session.exec(select(m.Assignment.id).where(
            m.Assignment.obligation_id == ob.id,
            m.Assignment.officer_id == actor.officer_id)).first()
        if manager and assigned is None and for_officer_id is None:  # for the owner
            for_officer_id = session.exec(select(m.Assignment.officer_id).where(
                m.Assignment.obligation_id == ob.id, m.Assignment.kind == "responsible")
                .order_by(m.Assignment.id)).first()
        if assigned is None and not manager:
            return DoneOutcome("not_assigned", name, item.label)
        if done_key(obligation_id, period) in done_keys(session):
            return DoneOutcome("already", name, item.label)
        whom = for_officer_id if manager and for_officer_id is not None else actor.officer_id
        officer = session.get(m.Officer, whom) if whom is not None else None
        session.add(S(obligation_id=obligation_id, period=period, officer_id=whom,
                      unit_id=officer.unit_id if officer else None, submitted_at=now,
                      by_officer_id=actor.officer_id, note=note, evidence=evidence or []))
        session.add(m.AuditLog(at=now, actor_officer_id=actor.officer_id,
                               action="obligation.done", entity="obligation",
                               entity_id=obligation_id, detail={"period": period}))
    return DoneOutcome("done", name, item.label)


def mark_by_code(engine: Engine, actor: Actor, text: str) -> DoneOutcome:
    """/sent <report code> <period> [officer]: an admin or leader marks a recurring report sent
    for its owner, or for the owner named ("/sent BC-TTHC-THANG 2025-08 Kim Sa")."""
    parts = text.split(maxsplit=2)
    if len(parts) < 2:
        return DoneOutcome("usage")
    code, period = parts[0].upper(), parts[1]
    with Session(engine) as session:
        ob = session.exec(select(m.Obligation).join(m.Plan).where(
            m.Plan.active, m.Obligation.code == code)).first()
        owners = set(session.exec(select(m.Assignment.officer_id).where(
            m.Assignment.obligation_id == ob.id)).all()) if ob is not None else set()
    if ob is None:
        return DoneOutcome("unknown", code)
    whom = None
    if len(parts) == 3:
        found = [i for i, _ in find_officers(engine, parts[2]) if i in owners]
        if len(found) != 1:
            return DoneOutcome("not_owner", ob.name, period)
        whom = found[0]
    return mark_obligation_done(engine, actor, ob.id, period, for_officer_id=whom)


def outstanding(session: Session, plan: m.Plan, today: dt.date,
                items: list[DueItem] | None = None) -> list[DueItem]:
    """The recurring reports of `plan` whose last day passed in the last OUTSTANDING_DAYS and
    that have not been sent by now: what the digest, /due and the answers call overdue."""
    sent = done_keys(session)
    since = today - dt.timedelta(days=OUTSTANDING_DAYS)
    items = items if items is not None else due_items(session, plan)
    return [i for i in items if i.kind == "obligation" and since <= i.last_day < today
            and done_key(i.item_id, i.period) not in sent]


def sendable_items(engine: Engine, actor: Actor, today: dt.date) -> list[DueItem]:
    with Session(engine) as session:
        return sendable(session, actor, today)


def sendable(session: Session, actor: Actor, today: dt.date, back_days: int = 120,
             ahead_days: int = 45) -> list[DueItem]:
    """The recurring reports an officer may mark sent in /report: their assignments'
    occurrences due from `back_days` ago to `ahead_days` ahead, not yet sent."""
    if actor.officer_id is None:
        return []
    mine = set(session.exec(select(m.Assignment.obligation_id).where(
        m.Assignment.officer_id == actor.officer_id, m.Assignment.obligation_id.is_not(None))))
    if not mine:
        return []
    sent = done_keys(session)
    out = []
    for plan in session.exec(select(m.Plan).where(m.Plan.active)):
        for i in due_items(session, plan, today - dt.timedelta(days=back_days),
                           today + dt.timedelta(days=ahead_days)):
            if i.kind == "obligation" and i.item_id in mine \
                    and done_key(i.item_id, i.period) not in sent:
                out.append(i)
    return out
