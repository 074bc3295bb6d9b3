"""A plan's content as plain values, read once per imported plan and kept in memory.

An imported plan never changes (a changed file must come with a new code, see
`bot.plan_store.import_plan`), so its targets, values, areas, owners and dates are read from the
database once and answers are computed from memory. What does change — whether the plan is still
active, assignments, officers, progress — is read per question.
"""

from __future__ import annotations

import datetime as dt
import re
import threading
from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from bot.progress import Requirement, requirements
from storage import models as m


@dataclass(frozen=True)
class PhaseInfo:
    id: int
    code: str
    name: str
    start: dt.date
    end: dt.date

    @property
    def years(self) -> str:
        return f"{self.start.year}-{self.end.year}"


@dataclass(frozen=True)
class PersonInfo:
    id: int
    key: str
    name: str | None
    title: str | None
    department: str | None

    @property
    def label(self) -> str:
        """"Tuấn An (bộ phận CNTT)", "Trưởng phòng GDĐT", "Tổ chuyên môn MN"."""
        if self.name:
            return f"{self.name} ({self.department})" if self.department else self.name
        return self.title or self.department or self.key


@dataclass(frozen=True)
class ValueInfo:
    id: int
    phase: PhaseInfo | None
    year: int | None
    value: float | None
    value_max: float | None
    comparison: str
    deadline: dt.date
    text: str | None
    source: str

    def covers_year(self, year: int) -> bool:
        if self.phase is not None:
            return self.phase.start.year <= year <= self.phase.end.year
        return self.year == year


@dataclass(frozen=True)
class TargetInfo:
    id: int
    code: str
    name: str
    name_en: str
    text: str
    unit: str
    baseline_year: int | None
    measured_per: str
    keywords: tuple[str, ...]
    area_code: str
    values: tuple[ValueInfo, ...]
    requirements: tuple[Requirement, ...]
    responsible: tuple[PersonInfo, ...]
    coordinators: tuple[PersonInfo, ...]


@dataclass(frozen=True)
class ObligationInfo:
    id: int
    code: str
    name: str
    name_en: str
    frequency: str
    recipient: str
    due: tuple[dict, ...]
    due_rule: str | None
    source: str
    area_code: str | None
    responsible: tuple[PersonInfo, ...]
    coordinators: tuple[PersonInfo, ...]


@dataclass(frozen=True)
class ReviewInfo:
    id: int
    code: str
    name: str
    name_en: str
    year: int
    month: int
    phase: PhaseInfo | None
    source: str


@dataclass(frozen=True)
class AreaInfo:
    id: int
    code: str
    number: int
    name: str
    name_en: str
    aliases: tuple[str, ...]
    source: str
    tasks: tuple[str, ...]


@dataclass(frozen=True)
class PassageInfo:
    section: str
    title: str
    text: str


@dataclass
class PlanSnapshot:
    id: int
    code: str
    number: str
    title: str
    title_en: str
    issuer: str
    issuer_unit_id: int
    issued_on: dt.date
    period_start: int
    period_end: int
    document: dict
    phases: list[PhaseInfo]
    areas: list[AreaInfo]
    targets: list[TargetInfo]
    obligations: list[ObligationInfo]
    reviews: list[ReviewInfo]
    people: list[PersonInfo]
    passages: list[PassageInfo] = field(default_factory=list)
    extra: dict = field(default_factory=dict)  # derived indexes (retrieval), built lazily

    def target(self, code: str) -> TargetInfo | None:
        key = code.strip().upper()
        return next((t for t in self.targets if t.code.upper() == key), None)

    def area(self, code: str) -> AreaInfo | None:
        key = code.strip().upper()
        return next((a for a in self.areas if a.code.upper() == key), None)

    def obligation(self, code: str) -> ObligationInfo | None:
        return next((o for o in self.obligations if o.code.upper() == code.upper()), None)

    def review(self, code: str) -> ReviewInfo | None:
        return next((r for r in self.reviews if r.code.upper() == code.upper()), None)

    def area_targets(self, code: str) -> list[TargetInfo]:
        return [t for t in self.targets if t.area_code == code]

    def phase(self, code: str) -> PhaseInfo | None:
        return next((p for p in self.phases if p.code.upper() == code.upper()), None)

    def short(self, lang: str) -> str:
        """"KH 737" for 737/KH-PGDĐT; the number as printed when it has another shape."""
        match = re.match(r"^\s*(\d+)\s*/\s*KH", self.number)
        if match:
            return f"{'Plan' if lang == 'en' else 'KH'} {match.group(1)}"
        return self.number


