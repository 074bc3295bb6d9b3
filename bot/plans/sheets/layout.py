"""The layout of a plan workbook, and writing a plan into it (`parbot plan export`).

The first sheet, "Chỉ tiêu", is the table officials write: one row per requirement (a target's
value in one phase or year) with the columns TT, Lĩnh vực, Chỉ tiêu cần đạt, Giá trị, Đơn vị tính,
Thời hạn, Giai đoạn, Người thực hiện, Người phối hợp..., the target's own cells merged over its
rows and the area's over its targets, as in a printed appendix. The other sheets carry what a
table of targets cannot (metadata, phases, areas and their tasks, people, recurring reports,
reviews, notes), so that export then import gives back the same plan, field for field.
"""

from __future__ import annotations

import io
from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING

from bot.core.text import fold
from bot.core.xlsx_tables import Column, write_table
from bot.plans import schema as ps
from bot.plans.sheets.words import COMPARISON_WORDS, UNIT_WORDS, heading_key

if TYPE_CHECKING:
    from openpyxl.worksheet.worksheet import Worksheet


@dataclass(frozen=True)
class Spec:
    """A sheet: its title and its columns (field, heading as written)."""

    key: str
    title: str
    columns: tuple[tuple[str, str], ...]

    @property
    def headings(self) -> dict[str, tuple[str, ...]]:
        """Field → the one heading it is read from (for `match_headings`)."""
        return {field: (heading_key(heading),) for field, heading in self.columns}


MAIN = Spec("main", "Chỉ tiêu", (
    ("tt", "TT"), ("area", "Lĩnh vực"), ("code", "Mã chỉ tiêu"), ("name", "Tên chỉ tiêu"),
    ("target", "Chỉ tiêu cần đạt"), ("value", "Giá trị"), ("value_max", "Giá trị tối đa"),
    ("comparison", "So sánh"), ("unit", "Đơn vị tính"), ("deadline", "Thời hạn"),
    ("phase", "Giai đoạn"), ("year", "Năm"), ("responsible", "Người thực hiện"),
    ("coordinators", "Người phối hợp"), ("source", "Nguồn"), ("text", "Nội dung chỉ tiêu"),
    ("name_en", "Tên tiếng Anh"), ("measured_per", "Đo theo"), ("baseline_year", "Năm gốc"),
    ("keywords", "Từ khóa"), ("note", "Ghi chú"),
))
# Target-level columns: one value per target, merged over the target's rows.
TARGET_FIELDS = ("tt", "code", "name", "unit", "responsible", "coordinators", "text", "name_en",
                 "measured_per", "baseline_year", "keywords", "note")
META = Spec("meta", "Thông tin chung", (("item", "Mục"), ("value", "Nội dung")))
META_ROWS = (
    ("code", "Mã kế hoạch"), ("number", "Số kế hoạch"), ("title", "Tên kế hoạch"),
    ("title_en", "Tên tiếng Anh"), ("issued_on", "Ngày ban hành"), ("place", "Địa danh"),
    ("issuer.unit", "Mã đơn vị ban hành"), ("issuer.name", "Đơn vị ban hành"),
    ("issuer.level", "Cấp đơn vị"), ("issuer.dissolved_on", "Ngày giải thể"),
    ("issuer.dissolved_note", "Ghi chú về đơn vị"), ("period_start", "Từ năm"),
    ("period_end", "Đến năm"),
)
TEXTS = Spec("texts", "Căn cứ, mục đích", (("kind", "Loại"), ("text", "Nội dung")))
TEXT_KINDS = (("legal_bases", "Căn cứ"), ("purposes", "Mục đích"),
              ("requirements", "Yêu cầu"), ("notes", "Ghi chú"))
PHASES = Spec("phases", "Giai đoạn", (("code", "Mã"), ("name", "Tên giai đoạn"),
                                      ("start", "Từ ngày"), ("end", "Đến ngày")))
AREAS = Spec("areas", "Lĩnh vực", (("number", "TT"), ("code", "Mã"), ("name", "Lĩnh vực"),
                                   ("name_en", "Tên tiếng Anh"), ("aliases", "Tên gọi khác"),
                                   ("source", "Nguồn")))
TASKS = Spec("tasks", "Nhiệm vụ", (("area", "Lĩnh vực"), ("position", "TT"),
                                   ("text", "Nhiệm vụ")))
PEOPLE = Spec("people", "Người phụ trách", (("key", "Mã"), ("name", "Họ tên"),
                                            ("title", "Chức vụ"), ("department", "Bộ phận")))
