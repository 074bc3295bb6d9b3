"""Reading a plan workbook into plan data, remembering which cell every field came from.

The table of targets is found by its headings as officials write them ("TT", "Lĩnh vực"/"Tiêu
chí", "Chỉ tiêu cần đạt", "Giá trị", "Đơn vị tính", "Thời hạn", "Giai đoạn", "Người thực hiện",
"Người phối hợp"...), whatever their case, accents or small variations; merged cells count for
every cell they cover; a requirement is read from the text when there is no value column
("tối thiểu 50%", "trên 85%", "từ 90 đến 95%", "giảm 10%", "Top 10"). Group rows ("I. CẢI CÁCH
THỂ CHẾ", "A. Giai đoạn 2021-2023") set the area or phase of the rows below them. What the table
does not say (codes, plan metadata, the issuer) comes from the extra sheets our own export
writes (`bot.plans.sheets.layout`), from the title lines above the table, or from the plan in
force (`SheetDefaults`). Checking the data is `bot.paperwork.plan_sheets`'s job.
"""

from __future__ import annotations

import datetime as dt
import io
import math
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from bot.core.catalogue import t
from bot.core.text import fold
from bot.core.vocab import Comparison, Unit
from bot.core.xlsx_tables import get_column_letter
from bot.plans import schema as ps
from bot.plans.sheets.bounds import sheet_bounds
from bot.plans.sheets.layout import (
    AUX_SPECS,
    FREQUENCY_WORDS,
    LAST_DAY,
    MEASURED_WORDS,
    META_ROWS,
    TEXT_KINDS,
    Spec,
    person_display,
)
from bot.plans.sheets.words import (
    MAIN_FIELDS,
    Guess,
    guess_requirement,
    heading_key,
    initials,
    is_phase_name,
    lone_year,
    match_headings,
    parse_comparison,
    parse_deadline,
    parse_person,
    parse_unit,
    same_target,
    slug,
    split_people,
    target_key,
    year_in_text,
    years_in,
)

Loc = tuple[str | int, ...]
ROMAN_OR_LETTER = re.compile(r"^(?:[IVX]+|[A-H])\.?$")
NUMBERING = re.compile(r"^\s*(?:[IVX]+|[A-H]|\d+(?:\.\d+)*)\s*[.)/-]\s*", re.IGNORECASE)


# --- results -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Place:
    """Where something is in the workbook: sheet, 1-based row, column index (0-based)."""

    sheet: str
    row: int | None = None
    column: int | None = None
    heading: str | None = None


@dataclass(frozen=True)
class SheetProblem:
    place: Place
    message: str

    def render(self, lang: str) -> str:
        p = self.place
        if p.row is not None and p.column is not None:
            where = t("exports.plansheet.where_cell", lang, sheet=p.sheet, row=p.row,
                      column=p.heading or get_column_letter(p.column + 1),
                      cell=f"{get_column_letter(p.column + 1)}{p.row}")
        elif p.row is not None:
            where = t("exports.plansheet.where_row", lang, sheet=p.sheet, row=p.row)
        elif p.sheet:
            where = t("exports.plansheet.where_sheet", lang, sheet=p.sheet)
        else:
            where = t("exports.plansheet.where_file", lang)
        return f"{where}: {self.message}"


@dataclass(frozen=True)
class SheetDefaults:
    """What the plan in force tells about a sheet that does not say it (the issuer)."""

    issuer_unit: str | None = None
    issuer_name: str | None = None
    issuer_level: str = "office"
    place: str | None = None



# --- reading sheets ----------------------------------------------------------------------------


@dataclass
class Grid:
    """A sheet's values with merged cells filled in, and which rows are spanned wide."""

    title: str
    values: list[list[Any]]
    formats: list[list[str]]
    wide: set[int]  # 0-based rows covered by a merged block at least 3 columns wide

    def get(self, row: int, col: int | None) -> Any:
        if col is None or row >= len(self.values) or col >= len(self.values[row]):
            return None
        value = self.values[row][col]
        if isinstance(value, str):
            value = value.strip()
            return value or None
        return value

    def fmt(self, row: int, col: int | None) -> str:
        if col is None or row >= len(self.formats) or col >= len(self.formats[row]):
            return ""
        return self.formats[row][col] or ""


def _grid(ws) -> Grid:
    values = [[c.value for c in row] for row in ws.iter_rows()]
    formats = [[c.number_format for c in row] for row in ws.iter_rows()]
    wide: set[int] = set()
    for block in ws.merged_cells.ranges:
        first = values[block.min_row - 1][block.min_col - 1]
        fmt = formats[block.min_row - 1][block.min_col - 1]
        for r in range(block.min_row - 1, block.max_row):
            for c in range(block.min_col - 1, block.max_col):
                values[r][c] = first
                formats[r][c] = fmt
            if block.max_col - block.min_col >= 2:
                wide.add(r)
    return Grid(ws.title, values, formats, wide)


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, float) and math.isfinite(value) and value == int(value):
        value = int(value)
    text = str(value).strip()
    return text or None


class Unreadable(Exception):
    """Stop reading: the workbook cannot be read at all."""


