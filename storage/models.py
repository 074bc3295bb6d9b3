"""The database schema, as SQLModel tables: the single source of truth for Alembic.

Times are time-zone aware (SQLModel stores them as UTC and returns UTC; `bot.core.clock` shows them
in Asia/Ho_Chi_Minh), dates are plain dates. No business rules here: services in `bot/`
decide what the rows mean.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, Column, Index, UniqueConstraint
from sqlmodel import Field, SQLModel


def _json(default: Any = None) -> Any:
    return Field(default_factory=lambda: default() if callable(default) else default,
                 sa_column=Column(JSON, nullable=True))


class Unit(SQLModel, table=True):
    """The office, its schools (level MN/TH/THCS), a ward — whoever issues or reports."""

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(index=True, unique=True, max_length=64)
    name: str = Field(max_length=255)
    level: str = Field(default="office", max_length=16)  # office | MN | TH | THCS | ward
    parent_id: int | None = Field(default=None, foreign_key="unit.id")


class Plan(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(index=True, unique=True, max_length=64)
    number: str = Field(max_length=64)
    title: str
    title_en: str = ""
    issuer_unit_id: int = Field(foreign_key="unit.id", index=True)
    issued_on: dt.date
    period_start: int
    period_end: int
    active: bool = True
    source_file: str = ""
    document: dict = _json(dict)  # the validated plan file, for metadata and notes
    imported_at: dt.datetime


class Phase(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("plan_id", "code"),)
    id: int | None = Field(default=None, primary_key=True)
    plan_id: int = Field(foreign_key="plan.id", index=True)
    code: str = Field(max_length=16)
    name: str
    start: dt.date
    end: dt.date


class Area(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("plan_id", "code"),)
    id: int | None = Field(default=None, primary_key=True)
    plan_id: int = Field(foreign_key="plan.id", index=True)
    code: str = Field(max_length=16)
    number: int
    name: str
    name_en: str = ""
    aliases: list = _json(list)
    source: str = ""


class Task(SQLModel, table=True):
    """A focus task of section II of a plan (text only, no number)."""

    id: int | None = Field(default=None, primary_key=True)
    plan_id: int = Field(foreign_key="plan.id", index=True)
    area_id: int = Field(foreign_key="area.id", index=True)
    position: int
    text: str


class Target(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("plan_id", "code"),)
    id: int | None = Field(default=None, primary_key=True)
    plan_id: int = Field(foreign_key="plan.id", index=True)
    area_id: int = Field(foreign_key="area.id", index=True)
    code: str = Field(max_length=32)
    name: str
    name_en: str = ""
    text: str
    unit: str = Field(max_length=16)  # percent | rank | count | boolean
    baseline_year: int | None = None
    measured_per: str = Field(default="office", max_length=16)
    keywords: list = _json(list)
    note: str | None = None


class TargetValue(SQLModel, table=True):
    """What a target requires in one phase or by one year."""

    id: int | None = Field(default=None, primary_key=True)
    target_id: int = Field(foreign_key="target.id", index=True)
    phase_id: int | None = Field(default=None, foreign_key="phase.id")
    year: int | None = None
    value: float | None = None
    value_max: float | None = None
    comparison: str = Field(max_length=16)
    deadline: dt.date = Field(index=True)
    text: str | None = None
    source: str = ""


class Obligation(SQLModel, table=True):
    """A recurring report (monthly TTHC results, quarterly CCHC report...)."""

    __table_args__ = (UniqueConstraint("plan_id", "code"),)
    id: int | None = Field(default=None, primary_key=True)
    plan_id: int = Field(foreign_key="plan.id", index=True)
    area_id: int | None = Field(default=None, foreign_key="area.id")
    code: str = Field(max_length=32)
    name: str
    name_en: str = ""
    frequency: str = Field(max_length=16)
    recipient: str = ""
    due: list = _json(list)
    due_rule: str | None = None
    source: str = ""
    note: str | None = None


class Review(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("plan_id", "code"),)
    id: int | None = Field(default=None, primary_key=True)
    plan_id: int = Field(foreign_key="plan.id", index=True)
    phase_id: int | None = Field(default=None, foreign_key="phase.id")
    code: str = Field(max_length=32)
    name: str
    name_en: str = ""
    year: int
    month: int
    source: str = ""
    note: str | None = None


class PlanPerson(SQLModel, table=True):
    """Someone a plan names (by name, title or group), linked to a roster officer if known."""

    __table_args__ = (UniqueConstraint("plan_id", "key"),)
    id: int | None = Field(default=None, primary_key=True)
    plan_id: int = Field(foreign_key="plan.id", index=True)
    key: str = Field(max_length=64)
    name: str | None = None
    title: str | None = None
    department: str | None = None


class PlanRole(SQLModel, table=True):
    """A plan person's role on a target or obligation: responsible or coordinator."""

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="planperson.id", index=True)
    target_id: int | None = Field(default=None, foreign_key="target.id", index=True)
    obligation_id: int | None = Field(default=None, foreign_key="obligation.id", index=True)
    kind: str = Field(max_length=16)  # responsible | coordinator


