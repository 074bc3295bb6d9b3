"""Progress reporting: what each person may report on, the draft being typed, storing it once,
history and undo. (`bot.reporting.views` turns these into messages; `bot.progress` holds the value
parsing, the storing and the figures this builds on.)

Who may report what:
- An officer reports on the targets assigned to them (responsible or coordinator) in active
  plans, and on no other target.
- A principal reports their own school's figures for the targets measured per school.
- A report on a target measured per school is for one school: an officer chooses the school, a
  principal's is their own. The office-level figure pools the schools' latest reports
  (Σ numerators / Σ denominators) and lists the schools that have not reported.
- Leaders and administrators do not report (bot.core.access; were they allowed to, the
  officers' rule
  would apply: their own assignments). They read the history of any target. An officer reads
  the history of their own targets and reports, a principal their school's.
- `/undo` withdraws one's own last report while it is younger than the configured window; the
  report is kept, marked withdrawn, and the audit log says so.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from bot.core.access import Actor
from bot.core.clock import clock
from bot.core.text import fold
from bot.progress import (
    SCHOOL_LEVELS,
    Assessment,
    ParsedValue,
    Requirement,
    ValueProblem,
    assess_target,
    parse_value,
)
from storage import models as m

DRAFT_KIND = "report_draft"
STATE_ORDER = {"overdue": 0, "behind": 1, "no_data": 2, "at_risk": 3, "on_track": 4,
               "achieved": 5}
NOTE_MAX = 1000
EVIDENCE_MAX = 10
SEEN_MAX = 20
HISTORY_LIMIT = 10
DOCUMENT_TYPES = {
    "application/pdf": ".pdf",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": ".docx",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": ".xlsx",
}


# --- what may be reported ----------------------------------------------------------------------

@dataclass(frozen=True)
class Reportable:
    """A target someone may report on, with its requirement in force and latest figure (the
    chosen school's for a target measured per school, else the office's)."""

    target_id: int
    code: str
    name: str
    name_en: str
    unit: str  # percent | rank | count | boolean
    measured_per: str  # office | school
    requirement: Requirement | None
    state: str
    last_value: float | None = None
    last_numerator: float | None = None
    last_denominator: float | None = None
    last_at: dt.datetime | None = None  # local time

    @property
    def per_school(self) -> bool:
        return self.measured_per == "school"

    def title(self, lang: str) -> str:
        return self.name_en if lang == "en" and self.name_en else self.name


@dataclass(frozen=True)
class Refusal:
    reason: str  # unknown_target | not_assigned | not_per_school | no_unit | role
    code: str = ""
    allowed: tuple[str, ...] = ()


@dataclass(frozen=True)
class UnitChoice:
    id: int
    name: str


def code_key(code: str) -> str:
    """"cqs 1", "CQS-1" and "cqs1" are the same code."""
    return re.sub(r"[^A-Z0-9]", "", (code or "").upper())


def _active_targets(session: Session) -> list[m.Target]:
    return list(session.exec(select(m.Target).join(m.Plan, m.Plan.id == m.Target.plan_id)
                             .where(m.Plan.active).order_by(m.Target.id)))


def allowed_targets(session: Session, actor: Actor) -> list[m.Target]:
    if actor.officer_id is None:
        return []
    query = select(m.Target).join(m.Plan, m.Plan.id == m.Target.plan_id).where(m.Plan.active)
    if actor.role == "principal":
        if actor.unit_id is None:
            return []
        query = query.where(m.Target.measured_per == "school")
    else:  # officers (and anyone else the role matrix lets report): their assignments
        query = query.join(m.Assignment, m.Assignment.target_id == m.Target.id) \
            .where(m.Assignment.officer_id == actor.officer_id)
    return list({t.id: t for t in session.exec(query.order_by(m.Target.id))}.values())


def assessment_of(session: Session, target: m.Target, unit_id: int | None,
                  today: dt.date | dt.datetime | None = None) -> Assessment:
    """The assessment a list or a receipt shows: a school's own figure for a target measured
    per school when `unit_id` is given, else the office figure (bot.progress.assess_target)."""
    own = unit_id if target.measured_per == "school" and unit_id is not None else None
    return assess_target(session, target, today, unit_id=own)


def reportable(session: Session, target: m.Target, unit_id: int | None,
                today: dt.date) -> Reportable:
    a = assessment_of(session, target, unit_id, today)
    figure = a.figure
    return Reportable(
        target_id=target.id, code=target.code, name=target.name, name_en=target.name_en,
        unit=target.unit, measured_per=target.measured_per, requirement=a.requirement,
        state=a.state, last_value=figure.value,
        last_numerator=figure.numerator, last_denominator=figure.denominator,
        last_at=clock.local(figure.reported_at),
    )


def _view_unit(actor: Actor) -> int | None:
    """Whose figure a list shows for targets measured per school: a principal's school."""
    return actor.unit_id if actor.role == "principal" else None


