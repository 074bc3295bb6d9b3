"""Each officer's say over what the bot sends on its own: snooze, quiet hours, reminders on/off,
and (leaders) the weekly digest's day and time.

Values are read the way people type them on a phone: "21:00-07:00", "21h-7h", "22 - 6",
"thứ 5 8:00", "thu 08:00", "t2 7h30", "3 ngày". Settings live on the Officer row; every change is
written to the audit log.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from sqlalchemy.engine import Engine

from bot.core.clock import clock
from bot.core.text import fold
from storage import models as m
from storage.db import session_scope

DEFAULT_QUIET = (dt.time(21, 0), dt.time(7, 0))
DEFAULT_DIGEST = (0, dt.time(7, 30))  # Monday 07:30
MAX_SNOOZE_DAYS = 90
DIGEST_OFF = -1  # Officer.digest_weekday when a leader turned the weekly digest off
DIGEST_CHANGE = "officer.digest"  # the audit action of a digest schedule change

_CLOCK = re.compile(r"^(\d{1,2})(?:\s*(?::|h|g|gio|\.)\s*(\d{2})?)?\s*(?:h|g|gio|phut)?$")
# Vietnamese weekdays: thứ 2 (Monday) .. thứ 7, chủ nhật; English names and abbreviations.
_WEEKDAYS = {
    "t2": 0, "thu 2": 0, "thu hai": 0, "mon": 0, "monday": 0,
    "t3": 1, "thu 3": 1, "thu ba": 1, "tue": 1, "tuesday": 1,
    "t4": 2, "thu 4": 2, "thu tu": 2, "wed": 2, "wednesday": 2,
    "t5": 3, "thu 5": 3, "thu nam": 3, "thu": 3, "thursday": 3,
    "t6": 4, "thu 6": 4, "thu sau": 4, "fri": 4, "friday": 4,
    "t7": 5, "thu 7": 5, "thu bay": 5, "sat": 5, "saturday": 5,
    "cn": 6, "chu nhat": 6, "sun": 6, "sunday": 6,
}
OFF_WORDS = {"off", "tat", "huy", "khong", "dung", "no", "0"}
ON_WORDS = {"on", "bat", "mo", "co", "yes", "1"}


def parse_clock(text: str) -> dt.time | None:
    """"7", "07:30", "7h30", "7h", "21g", "7.30" → a time of day; None if not a time."""
    match = _CLOCK.match(fold(text or ""))
    if not match:
        return None
    hour, minute = int(match.group(1)), int(match.group(2) or 0)
    if hour > 23 or minute > 59:
        return None
    return dt.time(hour, minute)


def parse_window(text: str) -> tuple[dt.time, dt.time] | None:
    """"21:00-07:00", "21h - 7h", "22 đến 6" → (start, end); None if not a window."""
    folded = fold(text or "")
    parts = re.split(r"\s*(?:-|–|—|den|toi|to)\s*", folded)
    if len(parts) != 2:
        return None
    start, end = parse_clock(parts[0]), parse_clock(parts[1])
    if start is None or end is None:
        return None
    return start, end


def parse_weekday(text: str) -> int | None:
    """"thứ 5", "T5", "thu", "Thursday", "chủ nhật" → 0 (Monday) .. 6 (Sunday)."""
    folded = fold(text or "").rstrip(".")
    folded = re.sub(r"^thu\s*(\d)$", r"thu \1", folded)
    return _WEEKDAYS.get(folded)


def parse_days(text: str) -> int | None:
    """"3", "3 ngày", "3d" → 3; "off"/"0" → 0; None when not a number of days."""
    folded = fold(text or "")
    if folded in OFF_WORDS:
        return 0
    match = re.fullmatch(r"(\d{1,3})\s*(?:ngay|d|days?)?", folded)
    return int(match.group(1)) if match else None


def parse_switch(text: str) -> bool | None:
    folded = fold(text or "")
    if folded in ON_WORDS:
        return True
    if folded in OFF_WORDS:
        return False
    return None


def parse_digest_schedule(text: str) -> tuple[int, dt.time] | None:
    """"thứ 5 08:00", "thu 8h", "T2 7h30", "monday 07:30" → (weekday, time).
    The time may be left out (07:30)."""
    words = fold(text or "").split()
    for split in range(len(words), 0, -1):
        day = parse_weekday(" ".join(words[:split]))
        if day is None:
            continue
        rest = " ".join(words[split:])
        at = parse_clock(rest) if rest else DEFAULT_DIGEST[1]
        return (day, at) if at is not None else None
    return None


def as_time(text: str | None, default: dt.time) -> dt.time:
    """A stored "HH:MM" (Officer fields) as a time; the default if it does not read."""
    return parse_clock(text or "") or default


def hhmm(moment: dt.time) -> str:
    return f"{moment.hour:02d}:{moment.minute:02d}"


def in_window(moment: dt.time, start: dt.time, end: dt.time) -> bool:
    """Is `moment` in [start, end)? The window may wrap midnight (21:00-07:00); start == end is
    an empty window."""
    if start == end:
        return False
    if start < end:
        return start <= moment < end
    return moment >= start or moment < end


# --- stored preferences ----------------------------------------------------------------------

@dataclass(frozen=True)
class Preferences:
    reminders_on: bool
    snooze_until: dt.datetime | None
    quiet_start: dt.time
    quiet_end: dt.time
    digest_weekday: int  # DIGEST_OFF when off
    digest_time: dt.time

    def snoozed(self, now: dt.datetime) -> bool:
        return self.snooze_until is not None and now < self.snooze_until

    def quiet(self, now: dt.datetime) -> bool:
        return in_window(now.timetz().replace(tzinfo=None), self.quiet_start, self.quiet_end)


def preferences_of(officer: m.Officer) -> Preferences:
    weekday = officer.digest_weekday if officer.digest_weekday is not None else 0
    return Preferences(
        reminders_on=bool(officer.reminders_on),
        snooze_until=clock.local(officer.snooze_until),
        quiet_start=as_time(officer.quiet_start, DEFAULT_QUIET[0]),
        quiet_end=as_time(officer.quiet_end, DEFAULT_QUIET[1]),
        digest_weekday=weekday if -1 <= weekday <= 6 else 0,
        digest_time=as_time(officer.digest_time, DEFAULT_DIGEST[1]),
    )


def _change(engine: Engine, officer_id: int, action: str, **values: object) -> Preferences:
    with session_scope(engine) as session:
        officer = session.get(m.Officer, officer_id)
        for name, value in values.items():
            setattr(officer, name, value)
        session.add(officer)
        session.add(m.AuditLog(at=clock.now(), actor_officer_id=officer_id, action=action,
                               entity="officer", entity_id=officer_id,
                               detail={k: (v.isoformat() if isinstance(v, dt.datetime) else v)
                                       for k, v in values.items()}))
        session.flush()
        return preferences_of(officer)


def get_preferences(engine: Engine, officer_id: int) -> Preferences:
    with session_scope(engine) as session:
        return preferences_of(session.get(m.Officer, officer_id))


def snooze(engine: Engine, officer_id: int, days: int) -> Preferences:
    """Hold back reminders until the start of the day `days` days from today (0: resume now).
    What falls due meanwhile goes out when the snooze ends."""
    days = max(0, min(days, MAX_SNOOZE_DAYS))
    until = None
    if days:
        until = clock.localize(dt.datetime.combine(clock.today() + dt.timedelta(days=days),
                                                   dt.time()))
    return _change(engine, officer_id, "officer.snooze", snooze_until=until)


def set_quiet(engine: Engine, officer_id: int, start: dt.time, end: dt.time) -> Preferences:
    return _change(engine, officer_id, "officer.quiet", quiet_start=hhmm(start),
                   quiet_end=hhmm(end))


def set_reminders(engine: Engine, officer_id: int, on: bool) -> Preferences:
    return _change(engine, officer_id, "officer.reminders", reminders_on=on)


def set_digest(engine: Engine, officer_id: int, weekday: int | None,
               at: dt.time | None = None) -> Preferences:
    """Choose the weekly digest's day and time; weekday None turns it off."""
    if weekday is None:
        return _change(engine, officer_id, DIGEST_CHANGE, digest_weekday=DIGEST_OFF)
    return _change(engine, officer_id, DIGEST_CHANGE, digest_weekday=weekday,
                   digest_time=hhmm(at or DEFAULT_DIGEST[1]))
