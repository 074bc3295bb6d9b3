"""How requirements, figures and periods read in an answer ("≥ 85%", "từ 90 đến 95%", "Top 10",
"GĐ 2024-2025", "Quý II/2025"): one place, so every answer words them alike."""

from __future__ import annotations

from bot.answers.slots import Period
from bot.answers.snapshot import PersonInfo, ValueInfo
from bot.core.catalogue import t
from bot.core.formatting import fmt_date, fmt_number, fmt_percent, fmt_short_date
from bot.plans.deadlines import ROMAN


def amount(value: float, unit: str, lang: str) -> str:
    if unit == "percent":
        return fmt_percent(value, lang)
    if unit == "rank":
        return t("answers.unit.rank", lang, value=fmt_number(value, lang))
    if unit == "boolean":
        return t("answers.unit.done" if value >= 1 else "answers.unit.not_done", lang)
    return fmt_number(value, lang)


def requirement(comparison: str, value: float | None, value_max: float | None, unit: str,
                lang: str) -> str:
    """The plan's requirement in words: "≥ 85%", "trên 85%", "từ 90 đến 95%", "Top 10"."""
    if comparison == "done" or value is None:
        return t("answers.req.done", lang)
    shown = amount(value, unit, lang) if unit != "rank" else fmt_number(value, lang)
    if comparison == "range" and value_max is not None:
        return t("answers.req.range", lang, low=fmt_number(value, lang),
                 high=amount(value_max, unit, lang))
    return t(f"answers.req.{comparison}", lang, value=shown)


def value_requirement(v: ValueInfo, unit: str, lang: str) -> str:
    return requirement(v.comparison, v.value, v.value_max, unit, lang)


def when(v: ValueInfo, lang: str) -> str:
    """"GĐ 2024-2025" for a phase value, "năm 2025" for a year value."""
    if v.phase is not None:
        return t("answers.when.phase", lang, years=v.phase.years)
    return t("answers.when.year", lang, year=v.year or v.deadline.year)


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


def period_range(period: Period) -> str:
    if period.start.year == period.end.year:
        return f"{fmt_short_date(period.start)} - {fmt_date(period.end)}"
    return f"{fmt_date(period.start)} - {fmt_date(period.end)}"


def quote(text: str, limit: int = 220) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
