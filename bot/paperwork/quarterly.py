"""The quarterly CCHC report draft: what officers reported in a period, as a Word document in
the administrative form of Nghị định 30/2020/NĐ-CP.

`quarterly_data` gathers plain values (per area, each target's figure in the period against the
requirement in force, the officers' notes, what falls due next period); `render_docx` lays them
out: the two-column header (issuing body and number | national motto, place and date), the title,
sections I-V, the data appendix, "Nơi nhận" and the signature block, in Times New Roman 13-14.
Parts only a person can write (assessment, proposals) are left as marked placeholders.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from dataclasses import dataclass, field

from docx import Document
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_COLOR_INDEX
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt
from docx.table import _Cell
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from bot.core.catalogue import t
from bot.core.clock import clock
from bot.core.formatting import fmt_date, fmt_short_date
from bot.core.text import fold
from bot.paperwork.periods import Period, figure_between
from bot.plans.deadlines import DueItem, due_items
from bot.plans.store import plan_by_code
from bot.progress import (
    Figure,
    Requirement,
    assess,
    made_by_now,
    meets,
    requirement_in_force,
    requirements,
)
from bot.progress.wording import requirement_text, value_text
from storage import models as m

FONT = "Times New Roman"
VERDICTS = ("achieved", "on_track", "behind", "not_achieved", "no_data")
APPENDIX_MM = 262  # A4 landscape, 20 mm left and 15 mm right margins
SIGNER_TITLES = ("truong phong", "chu tich", "giam doc", "hieu truong", "thu truong")


class NoPlan(LookupError):
    """No plan is loaded (or none with the code asked for)."""


@dataclass(frozen=True)
class Note:
    officer: str
    day: dt.date
    text: str


@dataclass(frozen=True)
class TargetResult:
    code: str
    name: str
    unit: str
    requirement: Requirement | None
    figure: Figure
    state: str  # bot.progress state at the end of the period (or today)
    verdict: str  # one of VERDICTS: the assessment's state in a report's words
    notes: list[Note] = field(default_factory=list)


@dataclass(frozen=True)
class AreaResult:
    number: int
    code: str
    name: str
    targets: list[TargetResult]


@dataclass(frozen=True)
class NextItem:
    """Something due next period; for a target, the requirement it must reach."""

    item: DueItem
    requirement: str | None = None
    verdict: str | None = None  # a target's verdict and figure at the end of the period
    value: float | None = None
    unit: str | None = None


@dataclass(frozen=True)
class Issuing:
    """Who issues the report, where, and to whom — for periods after the issuing body was
    reorganised (2025: the districts were dissolved), from settings (PARBOT_REPORT_*)."""

    unit: str | None = None
    parent: str | None = None
    place: str | None = None
    recipients: tuple[str, ...] = ()

    @classmethod
    def from_settings(cls, settings) -> Issuing:
        recipients = tuple(r.strip() for r in (settings.report_recipients or "").split(";")
                           if r.strip())
        return cls(settings.report_issuer, settings.report_parent, settings.report_place,
                   recipients)


@dataclass(frozen=True)
class QuarterlyData:
    period: Period
    as_of: dt.date  # the day states are judged on: the period's last day, or today if earlier
    today: dt.date
    plan_number: str
    plan_title: str
    plan_issued_on: dt.date
    issuer: str
    parent: str | None
    place: str
    areas: list[AreaResult]
    reports: int
    officers: int
    evidence: int
    next_period: Period
    next_items: list[NextItem]
    recipients: list[str]
    signer_title: str | None
    signer_name: str | None
    missing: tuple[str, ...] = ()  # issuing facts unset after a reorganisation: placeholders
    reorganised_on: dt.date | None = None

    @property
    def number_suffix(self) -> str:
        """"PGDĐT" from "737/KH-PGDĐT": the issuer's abbreviation for the report number."""
        tail = self.plan_number.split("/", 1)[-1]
        return tail.split("-", 1)[1] if "-" in tail else tail

    def count(self, verdict: str) -> int:
        return sum(1 for a in self.areas for r in a.targets if r.verdict == verdict)


