"""Every target's current figure for /status and the answers, without reading all progress rows
per question.

`bot.progress.current_figure` reads one target at a time, and for targets measured per school it
walks every report of the target to find each school's latest one: fine for one target, far too
slow for a whole plan over years of weekly reports. The `FigureBook` keeps the latest live report
of each (target, unit) in memory, built once with grouped queries, and brings it up to date
before each question by reading only the rows added since (by id, with a margin for transactions
that commit out of order) and the withdrawals recorded in the audit log since
(`bot.progress.withdraw_last` audits every withdrawal; a withdrawn target is re-read). The
figures it returns are the ones `current_figure` computes — tests/test_answers_figures.py checks
that on random reports.
"""

from __future__ import annotations

import datetime as dt
import threading
from dataclasses import dataclass

from sqlalchemy import and_, func, or_
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from bot.core.clock import clock
from bot.progress import (
    SCHOOL_LEVELS,
    Assessment,
    Figure,
    assess,
    pooled,
    requirement_in_force,
)
from storage import models as m

P = m.ProgressReport
MARGIN = 256  # ids re-checked below the highest seen (late commits)
COUNT_CAP = 50  # current_figure counts up to 50 reports


@dataclass(frozen=True)
class Row:
    id: int
    target_id: int
    unit_id: int | None
    value: float | None
    numerator: float | None
    denominator: float | None
    reported_at: dt.datetime

    @property
    def order(self) -> tuple[dt.datetime, int]:
        return (self.reported_at, self.id)


_COLUMNS = (P.id, P.target_id, P.unit_id, P.value, P.numerator, P.denominator, P.reported_at)


def _row(r) -> Row:
    return Row(r[0], r[1], r[2], r[3], r[4], r[5], r[6])


