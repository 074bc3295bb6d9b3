"""The roster: who the officers are, read from a CSV file, and which plan people they are.

A roster file has one officer a line (`full_name, role, unit, department, phone, telegram_id,
zalo_id`; the last four columns may be left out). Importing it is all or nothing: every bad line is
reported with its line number and nothing is written until the whole file is good. Importing the
same file twice changes nothing.

Officers are then linked to the people the active plans name: by name ("Nguyễn Thị Diệu Anh" is
the plan's "Diệu Anh") or, for groups and titles without a name, by department. A link gives the
officer an assignment for each of that person's roles. Ambiguous names are reported, never guessed.

Empty cells leave what is stored alone: the roster adds and corrects, it does not erase a phone
number or department recorded some other way.
"""

from __future__ import annotations

import csv
import io
import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import func
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from bot.core.access import ROLES
from bot.core.clock import clock
from bot.core.text import fold, name_matches, nfc, words
from bot.people.identity import normalise_phone
from bot.plans.store import active_plans
from storage import models as m
from storage.db import session_scope

COLUMNS = ("full_name", "role", "unit", "department", "phone", "telegram_id", "zalo_id")
REQUIRED = ("full_name", "role", "unit")
CHANNEL_COLUMNS = {"telegram_id": "telegram", "zalo_id": "zalo"}

# Folded Vietnamese (and English) role words -> role.
ROLE_WORDS = {
    "officer": "officer", "can bo": "officer", "chuyen vien": "officer",
    "principal": "principal", "hieu truong": "principal",
    "leader": "leader", "lanh dao": "leader", "truong phong": "leader",
    "admin": "admin", "quan tri": "admin", "quan tri vien": "admin",
}
ROLE_HINT = f"use {', '.join(ROLES)}"
PHONE_HINT = "use a Vietnamese number such as 0912 345 678 or +84912345678"
_SPACES = re.compile(r"\s+")


