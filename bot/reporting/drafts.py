"""The report being typed (kept in the database at every step) and its confirmation."""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import asdict, dataclass, field, fields
from pathlib import PurePath

from sqlalchemy import func
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from bot.core import state_store
from bot.core.access import Actor
from bot.core.clock import clock
from bot.progress import (
    Assessment,
    EvidenceFile,
    Figure,
    NewReport,
    ParsedValue,
    record_report,
)
from bot.reporting.rules import (
    DOCUMENT_TYPES,
    DRAFT_KIND,
    SEEN_MAX,
    Refusal,
    Reportable,
    assessment_of,
    check_target,
    reportable,
)
from storage import models as m


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
        own = row.unit_id if per_school else None
        item = reportable(session, target, own, today)
        assessment = assessment_of(session, target, own, today)
        pooled = pooled_state = None
        if per_school:
            office = assessment_of(session, target, None, today)
            pooled, pooled_state = office.figure, office.state
        evidence = session.exec(select(func.count(m.Evidence.id))
                                .where(m.Evidence.report_id == report_id)).one()
        return Confirmation(
            report_id=report_id, created=created, item=item,
            value=ParsedValue(row.value, row.numerator, row.denominator),
            unit_name=draft.unit_name if per_school else None, assessment=assessment,
            evidence=evidence, reported_at=clock.local(row.reported_at), pooled=pooled,
            pooled_state=pooled_state,
        )


