"""The shape of a plan file (YAML), as pydantic models.

A plan is data, not code: any unit's plan for any period is written in this shape and validated
before a single row reaches the database. Cross-field rules (codes unique, areas known, deadlines
inside the plan period, owners present) live in `bot.plans.loader`, which also maps every problem
back to a line of the file.
"""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict, Field

from bot.core.vocab import Comparison, Unit  # noqa: F401  (part of the schema)


class Strict(BaseModel):
    """Unknown keys are typos in a hand-edited file: refuse them."""

    model_config = ConfigDict(extra="forbid")


class OcrFix(Strict):
    """One correction of the OCR copy, recorded so the encoding can be audited."""

    seen: str
    fixed: str
    where: str


class Issuer(Strict):
    unit: str  # unit code, e.g. PGDDT-HADONG
    name: str
    level: str = "office"  # office | school | ward | department
    dissolved_on: dt.date | None = None  # e.g. the 2025 reorganisation
    dissolved_note: str | None = None


class Phase(Strict):
    code: str  # A, B ...
    name: str
    start: dt.date
    end: dt.date


class Person(Strict):
    """Someone the plan names as responsible or coordinating.

    `name` is the name as the plan writes it ("Diệu Anh"); a roster officer whose full name ends
    with it is linked. A group ("Các tổ chuyên môn MN") or a title ("Trưởng phòng") has no name
    and is linked through `department` instead.
    """

    key: str
    name: str | None = None
    title: str | None = None
    department: str | None = None


class Area(Strict):
    code: str
    number: int  # 1..7, the plan's own numbering (I.3.n, II.n)
    name: str
    name_en: str
    aliases: list[str] = Field(default_factory=list)
    tasks: list[str] = Field(default_factory=list)  # focus tasks of section II
    source: str  # e.g. "I.3.1; II.1"


class TargetValue(Strict):
    """What a target requires in one phase (or by one year)."""

    phase: str | None = None  # phase code
    year: int | None = None  # "Đến năm 2025"
    value: float | None = None
    value_max: float | None = None  # for ranges
    comparison: Comparison
    deadline: dt.date
    text: str | None = None  # the plan's wording for this phase
    source: str  # "I.3.4", "Phụ lục A.3"


class Target(Strict):
    code: str  # short, stable, typed by users: "CQS-1"
    area: str
    name: str  # short name for lists
    name_en: str
    text: str  # the plan's wording
    unit: Unit
    baseline_year: int | None = None  # "so với năm 2015"
    measured_per: str = "office"  # office | school
    keywords: list[str] = Field(default_factory=list)
    values: list[TargetValue]
    responsible: list[str] = Field(default_factory=list)  # Person keys
    coordinators: list[str] = Field(default_factory=list)
    note: str | None = None


class DueDate(Strict):
    label: str  # "Quý I"
    period: str  # Q1, Q2, M1 ...
    month: int
    day: int
    before: bool = True  # "trước ngày 01/3"


class Obligation(Strict):
    """A recurring report or duty (monthly TTHC report, quarterly CCHC report...)."""

    code: str
    name: str
    name_en: str
    frequency: str  # monthly | quarterly | yearly
    recipient: str
    area: str | None = None
    due: list[DueDate] = Field(default_factory=list)  # explicit dates; empty = end of period
    due_rule: str | None = None  # monthly: "last_day" or "day:N"
    responsible: list[str] = Field(default_factory=list)
    coordinators: list[str] = Field(default_factory=list)
    source: str
    note: str | None = None


class Review(Strict):
    code: str
    name: str
    name_en: str
    phase: str | None = None
    year: int
    month: int
    source: str
    note: str | None = None


class Plan(Strict):
    code: str  # stable id, e.g. "737-KH-PGDDT-2021"
    number: str  # as printed: "737/KH-PGDĐT"
    title: str
    title_en: str
    issued_on: dt.date
    place: str
    issuer: Issuer
    legal_bases: list[str] = Field(default_factory=list)
    period_start: int
    period_end: int
    purposes: list[str] = Field(default_factory=list)
    requirements: list[str] = Field(default_factory=list)
    phases: list[Phase]
    people: list[Person] = Field(default_factory=list)
    areas: list[Area]
    targets: list[Target]
    obligations: list[Obligation] = Field(default_factory=list)
    reviews: list[Review] = Field(default_factory=list)
    notes: list[str] = Field(default_factory=list)
    ocr_fixes: list[OcrFix] = Field(default_factory=list)