def verdict_of(state: str, req: Requirement | None, as_of: dt.date) -> str:
    """The assessment's state as a report words it: đạt, đúng tiến độ, chậm tiến độ (at risk
    or behind), chưa đạt once the requirement's deadline has come (a target due on the last
    day of the period and not met is "chưa đạt" in that period's report), chưa có số liệu —
    never "đạt" without a figure."""
    if state == "achieved":
        return "achieved"
    if state == "overdue" or (req is not None and req.deadline <= as_of):
        return "not_achieved"
    if state == "no_data":
        return "no_data"
    return "on_track" if state == "on_track" else "behind"


def quarterly_data(engine: Engine, period: Period, today: dt.date,
                   plan_code: str | None = None, issuing: Issuing | None = None
                   ) -> QuarterlyData:
    as_of = min(period.end, today)
    start, end = period.utc_bounds()
    with Session(engine) as session:
        plan = plan_by_code(session, plan_code)
        if plan is None:
            raise NoPlan(plan_code or "")
        issuer = session.get(m.Unit, plan.issuer_unit_id)
        parent = session.get(m.Unit, issuer.parent_id) if issuer.parent_id else None
        officers = {o.id: o.full_name for o in session.exec(select(m.Officer))}
        areas = []
        for area in session.exec(select(m.Area).where(m.Area.plan_id == plan.id)
                                 .order_by(m.Area.number)):
            targets = session.exec(select(m.Target).where(m.Target.area_id == area.id)
                                   .order_by(m.Target.id))
            results = [_target_result(session, target, start, end, as_of, officers)
                       for target in targets]
            areas.append(AreaResult(area.number, area.code, area.name, results))
        rows = session.exec(
            select(m.ProgressReport.id, m.ProgressReport.officer_id)
            .join(m.Target, m.Target.id == m.ProgressReport.target_id)
            .where(m.Target.plan_id == plan.id, m.ProgressReport.withdrawn_at.is_(None),
                   m.ProgressReport.reported_at >= start, m.ProgressReport.reported_at < end,
                   made_by_now())
        ).all()
        report_ids = [r[0] for r in rows]
        evidence = len(session.exec(select(m.Evidence.id).where(
            m.Evidence.report_id.in_(report_ids))).all()) if report_ids else 0
        following = period.next()
        results = {r.code: r for a in areas for r in a.targets}
        items = _next_items(session, _distinct(due_items(session, plan, following.start,
                                                         following.end)), results)
        recipients = sorted({o.recipient for o in session.exec(
            select(m.Obligation).where(m.Obligation.plan_id == plan.id)) if o.recipient})
        signer_title, signer_name = _signer(session, plan)
        issuer_name, parent_name = issuer.name, parent.name if parent else None
        place = (plan.document or {}).get("place", "")
        dissolved = ((plan.document or {}).get("issuer") or {}).get("dissolved_on")
        reorganised_on = dt.date.fromisoformat(str(dissolved)) if dissolved else None
        missing: list[str] = []
        if reorganised_on is not None and period.end >= reorganised_on:
            issuing = issuing or Issuing()  # the old office and its council no longer exist
            issuer_name, parent_name = issuing.unit, issuing.parent
            place, recipients = issuing.place or "", list(issuing.recipients)
            missing = [key for key, value in (("issuer", issuing.unit),
                                              ("place", issuing.place),
                                              ("recipients", issuing.recipients)) if not value]
        return QuarterlyData(
            period=period, as_of=as_of, today=today, plan_number=plan.number,
            plan_title=plan.title, plan_issued_on=plan.issued_on, issuer=issuer_name or "",
            parent=parent_name, place=place, areas=areas, reports=len(rows),
            officers=len({r[1] for r in rows}), evidence=evidence, next_period=following,
            next_items=items, recipients=recipients, signer_title=signer_title,
            signer_name=signer_name, missing=tuple(missing), reorganised_on=reorganised_on,
        )


