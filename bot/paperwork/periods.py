"""The period a report or export covers, and the figures officers reported in it.

A period is a calendar quarter ("2025-Q3", "III/2025", "quý 3/2025"), a year ("2025") or any
window of days (`Period.between`). A period's figure is the assessment's figure at the period's
end (bot.progress.figure_at), so a report about a past quarter shows what was known then, not what
is known now.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, replace

from sqlmodel import Session, select

from bot.core.clock import clock
from bot.core.formatting import fmt_date
from bot.core.text import fold
from bot.plans.deadlines import ROMAN
from bot.progress import Figure, figure_at, history_of, made_by_now, moment_of, units_of
from storage import models as m

_ARABIC = {v: k for k, v in ROMAN.items()}


class PeriodError(ValueError):
    """Text that names no period we understand."""


@dataclass(frozen=True)
class Period:
    start: dt.date  # first day
    end: dt.date  # last day
    code: str  # "2025-Q3", "2025", "2025-06-15..2025-09-14"
    year: int
    quarter: int | None = None

    @classmethod
    def quarter_of(cls, year: int, quarter: int) -> Period:
        if not 1 <= quarter <= 4:
            raise PeriodError(f"quarter {quarter}")
        start = dt.date(year, 3 * quarter - 2, 1)
        end = dt.date(year + (quarter == 4), (3 * quarter) % 12 + 1, 1) - dt.timedelta(days=1)
        return cls(start, end, f"{year}-Q{quarter}", year, quarter)

    @classmethod
    def year_of(cls, year: int) -> Period:
        return cls(dt.date(year, 1, 1), dt.date(year, 12, 31), str(year), year)

    @classmethod
    def containing(cls, day: dt.date) -> Period:
        """The calendar quarter of `day` (the default data period)."""
        return cls.quarter_of(day.year, (day.month - 1) // 3 + 1)

    def between(self, start: dt.date | None, end: dt.date | None) -> Period:
        """The same quarter or year, with its data read from another window of days (an office
        that closes its quarter on the 14th of the last month)."""
        start, end = start or self.start, end or self.end
        if end < start:
            raise PeriodError(f"{fmt_date(end)} < {fmt_date(start)}")
        return Period(start, end, self.code, self.year, self.quarter)

    @property
    def roman(self) -> str:
        return ROMAN[self.quarter] if self.quarter else ""

    def next(self) -> Period:
        if self.quarter is None:
            return Period.year_of(self.year + 1)
        if self.quarter == 4:
            return Period.quarter_of(self.year + 1, 1)
        return Period.quarter_of(self.year, self.quarter + 1)

    def utc_bounds(self) -> tuple[dt.datetime, dt.datetime]:
        """[start, end) as aware datetimes: local midnights of the first and the day after the
        last day."""
        return (clock.localize(dt.datetime.combine(self.start, dt.time())),
                clock.localize(dt.datetime.combine(self.end + dt.timedelta(days=1), dt.time())))


_QUARTER = re.compile(
    r"^(?:quy|q)?\s*(i{1,3}|iv|[1-4])\s*(?:/|-|\s|nam)+\s*(\d{4})$"  # III/2025, q3-2025
)
_YEAR_QUARTER = re.compile(r"^(\d{4})\s*[-/\s]\s*(?:quy|q)\s*(i{1,3}|iv|[1-4])$")  # 2025-Q3


def _quarter_number(text: str) -> int:
    return int(text) if text.isdigit() else _ARABIC[text.upper()]


def parse_period(text: str | None, today: dt.date) -> Period:
    """"2025-Q3", "Q3/2025", "III/2025", "quý 3 năm 2025", "3/2025", "2025"; empty: the
    quarter of `today`; a quarter without a year: that quarter of this year."""
    folded = fold(text or "").replace("quy", "quy ").strip()
    folded = re.sub(r"\s+", " ", folded)
    if not folded:
        return Period.containing(today)
    if re.fullmatch(r"\d{4}", folded):
        return Period.year_of(int(folded))
    if match := _YEAR_QUARTER.match(folded):
        return Period.quarter_of(int(match.group(1)), _quarter_number(match.group(2)))
    if match := _QUARTER.match(folded):
        return Period.quarter_of(int(match.group(2)), _quarter_number(match.group(1)))
    if match := re.fullmatch(r"(?:quy|q)\s*(i{1,3}|iv|[1-4])", folded):
        return Period.quarter_of(today.year, _quarter_number(match.group(1)))
    raise PeriodError(text or "")


# --- figures reported in a window --------------------------------------------------------------


def reports_between(session: Session, target_id: int, start: dt.datetime | None,
                    end: dt.datetime) -> list[m.ProgressReport]:
    """Live (not withdrawn) reports of a target in [start, end), newest first."""
    query = select(m.ProgressReport).where(m.ProgressReport.target_id == target_id,
                                           m.ProgressReport.withdrawn_at.is_(None),
                                           m.ProgressReport.reported_at < end,
                                           made_by_now())
    if start is not None:
        query = query.where(m.ProgressReport.reported_at >= start)
    return list(session.exec(query.order_by(m.ProgressReport.reported_at.desc(),
                                            m.ProgressReport.id.desc())))


def figure_between(session: Session, target: m.Target, start: dt.datetime | None,
                   end: dt.datetime, phase_start: dt.date | None = None) -> Figure:
    """The office-level figure at the end of [start, end) — never after now — as the assessment
    computes it (each school's latest value up to that moment carried forward and pooled), with
    `reports` counting the reports made in the window."""
    history = history_of(session, target)
    at = min(end - dt.timedelta(microseconds=1), moment_of(None))
    figure = figure_at(history, at, units_of(session), phase_start)
    if start is None:
        return figure
    count = history.count(at.timestamp(), since=start.timestamp())
    return replace(figure, reports=count)