def _load(session: Session, plan: m.Plan) -> PlanSnapshot:
    phases = {p.id: PhaseInfo(p.id, p.code, p.name, p.start, p.end)
              for p in session.exec(select(m.Phase).where(m.Phase.plan_id == plan.id)
                                    .order_by(m.Phase.start))}
    area_rows = list(session.exec(select(m.Area).where(m.Area.plan_id == plan.id)
                                  .order_by(m.Area.number)))
    tasks: dict[int, list[str]] = defaultdict(list)
    for task in session.exec(select(m.Task).where(m.Task.plan_id == plan.id)
                             .order_by(m.Task.area_id, m.Task.position)):
        tasks[task.area_id].append(task.text)
    areas = [AreaInfo(a.id, a.code, a.number, a.name, a.name_en, tuple(a.aliases or ()),
                      a.source, tuple(tasks[a.id])) for a in area_rows]
    area_code = {a.id: a.code for a in area_rows}
    people = {p.id: PersonInfo(p.id, p.key, p.name, p.title, p.department)
              for p in session.exec(select(m.PlanPerson).where(m.PlanPerson.plan_id == plan.id)
                                    .order_by(m.PlanPerson.id))}
    roles: dict[tuple[str, int, str], list[PersonInfo]] = defaultdict(list)
    if people:
        for role in session.exec(select(m.PlanRole).where(m.PlanRole.person_id.in_(list(people)))
                                 .order_by(m.PlanRole.id)):
            item = ("target", role.target_id) if role.target_id else \
                ("obligation", role.obligation_id)
            roles[(*item, role.kind)].append(people[role.person_id])
    targets = []
    for t in session.exec(select(m.Target).where(m.Target.plan_id == plan.id)
                          .order_by(m.Target.id)):
        values = tuple(
            ValueInfo(v.id, phases.get(v.phase_id), v.year, v.value, v.value_max, v.comparison,
                      v.deadline, v.text, v.source)
            for v in session.exec(select(m.TargetValue).where(m.TargetValue.target_id == t.id)
                                  .order_by(m.TargetValue.deadline, m.TargetValue.id)))
        targets.append(TargetInfo(
            t.id, t.code, t.name, t.name_en, t.text, t.unit, t.baseline_year, t.measured_per,
            tuple(t.keywords or ()), area_code[t.area_id], values,
            tuple(requirements(session, t)), tuple(roles[("target", t.id, "responsible")]),
            tuple(roles[("target", t.id, "coordinator")])))
    obligations = [
        ObligationInfo(o.id, o.code, o.name, o.name_en, o.frequency, o.recipient,
                       tuple(o.due or ()), o.due_rule, o.source, area_code.get(o.area_id),
                       tuple(roles[("obligation", o.id, "responsible")]),
                       tuple(roles[("obligation", o.id, "coordinator")]))
        for o in session.exec(select(m.Obligation).where(m.Obligation.plan_id == plan.id)
                              .order_by(m.Obligation.id))]
    reviews = [ReviewInfo(r.id, r.code, r.name, r.name_en, r.year, r.month,
                          phases.get(r.phase_id), r.source)
               for r in session.exec(select(m.Review).where(m.Review.plan_id == plan.id)
                                     .order_by(m.Review.year, m.Review.month))]
    passages = [PassageInfo(p.section, p.title, p.text)
                for p in session.exec(select(m.PlanPassage).where(m.PlanPassage.plan_id == plan.id)
                                      .order_by(m.PlanPassage.position))]
    issuer = session.get(m.Unit, plan.issuer_unit_id)
    return PlanSnapshot(
        id=plan.id, code=plan.code, number=plan.number, title=plan.title,
        title_en=plan.title_en, issuer=issuer.name if issuer else "",
        issuer_unit_id=plan.issuer_unit_id, issued_on=plan.issued_on,
        period_start=plan.period_start, period_end=plan.period_end,
        document=dict(plan.document or {}), phases=list(phases.values()), areas=areas,
        targets=targets, obligations=obligations, reviews=reviews, people=list(people.values()),
        passages=passages,
    )