class RosterError(ValueError):
    """A roster file that cannot be imported; `problems` lists every bad line."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = list(problems)


@dataclass(frozen=True)
class RosterRow:
    line: int  # CSV line number, header = 1
    full_name: str
    role: str  # officer | principal | leader | admin
    unit: str  # code or name as written; "" = the issuing unit of the active plan
    department: str | None = None
    phone: str | None = None  # E.164
    telegram_id: str | None = None
    zalo_id: str | None = None

    def channels(self) -> dict[str, str]:
        return {channel: value for column, channel in CHANNEL_COLUMNS.items()
                if (value := getattr(self, column))}


@dataclass
class LinkResult:
    links: list[tuple[str, str]] = field(default_factory=list)  # (plan person, officer name)
    ambiguous: list[str] = field(default_factory=list)
    unmatched: list[str] = field(default_factory=list)
    assignments: int = 0  # assignment rows created


@dataclass
class RosterResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    links: list[tuple[str, str]] = field(default_factory=list)
    ambiguous: list[str] = field(default_factory=list)
    unmatched: list[str] = field(default_factory=list)
    assignments: int = 0
    units_created: list[str] = field(default_factory=list)  # codes of new units


@dataclass(frozen=True)
class OfficerView:
    id: int
    full_name: str
    role: str
    unit: str | None  # the unit's name
    department: str | None
    phone: str | None
    channels: list[str]  # "telegram", "zalo"...
    assignments: int  # how many assignments
    active: bool = True


# --- reading the file -------------------------------------------------------------------------


def parse_role(raw: str) -> str | None:
    return ROLE_WORDS.get(fold(raw))


def _read(path_or_text: str | Path, source: str | None) -> tuple[str | None, str, str]:
    """(text or None if unreadable, label for messages, problem if unreadable)."""
    if isinstance(path_or_text, Path) or not any(c in path_or_text for c in "\n,;"):
        path = Path(path_or_text)
        label = source or path.name
        try:
            return path.read_bytes().decode("utf-8-sig"), label, ""
        except UnicodeDecodeError:
            return None, label, f'{label}: not UTF-8 text (save it as "CSV UTF-8")'
        except OSError as exc:
            return None, label, f"{label}: cannot read the file ({exc.strerror or exc})"
    return path_or_text.removeprefix("\ufeff"), source or "roster.csv", ""


def _delimiter(header_line: str) -> str:
    """Spreadsheets in a Vietnamese locale save with semicolons."""
    return ";" if header_line.count(";") > header_line.count(",") else ","


def parse_roster(path_or_text: str | Path,
                 source: str | None = None) -> tuple[list[RosterRow], list[str]]:
    """Read a roster (a path, or the CSV text itself) without touching the database.

    A string with a line break, comma or semicolon is CSV text; any other string is a path.

    Returns the good rows and a problem for every bad one, as `roster.csv:4: ...` lines. A row with
    a problem is left out of `rows`.
    """
    text, label, problem = _read(path_or_text, source)
    if text is None:
        return [], [problem]
    return _parse(text, label)


def _parse(text: str, label: str) -> tuple[list[RosterRow], list[str]]:
    text = nfc(text)
    first = text.lstrip("\r\n").split("\n", 1)[0]
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(first),
                        skipinitialspace=True)
    problems: list[str] = []
    rows: list[RosterRow] = []

    def bad(line: int, message: str) -> None:
        problems.append(f"{label}:{line}: {message}")

    header: list[str] | None = None
    seen_keys: dict[tuple[str, str], int] = {}
    seen_ids: dict[tuple[str, str], int] = {}
    previous_end = 0
    while True:
        try:
            record = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            bad(previous_end + 1, f"cannot read this line ({exc})")
            break
        line, previous_end = previous_end + 1, reader.line_num
        cells = [cell.strip() for cell in record]
        if not any(cells):
            continue
        if header is None:
            # "Full name" and "full-name" are full_name; blank trailing columns are ignored
            header = [re.sub(r"[\s-]+", "_", cell.lower()) for cell in cells]
            for name in header:
                if name and name not in COLUMNS:
                    bad(line, f'unknown column "{name}" (columns: {", ".join(COLUMNS)})')
            for name in sorted(set(header), key=header.index):
                if name in COLUMNS and header.count(name) > 1:
                    bad(line, f'column "{name}" appears {header.count(name)} times')
            missing = [name for name in REQUIRED if name not in header]
            for name in missing:
                bad(line, f'missing column "{name}" (required: {", ".join(REQUIRED)})')
            if missing:
                return [], problems
            # the first of a repeated column counts; unknown columns are read past
            header = [name if name in COLUMNS and header.index(name) == i else ""
                      for i, name in enumerate(header)]
            continue
        if len(cells) > len(header):
            extra = cells[len(header):]
            if any(extra):
                bad(line, f"{len(cells)} values but the header has {len(header)} columns")
                continue
        values = {name: cell for name, cell in zip(header, cells, strict=False) if name}
        row_problems = len(problems)
        full_name = _SPACES.sub(" ", values.get("full_name", ""))
        if not full_name:
            bad(line, "missing full_name")
        raw_role = values.get("role", "")
        role = parse_role(raw_role)
        if not raw_role:
            bad(line, f"missing role ({ROLE_HINT})")
        elif role is None:
            bad(line, f'unknown role "{raw_role}" ({ROLE_HINT})')
        phone = None
        if raw_phone := values.get("phone", ""):
            phone = normalise_phone(raw_phone)
            if phone is None:
                bad(line, f'malformed phone "{raw_phone}" ({PHONE_HINT})')
        ids: dict[str, str | None] = {}
        for column in CHANNEL_COLUMNS:
            value = values.get(column, "") or None
            if value and column == "telegram_id" and not re.fullmatch(r"-?\d+", value):
                bad(line, f'telegram_id "{value}" is not a number')
            elif value:
                earlier = seen_ids.setdefault((column, value), line)
                if earlier != line:
                    bad(line, f"{column} {value} repeats line {earlier}")
            ids[column] = value
        unit = _SPACES.sub(" ", values.get("unit", ""))
        if full_name:
            earlier = seen_keys.setdefault((fold(full_name), fold(unit)), line)
            if earlier != line:
                where = f'at "{unit}"' if unit else "at the plan's unit"
                bad(line, f'"{full_name}" {where} repeats line {earlier}')
        if len(problems) > row_problems:
            continue
        rows.append(RosterRow(line=line, full_name=full_name, role=role or "", unit=unit,
                              department=_SPACES.sub(" ", values.get("department", "")) or None,
                              phone=phone, **ids))
    if header is None:
        problems.append(f"{label}:1: no header row (columns: {', '.join(COLUMNS)})")
    return rows, problems



# --- units ----------------------------------------------------------------------------------------


def infer_level(name: str) -> str:
    """MN, TH or THCS from a school's name; anything else is an office."""
    folded = " ".join(words(name))
    padded = f" {folded} "
    if " thcs " in padded or " trung hoc co so " in padded:
        return "THCS"
    if " tieu hoc " in padded or " th " in padded:
        return "TH"
    if " mam non " in padded or " mn " in padded:
        return "MN"
    return "office"