class FigureBook:
    """Latest live report per (target, unit), kept current from the database's changes."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.ready = False
        self.latest: dict[int, dict[int | None, Row]] = {}
        self.counts: dict[int, int] = {}
        self.first: dict[tuple[int, dt.date], Row | None] = {}
        self.figures: dict[tuple, Figure] = {}  # computed figures, dropped when a target changes
        self.seen: set[int] = set()  # ids above max_id - MARGIN already applied
        self.max_id = 0
        self.audit_id = 0

    # --- keeping up to date -------------------------------------------------------------
    def refresh(self, session: Session) -> None:
        with self.lock:
            if not self.ready:
                self._build(session)
                return
            floor = max(self.max_id - MARGIN, 0)
            count, top = session.exec(select(func.count(P.id), func.max(P.id))
                                      .where(P.id > floor)).one()
            if (top or 0) < self.max_id:
                self._build(session)  # rows vanished: another database behind the same URL
                return
            if count != len(self.seen) or (top or 0) != self.max_id:
                ids = set(session.exec(select(P.id).where(P.id > floor)).all())
                self._apply_new(session, ids - self.seen)
            audit = session.exec(select(func.max(m.AuditLog.id))).one() or 0
            if audit != self.audit_id:
                self._apply_withdrawals(session)

    def _apply_new(self, session: Session, new: set[int]) -> None:
        if not new:
            return
        rows = session.exec(select(*_COLUMNS, P.withdrawn_at)
                            .where(P.id.in_(sorted(new)))).all()
        for r in rows:
            if r[7] is None:
                self._apply(_row(r))
        self.seen |= new
        self.max_id = max(self.max_id, max(new))
        self.seen = {i for i in self.seen if i > self.max_id - MARGIN}

    def _apply_withdrawals(self, session: Session) -> None:
        """Re-read the targets whose reports were withdrawn since (bot.progress.withdraw_last
        writes "report.withdraw" to the audit log)."""
        entries = session.exec(select(m.AuditLog.id, m.AuditLog.action, m.AuditLog.entity_id)
                               .where(m.AuditLog.id > self.audit_id)).all()
        if not entries:
            return
        self.audit_id = max(a[0] for a in entries)
        report_ids = [a[2] for a in entries if a[1] == "report.withdraw" and a[2]]
        if report_ids:
            for target_id in set(session.exec(select(P.target_id)
                                              .where(P.id.in_(report_ids))).all()):
                self._reload_target(session, target_id)

    def _apply(self, row: Row) -> None:
        units = self.latest.setdefault(row.target_id, {})
        current = units.get(row.unit_id)
        if current is None or row.order > current.order:
            units[row.unit_id] = row
        self.counts[row.target_id] = self.counts.get(row.target_id, 0) + 1
        self._forget(row.target_id)

    def _forget(self, target_id: int) -> None:
        for key in [k for k in self.first if k[0] == target_id]:
            del self.first[key]
        for key in [k for k in self.figures if k[0] == target_id]:
            del self.figures[key]

    def _latest(self, session: Session, target_id: int | None = None
                ) -> tuple[dict[int, dict[int | None, Row]], dict[int, int]]:
        """The latest live report per (target, unit) and the live reports per target, in one
        grouped pass over the reports (of one target, or all)."""
        live = P.withdrawn_at.is_(None)
        grouped = select(P.target_id, P.unit_id, func.max(P.reported_at).label("at"),
                         func.count(P.id).label("n")).where(live)
        if target_id is not None:
            grouped = grouped.where(P.target_id == target_id)
        g = grouped.group_by(P.target_id, P.unit_id).subquery()
        query = select(*_COLUMNS, g.c.n).join(g, and_(
            P.target_id == g.c.target_id, P.reported_at == g.c.at,
            or_(P.unit_id == g.c.unit_id, and_(P.unit_id.is_(None), g.c.unit_id.is_(None))),
        )).where(live)
        latest: dict[int, dict[int | None, Row]] = {}
        counted: dict[tuple[int, int | None], int] = {}
        for r in session.exec(query).all():
            row = _row(r)
            units = latest.setdefault(row.target_id, {})
            current = units.get(row.unit_id)
            if current is None or row.order > current.order:
                units[row.unit_id] = row
            counted[(row.target_id, row.unit_id)] = r[7]
        counts: dict[int, int] = {}
        for (tid, _), n in counted.items():
            counts[tid] = counts.get(tid, 0) + n
        return latest, counts

    def _build(self, session: Session) -> None:
        self.audit_id = session.exec(select(func.max(m.AuditLog.id))).one() or 0
        top = session.exec(select(func.max(P.id))).one() or 0
        floor = max(top - MARGIN, 0)
        window = set(session.exec(select(P.id).where(P.id > floor)).all())
        self.latest, self.counts = self._latest(session)
        self.first, self.figures = {}, {}
        self.max_id, self.seen, self.ready = top, window, True

    def _reload_target(self, session: Session, target_id: int) -> None:
        latest, counts = self._latest(session, target_id)
        self.latest[target_id] = latest.get(target_id, {})
        self.counts[target_id] = counts.get(target_id, 0)
        self._forget(target_id)

    # --- reading ------------------------------------------------------------------------
    def _first_since(self, session: Session, target_id: int, start: dt.date) -> Row | None:
        key = (target_id, start)
        if key not in self.first:
            since = clock.localize(dt.datetime.combine(start, dt.time()))
            found = session.exec(
                select(*_COLUMNS).where(P.target_id == target_id, P.withdrawn_at.is_(None),
                                        P.reported_at >= since)
                .order_by(P.reported_at, P.id).limit(1)).first()
            self.first[key] = _row(found) if found is not None else None
        return self.first[key]

    def figure(self, session: Session, target_id: int, measured_per: str,
               phase_start: dt.date | None, facts: UnitFacts) -> Figure:
        """What `bot.progress.current_figure` returns for this target (computed once until
        the target's reports or the units change)."""
        key = (target_id, measured_per, phase_start, facts.key)
        with self.lock:
            found = self.figures.get(key)
            if found is None:
                found = self.figures[key] = self._figure(session, target_id, measured_per,
                                                         phase_start, facts)
            return found

    def _figure(self, session: Session, target_id: int, measured_per: str,
                phase_start: dt.date | None, facts: UnitFacts) -> Figure:
        per_unit = dict(self.latest.get(target_id, {}))
        count = min(self.counts.get(target_id, 0), COUNT_CAP)
        if not per_unit:
            return Figure(None, None, units_missing=list(facts.schools)
                          if measured_per == "school" else [])
        latest = max(per_unit.values(), key=lambda r: r.order)
        first = None
        if phase_start is not None:
            row = self._first_since(session, target_id, phase_start)
            if row is not None and row.id != latest.id:
                first = (row.value, row.reported_at)
        if measured_per != "school":
            return Figure(latest.value, latest.reported_at, latest.numerator,
                          latest.denominator, count, first_in_phase=first)
        rows = list(per_unit.values())
        value, num, den = pooled(rows)
        reported = sorted(facts.names.get(u, "?") for u in per_unit if u is not None)
        missing = [n for n in facts.schools if n not in reported]
        newest = max(r.reported_at for r in rows)
        return Figure(value, newest, num, den, count, reported, missing, first)

    def unit_row(self, target_id: int, unit_id: int) -> Row | None:
        with self.lock:
            return self.latest.get(target_id, {}).get(unit_id)


_BOOKS: dict[str, FigureBook] = {}
_BOOKS_LOCK = threading.Lock()


def book(engine: Engine) -> FigureBook:
    key = str(engine.url)
    with _BOOKS_LOCK:
        found = _BOOKS.get(key)
        if found is None:
            found = _BOOKS[key] = FigureBook()
        return found


def forget(engine: Engine) -> None:
    """Drop the book of a database (tests that rebuild a database at the same URL)."""
    with _BOOKS_LOCK:
        _BOOKS.pop(str(engine.url), None)


@dataclass(frozen=True)
class UnitFacts:
    """The units' names and the schools among them (for pooled figures)."""

    names: dict[int, str]
    schools: list[str]
    key: int  # changes when a unit is added, renamed or changes level


def unit_facts(session: Session) -> UnitFacts:
    rows = session.exec(select(m.Unit.id, m.Unit.name, m.Unit.level)
                        .order_by(m.Unit.id)).all()
    return UnitFacts({r[0]: r[1] for r in rows},
                     sorted(r[1] for r in rows if r[2] in SCHOOL_LEVELS),
                     hash(tuple(tuple(r) for r in rows)))


def assessments(engine: Engine, session: Session, targets, today: dt.date,
                refresh: bool = True) -> dict[int, Assessment]:
    """`bot.progress.assess_target` for many targets at once (targets: snapshot TargetInfo)."""
    figures = book(engine)
    if refresh:
        figures.refresh(session)
    facts = unit_facts(session)
    out = {}
    for target in targets:
        req = requirement_in_force(list(target.requirements), today)
        figure = figures.figure(session, target.id, target.measured_per,
                                req.start if req else None, facts)
        out[target.id] = assess(req, figure, today)
    return out


def warm(engine: Engine) -> None:
    """Read the figures once (at startup), so that no one's first question waits for it."""
    with Session(engine) as session:
        book(engine).refresh(session)
