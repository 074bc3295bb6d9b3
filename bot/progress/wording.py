"""How values and requirements read: one wording for every view.
"""

from __future__ import annotations

from bot.core.catalogue import t
from bot.core.formatting import fmt_number, fmt_percent
from bot.progress import Requirement


def value_text(value: float, unit: str, lang: str = "vi") -> str:
    """62,5% · hạng 8 · 12 · đạt/chưa đạt, by the target's unit."""
    if unit == "percent":
        return fmt_percent(value, lang)
    if unit == "rank":
        return t("exports.value.rank", lang, value=fmt_number(value, lang))
    if unit == "boolean":
        return t("exports.value.done" if value >= 1 else "exports.value.not_done", lang)
    return fmt_number(value, lang)


def requirement_text(req: Requirement, unit: str, lang: str = "vi") -> str:
    """≥ 85% · > 85% · 90-95% · Top 10 · hoàn thành."""
    def num(value: float | None) -> str:
        if value is None:
            return "-"
        return fmt_percent(value, lang) if unit == "percent" else fmt_number(value, lang)

    if req.comparison == "range":
        low = fmt_number(req.value, lang) if req.value is not None else "-"
        return t("exports.req.range", lang, value=low, value_max=num(req.value_max))
    if req.comparison == "top":
        return t("exports.req.top", lang, value=fmt_number(req.value or 0, lang))
    if req.comparison == "done" or req.value is None:
        return t("exports.req.done", lang)
    return t(f"exports.req.{req.comparison}", lang, value=num(req.value))
