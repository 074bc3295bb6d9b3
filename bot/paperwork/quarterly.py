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
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK, WD_COLOR_INDEX
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
    verdict: str  # achieved | in_progress | not_achieved
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

    @property
    def number_suffix(self) -> str:
        """"PGDĐT" from "737/KH-PGDĐT": the issuer's abbreviation for the report number."""
        tail = self.plan_number.split("/", 1)[-1]
        return tail.split("-", 1)[1] if "-" in tail else tail

    def count(self, verdict: str) -> int:
        return sum(1 for a in self.areas for r in a.targets if r.verdict == verdict)


def verdict_of(state: str, req: Requirement | None, as_of: dt.date) -> str:
    """đạt / chưa đạt / đang thực hiện, as a report words a target's state: not achieved once
    the requirement's deadline has come (a target due on the last day of the period and not
    met is "chưa đạt" in that period's report)."""
    if state == "achieved":
        return "achieved"
    if req is not None and req.deadline <= as_of:
        return "not_achieved"
    return "in_progress"


def quarterly_data(engine: Engine, period: Period, today: dt.date,
                   plan_code: str | None = None) -> QuarterlyData:
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
        return QuarterlyData(
            period=period, as_of=as_of, today=today, plan_number=plan.number,
            plan_title=plan.title, plan_issued_on=plan.issued_on, issuer=issuer.name,
            parent=parent.name if parent else None,
            place=(plan.document or {}).get("place", ""), areas=areas, reports=len(rows),
            officers=len({r[1] for r in rows}), evidence=evidence, next_period=following,
            next_items=items, recipients=recipients, signer_title=signer_title,
            signer_name=signer_name,
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
        out.append(NextItem(item, requirement_text(req, result.unit)))
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
        _font(paragraph.add_run(text), style.get("size", 13), style.get("bold", False),
              style.get("italic", False), style.get("underline", False))


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
    lines.append((data.issuer.upper(), {"size": 13, "bold": True}))
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
    ])


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
                notes = "; ".join(t("exports.doc.note_item", lang, officer=n.officer,
                                    date=fmt_short_date(n.day), note=n.text)
                                  for n in result.notes)
                _para(document, t("exports.doc.notes", lang, notes=notes), italic=True,
                      indent=True)
        _placeholder(document, t("exports.doc.area_todo", lang))


def due_line(next_item: NextItem, lang: str) -> str:
    item = next_item.item
    when = t("due.before" if item.before else "due.on", lang, date=fmt_date(item.due))
    name = item.name_en if lang == "en" and item.name_en else item.name
    if item.kind == "target":
        return t("exports.doc.s4_target", lang, code=item.code, name=name,
                 requirement=next_item.requirement or "-", when=when)
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


def _appendix(document, data: QuarterlyData, lang: str) -> None:
    paragraph = _para(document, align=WD_ALIGN_PARAGRAPH.CENTER)
    paragraph.add_run().add_break(WD_BREAK.PAGE)
    _font(paragraph.add_run(t("exports.doc.appendix", lang,
                              period=_period_words(data.period, lang).upper())), 13, bold=True)
    _para(document, t("exports.doc.appendix_note", lang, suffix=data.number_suffix,
                      date=fmt_date(data.as_of)), 12, italic=True,
          align=WD_ALIGN_PARAGRAPH.CENTER)
    rows = appendix_rows(data, lang)
    table = document.add_table(rows=1 + len(rows), cols=len(APPENDIX_COLUMNS))
    table.style = "Table Grid"
    for i, key in enumerate(APPENDIX_COLUMNS):
        _cell_text(table.rows[0].cells[i], [(t(f"exports.doc.col.{key}", lang),
                                             {"size": 11, "bold": True})])
    for r, values in enumerate(rows, 1):
        for i, value in enumerate(values):
            align = WD_ALIGN_PARAGRAPH.LEFT if i == 2 else WD_ALIGN_PARAGRAPH.CENTER
            _cell_text(table.rows[r].cells[i], [(value, {"size": 11})], align=align)


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
                      achieved=data.count("achieved"), in_progress=data.count("in_progress"),
                      not_achieved=data.count("not_achieved")), indent=True)
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
                     plan_code: str | None = None) -> tuple[str, bytes, QuarterlyData]:
    """(file name, .docx bytes, the data it shows)."""
    data = quarterly_data(engine, period, today, plan_code)
    return report_file_name(period), render_docx(data), data
