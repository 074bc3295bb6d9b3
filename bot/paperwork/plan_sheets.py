"""A plan from the office's own spreadsheet: read it, show what was understood, import it once
confirmed — or list every problem by sheet, row and column and import nothing. And the other
way: a loaded plan written as a spreadsheet (`parbot plan export`), which imports back unchanged.

Reading is `bot.plans.sheets.reader`; the result is the same `bot.plan_schema.Plan` a YAML file
gives, checked by the same schema and the same cross-checks (`bot.plans.loader`), each problem
mapped back to its cell.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from pydantic import ValidationError
from sqlalchemy.engine import Engine
from sqlmodel import Session

from bot.core import state_store
from bot.core.catalogue import t
from bot.core.formatting import fmt_date
from bot.people.roster import relink
from bot.plans import loader as plan_loader
from bot.plans import schema as ps
from bot.plans.sheets.layout import write_plan_workbook
from bot.plans.sheets.reader import Loc, Place, PlanReader, SheetDefaults, SheetProblem, Unreadable
from bot.plans.store import ImportResult, PlanConflict, import_plan, plan_by_code
from bot.progress import Requirement
from bot.progress.wording import requirement_text
from storage import models as m

__all__ = ["Place", "SheetDefaults", "SheetImport", "SheetProblem", "apply_plan",
           "confirm_staged", "export_plan_sheet", "import_plan_sheet", "read_plan_sheet",
           "render_preview", "render_problems", "sheet_defaults", "stage", "unstage"]

STATE_KIND = "plan_sheet"  # BotState rows holding a preview waiting for confirmation


@dataclass
class SheetImport:
    """What reading a workbook gave: a plan (None when there are problems), the problems, and
    for the preview what was guessed or left out."""

    source: str
    plan: ps.Plan | None
    problems: list[SheetProblem] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # rendered: what was not understood
    guessed: dict[str, str] = field(default_factory=dict)  # target code → words read

    @property
    def ok(self) -> bool:
        return self.plan is not None and not self.problems


def sheet_defaults(engine: Engine) -> SheetDefaults:
    with Session(engine) as session:
        plan = plan_by_code(session, None)
        if plan is None:
            return SheetDefaults()
        unit = session.get(m.Unit, plan.issuer_unit_id)
        return SheetDefaults(unit.code, unit.name, unit.level,
                             (plan.document or {}).get("place"))


# --- checking, preview, import -----------------------------------------------------------------


def read_plan_sheet(data: bytes, source: str = "plan.xlsx", lang: str = "vi",
                    defaults: SheetDefaults | None = None) -> SheetImport:
    """Read a workbook into a checked plan (nothing is written anywhere)."""
    reader = PlanReader(source, lang, defaults or SheetDefaults())
    try:
        reader.load(data)
        plan_data = reader.run()
    except Unreadable:
        return SheetImport(source, None, _unique(reader.problems), reader.skipped)
    problems = list(reader.problems)
    read_wrong = {p.place for p in problems}  # a cell already reported is not checked again
    checked: list[SheetProblem] = []
    plan = None
    try:
        plan = ps.Plan.model_validate(plan_data)
    except ValidationError as exc:
        for err in exc.errors():
            loc = tuple(err["loc"])
            what = str(loc[-1]) if loc else ""
            checked.append(SheetProblem(reader.place_of(loc), f"{what}: {err['msg']}"))

    def line_of(loc: Loc) -> int:
        return reader.place_of(loc).row or 0

    for loc, message in plan_loader._cross_check(plan_data, line_of):
        checked.append(SheetProblem(reader.place_of(loc), message))
    problems += [p for p in checked if p.place not in read_wrong]
    if problems:
        plan = None
    order = {grid.title: i for i, grid in enumerate(reader.grids)}
    problems.sort(key=lambda p: (order.get(p.place.sheet, -1), p.place.row or 0,
                                 -1 if p.place.column is None else p.place.column))
    return SheetImport(source, plan, _unique(problems), reader.skipped, reader.guessed)


def _unique(problems: list[SheetProblem]) -> list[SheetProblem]:
    return list(dict.fromkeys(problems))


def _requirement_line(value: ps.TargetValue, unit: str, phases: dict[str, str],
                      lang: str) -> str:
    req = Requirement(value.value, value.value_max, value.comparison.value, value.deadline,
                      value.deadline, phases.get(value.phase or "", str(value.year or "")),
                      value.source, value.text)
    return t("exports.plansheet.preview.requirement", lang,
             requirement=requirement_text(req, unit, lang), label=req.label,
             deadline=fmt_date(value.deadline))


def preview_lines(result: SheetImport, lang: str) -> tuple[list[str], list[str]]:
    """(what was understood, what was not) — one line each."""
    plan = result.plan
    understood: list[str] = []
    if plan is not None:
        phases = {p.code: p.name for p in plan.phases}
        understood += [
            t("exports.plansheet.preview.plan", lang, number=plan.number,
              date=fmt_date(plan.issued_on), title=plan.title),
            t("exports.plansheet.preview.issuer", lang, issuer=plan.issuer.name,
              code=plan.code),
            t("exports.plansheet.preview.period", lang, start=plan.period_start,
              end=plan.period_end, phases="; ".join(
                  f"{p.name} ({fmt_date(p.start)} - {fmt_date(p.end)})" for p in plan.phases)
              or "-"),
            t("exports.plansheet.preview.counts", lang, areas=len(plan.areas),
              targets=len(plan.targets), values=sum(len(tg.values) for tg in plan.targets),
              people=len(plan.people), obligations=len(plan.obligations),
              reviews=len(plan.reviews)),
        ]
        for target in plan.targets:
            line = t("exports.plansheet.preview.target", lang, code=target.code,
                     name=target.name, requirements="; ".join(
                         _requirement_line(v, target.unit.value, phases, lang)
                         for v in target.values))
            if target.code in result.guessed:
                line += " " + t("exports.plansheet.preview.read_from", lang,
                                words=result.guessed[target.code])
            understood.append(line)
    return understood, list(result.skipped)


def _clip(lines: list[str], limit: int | None, lang: str) -> list[str]:
    if limit is None or len(lines) <= limit:
        return lines
    return lines[:limit] + [t("exports.plansheet.preview.more", lang, count=len(lines) - limit)]


def render_preview(result: SheetImport, lang: str, limit: int | None = None) -> str:
    """The preview as text (`limit` lines per list for a chat message)."""
    if not result.ok:
        return render_problems(result, lang, limit)
    understood, skipped = preview_lines(result, lang)
    lines = [t("exports.plansheet.preview.header", lang, file=result.source),
             t("exports.plansheet.preview.understood", lang), *_clip(understood, limit, lang),
             t("exports.plansheet.preview.not_understood", lang)]
    lines += _clip(skipped, limit, lang) or [t("exports.plansheet.preview.nothing_skipped", lang)]
    return "\n".join(lines)


def render_problems(result: SheetImport, lang: str, limit: int | None = None) -> str:
    lines = [t("exports.plansheet.problems", lang, file=result.source,
               count=len(result.problems))]
    lines += _clip([f"• {p.render(lang)}" for p in result.problems], limit, lang)
    return "\n".join(lines)


def apply_plan(engine: Engine, plan: ps.Plan, source: str) -> ImportResult:
    """Import a confirmed plan and link the roster to its people (PlanConflict when a
    different plan already has its code)."""
    result = import_plan(engine, plan, source_file=source)
    if result.created:
        relink(engine)
    return result


def import_plan_sheet(engine: Engine, data: bytes, source: str, confirm, lang: str = "vi"
                      ) -> tuple[SheetImport, ImportResult | None]:
    """Read a workbook, let `confirm(preview)` decide, import on yes. Nothing is written when
    the sheet has problems or the answer is no."""
    result = read_plan_sheet(data, source, lang, sheet_defaults(engine))
    if not result.ok or not confirm(result):
        return result, None
    return result, apply_plan(engine, result.plan, source)


# --- a preview waiting for the admin's confirmation (chat) -------------------------------------


def stage(engine: Engine, owner: str, result: SheetImport) -> None:
    """Keep the previewed plan until the admin presses Confirm (survives a restart)."""
    state_store.put(engine, STATE_KIND, owner,
                    {"plan": result.plan.model_dump(mode="json"), "source": result.source})


def unstage(engine: Engine, owner: str) -> tuple[ps.Plan, str] | None:
    """Take the staged plan away (to import it, or to drop it); a second press of the button
    finds nothing."""
    data = state_store.get(engine, STATE_KIND, owner)
    if data is None or not state_store.delete(engine, STATE_KIND, owner):
        return None
    return ps.Plan.model_validate(data["plan"]), data.get("source", "")


@dataclass(frozen=True)
class Confirmed:
    status: str  # imported | unchanged | conflict | expired
    code: str = ""
    counts: dict = field(default_factory=dict)
    superseded: list[str] = field(default_factory=list)


def confirm_staged(engine: Engine, owner: str) -> Confirmed:
    staged = unstage(engine, owner)
    if staged is None:
        return Confirmed("expired")
    plan, source = staged
    try:
        result = apply_plan(engine, plan, source)
    except PlanConflict:
        return Confirmed("conflict", plan.code)
    if not result.created:
        return Confirmed("unchanged", plan.code)
    return Confirmed("imported", plan.code, result.counts, result.superseded)


# --- export ------------------------------------------------------------------------------------


def export_plan_sheet(engine: Engine, code: str | None = None) -> tuple[str, bytes]:
    """(file name, .xlsx bytes) of a loaded plan, from the document it was imported from."""
    with Session(engine) as session:
        row = plan_by_code(session, code)
        if row is None:
            raise LookupError(code or "")
        plan = ps.Plan.model_validate(row.document)
    return f"{plan.code}.xlsx", write_plan_workbook(plan)
