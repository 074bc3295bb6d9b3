"""Writing tables into Excel sheets the way an office expects to open them.

Bold header row, frozen and filterable, columns wide enough to read, dates as real dates
(dd/mm/yyyy), percentages as percentages (62,5% is stored as 0.625), text that starts with "="
kept as text rather than turned into a formula. Shared by the exports, the evidence index and
the plan spreadsheet. Every string is made XML-safe here (`bot.core.text.xml_safe`): a
control character in a stored note cannot break an export.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from bot.core.clock import clock
from bot.core.text import safe_value, xml_safe

if TYPE_CHECKING:  # openpyxl is imported when a sheet is first written, not at start
    from openpyxl.worksheet.worksheet import Worksheet

DATE_FORMAT = "dd/mm/yyyy"
DATETIME_FORMAT = "dd/mm/yyyy hh:mm"
PERCENT_FORMAT = "0.0%"
NUMBER_FORMAT = "#,##0.##"
INTEGER_FORMAT = "0"
HEADER_COLOR = "DDEBF7"


def get_column_letter(number: int) -> str:
    """1 → "A", 27 → "AA" (openpyxl's, without importing openpyxl)."""
    letters = ""
    while number > 0:
        number, rest = divmod(number - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


@dataclass(frozen=True)
class Column:
    heading: str
    width: int = 14
    kind: str = "text"  # text | wrap | int | number | percent | date | datetime


@dataclass(frozen=True)
class Val:
    """A cell whose kind differs from its column's (a rank in a column of percentages)."""

    value: Any
    kind: str


def excel_time(moment: dt.datetime) -> dt.datetime:
    """Excel has no time zones: local (Hanoi) wall time without tzinfo."""
    return clock.local(moment).replace(tzinfo=None) if moment.tzinfo else moment


def put(ws: Worksheet, row: int, col: int, value: Any, kind: str = "text") -> None:
    """Write one value with the number format of its kind."""
    from openpyxl.styles import Alignment

    cell = ws.cell(row=row, column=col)
    if value is None:
        return
    value = safe_value(value)  # no stored text can break the sheet (XML-illegal characters)
    if kind == "percent" and isinstance(value, int | float):
        cell.value = value / 100.0
        cell.number_format = PERCENT_FORMAT
    elif kind == "datetime" and isinstance(value, dt.datetime):
        cell.value = excel_time(value)
        cell.number_format = DATETIME_FORMAT
    elif kind in ("date", "datetime") and isinstance(value, dt.date):
        cell.value = value
        cell.number_format = DATE_FORMAT
    elif kind == "int" and isinstance(value, int | float):
        cell.value = value
        cell.number_format = INTEGER_FORMAT
    elif kind == "number" and isinstance(value, int | float):
        cell.value = value
        cell.number_format = NUMBER_FORMAT
    else:
        cell.value = value
        if isinstance(value, str):
            cell.data_type = "s"  # "=..." is text, not a formula
            if kind == "wrap" or "\n" in value:
                cell.alignment = Alignment(wrap_text=True, vertical="top")


def write_header(ws: Worksheet, columns: Sequence[Column], row: int = 1) -> None:
    from openpyxl.styles import Alignment, Font, PatternFill

    for i, column in enumerate(columns, 1):
        cell = ws.cell(row=row, column=i, value=xml_safe(column.heading))
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor=HEADER_COLOR)
        cell.alignment = Alignment(wrap_text=True, vertical="center", horizontal="center")
        ws.column_dimensions[get_column_letter(i)].width = column.width


def write_table(ws: Worksheet, columns: Sequence[Column], rows: Iterable[Sequence[Any]],
                header_row: int = 1) -> int:
    """Header, rows, frozen header and a filter over the table; returns the last row."""
    write_header(ws, columns, header_row)
    last = header_row
    for last, values in enumerate(rows, header_row + 1):
        for i, (column, value) in enumerate(zip(columns, values, strict=True), 1):
            if isinstance(value, Val):
                put(ws, last, i, value.value, value.kind)
            else:
                put(ws, last, i, value, column.kind)
    ws.freeze_panes = f"A{header_row + 1}"
    ws.auto_filter.ref = f"A{header_row}:{get_column_letter(len(columns))}{max(last, header_row)}"
    return last