def _target_result(session: Session, target: m.Target, start: dt.datetime, end: dt.datetime,
                   as_of: dt.date, officers: dict[int, str]) -> TargetResult:
    req = requirement_in_force(requirements(session, target), as_of)
    figure = figure_between(session, target, start, end, req.start if req else None)
    state = assess(req, figure, as_of).state
    notes = [Note(officers.get(r.officer_id, "?"), _local_day(r.reported_at), r.note.strip())
             for r in session.exec(
                 select(m.ProgressReport).where(
                     m.ProgressReport.target_id == target.id,
                     m.ProgressReport.withdrawn_at.is_(None),
                     m.ProgressReport.reported_at >= start, m.ProgressReport.reported_at < end,
                     made_by_now())
                 .order_by(m.ProgressReport.reported_at, m.ProgressReport.id))
             if r.note and r.note.strip()]
    return TargetResult(target.code, target.name, target.unit, req, figure, state,
                        verdict_of(state, req, as_of), notes)


def _local_day(moment: dt.datetime) -> dt.date:
    return clock.local(moment).date()


def _next_items(session: Session, items: list[DueItem],
                results: dict[str, TargetResult]) -> list[NextItem]:
    """What falls due next period, leaving out targets whose figure already meets the value
    that falls due."""
    out = []
    for item in items:
        if item.kind != "target":
            out.append(NextItem(item))
            continue
        value = session.get(m.TargetValue, item.extra.get("value_id"))
        result = results.get(item.code)
        if value is None or result is None:
            continue
        req = Requirement(value.value, value.value_max, value.comparison, value.deadline,
                          value.deadline, item.label, value.source, value.text)
        if result.figure.value is not None and meets(result.figure.value, req):
            continue
        out.append(NextItem(item, requirement_text(req, result.unit), result.verdict,
                            result.figure.value, result.unit))
    return out


def _distinct(items: list[DueItem]) -> list[DueItem]:
    """One line per obligation occurrence, review and target (a target has one line even when
    two of its values fall due the same day)."""
    seen, out = set(), []
    for item in items:
        key = (item.kind, item.code, item.period if item.kind != "target" else item.due)
        if key not in seen:
            seen.add(key)
            out.append(item)
    return out


def _signer(session: Session, plan: m.Plan) -> tuple[str | None, str | None]:
    """The head of the issuing body, as the plan names the post; and the leader on the roster."""
    title = None
    for person in session.exec(select(m.PlanPerson).where(m.PlanPerson.plan_id == plan.id)
                               .order_by(m.PlanPerson.id)):
        if person.title and fold(person.title).startswith(SIGNER_TITLES):
            title = person.title
            break
    leader = session.exec(select(m.Officer).where(
        m.Officer.active, m.Officer.role == "leader",
        m.Officer.unit_id == plan.issuer_unit_id).order_by(m.Officer.id)).first()
    return title, leader.full_name if leader else None


# --- the document ------------------------------------------------------------------------------


def _long_date(day: dt.date) -> tuple[str, str, str]:
    """Nghị định 30: days below 10 and months below 3 are written with a leading zero."""
    return f"{day.day:02d}", f"{day.month:02d}" if day.month < 3 else str(day.month), str(day.year)


def _font(run, size: float, bold: bool = False, italic: bool = False,
          underline: bool = False) -> None:
    run.font.name = FONT
    run.font.size = Pt(size)
    run.font.bold = bold
    run.font.italic = italic
    run.font.underline = underline
    fonts = run._element.get_or_add_rPr().get_or_add_rFonts()
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attr), FONT)