def urgency(item: Reportable) -> tuple:
    """Most urgent first: not yet achieved, nearest deadline, worst state."""
    deadline = item.requirement.deadline if item.requirement else dt.date.max
    return (item.state == "achieved", deadline, STATE_ORDER.get(item.state, 9), item.code)


def reportable_targets(engine: Engine, actor: Actor, today: dt.date) -> list[Reportable]:
    with Session(engine) as session:
        items = [reportable(session, t, _view_unit(actor) if t.measured_per == "school"
                             else None, today) for t in allowed_targets(session, actor)]
    return sorted(items, key=urgency)


def refusal_for(actor: Actor, target: m.Target | None, code: str,
                 allowed: list[m.Target]) -> Refusal | None:
    codes = tuple(t.code for t in allowed)
    if actor.officer_id is None:  # the console's operator: not on the roster
        return Refusal("role", target.code if target else code, codes)
    if target is None:
        return Refusal("unknown_target", code.strip().upper(), codes)
    if actor.role == "principal" and actor.unit_id is None:
        return Refusal("no_unit", target.code, codes)
    if target.id in {t.id for t in allowed}:
        return None
    reason = "not_per_school" if actor.role == "principal" else "not_assigned"
    return Refusal(reason, target.code, codes)


def find_target(session: Session, code: str) -> m.Target | None:
    key = code_key(code)
    return next((t for t in _active_targets(session) if code_key(t.code) == key), None) \
        if key else None


def check_target(engine: Engine, actor: Actor, code: str | None, today: dt.date,
                 target_id: int | None = None) -> Reportable | Refusal:
    """The target (by code or id) if this actor may report on it, else why not."""
    with Session(engine) as session:
        if target_id is not None:
            target = session.get(m.Target, target_id)
        else:
            target = find_target(session, code or "")
        allowed = allowed_targets(session, actor)
        refusal = refusal_for(actor, target, code or "", allowed)
        if refusal is not None:
            return refusal
        return reportable(session, target, _view_unit(actor) if target.measured_per == "school"
                           else None, today)


def report_units(engine: Engine, actor: Actor, target_id: int) -> list[UnitChoice]:
    """The schools this actor may report for on a target measured per school (none for targets
    measured at office level: those reports carry the reporter's own unit)."""
    with Session(engine) as session:
        target = session.get(m.Target, target_id)
        if target is None or target.measured_per != "school":
            return []
        if actor.role == "principal":
            unit = session.get(m.Unit, actor.unit_id) if actor.unit_id else None
            return [UnitChoice(unit.id, unit.name)] if unit else []
        schools = session.exec(select(m.Unit).where(m.Unit.level.in_(SCHOOL_LEVELS))
                               .order_by(m.Unit.name))
        return [UnitChoice(u.id, u.name) for u in schools]


def card(engine: Engine, target_id: int, unit_id: int | None, today: dt.date) -> Reportable:
    """The target as the value question shows it: requirement and the chosen unit's last
    figure."""
    with Session(engine) as session:
        return reportable(session, session.get(m.Target, target_id), unit_id, today)


# --- reading what is typed ----------------------------------------------------------------------

_CODE_WORD = re.compile(r"[a-z]{2,}-?\d{1,2}")


def report_words(text: str) -> list[str] | None:
    """The arguments of a typed "báo cáo [tiến độ] [CODE [value] [note]]" (diacritics optional),
    or None when the text is not a request to report."""
    tokens = (text or "").split()
    folded = [fold(w) for w in tokens]
    if folded[:2] != ["bao", "cao"]:
        return None
    rest, rest_folded = tokens[2:], folded[2:]
    if rest_folded[:2] == ["tien", "do"]:
        rest, rest_folded = rest[2:], rest_folded[2:]
    if rest_folded and not _CODE_WORD.fullmatch(rest_folded[0]):
        return None
    return rest


def split_quick(words: list[str], unit: str) -> tuple[ParsedValue | None, str | None,
                                                       ValueProblem | None]:
    """The quick form's "<value> [note]": the longest leading words that read as a value
    ("62 %", "chưa đạt", "6 / 10"), the rest as the note — or why the value is not readable."""
    problem = None
    for n in (3, 2, 1):
        if len(words) < n:
            continue
        try:
            value = parse_value(" ".join(words[:n]), unit)
        except ValueProblem as exc:
            problem = exc
            continue
        return value, " ".join(words[n:]).strip() or None, None
    return None, None, problem


