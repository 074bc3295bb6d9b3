"""Bounds of an uploaded workbook, checked before openpyxl parses anything (no openpyxl here).

A plan is a few hundred rows and a dozen columns; the caps leave room for any real one and stop a
small file that unpacks to millions of cells (a 0.66 MB upload took 80 s and 1.6 GB): the upload's
size, what its ZIP unpacks to, then each sheet's rows and columns, counted by a streaming XML
parser that stops at the first cap passed.
"""

from __future__ import annotations

import io
import re
import zipfile
from typing import Any

MAX_FILE_BYTES = 5 * 1024 * 1024
MAX_UNPACKED_BYTES = 30 * 1024 * 1024  # every part of the ZIP together
MAX_ROWS = 5000  # rows holding cells, per sheet
MAX_COLUMNS = 100  # the last column a cell may be in
MAX_SHEETS = 30
_CELL_COLUMN = re.compile(r"[A-Z]+")


def _column_number(ref: str) -> int:
    letters = _CELL_COLUMN.match(ref.upper())
    number = 0
    for ch in letters.group(0) if letters else "":
        number = number * 26 + ord(ch) - 64
    return number


def sheet_bounds(data: bytes) -> tuple[str, dict[str, Any]] | None:
    """Why the workbook is refused unparsed — (catalogue key, values) — or None: its size, what
    its ZIP unpacks to, then each sheet's rows and columns read by a streaming XML parser that
    stops at the first cap passed (the XML is never built in memory)."""
    from xml.etree.ElementTree import ParseError, iterparse

    if len(data) > MAX_FILE_BYTES:
        return "too_big", {"mb": MAX_FILE_BYTES // (1024 * 1024)}
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError, OSError):
        return None  # not a workbook: openpyxl says so in its own words
    with archive:
        infos = archive.infolist()
        if sum(i.file_size for i in infos) > MAX_UNPACKED_BYTES:
            return "too_big", {"mb": MAX_UNPACKED_BYTES // (1024 * 1024)}
        sheets = [i for i in infos if i.filename.startswith("xl/worksheets/")
                  and i.filename.endswith(".xml")]
        if len(sheets) > MAX_SHEETS:
            return "too_many_sheets", {"max": MAX_SHEETS}
        for info in sheets:
            rows = 0
            try:
                with archive.open(info) as stream:
                    for _, element in iterparse(stream, events=("end",)):
                        tag = element.tag.rsplit("}", 1)[-1]
                        if tag == "c":
                            ref = element.get("r")
                            if ref and _column_number(ref) > MAX_COLUMNS:
                                return "too_many_columns", {"max": MAX_COLUMNS}
                        elif tag == "row":
                            if len(element):
                                rows += 1
                                if rows > MAX_ROWS:
                                    return "too_many_rows", {"max": MAX_ROWS}
                            element.clear()
            except (ParseError, zipfile.BadZipFile, OSError, EOFError, ValueError):
                return None  # openpyxl will say what is wrong
    return None