def _para(container, text: str = "", size: float = 13, bold: bool = False,
          italic: bool = False, align=WD_ALIGN_PARAGRAPH.JUSTIFY, indent: bool = False,
          underline: bool = False, space_after: float = 6):
    paragraph = container.add_paragraph()
    paragraph.alignment = align
    paragraph.paragraph_format.space_after = Pt(space_after)
    paragraph.paragraph_format.space_before = Pt(0)
    if indent:
        paragraph.paragraph_format.first_line_indent = Mm(12.7)
    if text:
        _font(paragraph.add_run(text), size, bold, italic, underline)
    return paragraph


def _placeholder(container, text: str, indent: bool = True) -> None:
    """A part for a person to write: highlighted so it cannot be sent unnoticed."""
    paragraph = _para(container, indent=indent)
    run = paragraph.add_run(text)
    _font(run, 13, italic=True)
    run.font.highlight_color = WD_COLOR_INDEX.YELLOW


def _cell_text(cell: _Cell, lines: list[tuple[str, dict]],
               align=WD_ALIGN_PARAGRAPH.CENTER) -> None:
    cell.paragraphs[0].text = ""
    for i, (text, style) in enumerate(lines):
        paragraph = cell.paragraphs[0] if i == 0 else cell.add_paragraph()
        paragraph.alignment = align
        paragraph.paragraph_format.space_after = Pt(0)
        run = paragraph.add_run(text)
        _font(run, style.get("size", 13), style.get("bold", False),
              style.get("italic", False), style.get("underline", False))
        if style.get("highlight"):
            run.font.highlight_color = WD_COLOR_INDEX.YELLOW


def _setup(document) -> None:
    normal = document.styles["Normal"]
    normal.font.name = FONT
    normal.font.size = Pt(13)
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), FONT)
    section = document.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(20), Mm(20)
    section.left_margin, section.right_margin = Mm(30), Mm(15)


def _period_words(period: Period, lang: str) -> str:
    if period.quarter:
        return t("exports.doc.period_quarter", lang, quarter=period.roman, year=period.year)
    return t("exports.doc.period_year", lang, year=period.year)


def _header(document, data: QuarterlyData, lang: str) -> None:
    table = document.add_table(rows=1, cols=2)
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    left, right = table.rows[0].cells
    left.width, right.width = Mm(65), Mm(100)
    lines: list[tuple[str, dict]] = []
    if data.parent:
        lines.append((data.parent.upper(), {"size": 13}))
    if data.issuer:
        lines.append((data.issuer.upper(), {"size": 13, "bold": True}))
    else:
        lines.append((_missing_words("issuer", data, lang), {"size": 13, "bold": True,
                                                              "highlight": True}))
    lines.append(("", {}))
    lines.append((t("exports.doc.number", lang, suffix=data.number_suffix), {"size": 13}))
    _cell_text(left, lines)
    day, month, year = _long_date(data.today)
    _cell_text(right, [
        (t("exports.doc.country", lang), {"size": 13, "bold": True}),
        (t("exports.doc.motto", lang), {"size": 14, "bold": True, "underline": True}),
        ("", {}),
        (t("exports.doc.place_date", lang, place=data.place or "......", day=day, month=month,
           year=year), {"size": 14, "italic": True}),
        *([(_missing_words("place", data, lang), {"size": 11, "italic": True,
                                                   "highlight": True})]
          if "place" in data.missing else []),
    ])


def _missing_words(key: str, data: QuarterlyData, lang: str) -> str:
    """The highlighted placeholder of an issuing fact unset after the reorganisation."""
    return t(f"exports.doc.missing_{key}", lang,
             date=fmt_date(data.reorganised_on) if data.reorganised_on else "")


