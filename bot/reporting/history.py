"""What was reported (role-scoped) and undoing one's own last report."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from bot.core.access import Actor
from bot.core.clock import clock
from bot.progress import (
    made_by_now,
    withdraw_last,
)
from bot.reporting.rules import HISTORY_LIMIT, Refusal, allowed_targets, find_target, refusal_for
from storage import models as m


@dataclass(frozen=True)
class HistoryLine:
    report_id: int
    code: str
    name: str
    name_en: str
    unit: str  # the target's unit: percent | rank | count | boolean
    value: float | None
    numerator: float | None
    denominator: float | None
    officer: str
    unit_name: str | None  # the school, for targets measured per school
    reported_at: dt.datetime  # local
    withdrawn_at: dt.datetime | None
    note: str | None
    evidence: int

    def title(self, lang: str) -> str:
        return self.name_en if lang == "en" and self.name_en else self.name


@dataclass(frozen=True)
class History:
    scope: str  # target | own | unit | all
    lines: list[HistoryLine]
    code: str | None = None
    name: str | None = None
    name_en: str | None = None


def _history_query(by_now: bool = True):
    """Reports with their target, officer and unit, newest first — those made by now (a
    report dated after the clock shows nowhere), unless `by_now` is False (a draft's own
    report, found by its key)."""
    query = (select(m.ProgressReport, m.Target, m.Officer, m.Unit)
             .join(m.Target, m.Target.id == m.ProgressReport.target_id)
             .join(m.Officer, m.Officer.id == m.ProgressReport.officer_id)
             .join(m.Unit, m.Unit.id == m.ProgressReport.unit_id, isouter=True))
    if by_now:
        query = query.where(made_by_now())
    return (query
            .order_by(m.ProgressReport.reported_at.desc(), m.ProgressReport.id.desc()))


def _lines(session: Session, query, limit: int) -> list[HistoryLine]:
    rows = session.exec(query.limit(limit)).all()
    ids = [r.id for r, *_ in rows]
    counts = dict(session.exec(select(m.Evidence.report_id, func.count(m.Evidence.id))
                               .where(m.Evidence.report_id.in_(ids))
                               .group_by(m.Evidence.report_id)).all()) if ids else {}
    return [HistoryLine(
        report_id=r.id, code=t.code, name=t.name, name_en=t.name_en, unit=t.unit,
        value=r.value, numerator=r.numerator, denominator=r.denominator,
        officer=o.full_name, unit_name=u.name if u is not None and t.measured_per == "school"
        else None, reported_at=clock.local(r.reported_at),
        withdrawn_at=clock.local(r.withdrawn_at), note=r.note, evidence=counts.get(r.id, 0),
    ) for r, t, o, u in rows]


def history(engine: Engine, actor: Actor, code: str | None = None,
            limit: int = HISTORY_LIMIT, own_only: bool = False,
            officer_id: int | None = None, unit_id: int | None = None) -> History | Refusal:
    """The latest reports a person may see: of one target, or (without a code) their own, their
    school's, or — for leaders and administrators — everyone's (`own_only`: their own, whatever
    the role: "what did I report last?"; `officer_id`: one officer's, for a leader or an
    administrator: "anh Dũng báo cáo lần gần nhất hôm nào?"; `unit_id`: one school's, for them
    too: "THCS Lê Lợi báo cáo mấy lần rồi?")."""
    reads_all = actor.role in ("leader", "admin") and not own_only
    with Session(engine) as session:
        query = _history_query()
        if code:
            target = find_target(session, code)
            if target is None:
                return Refusal("unknown_target", code.strip().upper())
            query = query.where(m.ProgressReport.target_id == target.id)
            if not reads_all:
                allowed = allowed_targets(session, actor)
                refusal = refusal_for(actor, target, code, allowed)
                if refusal is not None:
                    return refusal
                if actor.role == "principal":
                    query = query.where(m.ProgressReport.unit_id == actor.unit_id)
            return History("target", _lines(session, query, limit), target.code, target.name,
                           target.name_en)
        if officer_id is not None and actor.role in ("leader", "admin"):
            query = query.where(m.ProgressReport.officer_id == officer_id)
            return History("all", _lines(session, query, limit))
        if unit_id is not None and actor.role in ("leader", "admin"):
            query = query.where(m.ProgressReport.unit_id == unit_id)
            return History("all", _lines(session, query, limit))
        if reads_all:
            return History("all", _lines(session, query, limit))
        if actor.officer_id is None:
            return Refusal("role")
        if actor.role == "principal" and actor.unit_id is not None:
            query = query.where((m.ProgressReport.unit_id == actor.unit_id)
                                | (m.ProgressReport.officer_id == actor.officer_id))
            return History("unit", _lines(session, query, limit))
        query = query.where(m.ProgressReport.officer_id == actor.officer_id)
        return History("own", _lines(session, query, limit))


def recorded(engine: Engine, draft_id: str, actor: Actor) -> HistoryLine | None:
    """The report a draft was stored as, if it was (a Confirm pressed again) — told only to the
    officer who stored it: button data can be forged, and a draft id names no one's right."""
    if actor.officer_id is None:
        return None
    with Session(engine) as session:
        query = _history_query(by_now=False).where(
            m.ProgressReport.dedupe_key == f"report:{draft_id}",
            m.ProgressReport.officer_id == actor.officer_id)
        lines = _lines(session, query, 1)
        return lines[0] if lines else None


@dataclass(frozen=True)
class UndoResult:
    status: str  # confirm | withdrawn | already | stale | too_old | none
    line: HistoryLine | None = None


def undo_last(engine: Engine, actor: Actor, window: dt.timedelta,
              confirm: int | None = None) -> UndoResult:
    """/undo: the actor's own last report, to withdraw if younger than `window`
    (bot.progress.withdraw_last) once they confirm it (`confirm`: the report id on the button).
    Only the last report: after it is withdrawn, /undo does not reach the one before."""
    if actor.officer_id is None:
        return UndoResult("none")
    with Session(engine) as session:
        lines = _lines(session, _history_query().where(
            m.ProgressReport.officer_id == actor.officer_id), 1)
    line = lines[0] if lines else None
    if line is None:
        return UndoResult("none")
    if line.withdrawn_at is not None:
        return UndoResult("already", line)
    if line.reported_at < clock.now() - window:
        return UndoResult("too_old", line)
    if confirm is None:
        return UndoResult("confirm", line)
    if confirm != line.report_id:
        return UndoResult("stale", line)
    withdrawn = withdraw_last(engine, actor.officer_id, window, confirm)
    if withdrawn is None:
        return UndoResult("too_old", line)
    with Session(engine) as session:
        done = _lines(session, _history_query().where(m.ProgressReport.id == withdrawn), 1)
    return UndoResult("withdrawn", done[0])
