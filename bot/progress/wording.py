"""How values and requirements read: one wording for every view (/status, /target, /report,
the digest, the Word report, the workbook): "62,5% (31/50)", "hạng 8", "đạt", "≥ 85%",
"> 85%", "90–95%" (one dash), "Top 10", "hoàn thành".
"""

from __future__ import annotations

from bot.core.catalogue import t
from bot.core.formatting import fmt_number, fmt_percent
from bot.core.vocab import Comparison, Unit
from bot.progress.assessment import Requirement


def value_text(value: float | None, unit: str, lang: str = "vi",
               numerator: float | None = None, denominator: float | None = None) -> str:
    """62,5% · 62% (31/50) · hạng 8 · 12 · đạt/chưa đạt, by the target's unit."""
    if value is None:
        return t("progress.value.none", lang)
    if unit == Unit.PERCENT:
        text = fmt_percent(value, lang)
        if numerator is not None and denominator:
            text += f" ({fmt_number(numerator, lang)}/{fmt_number(denominator, lang)})"
        return text
    if unit == Unit.RANK:
        return t("progress.value.rank", lang, value=fmt_number(value, lang))
    if unit == Unit.BOOLEAN:
        return t("progress.value.done" if value >= 1 else "progress.value.not_done", lang)
    return fmt_number(value, lang)


def requirement_words(comparison: str, value: float | None, value_max: float | None, unit: str,
                      lang: str = "vi") -> str:
    """≥ 85% · > 85% · ≤ 5 · 90–95% · Top 10 · hoàn thành."""
    def num(x: float) -> str:
        return fmt_percent(x, lang) if unit == Unit.PERCENT else fmt_number(x, lang)

    if comparison == Comparison.DONE or value is None:
        return t("progress.req.done", lang)
    if comparison == Comparison.TOP:
        return t("progress.req.top", lang, value=fmt_number(value, lang))
    if comparison == Comparison.RANGE and value_max is not None:
        return t("progress.req.range", lang, low=fmt_number(value, lang), high=num(value_max))
    key = comparison if comparison in (Comparison.MORE_THAN, Comparison.AT_MOST) \
        else Comparison.AT_LEAST
    return t(f"progress.req.{key}", lang, value=num(value))


def requirement_text(req: Requirement | None, unit: str, lang: str = "vi") -> str:
    if req is None:
        return "—"
    return requirement_words(req.comparison, req.value, req.value_max, unit, lang)


def requirement_value(req: Requirement | None) -> float | None:
    """The requirement as one number in the target's own unit (85 for ≥ 85%, 10 for Top 10,
    1 for a yes/no target): the workbook's one consistent form."""
    if req is None:
        return None
    if req.comparison == Comparison.DONE or req.value is None:
        return 1.0
    return req.value


def trend_text(per_month: float | None, unit: str, lang: str = "vi") -> str:
    """"+2,5" / "-1" per month, or "chưa đủ số liệu"."""
    if per_month is None:
        return t("progress.trend.none", lang)
    text = fmt_number(round(abs(per_month), 1), lang)
    return f"+{text}" if per_month > 0 else f"-{text}" if per_month < 0 else text