def _title(document, data: QuarterlyData, lang: str) -> None:
    _para(document, "", space_after=0)
    _para(document, t("exports.doc.kind", lang), 14, bold=True,
          align=WD_ALIGN_PARAGRAPH.CENTER, space_after=0)
    if data.period.quarter:
        title = t("exports.doc.title", lang, quarter=data.period.roman, year=data.period.year)
    else:
        title = t("exports.doc.title_year", lang, year=data.period.year)
    _para(document, title, 14, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER, space_after=0)
    _para(document, t("exports.doc.data_window", lang, start=fmt_date(data.period.start),
                      end=fmt_date(data.period.end)), 13, italic=True,
          align=WD_ALIGN_PARAGRAPH.CENTER, space_after=12)
    _para(document, t("exports.doc.intro", lang, number=data.plan_number,
                      date=fmt_date(data.plan_issued_on), title=data.plan_title,
                      issuer=data.issuer, period=_period_words(data.period, lang)), indent=True)


def target_line(result: TargetResult, lang: str) -> str:
    req = result.requirement
    value = value_text(result.figure.value, result.unit, lang) \
        if result.figure.value is not None else t("exports.doc.no_value", lang)
    return t("exports.doc.target_line", lang, code=result.code, name=result.name, value=value,
             label=requirement_label(req, lang) if req else "-",
             requirement=requirement_text(req, result.unit, lang) if req else "-",
             deadline=fmt_date(req.deadline) if req else "-",
             verdict=t(f"exports.verdict.{result.verdict}", lang))


def _section_results(document, data: QuarterlyData, lang: str) -> None:
    _para(document, t("exports.doc.s2", lang), bold=True, indent=True)
    for area in data.areas:
        _para(document, t("exports.doc.area", lang, number=area.number, name=area.name),
              bold=True, indent=True)
        if not area.targets:
            _para(document, t("exports.doc.area_empty", lang), indent=True)
        for result in area.targets:
            _para(document, "- " + target_line(result, lang), indent=True)
            if result.figure.units_missing and result.figure.value is not None:
                _para(document, t("exports.doc.units_missing", lang,
                                  units=", ".join(result.figure.units_missing)),
                      italic=True, indent=True)
            if result.notes:
                notes = "; ".join(note_words(n, lang) for n in result.notes)
                _para(document, t("exports.doc.notes", lang, notes=notes), italic=True,
                      indent=True)
        _placeholder(document, t("exports.doc.area_todo", lang))


def without_marks(text: str) -> bool:
    """Typed without Vietnamese diacritics ("hop giao ban qua zoom"): letters, none marked."""
    letters = [c for c in text if c.isalpha()]
    return bool(letters) and fold(text) == text.lower().replace("đ", "d") and \
        all(c.isascii() for c in letters)


def note_words(note: Note, lang: str) -> str:
    """An officer's note: as written; one typed without diacritics is quoted as the officer's
    own words (it is not the office's prose)."""
    key = "exports.doc.note_quoted" if without_marks(note.text) else "exports.doc.note_item"
    return t(key, lang, officer=note.officer, date=fmt_short_date(note.day), note=note.text)


def due_line(next_item: NextItem, lang: str) -> str:
    item = next_item.item
    when = t("due.before" if item.before else "due.on", lang, date=fmt_date(item.due))
    name = item.name_en if lang == "en" and item.name_en else item.name
    if item.kind == "target":  # the verdict from the assessment: never "hoàn thành" blindly
        status = t(f"exports.verdict.{next_item.verdict or 'no_data'}", lang).lower()
        if next_item.value is not None and next_item.unit:
            status = f"{value_text(next_item.value, next_item.unit, lang)}, {status}"
        return t("exports.doc.s4_target", lang, code=item.code, name=name,
                 requirement=next_item.requirement or "-", when=when, status=status)
    if item.kind != "obligation":
        return t("exports.doc.s4_item", lang, name=name, when=when)
    monthly = re.fullmatch(r"\d{4}-\d{2}", item.period)
    label = t("exports.doc.month", lang, month=item.label) if monthly else item.label
    return t("exports.doc.s4_occurrence", lang, name=name, label=label, when=when)


def requirement_label(req: Requirement, lang: str) -> str:
    """The phase's name, or "năm 2025" for a value set for a year."""
    return t("exports.doc.year", lang, year=req.label) if req.label.isdigit() else req.label


