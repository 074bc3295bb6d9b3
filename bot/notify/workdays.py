"""Working days: Monday to Friday, minus Vietnam's public holidays and the office's own days off.

Nudges and escalations go out on working days only and count their grace periods in working
days, so a reminder never lands on a Sunday or on Tết. Public holidays come from the `holidays`
package (country VN: Tết and the other lunar dates are computed for any year, with the official
substitute days off); the office adds its own in `data/holidays.yaml` (PARBOT_HOLIDAYS_FILE).
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

PROJECT = Path(__file__).resolve().parents[2]
ONE_DAY = dt.timedelta(days=1)
MAX_SCAN = 60  # no office closes for two months: a guard against an endless search


class HolidayFileError(ValueError):
    """A holidays file that cannot be read; the message names the entry."""


class WorkCalendar:
    def __init__(self, extra: dict[dt.date, str] | None = None, country: str = "VN") -> None:
        self.extra = dict(extra or {})
        self.country = country
        self._public: dict[tuple[int, str], Any] = {}  # holidays.HolidayBase

    def _year(self, year: int, lang: str = "vi") -> Any:
        key = (year, lang)
        if key not in self._public:
            import holidays  # ~9 MB: loaded on the first working-day question, not at start

            self._public[key] = holidays.country_holidays(self.country, years=year,
                                                          language=lang)
        return self._public[key]

    def holiday(self, day: dt.date, lang: str = "vi") -> str | None:
        """The holiday's name, or None on an ordinary day."""
        if day in self.extra:
            return self.extra[day]
        return self._year(day.year, "en_US" if lang == "en" else "vi").get(day)

    def is_holiday(self, day: dt.date) -> bool:
        return day in self.extra or day in self._year(day.year)

    def is_working_day(self, day: dt.date) -> bool:
        return day.weekday() < 5 and not self.is_holiday(day)

    def _walk(self, day: dt.date, step: dt.timedelta) -> dt.date:
        for _ in range(MAX_SCAN):
            if self.is_working_day(day):
                return day
            day += step
        raise ValueError(f"no working day within {MAX_SCAN} days of {day}")

    def on_or_before(self, day: dt.date) -> dt.date:
        return self._walk(day, -ONE_DAY)

    def on_or_after(self, day: dt.date) -> dt.date:
        return self._walk(day, ONE_DAY)

    def next_working_day(self, day: dt.date) -> dt.date:
        """The first working day strictly after `day`."""
        return self.on_or_after(day + ONE_DAY)

    def add_working_days(self, day: dt.date, count: int) -> dt.date:
        """The `count`-th working day after `day` (count 0: `day` itself)."""
        for _ in range(count):
            day = self.next_working_day(day)
        return day

    def working_days_between(self, start: dt.date, end: dt.date) -> int:
        """Working days in (start, end]."""
        count, day = 0, start
        while day < end:
            day += ONE_DAY
            count += self.is_working_day(day)
        return count


def _as_date(value: object, where: str) -> dt.date:
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise HolidayFileError(f"{where}: {value!r} is not a date (write 2025-01-27)") from None


def parse_extra(document: object, source: str = "holidays.yaml") -> dict[dt.date, str]:
    """`extra:` entries, each `date:` or a `from:`/`to:` range, with a `name:`."""
    if document is None:
        return {}
    if not isinstance(document, dict) or not isinstance(document.get("extra") or [], list):
        raise HolidayFileError(f"{source}: expected a list under `extra:`")
    days: dict[dt.date, str] = {}
    for i, entry in enumerate(document.get("extra") or [], 1):
        where = f"{source}: extra #{i}"
        if not isinstance(entry, dict):
            raise HolidayFileError(f"{where}: expected `date:` and `name:`")
        name = str(entry.get("name") or "Nghỉ")
        if "date" in entry:
            first = last = _as_date(entry["date"], where)
        elif "from" in entry and "to" in entry:
            first, last = _as_date(entry["from"], where), _as_date(entry["to"], where)
        else:
            raise HolidayFileError(f"{where}: give `date:` or `from:` and `to:`")
        if last < first or (last - first).days > MAX_SCAN:
            raise HolidayFileError(f"{where}: `to` must follow `from` within {MAX_SCAN} days")
        day = first
        while day <= last:
            days[day] = name
            day += ONE_DAY
    return days


@lru_cache(maxsize=8)
def _load(path: str, mtime: float) -> WorkCalendar:
    with open(path, encoding="utf-8") as fh:
        document = yaml.safe_load(fh)
    return WorkCalendar(parse_extra(document, Path(path).name))


def load_calendar(path: Path | None) -> WorkCalendar:
    """The calendar with the extra days of `path` (relative to the working directory or the
    project; re-read when the file changes). No file: public holidays only."""
    if path is None:
        return WorkCalendar()
    path = Path(path)
    if not path.is_absolute() and not path.exists():
        path = PROJECT / path
    if not path.exists():
        return WorkCalendar()
    return _load(str(path), path.stat().st_mtime)