OBLIGATIONS = Spec("obligations", "Báo cáo định kỳ", (
    ("code", "Mã"), ("name", "Tên báo cáo"), ("name_en", "Tên tiếng Anh"),
    ("frequency", "Tần suất"), ("recipient", "Nơi nhận"), ("area", "Lĩnh vực"),
    ("due", "Hạn nộp"), ("due_rule", "Quy tắc hạn"), ("responsible", "Người thực hiện"),
    ("coordinators", "Người phối hợp"), ("source", "Nguồn"), ("note", "Ghi chú"),
))
REVIEWS = Spec("reviews", "Sơ kết, tổng kết", (
    ("code", "Mã"), ("name", "Tên"), ("name_en", "Tên tiếng Anh"), ("phase", "Giai đoạn"),
    ("year", "Năm"), ("month", "Tháng"), ("source", "Nguồn"), ("note", "Ghi chú"),
))
OCR = Spec("ocr", "Sửa lỗi OCR", (("seen", "Bản gốc ghi"), ("fixed", "Sửa thành"),
                                  ("where", "Vị trí")))
AUX_SPECS = (META, TEXTS, PHASES, AREAS, TASKS, PEOPLE, OBLIGATIONS, REVIEWS, OCR)

FREQUENCY_WORDS = {"monthly": "hằng tháng", "quarterly": "hằng quý", "yearly": "hằng năm"}
MEASURED_WORDS = {"office": "toàn đơn vị", "school": "từng trường"}
LAST_DAY = "ngày cuối tháng"


def person_display(person: ps.Person) -> str:
    """How a people cell names someone: "Diệu Anh (bộ phận văn phòng)", "Tổ chuyên môn MN"."""
    head = person.name or person.title
    if head and person.department:
        return f"{head} ({person.department})"
    return head or person.department or person.key


def people_labels(people: list[ps.Person]) -> dict[str, str]:
    """Key → label; people whose labels would clash (with each other, or with another
    person's key) are written by their key."""
    labels = {p.key: person_display(p) for p in people}
    clashes = Counter(fold(label) for label in labels.values())
    out = {}
    for key, label in labels.items():
        ambiguous = clashes[fold(label)] > 1 or (label in labels and label != key)
        out[key] = key if ambiguous else label
    return out


def due_text(due: ps.DueDate) -> str:
    """"Quý I (Q1): trước ngày 01/3"."""
    when = "trước ngày" if due.before else "ngày"
    return f"{due.label} ({due.period}): {when} {due.day:02d}/{due.month}"


def due_rule_text(rule: str | None) -> str | None:
    if rule is None:
        return None
    if rule == "last_day":
        return LAST_DAY
    return f"ngày {rule.split(':', 1)[1]} hằng tháng" if rule.startswith("day:") else rule


def _number(value: float | None) -> float | int | None:
    if value is None:
        return None
    return int(value) if value == int(value) else value


def _lines(items: list[str]) -> str | None:
    return "\n".join(items) if items else None


def _columns(spec: Spec, widths: dict[str, int] | None = None,
             kinds: dict[str, str] | None = None) -> list[Column]:
    widths, kinds = widths or {}, kinds or {}
    return [Column(heading, widths.get(field, 16), kinds.get(field, "wrap"))
            for field, heading in spec.columns]


def _main_rows(plan: ps.Plan, labels: dict[str, str]) -> tuple[list[list], list[tuple]]:
    """Rows of the main sheet, and the (first row, last row, column) blocks to merge."""
    areas = {a.code: a for a in plan.areas}
    phases = {p.code: p for p in plan.phases}
    fields = [f for f, _ in MAIN.columns]
    rows: list[list] = []
    row_areas: list[str] = []
    merges: list[tuple] = []
    per_area: Counter[str] = Counter()
    for target in plan.targets:
        area = areas.get(target.area)
        per_area[target.area] += 1
        first = len(rows) + 2  # sheet row of the target's first value (the header is row 1)
        shared = {
            "tt": f"{area.number if area else '?'}.{per_area[target.area]}",
            "area": area.name if area else target.area, "code": target.code,
            "name": target.name, "unit": UNIT_WORDS[target.unit.value],
            "responsible": _lines([labels.get(k, k) for k in target.responsible]),
            "coordinators": _lines([labels.get(k, k) for k in target.coordinators]),
            "text": target.text, "name_en": target.name_en or None,
            "measured_per": MEASURED_WORDS.get(target.measured_per, target.measured_per),
            "baseline_year": target.baseline_year, "keywords": _lines(target.keywords),
            "note": target.note,
        }
        for value in target.values:
            own = {
                "target": value.text, "value": _number(value.value),
                "value_max": _number(value.value_max),
                "comparison": COMPARISON_WORDS[value.comparison.value],
                "deadline": value.deadline,
                "phase": phases[value.phase].name if value.phase in phases else value.phase,
                "year": value.year, "source": value.source,
            }
            rows.append([own[f] if f in own else shared[f] for f in fields])
            row_areas.append(target.area)
        last = len(rows) + 1
        if last > first:
            merges += [(first, last, fields.index(f) + 1) for f in TARGET_FIELDS]
    column, start = fields.index("area") + 1, 0
    for i in range(1, len(row_areas) + 1):
        if i == len(row_areas) or row_areas[i] != row_areas[start]:
            if i - 1 > start:
                merges.append((start + 2, i + 1, column))
            start = i
    return rows, merges