class Officer(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    full_name: str = Field(max_length=255)
    role: str = Field(max_length=16)  # officer | principal | leader | admin
    unit_id: int | None = Field(default=None, foreign_key="unit.id", index=True)
    department: str | None = None
    phone: str | None = Field(default=None, index=True, max_length=32)  # E.164
    active: bool = True
    language: str = Field(default="vi", max_length=8)
    reminders_on: bool = True
    snooze_until: dt.datetime | None = None
    quiet_start: str = Field(default="21:00", max_length=5)
    quiet_end: str = Field(default="07:00", max_length=5)
    digest_weekday: int = 0  # Monday
    digest_time: str = Field(default="07:30", max_length=5)


class ChannelIdentity(SQLModel, table=True):
    """An officer's account on one channel (telegram, zalo, console)."""

    __table_args__ = (UniqueConstraint("channel", "external_id"),)
    id: int | None = Field(default=None, primary_key=True)
    officer_id: int = Field(foreign_key="officer.id", index=True)
    channel: str = Field(max_length=16)
    external_id: str = Field(max_length=128)
    linked_at: dt.datetime
    blocked: bool = False  # the user blocked the bot (403)


class Assignment(SQLModel, table=True):
    """Officer ↔ target/obligation, as responsible or coordinator."""

    __table_args__ = (
        UniqueConstraint("officer_id", "target_id", "obligation_id", "kind"),
    )
    id: int | None = Field(default=None, primary_key=True)
    officer_id: int = Field(foreign_key="officer.id", index=True)
    target_id: int | None = Field(default=None, foreign_key="target.id", index=True)
    obligation_id: int | None = Field(default=None, foreign_key="obligation.id", index=True)
    kind: str = Field(max_length=16)  # responsible | coordinator
    created_at: dt.datetime


class ProgressReport(SQLModel, table=True):
    __table_args__ = (
        Index("ix_progress_target_time", "target_id", "reported_at"),
        Index("ix_progress_officer_time", "officer_id", "reported_at"),
        Index("ix_progress_target_unit_time", "target_id", "unit_id", "reported_at"),
    )
    id: int | None = Field(default=None, primary_key=True)
    target_id: int = Field(foreign_key="target.id")
    officer_id: int = Field(foreign_key="officer.id")
    unit_id: int | None = Field(default=None, foreign_key="unit.id", index=True)
    period: str = Field(default="", max_length=16)  # e.g. 2025-Q3
    value: float | None = None  # percent / count / 1.0 for done
    numerator: float | None = None
    denominator: float | None = None
    note: str | None = None
    reported_at: dt.datetime
    withdrawn_at: dt.datetime | None = None
    dedupe_key: str | None = Field(default=None, unique=True, max_length=128)


class Evidence(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    report_id: int = Field(foreign_key="progressreport.id", index=True)
    channel: str = Field(max_length=16)
    file_id: str
    file_unique_id: str | None = None
    file_name: str | None = None
    mime_type: str | None = None
    size: int | None = None
    local_path: str | None = None


class Invite(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(unique=True, index=True, max_length=32)
    officer_id: int = Field(foreign_key="officer.id", index=True)
    created_at: dt.datetime
    expires_at: dt.datetime
    used_at: dt.datetime | None = None


class AuditLog(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    at: dt.datetime = Field(index=True)
    actor_officer_id: int | None = Field(default=None, foreign_key="officer.id")
    action: str = Field(max_length=64)
    entity: str = Field(max_length=32)
    entity_id: int | None = None
    detail: dict = _json(dict)


class NotificationLog(SQLModel, table=True):
    """Each message the bot sends on its own, keyed so it goes out once across restarts."""

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(unique=True, max_length=255)
    officer_id: int | None = Field(default=None, foreign_key="officer.id", index=True)
    kind: str = Field(max_length=32)
    status: str = Field(default="pending", max_length=16)  # pending | sent | failed | skipped
    created_at: dt.datetime
    sent_at: dt.datetime | None = None
    late: bool = False
    detail: dict = _json(dict)


class Submission(SQLModel, table=True):
    """A recurring report sent for one period: which obligation and period, for whom (the
    officer and their unit), when, marked by whom, with a note and evidence."""

    __table_args__ = (
        Index("ix_submission_obligation_period", "obligation_id", "period"),
    )
    id: int | None = Field(default=None, primary_key=True)
    obligation_id: int = Field(foreign_key="obligation.id")
    period: str = Field(max_length=16)  # as bot.plans.deadlines names it: 2025-10, 2025-Q3
    officer_id: int | None = Field(default=None, foreign_key="officer.id", index=True)
    unit_id: int | None = Field(default=None, foreign_key="unit.id")
    submitted_at: dt.datetime
    by_officer_id: int | None = Field(default=None, foreign_key="officer.id")
    note: str | None = None
    evidence: list = _json(list)  # [{"channel", "file_id", "file_name"}]


class BotState(SQLModel, table=True):
    """Conversation and chat state written through (python-telegram-bot persistence)."""

    __table_args__ = (UniqueConstraint("kind", "key"),)
    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=32)
    key: str = Field(max_length=255)
    data: dict = _json(dict)
    updated_at: dt.datetime
