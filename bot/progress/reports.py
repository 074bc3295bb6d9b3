"""Storing progress reports once (dedupe key) and withdrawing them."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from bot.core.clock import clock
from bot.progress.assessment import made_by_now
from bot.progress.values import ParsedValue
from storage import models as m
from storage.db import session_scope


@dataclass(frozen=True)
class EvidenceFile:
    channel: str
    file_id: str
    file_unique_id: str | None = None
    file_name: str | None = None
    mime_type: str | None = None
    size: int | None = None
    local_path: str | None = None


@dataclass(frozen=True)
class NewReport:
    target_id: int
    officer_id: int
    value: ParsedValue
    unit_id: int | None = None
    note: str | None = None
    evidence: tuple[EvidenceFile, ...] = ()
    dedupe_key: str | None = None  # e.g. "telegram:chat:conversation-id": stored once


def period_of(moment: dt.datetime) -> str:
    local = clock.localize(moment)
    return f"{local.year}-Q{(local.month - 1) // 3 + 1}"


def record_report(engine: Engine, report: NewReport) -> tuple[int, bool]:
    """Store a report and its evidence in one transaction. Returns (report id, created);
    the same dedupe_key twice stores one report."""
    if report.dedupe_key:
        with Session(engine) as session:
            existing = session.exec(select(m.ProgressReport.id).where(
                m.ProgressReport.dedupe_key == report.dedupe_key)).first()
            if existing is not None:
                return existing, False
    now = clock.now()
    try:
        with session_scope(engine) as session:
            row = m.ProgressReport(
                target_id=report.target_id, officer_id=report.officer_id,
                unit_id=report.unit_id, period=period_of(now), value=report.value.value,
                numerator=report.value.numerator, denominator=report.value.denominator,
                note=report.note, reported_at=now, dedupe_key=report.dedupe_key,
            )
            session.add(row)
            session.flush()
            for f in report.evidence:
                session.add(m.Evidence(report_id=row.id, channel=f.channel, file_id=f.file_id,
                                       file_unique_id=f.file_unique_id, file_name=f.file_name,
                                       mime_type=f.mime_type, size=f.size,
                                       local_path=f.local_path))
            session.add(m.AuditLog(
                at=now, actor_officer_id=report.officer_id, action="report.create",
                entity="progressreport", entity_id=row.id,
                detail={"target_id": report.target_id, "value": report.value.value,
                        "unit_id": report.unit_id, "evidence": len(report.evidence)},
            ))
            return row.id, True
    except IntegrityError:
        if not report.dedupe_key:
            raise
        with Session(engine) as session:  # a concurrent duplicate won the race
            existing = session.exec(select(m.ProgressReport.id).where(
                m.ProgressReport.dedupe_key == report.dedupe_key)).one()
            return existing, False


def withdraw_last(engine: Engine, officer_id: int, window: dt.timedelta,
                  report_id: int | None = None) -> int | None:
    """Withdraw the officer's own last report if it is younger than `window` (kept, marked,
    audited) — only the last one: once it is withdrawn, the report before stays (a second
    /undo does not reach back). With `report_id`, only if that is still the last one. Returns
    its id, or None when there is nothing to withdraw."""
    now = clock.now()
    with session_scope(engine) as session:
        row = session.exec(
            select(m.ProgressReport)
            .where(m.ProgressReport.officer_id == officer_id, made_by_now())
            .order_by(m.ProgressReport.reported_at.desc(), m.ProgressReport.id.desc())
        ).first()
        if row is None or row.withdrawn_at is not None or \
                clock.local(row.reported_at) < now - window or \
                (report_id is not None and row.id != report_id):
            return None
        row.withdrawn_at = now
        session.add(m.AuditLog(at=now, actor_officer_id=officer_id, action="report.withdraw",
                               entity="progressreport", entity_id=row.id,
                               detail={"target_id": row.target_id, "value": row.value}))
        return row.id