class _Reader:
    def __init__(self, source: str, lang: str, defaults: SheetDefaults) -> None:
        self.source, self.lang, self.defaults = source, lang, defaults
        self.problems: list[SheetProblem] = []
        self.skipped: list[str] = []
        self.guessed: dict[str, str] = {}
        self.origin: dict[Loc, Place] = {}
        self.tables: dict[str, tuple[Grid, int, dict[str, int]] | None] = {}
        self.grids: list[Grid] = []

    def load(self, data: bytes) -> None:
        problem = sheet_bounds(data)
        if problem is not None:
            key, values = problem
            self.problem(Place(""), key, **values)
            raise Unreadable(key)
        try:
            from openpyxl import load_workbook  # when first needed: not at start

            book = load_workbook(io.BytesIO(data), data_only=True)
        except (zipfile.BadZipFile, KeyError, ValueError, OSError, TypeError) as exc:
            self.problem(Place(""), "unreadable", error=type(exc).__name__)
            raise Unreadable from exc
        self.grids = [_grid(ws) for ws in book.worksheets]

    # --- bookkeeping ---------------------------------------------------------------------
    def problem(self, place: Place, key: str, **values: Any) -> None:
        self.problems.append(SheetProblem(place, t(f"exports.plansheet.{key}", self.lang,
                                                   **values)))

    def skip(self, key: str, **values: Any) -> None:
        self.skipped.append(t(f"exports.plansheet.{key}", self.lang, **values))

    def at(self, loc: Loc, grid: Grid, row: int | None, col: int | None = None,
           heading: str | None = None) -> None:
        """Remember where `loc` of the plan data was read (row 0-based here)."""
        self.origin[loc] = Place(grid.title, None if row is None else row + 1, col, heading)

    def place_of(self, loc: Loc) -> Place:
        for n in range(len(loc), -1, -1):
            if loc[:n] in self.origin:
                return self.origin[loc[:n]]
        return Place("")

    # --- finding tables ------------------------------------------------------------------
    def header(self, grid: Grid, fields: dict[str, tuple[str, ...]],
               needed: tuple[str, ...]) -> tuple[int, dict[int, str]] | None:
        """The first row (of the first 25) whose headings give every `needed` field."""
        best = None
        for r in range(min(len(grid.values), 25)):
            by_col = match_headings(grid.values[r], fields)
            if all(f in by_col.values() for f in needed):
                if best is None or len(by_col) > len(best[1]):
                    best = (r, by_col)
                if len(by_col) >= len(fields) // 2:
                    break
        return best

    def table(self, spec: Spec) -> tuple[Grid, int, dict[str, int]] | None:
        if spec.key not in self.tables:
            self.tables[spec.key] = self.find_table(spec)
        return self.tables[spec.key]

    def find_table(self, spec: Spec) -> tuple[Grid, int, dict[str, int]] | None:
        key = heading_key(spec.title)
        for grid in self.grids:
            if heading_key(grid.title) == key:
                found = self.header(grid, spec.headings, (spec.columns[0][0],))
                if found is None:
                    self.problem(Place(grid.title, 1), "aux_header",
                                 columns=", ".join(h for _, h in spec.columns))
                    return None
                row, by_col = found
                return grid, row, {f: c for c, f in by_col.items()}
        return None

    def rows(self, spec: Spec) -> Iterator[tuple[Grid, int, dict[str, Any], dict[str, int]]]:
        found = self.table(spec)
        if found is None:
            return
        grid, header, cols = found
        for r in range(header + 1, len(grid.values)):
            values = {f: grid.get(r, c) for f, c in cols.items()}
            if any(v is not None for v in values.values()):
                yield grid, r, values, cols

    # --- cells ---------------------------------------------------------------------------
    def number(self, grid: Grid, row: int, col: int | None, heading: str) -> float | None:
        value = grid.get(row, col)
        if value is None or isinstance(value, bool):
            return None
        if isinstance(value, int | float):
            number = float(value) * (100 if "%" in grid.fmt(row, col) else 1)
        else:
            try:
                number = float(str(value).replace(" ", "").rstrip("%").replace(",", "."))
            except ValueError:
                number = math.nan
        if not math.isfinite(number):
            self.problem(Place(grid.title, row + 1, col, heading), "bad_number", value=value)
            return None
        return number

    def integer(self, grid: Grid, row: int, col: int | None, heading: str) -> int | None:
        number = self.number(grid, row, col, heading)
        if number is None:
            return None
        if number != int(number):
            self.problem(Place(grid.title, row + 1, col, heading), "bad_integer",
                         value=grid.get(row, col))
            return None
        return int(number)

    def date(self, grid: Grid, row: int, col: int | None, heading: str) -> dt.date | None:
        value = grid.get(row, col)
        if value is None:
            return None
        day = parse_deadline(value)
        if day is None:
            self.problem(Place(grid.title, row + 1, col, heading), "bad_date", value=value)
        return day


# --- registries: phases, areas, people ---------------------------------------------------------


def _bare(text: str) -> str:
    """"A. Giai đoạn 2021-2023" → "Giai đoạn 2021-2023"; "1. Cải cách thể chế" → "Cải ..."."""
    return NUMBERING.sub("", text or "").strip()


