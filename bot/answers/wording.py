"""How periods, phases and people read in an answer ("GĐ 2024-2025", "Quý II/2025"). Values and
requirements are worded by bot.progress.wording, the one wording of every view."""

from __future__ import annotations

import re

from bot.answers.slots import Period
from bot.answers.snapshot import PersonInfo, ValueInfo
from bot.core.catalogue import t
from bot.core.formatting import fmt_date, fmt_short_date
from bot.plans.deadlines import ROMAN
from bot.progress.wording import requirement_words


def value_requirement(v: ValueInfo, unit: str, lang: str) -> str:
    """A plan value's requirement in the one wording (bot.progress.wording)."""
    return requirement_words(v.comparison, v.value, v.value_max, unit, lang)


def when(v: ValueInfo, lang: str) -> str:
    """"GĐ 2024-2025" for a phase value, "năm 2025" for a year value."""
    if v.phase is not None:
        return t("answers.when.phase", lang, years=v.phase.years)
    return t("answers.when.year", lang, year=v.year or v.deadline.year)


def requirements(values, unit: str, lang: str) -> str:
    """"GĐ 2021-2023: ≥ 40% · GĐ 2024-2025: ≥ 85%": a target's values, each with its time."""
    return " · ".join(f"{when(v, lang)}: {value_requirement(v, unit, lang)}" for v in values)


def people(persons: tuple[PersonInfo, ...] | list[PersonInfo]) -> str:
    return "; ".join(p.label for p in persons)


def period_label(period: Period, lang: str) -> str:
    if period.kind == "quarter":
        return t("answers.period.quarter", lang, roman=ROMAN[period.number or 1],
                 year=period.year)
    if period.kind == "month":
        return t("answers.period.month", lang, month=period.number, year=period.year)
    if period.kind == "year":
        return t("answers.period.year", lang, year=period.year)
    if period.kind == "days":
        return t("answers.period.days", lang, days=period.number)
    return t(f"answers.period.week_{period.relative or 'this'}", lang)


_OCCURRENCE = re.compile(r"(\d{4})-(?:Q(\d)|(\d{2}))$")


def occurrence(item, lang: str) -> str:
    """A recurring report's occurrence in the asker's language: the plan's own label in
    Vietnamese ("Quý III/2025", "5/2025"), "Quarter III/2025", "Month 5/2025" in English; other
    items keep the plan's own label."""
    m = _OCCURRENCE.match(item.period or "")
    if m is None or item.kind != "obligation" or lang == "vi":
        return item.label
    if m.group(2):
        return t("answers.period.quarter", lang, roman=ROMAN[int(m.group(2))],
                 year=m.group(1))
    return t("answers.period.month", lang, month=int(m.group(3)), year=m.group(1))


def period_range(period: Period) -> str:
    if period.start.year == period.end.year:
        return f"{fmt_short_date(period.start)} - {fmt_date(period.end)}"
    return f"{fmt_date(period.start)} - {fmt_date(period.end)}"


def quote(text: str, limit: int = 220) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
