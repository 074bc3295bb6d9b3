"""Progress reporting: what each person may report on, the draft being typed, storing it once,
history and undo. (`bot.report_views` turns these into messages; `bot.progress` holds the value
parsing, the storing and the figures this builds on.)

Who may report what:
- An officer reports on the targets assigned to them (responsible or coordinator) in active
  plans, and on no other target.
- A principal reports their own school's figures for the targets measured per school.
- A report on a target measured per school is for one school: an officer chooses the school, a
  principal's is their own. The office-level figure pools the schools' latest reports
  (Σ numerators / Σ denominators) and lists the schools that have not reported.
- Leaders and administrators do not report (bot.access; were they allowed to, the officers' rule
  would apply: their own assignments). They read the history of any target. An officer reads
  the history of their own targets and reports, a principal their school's.
- `/undo` withdraws one's own last report while it is younger than the configured window; the
  report is kept, marked withdrawn, and the audit log says so.
"""

from __future__ import annotations

import datetime as dt
import re
import secrets
from dataclasses import asdict, dataclass, field, fields
from pathlib import PurePath

from sqlalchemy import func
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from bot import state_store
from bot.access import Actor
from bot.clock import clock
from bot.progress import (
    SCHOOL_LEVELS,
    Assessment,
    EvidenceFile,
    Figure,
    NewReport,
    ParsedValue,
    Requirement,
    ValueProblem,
    assess,
    current_figure,
    parse_value,
    record_report,
    requirement_in_force,
    requirements,
    withdraw_last,
)
from bot.text import fold
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


def _allowed_targets(session: Session, actor: Actor) -> list[m.Target]:
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


def unit_figure(session: Session, target: m.Target, unit_id: int,
                phase_start: dt.date | None = None) -> Figure:
    """One school's latest figure on a target (and its first report in the phase, for pace)."""
    rows = list(session.exec(
        select(m.ProgressReport).where(m.ProgressReport.target_id == target.id,
                                       m.ProgressReport.unit_id == unit_id,
                                       m.ProgressReport.withdrawn_at.is_(None))
        .order_by(m.ProgressReport.reported_at.desc(), m.ProgressReport.id.desc())))
    if not rows:
        return Figure(None, None)
    latest, first = rows[0], None
    if phase_start is not None:
        since = clock.localize(dt.datetime.combine(phase_start, dt.time()))
        in_phase = [r for r in rows if r.reported_at >= since]
        if in_phase and in_phase[-1].id != latest.id:
            first = (in_phase[-1].value, in_phase[-1].reported_at)
    return Figure(latest.value, latest.reported_at, latest.numerator, latest.denominator,
                  len(rows), first_in_phase=first)


def _figure(session: Session, target: m.Target, unit_id: int | None,
            req: Requirement | None) -> Figure:
    start = req.start if req else None
    if target.measured_per == "school" and unit_id is not None:
        return unit_figure(session, target, unit_id, start)
    return current_figure(session, target, start)