def _section_next(document, data: QuarterlyData, lang: str) -> None:
    _para(document, t("exports.doc.s4", lang), bold=True, indent=True)
    nxt = data.next_period
    if not data.next_items:
        _para(document, t("exports.doc.s4_none", lang), indent=True)
    else:
        _para(document, t("exports.doc.s4_intro", lang, period=_period_words(nxt, lang),
                          start=fmt_date(nxt.start), end=fmt_date(nxt.end)), indent=True)
        for item in data.next_items:
            _para(document, "- " + due_line(item, lang), indent=True)
    _placeholder(document, t("exports.doc.s4_todo", lang))


def _closing(document, data: QuarterlyData, lang: str) -> None:
    table = document.add_table(rows=1, cols=2)
    table.autofit = False
    left, right = table.rows[0].cells
    left.width, right.width = Mm(80), Mm(85)
    lines = [(t("exports.doc.recipients", lang), {"size": 12, "bold": True, "italic": True})]
    lines += [(t("exports.doc.recipient_item", lang, name=r), {"size": 11})
              for r in data.recipients]
    if "recipients" in data.missing:
        lines.append((_missing_words("recipients", data, lang),
                      {"size": 11, "italic": True, "highlight": True}))
    lines += [(t("exports.doc.recipient_leaders", lang), {"size": 11}),
              (t("exports.doc.recipient_archive", lang), {"size": 11})]
    _cell_text(left, lines, align=WD_ALIGN_PARAGRAPH.LEFT)
    signer = (data.signer_title or t("exports.doc.signer_default", lang)).upper()
    _cell_text(right, [
        (signer, {"size": 14, "bold": True}),
        (t("exports.doc.sign_hint", lang), {"size": 13, "italic": True}),
        ("", {}), ("", {}), ("", {}),
        (data.signer_name or t("exports.doc.signer_todo", lang), {"size": 14, "bold": True}),
    ])


APPENDIX_COLUMNS = ("tt", "code", "target", "requirement", "deadline", "value", "verdict",
                    "reports", "updated")


def appendix_rows(data: QuarterlyData, lang: str) -> list[list[str]]:
    rows = []
    for n, result in enumerate((r for a in data.areas for r in a.targets), 1):
        req, fig = result.requirement, result.figure
        rows.append([
            str(n), result.code, result.name,
            f"{requirement_text(req, result.unit, lang)} ({requirement_label(req, lang)})"
            if req else "-",
            fmt_date(req.deadline) if req else "-",
            value_text(fig.value, result.unit, lang) if fig.value is not None else "-",
            t(f"exports.verdict.{result.verdict}", lang), str(fig.reports),
            fmt_date(_local_day(fig.reported_at)) if fig.reported_at else "-",
        ])
    return rows


def column_widths(rows: list[list[str]], headers: list[str], total_mm: float = APPENDIX_MM,
                  wide: int = 2) -> list[float]:
    """Column widths (mm) sized to content at 11 pt: each column as wide as its longest word
    or short cell needs (the header's words too), capped; the target's name (`wide`) takes
    what is left, so it is the widest column and wraps least."""
    per_char, pad = 2.1, 6.0  # mm per character of Times New Roman 11 pt; cell margins
    widths = []
    for i, header in enumerate(headers):
        cells = [r[i] for r in rows]
        longest_word = max(len(w) for text in [header, *cells] for w in text.split() or [""])
        longest_cell = max([len(c) for c in cells] or [0])
        chars = max(min(longest_cell, 12), longest_word)  # short cells on one line
        widths.append(max(chars * per_char + pad, 13.0))
    rest = total_mm - sum(w for i, w in enumerate(widths) if i != wide)
    widths[wide] = max(rest, max(widths) + 1)
    scale = total_mm / sum(widths)
    return [round(w * scale, 1) for w in widths]