class _Phases:
    def __init__(self, reader: _Reader, items: list[dict] | None) -> None:
        self.reader, self.items, self.fixed = reader, list(items or []), items is not None

    def find(self, text: str) -> str | None:
        key, bare = fold(text), fold(_bare(text))
        for p in self.items:
            if key in (fold(str(p.get("code"))), fold(str(p.get("name")))) or \
                    bare == fold(str(p.get("name"))):
                return p["code"]
        return None

    def end(self, code: str | None) -> dt.date | None:
        for p in self.items:
            if p.get("code") == code and isinstance(p.get("end"), dt.date):
                return p["end"]
        return None

    def infer(self, text: str, grid: Grid, row: int, col: int | None,
              heading: str | None = None) -> str | None:
        """A phase named in the table ("Giai đoạn 2021-2023"): its years are its dates."""
        years = years_in(fold(text))
        if not years:
            self.reader.problem(Place(grid.title, row + 1, col, heading), "phase_years",
                                value=text)
            return None
        code = chr(ord("A") + len(self.items))
        self.reader.at(("phases", len(self.items)), grid, row, col)
        self.items.append({"code": code, "name": _bare(text),
                           "start": dt.date(years[0], 1, 1), "end": dt.date(years[-1], 12, 31)})
        return code


class _Areas:
    def __init__(self, reader: _Reader, items: list[dict] | None) -> None:
        self.reader, self.items, self.fixed = reader, list(items or []), items is not None

    def find(self, text: str) -> str | None:
        key, bare = fold(text), fold(_bare(text))
        for a in self.items:
            if key in (fold(str(a.get("code"))), fold(str(a.get("name")))) or \
                    bare == fold(str(a.get("name"))):
                return a["code"]
        return None

    def create(self, text: str, grid: Grid, row: int, col: int | None) -> str:
        name = _bare(text)
        code, n = initials(name), 2
        taken = {a["code"] for a in self.items}
        while code in taken:
            code, n = f"{initials(name)}{n}", n + 1
        self.reader.at(("areas", len(self.items)), grid, row, col)
        self.items.append({"code": code, "number": len(self.items) + 1, "name": name,
                           "name_en": "", "aliases": [], "tasks": [], "source": ""})
        return code


class _People:
    def __init__(self, items: list[dict]) -> None:
        self.items = items
        self.by_key = {p["key"]: p for p in items if p.get("key")}
        self.by_label: dict[str, str] = {}
        for p in items:
            if p.get("key"):
                self.by_label.setdefault(fold(person_display(_person(p))), p["key"])

    def resolve(self, label: str) -> str:
        """The key of the person a cell names, adding them when the sheet lists nobody so."""
        if label in self.by_key:
            return label
        found = self.by_label.get(fold(label))
        if found:
            return found
        parsed = parse_person(label)
        base = slug(parsed.name or parsed.title or parsed.department or label) or "NGUOI"
        key, n = base, 2
        while key in self.by_key:
            key, n = f"{base}_{n}", n + 1
        person = {"key": key, "name": parsed.name, "title": parsed.title,
                  "department": parsed.department}
        self.items.append(person)
        self.by_key[key] = person
        self.by_label[fold(label)] = key
        return key

    def keys(self, value: Any) -> list[str]:
        keys = []
        for label in split_people(value):
            key = self.resolve(label)
            if key not in keys:
                keys.append(key)
        return keys


def _person(p: dict) -> ps.Person:
    return ps.Person(key=p["key"], name=p.get("name"), title=p.get("title"),
                     department=p.get("department"))


@dataclass
class _Draft:
    """A target being assembled from its rows."""

    grid: Grid
    cols: dict[str, int]
    area: str
    code: str | None
    key: str
    first_row: int
    fields: dict[str, Any]
    responsible: list[str] = field(default_factory=list)
    coordinators: list[str] = field(default_factory=list)
    values: list[dict] = field(default_factory=list)
    rows: list[int] = field(default_factory=list)
    guesses: list[tuple[int, str]] = field(default_factory=list)

    def slots(self) -> set[tuple[Any, Any]]:
        return {(v.get("phase"), v.get("year")) for v in self.values}


# --- the whole workbook ------------------------------------------------------------------------

_DUE_LINE = re.compile(r"^(?P<label>.+?)\s*\((?P<period>[^()]+)\)\s*:\s*(?P<when>.*?)\s*"
                       r"(?P<day>\d{1,2})\s*/\s*(?P<month>\d{1,2})\s*$")
_FREQUENCIES = {fold(v): k for k, v in FREQUENCY_WORDS.items()} | {
    "hang thang": "monthly", "monthly": "monthly", "hang quy": "quarterly",
    "quarterly": "quarterly", "hang nam": "yearly", "yearly": "yearly"}
_MEASURED = {fold(v): k for k, v in MEASURED_WORDS.items()} | {"office": "office",
                                                               "school": "school"}


