"""Numbers, dates and bars as Vietnamese officials write them (62,5% · 01/6/2025)."""

from __future__ import annotations

import datetime as dt

from bot.core.catalogue import t


def fmt_date(day: dt.date) -> str:
    return f"{day.day:02d}/{day.month}/{day.year}"


def fmt_short_date(day: dt.date) -> str:
    """"01/6" as the plan writes report dates."""
    return f"{day.day:02d}/{day.month}"


def fmt_number(value: float, lang: str = "vi") -> str:
    text = f"{value:.1f}".rstrip("0").rstrip(".") if value != int(value) else str(int(value))
    return text.replace(".", ",") if lang == "vi" else text


def fmt_percent(value: float, lang: str = "vi") -> str:
    return f"{fmt_number(value, lang)}%"


def progress_bar(value: float, target: float, width: int = 10) -> str:
    """▓▓▓▓▓▓░░░░ for value/target, on a scale of 0..max(target, 100) for percentages."""
    scale = max(target, value, 1.0)
    if target <= 100 and value <= 100:
        scale = 100.0
    filled = max(0, min(width, round(width * value / scale)))
    return "▓" * filled + "░" * (width - filled)


def days_left_phrase(last_day: dt.date, today: dt.date, lang: str) -> str:
    """"còn 21 ngày" / "hạn hôm nay" / "quá hạn 3 ngày" counted to the last allowed day."""
    left = (last_day - today).days
    if left > 0:
        return t("due.days_left", lang, days=left)
    if left == 0:
        return t("due.today", lang)
    return t("due.days_overdue", lang, days=-left)