def _landscape(document) -> None:
    """A new landscape A4 section for the appendix (the report itself stays portrait)."""
    section = document.add_section(WD_SECTION.NEW_PAGE)
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = Mm(297), Mm(210)
    section.top_margin, section.bottom_margin = Mm(20), Mm(15)
    section.left_margin, section.right_margin = Mm(20), Mm(15)


def _fixed_layout(table) -> None:
    layout = OxmlElement("w:tblLayout")
    layout.set(qn("w:type"), "fixed")
    table._tbl.tblPr.append(layout)


def _appendix(document, data: QuarterlyData, lang: str) -> None:
    _landscape(document)
    paragraph = _para(document, align=WD_ALIGN_PARAGRAPH.CENTER)
    _font(paragraph.add_run(t("exports.doc.appendix", lang,
                              period=_period_words(data.period, lang).upper())), 13, bold=True)
    _para(document, t("exports.doc.appendix_note", lang, suffix=data.number_suffix,
                      date=fmt_date(data.as_of)), 12, italic=True,
          align=WD_ALIGN_PARAGRAPH.CENTER)
    rows = appendix_rows(data, lang)
    headers = [t(f"exports.doc.col.{key}", lang) for key in APPENDIX_COLUMNS]
    widths = column_widths(rows, headers)
    table = document.add_table(rows=1 + len(rows), cols=len(APPENDIX_COLUMNS))
    table.style = "Table Grid"
    table.autofit = False
    _fixed_layout(table)
    for i, width in enumerate(widths):
        table.columns[i].width = Mm(width)
    for i, header in enumerate(headers):
        _cell_text(table.rows[0].cells[i], [(header, {"size": 11, "bold": True})])
    for r, values in enumerate(rows, 1):
        for i, value in enumerate(values):
            align = WD_ALIGN_PARAGRAPH.LEFT if i == 2 else WD_ALIGN_PARAGRAPH.CENTER
            _cell_text(table.rows[r].cells[i], [(value, {"size": 11})], align=align)
    for row in table.rows:
        for i, cell in enumerate(row.cells):
            cell.width = Mm(widths[i])


def render_docx(data: QuarterlyData, lang: str = "vi") -> bytes:
    """The report as .docx bytes (Vietnamese: it is an official document)."""
    document = Document()
    _setup(document)
    _header(document, data, lang)
    _title(document, data, lang)
    _para(document, t("exports.doc.s1", lang), bold=True, indent=True)
    _para(document, t("exports.doc.s1_facts", lang, reports=data.reports,
                      officers=data.officers, evidence=data.evidence), indent=True)
    _placeholder(document, t("exports.doc.s1_todo", lang))
    _section_results(document, data, lang)
    _para(document, t("exports.doc.s3", lang), bold=True, indent=True)
    _para(document, t("exports.doc.s3_facts", lang,
                      total=sum(len(a.targets) for a in data.areas),
                      **{v: data.count(v) for v in VERDICTS}), indent=True)
    for key in ("s3_strengths", "s3_weaknesses", "s3_causes"):
        _para(document, t(f"exports.doc.{key}", lang), bold=True, indent=True)
        _placeholder(document, t("exports.doc.todo", lang))
    _section_next(document, data, lang)
    _para(document, t("exports.doc.s5", lang), bold=True, indent=True)
    _placeholder(document, t("exports.doc.todo", lang))
    _para(document, "")
    _closing(document, data, lang)
    _appendix(document, data, lang)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def report_file_name(period: Period) -> str:
    return f"bao-cao-cchc-{period.code}.docx"


def quarterly_report(engine: Engine, period: Period, today: dt.date,
                     plan_code: str | None = None, issuing: Issuing | None = None
                     ) -> tuple[str, bytes, QuarterlyData]:
    """(file name, .docx bytes, the data it shows)."""
    data = quarterly_data(engine, period, today, plan_code, issuing)
    return report_file_name(period), render_docx(data), data