def _reportable(session: Session, target: m.Target, unit_id: int | None,
                today: dt.date) -> Reportable:
    req = requirement_in_force(requirements(session, target), today)
    figure = _figure(session, target, unit_id, req)
    return Reportable(
        target_id=target.id, code=target.code, name=target.name, name_en=target.name_en,
        unit=target.unit, measured_per=target.measured_per, requirement=req,
        state=assess(req, figure, today).state, last_value=figure.value,
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
        items = [_reportable(session, t, _view_unit(actor) if t.measured_per == "school"
                             else None, today) for t in _allowed_targets(session, actor)]
    return sorted(items, key=urgency)


def _refusal_for(actor: Actor, target: m.Target | None, code: str,
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
        allowed = _allowed_targets(session, actor)
        refusal = _refusal_for(actor, target, code or "", allowed)
        if refusal is not None:
            return refusal
        return _reportable(session, target, _view_unit(actor) if target.measured_per == "school"
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
        return _reportable(session, session.get(m.Target, target_id), unit_id, today)


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


# --- the draft ---------------------------------------------------------------------------------

@dataclass
class Draft:
    """A report being typed, kept in the database at every step (BotState kind report_draft),
    so a restart resumes it. Its id makes the stored report's dedupe key: confirming twice, or
    the same update delivered twice, stores one report."""

    id: str
    lang: str
    started_at: str
    touched_at: str
    step: str = "target"  # target | unit | value | note | evidence | summary | edit | restart
    target_id: int | None = None
    code: str | None = None
    unit_id: int | None = None
    unit_name: str | None = None
    value: dict | None = None
    note: str | None = None
    evidence: list[dict] = field(default_factory=list)
    quick: bool = False  # the quick form: straight to the summary once the value is known
    back_to_summary: bool = False  # editing one field from the summary
    resume_step: str | None = None  # where "continue" returns to from the restart question
    pending: list[str] | None = None  # arguments of a /report typed while this one was open
    seen: list[str] = field(default_factory=list)  # updates already handled (duplicates)

    @classmethod
    def new(cls, lang: str) -> Draft:
        now = clock.now().isoformat()
        return cls(id=secrets.token_hex(8), lang=lang, started_at=now, touched_at=now)

    @classmethod
    def from_dict(cls, data: dict) -> Draft:
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in known})

    def to_dict(self) -> dict:
        return asdict(self)

    @property
    def dedupe_key(self) -> str:
        return f"report:{self.id}"

    def parsed(self) -> ParsedValue | None:
        return ParsedValue(**self.value) if self.value else None

    def set_value(self, value: ParsedValue) -> None:
        self.value = asdict(value)

    def idle(self, now: dt.datetime) -> dt.timedelta:
        return now - dt.datetime.fromisoformat(self.touched_at)

    def touch(self) -> None:
        self.touched_at = clock.now().isoformat()

    def handled(self, fingerprint: str) -> bool:
        return fingerprint in self.seen

    def remember(self, fingerprint: str) -> None:
        self.seen = [*self.seen, fingerprint][-SEEN_MAX:]

    def start_over(self) -> None:
        """Forget the target and everything typed, keep the id's freshness: a new id."""
        fresh = Draft.new(self.lang)
        fresh.seen = self.seen
        self.__dict__.update(fresh.__dict__)


def save_draft(engine: Engine, key: str, draft: Draft) -> None:
    state_store.put(engine, DRAFT_KIND, key, draft.to_dict())


def load_draft(engine: Engine, key: str) -> Draft | None:
    data = state_store.get(engine, DRAFT_KIND, key)
    return Draft.from_dict(data) if data else None


def drop_draft(engine: Engine, key: str) -> None:
    state_store.delete(engine, DRAFT_KIND, key)


def open_draft_keys(engine: Engine) -> set[str]:
    return state_store.keys_of(engine, DRAFT_KIND)


def document_extension(file_name: str | None, mime_type: str | None) -> str | None:
    """".pdf", ".docx" or ".xlsx" for an accepted evidence document, else None."""
    if mime_type in DOCUMENT_TYPES:
        return DOCUMENT_TYPES[mime_type]
    ext = PurePath(file_name or "").suffix.lower()
    return ext if ext in DOCUMENT_TYPES.values() else None


# --- confirming ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Confirmation:
    report_id: int
    created: bool  # False: this draft had been stored already (a second Confirm)
    item: Reportable  # the target after the report, for the reported school or the office
    value: ParsedValue
    unit_name: str | None
    assessment: Assessment
    evidence: int
    reported_at: dt.datetime  # local
    pooled: Figure | None = None  # the office-level figure of a target measured per school
    pooled_state: str | None = None


def confirm(engine: Engine, actor: Actor, draft: Draft, channel: str,
            today: dt.date) -> Confirmation | Refusal:
    """Store the draft's report once (checking again that the actor may report on it)."""
    checked = check_target(engine, actor, None, today, target_id=draft.target_id)
    if isinstance(checked, Refusal):
        return checked
    per_school = checked.per_school and draft.unit_id is not None
    report_id, created = record_report(engine, NewReport(
        target_id=checked.target_id, officer_id=actor.officer_id,
        value=draft.parsed(), unit_id=draft.unit_id if per_school else actor.unit_id,
        note=draft.note, dedupe_key=draft.dedupe_key,
        evidence=tuple(EvidenceFile(channel=channel, **e) for e in draft.evidence),
    ))
    with Session(engine) as session:
        row = session.get(m.ProgressReport, report_id)
        target = session.get(m.Target, row.target_id)
        item = _reportable(session, target, row.unit_id if per_school else None, today)
        figure = _figure(session, target, row.unit_id if per_school else None, item.requirement)
        assessment = assess(item.requirement, figure, today)
        pooled = pooled_state = None
        if per_school:
            pooled = current_figure(session, target,
                                    item.requirement.start if item.requirement else None)
            pooled_state = assess(item.requirement, pooled, today).state
        evidence = session.exec(select(func.count(m.Evidence.id))
                                .where(m.Evidence.report_id == report_id)).one()
        return Confirmation(
            report_id=report_id, created=created, item=item,
            value=ParsedValue(row.value, row.numerator, row.denominator),
            unit_name=draft.unit_name if per_school else None, assessment=assessment,
            evidence=evidence, reported_at=clock.local(row.reported_at), pooled=pooled,
            pooled_state=pooled_state,
        )


# --- history and undo ----------------------------------------------------------------------------

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


def _history_query():
    return (select(m.ProgressReport, m.Target, m.Officer, m.Unit)
            .join(m.Target, m.Target.id == m.ProgressReport.target_id)
            .join(m.Officer, m.Officer.id == m.ProgressReport.officer_id)
            .join(m.Unit, m.Unit.id == m.ProgressReport.unit_id, isouter=True)
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
            limit: int = HISTORY_LIMIT) -> History | Refusal:
    """The latest reports a person may see: of one target, or (without a code) their own, their
    school's, or — for leaders and administrators — everyone's."""
    reads_all = actor.role in ("leader", "admin")
    with Session(engine) as session:
        query = _history_query()
        if code:
            target = find_target(session, code)
            if target is None:
                return Refusal("unknown_target", code.strip().upper())
            query = query.where(m.ProgressReport.target_id == target.id)
            if not reads_all:
                allowed = _allowed_targets(session, actor)
                refusal = _refusal_for(actor, target, code, allowed)
                if refusal is not None:
                    return refusal
                if actor.role == "principal":
                    query = query.where(m.ProgressReport.unit_id == actor.unit_id)
            return History("target", _lines(session, query, limit), target.code, target.name,
                           target.name_en)
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


def recorded(engine: Engine, draft_id: str) -> HistoryLine | None:
    """The report a draft was stored as, if it was (a Confirm pressed again)."""
    with Session(engine) as session:
        query = _history_query().where(m.ProgressReport.dedupe_key == f"report:{draft_id}")
        lines = _lines(session, query, 1)
        return lines[0] if lines else None


@dataclass(frozen=True)
class UndoResult:
    status: str  # withdrawn | too_old | none
    line: HistoryLine | None = None


def undo_last(engine: Engine, actor: Actor, window: dt.timedelta) -> UndoResult:
    """Withdraw the actor's own last report if younger than `window` (bot.progress)."""
    if actor.officer_id is None:
        return UndoResult("none")

    def last() -> HistoryLine | None:
        with Session(engine) as session:
            lines = _lines(session, _history_query().where(
                m.ProgressReport.officer_id == actor.officer_id,
                m.ProgressReport.withdrawn_at.is_(None)), 1)
            return lines[0] if lines else None

    line = last()
    if line is None:
        return UndoResult("none")
    withdrawn = withdraw_last(engine, actor.officer_id, window)
    if withdrawn is None:
        return UndoResult("too_old", line)
    with Session(engine) as session:
        done = _lines(session, _history_query().where(m.ProgressReport.id == withdrawn), 1)
    return UndoResult("withdrawn", done[0])
