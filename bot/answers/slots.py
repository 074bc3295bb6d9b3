"""Slots pulled out of a normalised question: the period asked about (this week / month /
quarter / year, a named quarter or month, the next N days), a year, a quarter, a month, a phase.

Quarters come as I/II/III/IV, 1-4, "q3", "quý 3/2025" or "3/2025" (in /due's argument);
relative words ("quý này", "tháng sau", "năm nay") are resolved against `today`.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass

ROMAN = {"i": 1, "ii": 2, "iii": 3, "iv": 4}
_Q = r"(iv|iii|ii|i|[1-4]|mot|hai|ba|bon|tu)"  # "quý ba" is quarter III
_YEAR = r"((?:19|20)\d{2})"

_QUARTER = re.compile(
    rf"(?<![a-z0-9])(?:quy|quarter|qtr|q)\s*{_Q}(?![a-z0-9])"
    rf"(?:\s*(?:/|-|nam|of|in)?\s*{_YEAR}(?!\d))?"
)
_Q_FIRST = re.compile(rf"(?<![a-z0-9]){_Q}(?:st|nd|rd|th)?\s+(?:quy|quarter)(?![a-z])"
                      rf"(?:\s*(?:of|nam)?\s*{_YEAR})?")
_BARE_QUARTER = re.compile(rf"^\s*{_Q}\s*[/\s-]\s*{_YEAR}\s*$")
_MONTH = re.compile(r"(?<![a-z0-9])(?:thang|month)\s*(1[0-2]|0?[1-9])(?![0-9])"
                    rf"(?:\s*(?:/|-|nam|of)?\s*{_YEAR}(?!\d))?")
_MONTH_NAMES = {name.lower(): i for i, name in enumerate(calendar.month_name) if name}
_MONTH_NAMES.pop("may")  # "mấy" (how many) folds to "may"
_EN_MONTH = re.compile(r"(?<![a-z])(" + "|".join(_MONTH_NAMES) + rf")(?:\s+{_YEAR})?(?![a-z])")
_RANGE = re.compile(rf"(?<!\d){_YEAR}\s*-\s*{_YEAR}(?!\d)")
_DATE = re.compile(r"(?<!\d)\d{1,2}/\d{1,2}(?:/\d{2,4})?(?!\d)")
_YEAR_ALONE = re.compile(rf"(?<![\d/]){_YEAR}(?![\d/])")
_DAYS = re.compile(r"(?<![a-z0-9])(\d{1,3})\s*(?:ngay|days?)\s*(?:toi|sap toi|nua|ke tiep|next)?")
_NEXT_DAYS = re.compile(r"(?:next|coming)\s+(\d{1,3})\s*days?")
# "the next couple of weeks", "mấy tuần tới": two weeks
_FEW_WEEKS = re.compile(r"(?:next|coming) (?:couple of|few|two|2) weeks|(?:vai|may|2|hai) tuan toi")
_PHASE = re.compile(r"(?<![a-z0-9])(?:giai doan|gd|phase|dot)\s*([a-z0-9]{1,3})(?![a-z0-9])")


@dataclass(frozen=True)
class Period:
    kind: str  # week | month | quarter | year | days
    start: dt.date
    end: dt.date
    number: int | None = None  # the quarter or month
    relative: str | None = None  # this | next | last, when typed that way

    @property
    def year(self) -> int:
        return self.start.year

    def contains(self, day: dt.date) -> bool:
        return self.start <= day <= self.end


def quarter_of(day: dt.date) -> int:
    return (day.month - 1) // 3 + 1


def quarter(year: int, q: int, relative: str | None = None) -> Period:
    start = dt.date(year, 3 * q - 2, 1)
    end_month = 3 * q
    return Period("quarter", start, dt.date(year, end_month,
                                            calendar.monthrange(year, end_month)[1]), q,
                  relative)


def month(year: int, number: int, relative: str | None = None) -> Period:
    return Period("month", dt.date(year, number, 1),
                  dt.date(year, number, calendar.monthrange(year, number)[1]), number, relative)


def year_period(year: int, relative: str | None = None) -> Period:
    return Period("year", dt.date(year, 1, 1), dt.date(year, 12, 31), None, relative)


def week(today: dt.date, shift: int = 0, relative: str | None = "this") -> Period:
    monday = today - dt.timedelta(days=today.weekday()) + dt.timedelta(weeks=shift)
    return Period("week", monday, monday + dt.timedelta(days=6), None, relative)


def next_days(today: dt.date, days: int) -> Period:
    return Period("days", today, today + dt.timedelta(days=days), days, "next")


_QUARTER_WORDS = {"mot": 1, "hai": 2, "ba": 3, "bon": 4, "tu": 4}


def _quarter_number(text: str) -> int:
    return ROMAN.get(text) or _QUARTER_WORDS.get(text) or int(text)


def _has(text: str, *phrases: str) -> bool:
    padded = f" {text} "
    return any(f" {p} " in padded for p in phrases)


_VI_RELATIVE = {"this": ("nay", "hien tai", "hien nay"),
                "next": ("sau", "toi", "tiep theo", "ke tiep", "ke"),
                "last": ("truoc", "vua qua", "ngoai")}
_EN_RELATIVE = {"this": ("this", "current"), "next": ("next", "coming"),
                "last": ("last", "previous")}


def _relative(text: str, vi_unit: str, en_unit: str) -> str | None:
    """"quý này" / "this quarter" → this; "tháng sau" / "next month" → next; ..."""
    for rel, words in _VI_RELATIVE.items():
        if any(_has(text, f"{vi_unit} {w}") for w in words):
            return rel
    for rel, words in _EN_RELATIVE.items():
        if any(_has(text, f"{w} {en_unit}") for w in words):
            return rel
    return None


def _shift_quarter(today: dt.date, shift: int, relative: str) -> Period:
    index = today.year * 4 + quarter_of(today) - 1 + shift
    return quarter(index // 4, index % 4 + 1, relative)


def _shift_month(today: dt.date, shift: int, relative: str) -> Period:
    index = today.year * 12 + today.month - 1 + shift
    return month(index // 12, index % 12 + 1, relative)


_SHIFT = {"this": 0, "next": 1, "last": -1}


# "từ giờ tới cuối năm", "until the end of the year": from today to the year's last day
_REST_OF_YEAR = re.compile(r"(?<![a-z])(?:(?:den|toi|until|till|by|to|and|truoc) "
                           r"(?:het|cuoi|the end of(?: the| this)?) (?:nam|year)|"
                           r"rest of (?:the|this) year|"
                           r"(?:before|by) (?:the )?(?:year end|end of (?:the |this )?year)|"
                           r"con lai (?:cua |trong )?nam(?: nay)?)(?![a-z])")


# "từ giờ tới hết tháng 6", "until the end of Q3": from today to that period's last day
_UNTIL_END = re.compile(r"(?<![a-z])(?:den|toi|until|till|by|to) (?:het|cuoi|the end of)\s+(.+)")


_UNTIL_DAY = re.compile(r"(?<![a-z])(?:den|toi|until|till|by) (?:ngay |mung |hom )?"
                        r"(\d{1,2})/(\d{1,2})(?:/(\d{4}))?(?![\d/])")


def parse_period(text: str, today: dt.date) -> Period | None:
    """The period a normalised question asks about, or None when it names none."""
    if _REST_OF_YEAR.search(text) and not _QUARTER.search(text) and not _MONTH.search(text):
        return next_days(today, (dt.date(today.year, 12, 31) - today).days)
    m = _UNTIL_DAY.search(text)
    if m:  # "từ nay tới mùng 5/6": from today to that day
        year = int(m.group(3)) if m.group(3) else today.year
        try:
            day = dt.date(year, int(m.group(2)), int(m.group(1)))
        except ValueError:
            day = None
        if day is not None and day > today:
            return next_days(today, (day - today).days)
    m = _UNTIL_END.search(text)
    if m:
        until = parse_period(m.group(1), today)
        first = m.group(1).split()[0]
        if until is None and first in ("thang", "quy", "tuan"):  # "đến cuối tháng": this one
            until = parse_period(f"{first} nay", today)
        if until is not None and until.kind != "days" and until.start > today:
            # "đến hết tháng 6": from today to the period's end
            return next_days(today, (until.end - today).days)
        if until is not None and until.start <= today <= until.end:
            return until  # "từ giờ đến cuối tháng": a period already begun is that period
    m = _QUARTER.search(text) or _Q_FIRST.search(text)
    if m:
        year = int(m.group(2)) if m.group(2) else (explicit_year(text) or today.year)
        return quarter(year, _quarter_number(m.group(1)))
    m = _MONTH.search(text)
    if m:
        year = int(m.group(2)) if m.group(2) else (explicit_year(text) or today.year)
        return month(year, int(m.group(1)))
    m = _EN_MONTH.search(text)
    if m:
        year = int(m.group(2)) if m.group(2) else (explicit_year(text) or today.year)
        return month(year, _MONTH_NAMES[m.group(1)])
    if _FEW_WEEKS.search(text):
        return next_days(today, 14)
    m = _NEXT_DAYS.search(text) or _DAYS.search(text)
    if m and 0 < int(m.group(1)) <= 366 and (_has(text, "toi", "sap toi", "nua", "ke tiep",
                                                      "next", "coming")):
        return next_days(today, int(m.group(1)))
    rel = _relative(text, "tuan", "week")
    if rel:
        return week(today, _SHIFT[rel], rel)
    rel = _relative(text, "thang", "month")
    if rel:
        return _shift_month(today, _SHIFT[rel], rel)
    rel = _relative(text, "quy", "quarter")
    if rel:
        return _shift_quarter(today, _SHIFT[rel], rel)
    rel = _relative(text, "nam", "year")
    if rel:
        return year_period(today.year + _SHIFT[rel], rel)
    year = explicit_year(text)
    if year is not None:
        return year_period(year)
    return None


def parse_due_argument(argument: str, today: dt.date) -> Period | None:
    """/due's argument: tuần | tháng | quý | năm | <quý>/<năm> (and whatever a question says);
    None for no argument (the caller defaults to this quarter)."""
    text = argument.strip()
    if not text:
        return None
    m = _BARE_QUARTER.match(text)
    if m:
        return quarter(int(m.group(2)), _quarter_number(m.group(1)))
    bare = {"tuan": "week", "week": "week", "thang": "month", "month": "month",
            "quy": "quarter", "quarter": "quarter", "nam": "year", "year": "year"}
    if text in bare:
        kind = bare[text]
        if kind == "week":
            return week(today)
        if kind == "month":
            return _shift_month(today, 0, "this")
        if kind == "quarter":
            return _shift_quarter(today, 0, "this")
        return year_period(today.year, "this")
    m = re.fullmatch(_Q, text)
    if m:
        return quarter(today.year, _quarter_number(m.group(1)))
    return parse_period(text, today)


def this_quarter(today: dt.date) -> Period:
    return _shift_quarter(today, 0, "this")


def years_named(text: str) -> list[int]:
    """Every year a text writes, alone or in a range ("2026-2030"), not inside a date or a
    document's number ("97/2019")."""
    return [int(y) for y in _YEAR_ALONE.findall(text or "")]


# "so với năm 2015": a target's baseline, not a year asked about
BASELINE_YEAR = re.compile(r"(?<![a-z])so (?:voi|vs) (?:nam |moc )?\d{4}(?![\d-])")


def explicit_year(text: str) -> int | None:
    """A year written on its own ("năm 2025", "2025"), not inside a range or a date, nor a
    baseline ("so với năm 2015")."""
    stripped = _DATE.sub(" ", _RANGE.sub(" ", BASELINE_YEAR.sub(" ", text)))
    m = _YEAR_ALONE.search(stripped)
    return int(m.group(1)) if m else None


def year_range(text: str) -> tuple[int, int] | None:
    m = _RANGE.search(text)
    return (int(m.group(1)), int(m.group(2))) if m else None


def phase_word(text: str) -> str | None:
    """A phase named by code or number: "giai đoạn 2", "GĐ B", "phase A", "GD1"."""
    m = _PHASE.search(text)
    if m:
        return m.group(1)
    m = re.search(r"(?<![a-z0-9])gd(\d)(?![a-z0-9])", text)
    return m.group(1) if m else None