def unit_slug(name: str) -> str:
    return "-".join(words(name)).upper()[:64] or "UNIT"


class _Units:
    """Units by code or folded name, creating the ones a roster names for the first time."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.units = list(session.exec(select(m.Unit).order_by(m.Unit.id)))
        self.created: list[str] = []
        plans = active_plans(session)  # an empty unit cell: the (first) active plan's issuer
        self.default = session.get(m.Unit, plans[0].issuer_unit_id) if plans else None

    def find(self, text: str) -> m.Unit | None:
        if not text:
            return self.default
        for unit in self.units:
            if unit.code.upper() == text.upper():
                return unit
        for unit in self.units:
            if fold(unit.name) == fold(text):
                return unit
        slug = unit_slug(text)
        for unit in self.units:
            if unit.code == slug:
                return unit
        return None

    def get(self, text: str) -> m.Unit | None:
        unit = self.find(text)
        if unit is None and text:
            code = unit_slug(text)  # free: find() would have matched a unit with this code
            unit = m.Unit(code=code, name=text, level=infer_level(text))
            self.session.add(unit)
            self.session.flush()
            self.units.append(unit)
            self.created.append(code)
        return unit


# --- importing ------------------------------------------------------------------------------------


def _officer_key(full_name: str, unit_id: int | None) -> tuple[str, int | None]:
    return fold(full_name), unit_id


def import_roster(engine: Engine, path: str | Path, source: str | None = None) -> RosterResult:
    """Create or update the officers of a roster file and link them to the active plans.

    Raises RosterError listing every problem when any line is bad; then nothing is written.
    """
    text, label, problem = _read(path, source)
    if text is None:
        raise RosterError([problem])
    rows, problems = _parse(text, label)
    result = RosterResult()
    with session_scope(engine) as session:
        units = _Units(session)
        officers = list(session.exec(select(m.Officer)))
        by_key = {_officer_key(o.full_name, o.unit_id): o for o in officers}
        by_id = {o.id: o for o in officers}
        identities = {(i.channel, i.external_id): i
                      for i in session.exec(select(m.ChannelIdentity))}
        plan_rows: list[tuple[RosterRow, m.Unit, m.Officer | None]] = []
        seen: dict[tuple[str, int | None], int] = {}
        for row in rows:
            unit = units.get(row.unit)
            if unit is None:
                problems.append(f"{label}:{row.line}: no unit given and no active plan "
                                "to take the issuing unit from")
                continue
            key = _officer_key(row.full_name, unit.id)
            earlier = seen.setdefault(key, row.line)
            if earlier != row.line:
                problems.append(f'{label}:{row.line}: "{row.full_name}" at "{unit.name}" '
                                f"repeats line {earlier}")
                continue
            existing = by_key.get(key)
            clash = False
            for channel, external_id in row.channels().items():
                other = identities.get((channel, external_id))
                if other is not None and (existing is None or other.officer_id != existing.id):
                    owner = by_id.get(other.officer_id)
                    problems.append(
                        f"{label}:{row.line}: {channel}_id {external_id} is already linked to "
                        f"{owner.full_name if owner else 'officer #' + str(other.officer_id)}")
                    clash = True
            if not clash:
                plan_rows.append((row, unit, existing))
        if problems:
            problems.sort(key=_line_of)
            raise RosterError(problems)
        result.units_created = list(units.created)
        for row, unit, officer in plan_rows:
            _upsert(session, row, unit, officer, identities, label, result)
        links = _link(session)
    result.links, result.ambiguous, result.unmatched = links.links, links.ambiguous, links.unmatched
    result.assignments = links.assignments
    return result


def _line_of(problem: str) -> int:
    parts = problem.split(":", 2)
    return int(parts[1]) if len(parts) > 2 and parts[1].isdecimal() else 0


def _upsert(session: Session, row: RosterRow, unit: m.Unit, officer: m.Officer | None,
            identities: dict[tuple[str, str], m.ChannelIdentity], label: str,
            result: RosterResult) -> None:
    now = clock.now()
    if officer is None:
        officer = m.Officer(full_name=row.full_name, role=row.role, unit_id=unit.id,
                            department=row.department, phone=row.phone)
        session.add(officer)
        session.flush()
        for channel, external_id in row.channels().items():
            identity = m.ChannelIdentity(officer_id=officer.id, channel=channel,
                                         external_id=external_id, linked_at=now)
            session.add(identity)
            identities[(channel, external_id)] = identity
        session.add(m.AuditLog(
            at=now, action="officer.create", entity="officer", entity_id=officer.id,
            detail={"full_name": row.full_name, "role": row.role, "unit": unit.code,
                    "department": row.department, "phone": row.phone,
                    "channels": sorted(row.channels()), "source": f"{label}:{row.line}"}))
        result.created += 1
        return
    changes: dict[str, list] = {}
    for attr in ("full_name", "role", "department", "phone"):
        new = getattr(row, attr)
        if new is not None and new != getattr(officer, attr):
            changes[attr] = [getattr(officer, attr), new]
            setattr(officer, attr, new)
    for channel, external_id in row.channels().items():
        if (channel, external_id) in identities:
            continue  # already this officer's (clashes were refused before)
        for old in session.exec(select(m.ChannelIdentity).where(
                m.ChannelIdentity.officer_id == officer.id,
                m.ChannelIdentity.channel == channel)):
            identities.pop((old.channel, old.external_id), None)
            session.delete(old)
        session.flush()
        identity = m.ChannelIdentity(officer_id=officer.id, channel=channel,
                                     external_id=external_id, linked_at=now)
        session.add(identity)
        identities[(channel, external_id)] = identity
        changes[f"{channel}_id"] = [None, external_id]
    if not changes:
        result.unchanged += 1
        return
    session.add(officer)
    session.add(m.AuditLog(at=now, action="officer.update", entity="officer",
                           entity_id=officer.id,
                           detail={"changes": changes, "source": f"{label}:{row.line}"}))
    result.updated += 1


# --- linking officers to plan people ------------------------------------------------------------


def person_label(person: m.PlanPerson) -> str:
    return person.name or person.title or person.department or person.key


def relink(engine: Engine) -> LinkResult:
    """Link every active officer to the people of every active plan (after a plan import)."""
    with session_scope(engine) as session:
        return _link(session)


def _link(session: Session) -> LinkResult:
    result = LinkResult()
    officers = list(session.exec(select(m.Officer).where(m.Officer.active).order_by(m.Officer.id)))
    existing = {(a.officer_id, a.target_id, a.obligation_id, a.kind)
                for a in session.exec(select(m.Assignment))}
    for plan in active_plans(session):
        people = list(session.exec(select(m.PlanPerson).where(m.PlanPerson.plan_id == plan.id)
                                   .order_by(m.PlanPerson.id)))
        candidates: dict[int, list[m.Officer]] = {}
        for person in people:
            if not person.name:
                continue
            found = [o for o in officers if name_matches(o.full_name, person.name)]
            # the plan names its issuer's staff: a namesake at a school does not compete
            local = [o for o in found if o.unit_id == plan.issuer_unit_id]
            candidates[person.id] = local or found
        names_of: dict[int, list[m.PlanPerson]] = defaultdict(list)
        for person in people:
            for officer in candidates.get(person.id, []):
                names_of[officer.id].append(person)
        reported: set[int] = set()
        pairs: list[tuple[m.PlanPerson, m.Officer]] = []
        for person in people:
            if person.name:
                found = candidates[person.id]
                if not found:
                    result.unmatched.append(f'"{person.name}" ({plan.code}): no officer on the '
                                            "roster has this name")
                elif len(found) > 1:
                    result.ambiguous.append(
                        f'"{person.name}" ({plan.code}) matches {len(found)} officers: '
                        f'{", ".join(o.full_name for o in found)} — not assigned')
                elif len(names_of[found[0].id]) > 1:
                    officer = found[0]
                    if officer.id not in reported:
                        reported.add(officer.id)
                        names = ", ".join(f'"{p.name}"' for p in names_of[officer.id])
                        result.ambiguous.append(
                            f"{officer.full_name} matches {len(names_of[officer.id])} names of "
                            f"{plan.code}: {names} — not assigned")
                else:
                    pairs.append((person, found[0]))
            else:
                department = fold(person.department or "")
                found = [o for o in officers
                         if department and fold(o.department or "") == department]
                if not found:
                    result.unmatched.append(
                        f'"{person_label(person)}" ({plan.code}): no officer on the roster '
                        f'has department "{person.department or ""}"')
                pairs.extend((person, o) for o in found)
        roles: dict[int, list[m.PlanRole]] = defaultdict(list)
        if people:
            for role in session.exec(select(m.PlanRole).where(
                    m.PlanRole.person_id.in_([p.id for p in people]))):
                roles[role.person_id].append(role)
        now = clock.now()
        for person, officer in pairs:
            link = (person_label(person), officer.full_name)
            if link not in result.links:
                result.links.append(link)
            for role in roles[person.id]:
                key = (officer.id, role.target_id, role.obligation_id, role.kind)
                if key in existing:
                    continue
                existing.add(key)
                session.add(m.Assignment(officer_id=officer.id, target_id=role.target_id,
                                         obligation_id=role.obligation_id, kind=role.kind,
                                         created_at=now))
                result.assignments += 1
    return result


# --- listing --------------------------------------------------------------------------------------


def list_officers(engine: Engine) -> list[OfficerView]:
    """Everyone on the roster, by unit and name, for `parbot officers list`."""
    with Session(engine) as session:
        units = {u.id: u for u in session.exec(select(m.Unit))}
        channels: dict[int, list[str]] = defaultdict(list)
        for identity in session.exec(select(m.ChannelIdentity).order_by(m.ChannelIdentity.channel)):
            if identity.channel not in channels[identity.officer_id]:
                channels[identity.officer_id].append(identity.channel)
        counts = dict(session.exec(
            select(m.Assignment.officer_id, func.count(m.Assignment.id))
            .group_by(m.Assignment.officer_id)).all())
        officers = list(session.exec(select(m.Officer)))
    officers.sort(key=lambda o: (o.unit_id or 0, fold(o.full_name), o.id))
    return [
        OfficerView(id=o.id, full_name=o.full_name, role=o.role,
                    unit=units[o.unit_id].name if o.unit_id in units else None,
                    department=o.department, phone=o.phone, channels=channels.get(o.id, []),
                    assignments=counts.get(o.id, 0), active=o.active)
        for o in officers
    ]


__all__ = [
    "COLUMNS", "ROLES", "LinkResult", "OfficerView", "RosterError", "RosterResult", "RosterRow",
    "import_roster", "infer_level", "list_officers", "normalise_phone", "parse_roster",
    "parse_role", "relink", "unit_slug",
]