def _measured(value: Any) -> str:
    key = fold(_text(value) or "")
    if not key:
        return "office"
    if key in _MEASURED:
        return _MEASURED[key]
    return "school" if "truong" in key.split() else "office" if key.startswith(
        ("toan", "don vi", "phong", "co quan")) else str(value)


class PlanReader(_Reader):
    """A whole workbook: `run()` gives the plan data (a dict shaped like a plan file) and fills
    `problems`, `skipped`, `guessed` and `origin` (where each field was read)."""

    def run(self) -> dict:
        aux = {heading_key(s.title) for s in AUX_SPECS}
        main = self.main_table([g for g in self.grids if heading_key(g.title) not in aux])
        if main is None:
            raise Unreadable
        meta = self.meta()
        phase_rows = self.placed("phases", [self.phase(grid, r, v, c)
                                            for grid, r, v, c in self.rows(AUX_SPECS[2])])
        self.phases = _Phases(self, phase_rows if self.table(AUX_SPECS[2]) else None)
        area_rows = self.placed("areas", [self.area(grid, r, v, c)
                                          for grid, r, v, c in self.rows(AUX_SPECS[3])])
        self.areas = _Areas(self, area_rows if self.table(AUX_SPECS[3]) else None)
        for grid, r, values, cols in self.rows(AUX_SPECS[4]):  # tasks
            code = self.areas.find(_text(values.get("area")) or "")
            if code is None:
                self.problem(Place(grid.title, r + 1, cols.get("area"), "Lĩnh vực"),
                             "unknown_area", value=values.get("area"))
                continue
            next(a for a in self.areas.items if a["code"] == code)["tasks"].append(
                _text(values.get("text")) or "")
        self.people = _People([
            {"key": _text(v.get("key")), "name": _text(v.get("name")),
             "title": _text(v.get("title")), "department": _text(v.get("department"))}
            for _, _, v, _ in self.rows(AUX_SPECS[5])])
        for i, (grid, r, _, _) in enumerate(self.rows(AUX_SPECS[5])):
            self.at(("people", i), grid, r)
        targets = self.targets(*main) if main else []
        obligations = [self.obligation(i, *row) for i, row in
                       enumerate(self.rows(AUX_SPECS[6]))]
        reviews = [self.review(i, *row) for i, row in enumerate(self.rows(AUX_SPECS[7]))]
        texts: dict[str, list[str]] = {f: [] for f, _ in TEXT_KINDS}
        kinds = {heading_key(label): f for f, label in TEXT_KINDS}
        for grid, r, values, cols in self.rows(AUX_SPECS[1]):
            kind = kinds.get(heading_key(values.get("kind")))
            if kind is None:
                self.problem(Place(grid.title, r + 1, cols.get("kind"), "Loại"), "unknown_kind",
                             value=values.get("kind"),
                             kinds=", ".join(label for _, label in TEXT_KINDS))
                continue
            texts[kind].append(_text(values.get("text")) or "")
        ocr = [{"seen": _text(v.get("seen")) or "", "fixed": _text(v.get("fixed")) or "",
                "where": _text(v.get("where")) or ""} for _, _, v, _ in self.rows(AUX_SPECS[8])]
        self.fill_meta(meta, main, targets)
        self.fill_years(meta, targets)
        issuer = {"unit": meta.get("issuer.unit"), "name": meta.get("issuer.name"),
                  "level": meta.get("issuer.level") or "office"}
        for key in ("dissolved_on", "dissolved_note"):
            if meta.get(f"issuer.{key}") is not None:
                issuer[key] = meta[f"issuer.{key}"]
        return {
            "code": meta.get("code"), "number": meta.get("number"), "title": meta.get("title"),
            "title_en": meta.get("title_en") or "", "issued_on": meta.get("issued_on"),
            "place": meta.get("place") or "", "issuer": issuer,
            "legal_bases": texts["legal_bases"], "period_start": meta.get("period_start"),
            "period_end": meta.get("period_end"), "purposes": texts["purposes"],
            "requirements": texts["requirements"], "phases": self.phases.items,
            "people": self.people.items, "areas": self.areas.items, "targets": targets,
            "obligations": obligations, "reviews": reviews, "notes": texts["notes"],
            "ocr_fixes": ocr,
        }

    def placed(self, kind: str, items: list[dict]) -> list[dict]:
        for i, item in enumerate(items):
            grid, row = item.pop("_row")
            self.at((kind, i), grid, row)
        return items

    # --- metadata ------------------------------------------------------------------------
    def meta(self) -> dict[str, Any]:
        labels = {heading_key(label): f for f, label in META_ROWS}
        out: dict[str, Any] = {}
        for grid, r, values, cols in self.rows(AUX_SPECS[0]):
            name = labels.get(heading_key(values.get("item")))
            col = cols.get("value")
            if name is None:
                self.skip("ignored_row", sheet=grid.title, row=r + 1,
                          text=_text(values.get("item")) or "")
                continue
            if name in ("issued_on", "issuer.dissolved_on"):
                value = self.date(grid, r, col, "Nội dung")
            elif name in ("period_start", "period_end"):
                value = self.integer(grid, r, col, "Nội dung")
            else:
                value = _text(values.get("value"))
            out[name] = value
            self.at(tuple(name.split(".")), grid, r, col, "Nội dung")
        return out

    def fill_meta(self, meta: dict, main: tuple | None, targets: list[dict]) -> None:
        """What the metadata sheet does not give: from the title lines above the table, then
        from the plan in force."""
        grid, header = (main[0], main[1]) if main else (None, 0)
        lines: list[tuple[int, str]] = []
        if grid is not None:
            for r in range(header):
                for value in dict.fromkeys(_text(v) for v in grid.values[r]):
                    if value:
                        lines.append((r, value))
        used: set[str] = set()

        def take(name: str, value: Any, row: int | None) -> None:
            if meta.get(name) is None and value is not None:
                meta[name] = value
                if grid is not None and row is not None:
                    self.at(tuple(name.split(".")), grid, row)

        for r, line in lines:
            if match := re.search(r"\bs[ốo]\s*:?\s*(\d+[\w.]*/[\w.&Đđ-]+)", line, re.I):
                take("number", match.group(1), r)
                used.add(line)
            if match := re.search(r"ngày\s+(\d{1,2})\s*(?:/|tháng)\s*(\d{1,2})\s*(?:/|năm)\s*"
                                  r"(\d{4})", line, re.I):
                try:
                    take("issued_on", dt.date(int(match.group(3)), int(match.group(2)),
                                              int(match.group(1))), r)
                except ValueError:
                    self.problem(Place(grid.title, r + 1), "bad_date", value=match.group(0))
                used.add(line)
                if place := re.match(r"^\s*([^,\d]{2,40}),\s*ngày", line, re.I):
                    take("place", place.group(1).strip(), r)
            folded = fold(line)
            if folded.startswith(("cong hoa", "doc lap")):
                used.add(line)
            elif folded.startswith(("phong ", "ubnd", "uy ban", "truong ", "so ", "ban ")) \
                    and meta.get("issuer.name") is None and line not in used:
                used.add(line)
                if self.defaults.issuer_name and fold(self.defaults.issuer_name).startswith(
                        folded):
                    continue  # the plan in force names the same body in full
                name = line if not line.isupper() else line[:1] + line[1:].lower()
                take("issuer.name", name, r)
                take("issuer.unit", slug(name, "-"), r)
        titles = [(r, line) for r, line in lines if line not in used]
        if titles:
            r, title = max(titles, key=lambda x: len(x[1]))
            take("title", title, r)
        defaults = self.defaults
        if meta.get("issuer.name") is None and defaults.issuer_name:
            meta["issuer.name"], meta["issuer.unit"] = defaults.issuer_name, defaults.issuer_unit
            meta.setdefault("issuer.level", defaults.issuer_level)
            self.skip("default_issuer", issuer=defaults.issuer_name)
        if meta.get("issuer.unit") is None and meta.get("issuer.name"):
            meta["issuer.unit"] = slug(meta["issuer.name"], "-")
        if meta.get("place") is None and defaults.place:
            meta["place"] = defaults.place
        if meta.get("title") is None and grid is not None:
            meta["title"] = grid.title
        where = Place(grid.title if grid else "", 1 if grid else None)
        for name, label in (("number", "number"), ("issued_on", "issued_on"),
                            ("issuer.name", "issuer")):
            if meta.get(name) is None:
                self.problems.append(SheetProblem(where, t(
                    "exports.plansheet.missing_meta", self.lang,
                    item=t(f"exports.plansheet.meta.{label}", self.lang))))
        if meta.get("code") is None and meta.get("number") and meta.get("issued_on"):
            meta["code"] = f"{slug(meta['number'], '-')}-{meta['issued_on'].year}"
        title_years = years_in(fold(meta.get("title") or ""))
        if len(title_years) >= 2:
            meta.setdefault("period_start", title_years[0])
            meta.setdefault("period_end", title_years[-1])
        if meta.get("period_start") is None or meta.get("period_end") is None:
            years = [y for p in self.phases.items for d in (p.get("start"), p.get("end"))
                     if isinstance(d, dt.date) for y in [d.year]]
            years += [v["year"] for tg in targets for v in tg["values"] if v.get("year")]
            years += [v["deadline"].year for tg in targets for v in tg["values"]
                      if isinstance(v.get("deadline"), dt.date)]
            if years:
                meta["period_start"] = meta.get("period_start") or min(years)
                meta["period_end"] = meta.get("period_end") or max(years)
            else:
                self.problems.append(SheetProblem(where, t(
                    "exports.plansheet.missing_meta", self.lang,
                    item=t("exports.plansheet.meta.period", self.lang))))

    def fill_years(self, meta: dict, targets: list[dict]) -> None:
        """Rows that named no phase, year or deadline are due at the end of the plan."""
        end = meta.get("period_end")
        for target in targets:
            for value in target["values"]:
                if value.get("phase") is None and value.get("year") is None and end:
                    value["year"] = end
                if value.get("deadline") is None and value.get("year"):
                    value["deadline"] = dt.date(value["year"], 12, 31)

    # --- auxiliary sheets ----------------------------------------------------------------
    def phase(self, grid: Grid, r: int, values: dict, cols: dict) -> dict:
        return {"code": _text(values.get("code")), "name": _text(values.get("name")),
                "start": self.date(grid, r, cols.get("start"), "Từ ngày"),
                "end": self.date(grid, r, cols.get("end"), "Đến ngày"), "_row": (grid, r)}

    def area(self, grid: Grid, r: int, values: dict, cols: dict) -> dict:
        return {"code": _text(values.get("code")),
                "number": self.integer(grid, r, cols.get("number"), "TT"),
                "name": _text(values.get("name")), "name_en": _text(values.get("name_en")) or "",
                "aliases": [s.strip() for s in (_text(values.get("aliases")) or "").split("\n")
                            if s.strip()],
                "tasks": [], "source": _text(values.get("source")) or "", "_row": (grid, r)}

    def obligation(self, i: int, grid: Grid, r: int, values: dict, cols: dict) -> dict:
        self.at(("obligations", i), grid, r)
        frequency_text = _text(values.get("frequency")) or ""
        frequency = _FREQUENCIES.get(fold(frequency_text))
        if frequency is None:
            self.problem(Place(grid.title, r + 1, cols.get("frequency"), "Tần suất"),
                         "bad_frequency", value=frequency_text)
        area = None
        if _text(values.get("area")):
            area = self.areas.find(values["area"])
            if area is None:
                self.problem(Place(grid.title, r + 1, cols.get("area"), "Lĩnh vực"),
                             "unknown_area", value=values["area"])
        due = []
        for line in (_text(values.get("due")) or "").split("\n"):
            if not line.strip():
                continue
            match = _DUE_LINE.match(line.strip())
            if match is None:
                self.problem(Place(grid.title, r + 1, cols.get("due"), "Hạn nộp"), "bad_due",
                             value=line)
                continue
            due.append({"label": match.group("label"), "period": match.group("period").strip(),
                        "month": int(match.group("month")), "day": int(match.group("day")),
                        "before": fold(match.group("when")).startswith("truoc")})
        rule_text = _text(values.get("due_rule"))
        rule = None
        if rule_text:
            day = re.search(r"\d+", rule_text)
            rule = "last_day" if fold(rule_text) in (fold(LAST_DAY), "last_day") else \
                f"day:{day.group(0)}" if day else rule_text
        return {"code": _text(values.get("code")), "name": _text(values.get("name")),
                "name_en": _text(values.get("name_en")) or "", "frequency": frequency,
                "recipient": _text(values.get("recipient")) or "", "area": area, "due": due,
                "due_rule": rule, "responsible": self.people.keys(values.get("responsible")),
                "coordinators": self.people.keys(values.get("coordinators")),
                "source": _text(values.get("source")) or "", "note": _text(values.get("note"))}

    def review(self, i: int, grid: Grid, r: int, values: dict, cols: dict) -> dict:
        self.at(("reviews", i), grid, r)
        phase = None
        if _text(values.get("phase")):
            phase = self.phases.find(values["phase"])
            if phase is None:
                self.problem(Place(grid.title, r + 1, cols.get("phase"), "Giai đoạn"),
                             "unknown_phase", value=values["phase"],
                             phases=", ".join(str(p.get("name")) for p in self.phases.items))
        return {"code": _text(values.get("code")), "name": _text(values.get("name")),
                "name_en": _text(values.get("name_en")) or "", "phase": phase,
                "year": self.integer(grid, r, cols.get("year"), "Năm"),
                "month": self.integer(grid, r, cols.get("month"), "Tháng"),
                "source": _text(values.get("source")) or "", "note": _text(values.get("note"))}

    # --- the table of targets ------------------------------------------------------------
    def main_table(self, grids: list[Grid]) -> tuple[Grid, int, dict[str, int],
                                                     dict[str, str | None]] | None:
        for n, grid in enumerate(grids):
            for r in range(min(len(grid.values), 25)):
                by_col = match_headings(grid.values[r], MAIN_FIELDS)
                names = set(by_col.values())
                texts = {_text(grid.values[r][c]) for c in by_col}
                if not ({"target", "text"} & names) or len(texts) < 2:
                    continue
                cols = {f: c for c, f in by_col.items()}
                heads = {f: _text(grid.values[r][c]) for f, c in cols.items()}
                for c, value in enumerate(grid.values[r]):
                    if _text(value) and c not in by_col:
                        self.skip("ignored_column", column=_text(value),
                                  letter=get_column_letter(c + 1))
                for other in grids[:n] + grids[n + 1:]:
                    self.skip("ignored_sheet", sheet=other.title)
                if "responsible" not in names:
                    self.problem(Place(grid.title, r + 1), "missing_column",
                                 column="Người thực hiện")
                return grid, r, cols, heads
        self.problem(Place(""), "no_table")
        return None

    def targets(self, grid: Grid, header: int, cols: dict[str, int],
                heads: dict[str, str | None]) -> list[dict]:
        drafts: list[_Draft] = []
        area_text: str | None = None
        phase_code: str | None = None
        unused: tuple[int, str] | None = None  # the last group row, until a target follows it
        for r in range(header + 1, len(grid.values)):
            cells = [_text(v) for v in grid.values[r]]
            if not any(cells):
                continue
            row = {f: grid.get(r, c) for f, c in cols.items()}
            tt = _text(row.get("tt"))
            text = _text(row.get("target")) or _text(row.get("text"))
            others = {v for c, v in enumerate(cells) if v and c != cols.get("tt")}
            if len(others) == 1 and (r in grid.wide or text is None or
                                     (tt and ROMAN_OR_LETTER.match(tt))):
                heading = next(iter(others))
                if unused:
                    self.skip("ignored_row", sheet=grid.title, row=unused[0] + 1, text=unused[1])
                unused = (r, heading)
                if is_phase_name(heading):
                    phase_code = self.phases.find(heading)
                    if phase_code is None and self.phases.fixed:
                        self.problem(Place(grid.title, r + 1), "unknown_phase", value=heading,
                                     phases=", ".join(str(p.get("name"))
                                                      for p in self.phases.items))
                    elif phase_code is None:
                        phase_code = self.phases.infer(heading, grid, r, None)
                else:
                    area_text = heading
                continue
            if text is None or re.fullmatch(r"\(?\d+\)?", text):
                if text is None:
                    self.skip("ignored_row", sheet=grid.title, row=r + 1,
                              text=next(c for c in cells if c))
                continue
            unused = None
            self.target_row(drafts, grid, r, row, cols, heads, area_text, phase_code, tt)
        if unused:
            self.skip("ignored_row", sheet=grid.title, row=unused[0] + 1, text=unused[1])
        return self.finish(drafts, heads)

    def target_row(self, drafts: list[_Draft], grid: Grid, r: int, row: dict,
                   cols: dict[str, int], heads: dict, area_text: str | None,
                   phase_code: str | None, tt: str | None) -> None:
        def place(name: str) -> Place:
            return Place(grid.title, r + 1, cols.get(name), heads.get(name))

        area_cell = _text(row.get("area")) or area_text
        if area_cell is None:
            self.problem(place("target" if "target" in cols else "text"), "no_area")
            return
        area = self.areas.find(area_cell)
        if area is None:
            if self.areas.fixed:
                self.problem(place("area"), "unknown_area", value=area_cell)
                return
            area = self.areas.create(area_cell, grid, r, cols.get("area"))
        wording = _text(row.get("target"))
        pieces: list[str | None] = [wording]
        if wording and row.get("value") is None and row.get("comparison") is None:
            bullets = [re.sub(r"^\s*[-+•–*]\s*", "", line).strip()
                       for line in wording.split("\n") if re.match(r"^\s*[-+•–*]\s+", line)]
            if len(bullets) >= 2:
                pieces = list(bullets)
        for piece in pieces:
            self.value_row(drafts, grid, r, row, cols, heads, area, piece, phase_code, tt,
                           place)

    def value_row(self, drafts: list[_Draft], grid: Grid, r: int, row: dict,
                  cols: dict[str, int], heads: dict, area: str, piece: str | None,
                  phase_code: str | None, tt: str | None, place) -> None:
        head_text = _text(row.get("text"))
        wording = piece or head_text or ""
        unit = parse_unit(row.get("unit"))
        guess = guess_requirement(wording, unit)
        phase, year = None, None
        phase_raw = _text(row.get("phase"))
        if phase_raw:
            phase = self.phases.find(phase_raw)
            if phase is None:
                year = lone_year(phase_raw)
                if year is None and not self.phases.fixed and is_phase_name(phase_raw):
                    phase = self.phases.infer(phase_raw, grid, r, cols.get("phase"),
                                              heads.get("phase"))
                elif year is None:
                    self.problem(place("phase"), "unknown_phase", value=phase_raw,
                                 phases=", ".join(str(p.get("name"))
                                                  for p in self.phases.items) or "-")
        elif phase_code:
            phase = phase_code
        if row.get("year") is not None:
            year = lone_year(row["year"])
            if year is None:
                self.problem(place("year"), "bad_year", value=row["year"])
        deadline = self.date(grid, r, cols.get("deadline"), heads.get("deadline"))
        if phase is None and year is None:
            year = deadline.year if deadline else year_in_text(wording)
        if deadline is None and row.get("deadline") is None and phase:
            deadline = self.phases.end(phase)
        comparison, value, value_max = self.requirement(grid, r, row, cols, heads, place, unit)
        guessed = None
        if value is None and comparison is None:
            comparison, value, value_max = guess.comparison, guess.value, guess.value_max
            guessed = guess.words
        elif comparison is None:
            comparison = "range" if value_max is not None else guess.comparison \
                if guess.value == value and guess.comparison != Comparison.DONE else "at_least"
        if unit is None:
            unit = Unit.BOOLEAN if comparison == Comparison.DONE else \
                Unit.RANK if comparison == Comparison.TOP else \
                guess.unit if guess.comparison != Comparison.DONE else Unit.PERCENT
        if unit == Unit.BOOLEAN or comparison == Comparison.DONE:
            comparison, value, value_max = "done", None, None
        code = _text(row.get("code"))
        key = target_key(head_text or wording)
        draft = None
        for d in drafts:
            if code and d.code and fold(d.code) == fold(code):
                draft = d
            elif not code and d.code is None and d.area == area and same_target(d.key, key) \
                    and (phase, year) not in d.slots():
                draft = d
            if draft:
                break
        if draft is None:
            baseline = self.integer(grid, r, cols.get("baseline_year"), heads.get(
                "baseline_year") or "") if row.get("baseline_year") is not None else None
            draft = _Draft(grid, cols, area, code, key, r, {
                "name": _text(row.get("name")), "unit": unit, "text": head_text,
                "first_text": wording, "name_en": _text(row.get("name_en")) or "",
                "measured_per": _measured(row.get("measured_per")), "baseline_year": baseline,
                "keywords": [s.strip() for s in (_text(row.get("keywords")) or "").split("\n")
                             if s.strip()],
                "note": _text(row.get("note"))})
            drafts.append(draft)
        for attr in ("responsible", "coordinators"):
            for key_ in self.people.keys(row.get(attr)):
                if key_ not in getattr(draft, attr):
                    getattr(draft, attr).append(key_)
        if guessed is not None:
            draft.guesses.append((r + 1, guessed))
        source = _text(row.get("source")) or (f"{grid.title}, TT {tt}" if tt else
                                              f"{grid.title}, dòng {r + 1}")
        draft.values.append({"phase": phase, "year": year, "value": value,
                             "value_max": value_max, "comparison": comparison,
                             "deadline": deadline,
                             "text": piece if "target" in cols else None, "source": source,
                             "_row": r})

    def requirement(self, grid: Grid, r: int, row: dict, cols: dict, heads: dict, place,
                    unit: str | None) -> tuple[str | None, float | None, float | None]:
        """The comparison and values the row's own columns give (None where they are empty)."""
        comparison = None
        if row.get("comparison") is not None:
            comparison = parse_comparison(row["comparison"])
            if comparison is None:
                self.problem(place("comparison"), "bad_comparison", value=row["comparison"])
        value = value_max = None
        raw = row.get("value")
        if isinstance(raw, str) and not re.fullmatch(r"\s*-?\d+(?:[.,]\d+)?\s*%?\s*", raw):
            read: Guess = guess_requirement(raw, unit)
            if read.comparison == Comparison.DONE:
                self.problem(place("value"), "bad_number", value=raw)
            else:
                value, value_max = read.value, read.value_max
                comparison = comparison or read.comparison
        else:
            value = self.number(grid, r, cols.get("value"), heads.get("value") or "")
        if row.get("value_max") is not None:
            value_max = self.number(grid, r, cols.get("value_max"), heads.get("value_max") or "")
        return comparison, value, value_max

    def finish(self, drafts: list[_Draft], heads: dict) -> list[dict]:
        """Codes for targets the table gave none, and where each field came from."""
        taken = {fold(d.code) for d in drafts if d.code}
        per_area: dict[str, int] = {}
        generated, targets = [], []
        for i, d in enumerate(drafts):
            code = d.code
            if code is None:
                n = per_area.get(d.area, 0)
                while True:
                    n += 1
                    code = f"{d.area}-{n}"
                    if fold(code) not in taken:
                        break
                per_area[d.area] = n
                taken.add(fold(code))
                generated.append(code)
            first_text = d.fields.pop("first_text")
            name = d.fields.pop("name") or _shorten(first_text or d.fields["text"] or code)
            text = d.fields.pop("text") or first_text or name
            read = list(dict.fromkeys(words for _, words in d.guesses if words))
            if read:
                self.guessed[code] = "; ".join(read)
            for row, words in d.guesses:
                if not words:
                    self.skip("assumed_done", row=row, code=code)
            col = d.cols
            self.origin[("targets", i)] = Place(d.grid.title, d.first_row + 1,
                                                col.get("code", col.get("target")))
            for name_ in ("area", "responsible", "coordinators", "unit", "measured_per",
                          "name", "name_en", "baseline_year", "code"):
                if name_ in col or name_ in ("responsible",):
                    self.origin[("targets", i, name_)] = Place(
                        d.grid.title, d.first_row + 1, col.get(name_), heads.get(name_))
            for j, value in enumerate(d.values):
                row = value.pop("_row")
                self.origin[("targets", i, "values", j)] = Place(d.grid.title, row + 1)
                for name_, column in (("value", "value"), ("value_max", "value_max"),
                                      ("comparison", "comparison"), ("deadline", "deadline"),
                                      ("phase", "phase"), ("year", "year"), ("text", "target")):
                    where = column if column in col else "target"
                    self.origin[("targets", i, "values", j, name_)] = Place(
                        d.grid.title, row + 1, col.get(where), heads.get(where))
            targets.append({"code": code, "area": d.area, "name": name, "text": text,
                            **d.fields, "values": d.values, "responsible": d.responsible,
                            "coordinators": d.coordinators})
        if generated:
            self.skip("codes_generated", codes=", ".join(generated))
        return targets


def _shorten(text: str, limit: int = 80) -> str:
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    return text[:limit].rsplit(" ", 1)[0].rstrip(",;:") + "…"