_CACHE: dict[tuple, PlanSnapshot] = {}
_LOCK = threading.Lock()
_MAX = 32


def snapshot(engine: Engine, session: Session, plan: m.Plan) -> PlanSnapshot:
    """The plan's content, from memory after the first question."""
    key = (str(engine.url), plan.id, plan.code, str(plan.imported_at))
    with _LOCK:
        found = _CACHE.get(key)
    if found is not None:
        return found
    loaded = _load(session, plan)
    with _LOCK:
        if len(_CACHE) >= _MAX:
            _CACHE.pop(next(iter(_CACHE)))
        _CACHE[key] = loaded
    return loaded


# --- citations --------------------------------------------------------------------------------

_APPENDIX = re.compile(r"^Phụ lục\s+([A-Za-z0-9]+)\.(\d+)$")
_SECTION = re.compile(r"^[IVX]+(\.\d+)*$")


def cite_parts(snap: PlanSnapshot, source: str, lang: str) -> list[str]:
    """"Phụ lục B.6; I.3.7" → ["Phụ lục, GĐ 2024-2025, dòng 6", "mục I.3.7"]."""
    parts = []
    for raw in (source or "").split(";"):
        piece = raw.strip()
        if not piece:
            continue
        appendix = _APPENDIX.match(piece)
        if appendix:
            phase = snap.phase(appendix.group(1))
            when = phase.years if phase else appendix.group(1)
            if lang == "en":
                parts.append(f"appendix, phase {when}, row {appendix.group(2)}")
            else:
                parts.append(f"Phụ lục, GĐ {when}, dòng {appendix.group(2)}")
        elif _SECTION.match(piece):
            parts.append(f"{'section' if lang == 'en' else 'mục'} {piece}")
        else:
            parts.append(piece)
    return parts


def cite(snap: PlanSnapshot, sources: list[str] | str, lang: str) -> str:
    """"(KH 737, mục I.3.7; Phụ lục, GĐ 2024-2025, dòng 6)" — where the answer comes from;
    sections are listed once, appendix rows grouped by phase."""
    if isinstance(sources, str):
        sources = [sources]
    order: list[tuple[str, str]] = []  # (kind, key) in first-seen order
    sections: list[str] = []
    rows: dict[str, list[str]] = {}
    others: list[str] = []
    for source in sources:
        for raw in (source or "").split(";"):
            piece = raw.strip()
            appendix = _APPENDIX.match(piece)
            if not piece:
                continue
            if appendix:
                phase = snap.phase(appendix.group(1))
                when = phase.years if phase else appendix.group(1)
                if when not in rows:
                    rows[when] = []
                    order.append(("appendix", when))
                if appendix.group(2) not in rows[when]:
                    rows[when].append(appendix.group(2))
            elif _SECTION.match(piece):
                if not sections:
                    order.append(("section", ""))
                if piece not in sections:
                    sections.append(piece)
            elif piece not in others:
                others.append(piece)
                order.append(("other", piece))
    parts = []
    for kind, key in order:
        if kind == "section":
            parts.append(f"{'section' if lang == 'en' else 'mục'} {', '.join(sections)}")
        elif kind == "appendix":
            numbers = ", ".join(rows[key])
            parts.append(f"appendix, phase {key}, row {numbers}" if lang == "en"
                         else f"Phụ lục, GĐ {key}, dòng {numbers}")
        else:
            parts.append(key)
    if not parts:
        return f"({snap.short(lang)})"
    return f"({snap.short(lang)}, {'; '.join(parts)})"