def _merge(ws: Worksheet, blocks: list[tuple]) -> None:
    from openpyxl.styles import Alignment

    for first, last, col in blocks:
        ws.merge_cells(start_row=first, start_column=col, end_row=last, end_column=col)
        ws.cell(row=first, column=col).alignment = Alignment(wrap_text=True, vertical="top")


def write_plan_workbook(plan: ps.Plan) -> bytes:
    """The plan in the officials' table layout plus the sheets that carry the rest."""
    from openpyxl import Workbook  # when first needed: not at start (idle memory)

    workbook = Workbook()
    labels = people_labels(plan.people)
    main = workbook.active
    main.title = MAIN.title
    rows, merges = _main_rows(plan, labels)
    write_table(main, _columns(MAIN, {"tt": 6, "area": 22, "code": 10, "name": 28,
                                      "target": 48, "value": 9, "value_max": 9, "text": 40,
                                      "responsible": 26, "coordinators": 26, "note": 30},
                               {"value": "number", "value_max": "number", "deadline": "date",
                                "year": "int", "baseline_year": "int", "tt": "text",
                                "code": "text"}), rows)
    _merge(main, merges)

    def sheet(spec: Spec, values: list[list], **formats) -> None:
        ws = workbook.create_sheet(spec.title)
        write_table(ws, _columns(spec, formats.get("widths"), formats.get("kinds")), values)

    issuer = plan.issuer
    meta = {"code": plan.code, "number": plan.number, "title": plan.title,
            "title_en": plan.title_en, "issued_on": plan.issued_on, "place": plan.place,
            "issuer.unit": issuer.unit, "issuer.name": issuer.name, "issuer.level": issuer.level,
            "issuer.dissolved_on": issuer.dissolved_on,
            "issuer.dissolved_note": issuer.dissolved_note, "period_start": plan.period_start,
            "period_end": plan.period_end}
    ws = workbook.create_sheet(META.title)
    write_table(ws, [Column("Mục", 22, "text"), Column("Nội dung", 90, "wrap")],
                [[label, meta[field]] for field, label in META_ROWS])
    for row in range(2, len(META_ROWS) + 2):
        if META_ROWS[row - 2][0] in ("issued_on", "issuer.dissolved_on"):
            ws.cell(row=row, column=2).number_format = "dd/mm/yyyy"
    sheet(TEXTS, [[label, text] for field, label in TEXT_KINDS for text in getattr(plan, field)],
          widths={"kind": 12, "text": 100})
    sheet(PHASES, [[p.code, p.name, p.start, p.end] for p in plan.phases],
          kinds={"start": "date", "end": "date", "code": "text", "name": "text"},
          widths={"name": 28})
    sheet(AREAS, [[a.number, a.code, a.name, a.name_en, _lines(a.aliases), a.source]
                  for a in plan.areas], kinds={"number": "int"},
          widths={"name": 40, "name_en": 36, "aliases": 36})
    sheet(TASKS, [[a.code, i, text] for a in plan.areas for i, text in enumerate(a.tasks, 1)],
          kinds={"position": "int"}, widths={"text": 100})
    sheet(PEOPLE, [[p.key, p.name, p.title, p.department] for p in plan.people],
          widths={"department": 32})
    sheet(OBLIGATIONS, [
        [o.code, o.name, o.name_en, FREQUENCY_WORDS.get(o.frequency, o.frequency), o.recipient,
         o.area, _lines([due_text(d) for d in o.due]), due_rule_text(o.due_rule),
         _lines([labels.get(k, k) for k in o.responsible]),
         _lines([labels.get(k, k) for k in o.coordinators]), o.source, o.note]
        for o in plan.obligations], widths={"name": 36, "due": 30, "note": 60})
    phase_names = {p.code: p.name for p in plan.phases}
    sheet(REVIEWS, [[r.code, r.name, r.name_en, phase_names.get(r.phase, r.phase), r.year,
                     r.month, r.source, r.note] for r in plan.reviews],
          kinds={"year": "int", "month": "int"}, widths={"name": 36, "note": 60})
    sheet(OCR, [[f.seen, f.fixed, f.where] for f in plan.ocr_fixes],
          widths={"seen": 30, "fixed": 30, "where": 60})
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
