"""The fast path of the assessment: every target's history in memory.

`bot.progress.assessment.history_of` reads one target's reports from the database: fine for one
target, far too slow for the whole plan over years of weekly reports (the digest, /status, the
answers). The `FigureBook` keeps each target's live reports per unit in time order (compact
arrays), built once, and brings them up to date before each use by reading only the rows added
since (by id, with a margin for transactions that commit out of order) and the withdrawals
recorded in the audit log since (`bot.progress.withdraw_last` audits every withdrawal; a
withdrawn target is re-read). It answers through the same functions as the slow path
(`assess_history`), at any moment — reports after the moment do not count.
"""

from __future__ import annotations

import datetime as dt
import threading

from sqlalchemy import func
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from bot.progress.assessment import (
    NAN,
    Assessment,
    History,
    Point,
    Requirement,
    Units,
    _Line,
    _ts,
    assess_history,
    history_of,
    moment_of,
    units_of,
)
from storage import models as m

P = m.ProgressReport
MARGIN = 256  # ids re-checked below the highest seen (late commits)
_COLUMNS = (P.id, P.target_id, P.unit_id, P.value, P.numerator, P.denominator, P.reported_at)


class FigureBook:
    """Every target's live reports, kept current from the database's changes."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.ready = False
        self.histories: dict[int, History] = {}
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

    def _history(self, target_id: int) -> History:
        found = self.histories.get(target_id)
        if found is None:
            found = self.histories[target_id] = History()
        return found

    def _apply_new(self, session: Session, new: set[int]) -> None:
        if not new:
            return
        rows = session.exec(select(*_COLUMNS, P.withdrawn_at)
                            .where(P.id.in_(sorted(new)))).all()
        for r in rows:
            if r[7] is None:
                self._history(r[1]).add(r[0], r[2], r[3], r[4], r[5], r[6])
        self.seen |= new
        self.max_id = max(self.max_id, max(new))
        self.seen = {i for i in self.seen if i > self.max_id - MARGIN}

    def _apply_withdrawals(self, session: Session) -> None:
        entries = session.exec(select(m.AuditLog.id, m.AuditLog.action, m.AuditLog.entity_id)
                               .where(m.AuditLog.id > self.audit_id)).all()
        if not entries:
            return
        self.audit_id = max(a[0] for a in entries)
        report_ids = [a[2] for a in entries if a[1] == "report.withdraw" and a[2]]
        if report_ids:
            for target_id in set(session.exec(select(P.target_id)
                                              .where(P.id.in_(report_ids))).all()):
                self.histories[target_id] = history_of(session, target_id)

    def _build(self, session: Session) -> None:
        self.audit_id = session.exec(select(func.max(m.AuditLog.id))).one() or 0
        top = session.exec(select(func.max(P.id))).one() or 0
        histories: dict[int, History] = {}
        query = select(*_COLUMNS).where(P.withdrawn_at.is_(None)) \
            .order_by(P.target_id, P.unit_id, P.reported_at, P.id)
        key, line = None, None
        for r in session.connection().execute(query).yield_per(50_000):
            if (r[1], r[2]) != key:  # rows come per (target, unit) in time order: append
                key = (r[1], r[2])
                history = histories.get(r[1])
                if history is None:
                    history = histories[r[1]] = History()
                line = history.lines[r[2]] = _Line()
            at = r[6]
            line.times.append((at if at.tzinfo else at.replace(tzinfo=dt.UTC)).timestamp())
            line.ids.append(r[0])
            line.values.append(NAN if r[3] is None else r[3])
            line.nums.append(NAN if r[4] is None else r[4])
            line.dens.append(NAN if r[5] is None else r[5])
        self.histories = histories
        self.max_id, self.ready = top, True
        self.seen = set(session.exec(select(P.id).where(P.id > max(top - MARGIN, 0))).all())

    # --- reading ------------------------------------------------------------------------
    def history(self, target_id: int, measured_per: str) -> History:
        """The target's history (shared arrays: read only)."""
        found = self.histories.get(target_id)
        out = History(measured_per)
        if found is not None:
            out.lines = found.lines
        return out

    def unit_point(self, target_id: int, unit_id: int, at: dt.datetime) -> Point | None:
        """A school's own latest report up to `at`."""
        with self.lock:
            return self.history(target_id, "school").carried(_ts(at)).get(unit_id)


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


def assessments(engine: Engine, session: Session, targets, today: dt.date | dt.datetime | None,
                refresh: bool = True, reqs: dict[int, list[Requirement]] | None = None,
                units: Units | None = None, unit_id: int | None = None
                ) -> dict[int, Assessment]:
    """The assessment of many targets at one moment (never after now). `targets` have `id`,
    `measured_per` and — unless `reqs` gives them — `requirements`. With `unit_id` (a
    principal's school), targets measured per school are assessed on that school's own
    reports."""
    figures = book(engine)
    if refresh:
        figures.refresh(session)
    units = units or units_of(session)
    at = moment_of(today)
    out = {}
    with figures.lock:
        for target in targets:
            found = reqs.get(target.id, []) if reqs is not None else list(target.requirements)
            history = figures.history(target.id, target.measured_per)
            if unit_id is not None and target.measured_per == "school":
                history = history.only(unit_id)
            out[target.id] = assess_history(history, found, units, at)
    return out


def warm(engine: Engine) -> None:
    """Read the histories once (at startup), so that no one's first question waits for it."""
    with Session(engine) as session:
        book(engine).refresh(session)
