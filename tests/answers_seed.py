"""Databases for the answers tests: plan 737 with the example roster and a few progress reports
(one target of each state by 10/5/2025), the second (ward) plan alone, and both plans."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from bot.core.clock import clock
from bot.core.settings import DEFAULT_PLAN
from bot.people import identity
from bot.people.roster import import_roster
from bot.plans.store import import_plan_file
from bot.progress import NewReport, parse_value, record_report
from storage import models as m
from tests.conftest import DATA, ROOT

WARD_PLAN = DATA / "plan-2026-ward.yaml"
ROSTER = ROOT / "data" / "roster.example.csv"
TODAY = dt.date(2025, 5, 10)

# (target, officer name, value as typed, when) — reported through bot.progress.record_report
REPORTS = [
    ("CQS-1", "Văn Bình", "31/50", dt.datetime(2025, 2, 10, 9)),
    ("CQS-1", "Văn Bình", "40/50", dt.datetime(2025, 5, 2, 9)),
    ("CQS-1", "Thị Mai", "30/50", dt.datetime(2025, 5, 5, 9)),
    ("TTHC-1", "Bích Hậu", "92", dt.datetime(2025, 4, 1, 9)),
    ("TTHC-2", "Kim Sa", "30", dt.datetime(2025, 3, 1, 9)),
    ("TCBM-2", "Ngọc Dũng", "6", dt.datetime(2025, 4, 15, 9)),
    ("CDDH-2", "Văn Thắng", "91", dt.datetime(2025, 1, 15, 9)),
    ("TC-5", "Diệu Anh", "đạt", dt.datetime(2025, 3, 20, 9)),
]


def officer(engine: Engine, name: str) -> m.Officer:
    [(officer_id, _)] = identity.find_officers(engine, name)
    with Session(engine) as session:
        return session.get(m.Officer, officer_id)


def report(engine: Engine, code: str, who: str, typed: str, when: dt.datetime) -> int:
    person = officer(engine, who)
    with Session(engine) as session:
        target = session.exec(select(m.Target).join(m.Plan).where(
            m.Target.code == code, m.Plan.active)).first()
    clock.set(when)
    report_id, _ = record_report(engine, NewReport(target.id, person.id,
                                                   parse_value(typed, target.unit),
                                                   unit_id=person.unit_id))
    return report_id


def seed_737(engine: Engine, reports: bool = True) -> Engine:
    import_plan_file(engine, DEFAULT_PLAN)
    import_roster(engine, ROSTER)
    if reports:
        for row in REPORTS:
            report(engine, *row)
    clock.reset()
    return engine


def seed_ward(engine: Engine) -> Engine:
    import_plan_file(engine, WARD_PLAN)
    return engine


def seed_both(engine: Engine) -> Engine:
    seed_737(engine, reports=False)
    import_plan_file(engine, WARD_PLAN)
    return engine
