"""Reading values as people type them: 62 · 62,5% · 31/50 · đạt/chưa đạt."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from bot.core.text import fold
from bot.core.vocab import Unit


class ValueProblem(ValueError):
    """Why a typed value was not accepted; `key` names the catalogue message."""

    def __init__(self, key: str, **values: object) -> None:
        super().__init__(key)
        self.key = key
        self.values = values


@dataclass(frozen=True)
class ParsedValue:
    value: float
    numerator: float | None = None
    denominator: float | None = None


_NUMBER = r"\d+(?:[.,]\d+)?"
_YES = {"dat", "da dat", "xong", "da xong", "hoan thanh", "da hoan thanh", "co", "yes", "done",
        "achieved", "ok"}
_NO = {"chua dat", "chua", "chua xong", "chua hoan thanh", "khong", "khong dat", "no",
       "not done", "not yet"}


def _number(text: str) -> float:
    value = float(text.replace(",", "."))
    if not math.isfinite(value):  # hundreds of digits: not a figure anyone reports
        raise ValueProblem("value.unreadable")
    return value


def parse_value(text: str, unit: str) -> ParsedValue:
    """62 · 62% · 62,5 · 62.5 % · 6/10 (ratio) · đạt/chưa đạt (yes/no targets)."""
    raw = (text or "").strip()
    folded = fold(raw).rstrip(".!")
    if unit == Unit.BOOLEAN:
        if folded in _YES:
            return ParsedValue(1.0)
        if folded in _NO:
            return ParsedValue(0.0)
        raise ValueProblem("value.boolean")
    if not raw:
        raise ValueProblem("value.unreadable")
    compact = re.sub(r"\s+", "", raw)
    ratio = re.fullmatch(rf"({_NUMBER})/({_NUMBER})", compact)
    if ratio:
        num, den = _number(ratio.group(1)), _number(ratio.group(2))
        if den <= 0 or num < 0 or num > den:
            raise ValueProblem("value.ratio_invalid")
        if unit != Unit.PERCENT:
            raise ValueProblem("value.wrong_unit")
        return ParsedValue(round(100.0 * num / den, 2), num, den)
    single = re.fullmatch(rf"({_NUMBER})(%?)", compact)
    if not single:
        if re.match(rf"^{_NUMBER}", compact):
            raise ValueProblem("value.wrong_unit")
        raise ValueProblem("value.unreadable")
    value, percent_sign = _number(single.group(1)), bool(single.group(2))
    if unit == Unit.PERCENT:
        if not 0 <= value <= 100:
            raise ValueProblem("value.out_of_range", low=0, high=100)
        return ParsedValue(value)
    if percent_sign:
        raise ValueProblem("value.wrong_unit")
    if unit == Unit.RANK and (value < 1 or value != int(value)):
        raise ValueProblem("value.out_of_range", low=1, high=1000)
    return ParsedValue(value)


