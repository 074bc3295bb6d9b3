"""`parbot report quarterly`, `parbot export xlsx|evidence`, `parbot plan export`, and the
spreadsheet branch of `parbot plan import` (called from `bot.cli.plan_import` for .xlsx files).
"""

from __future__ import annotations

import asyncio
import datetime as dt
from pathlib import Path
from typing import Annotated

import typer

from bot.cli.base import _fail, _settings, app, open_database, plan_app
from bot.core.clock import clock

report_app = typer.Typer(help="Official reports: the quarterly CCHC report draft (.docx).",
                         no_args_is_help=True)
export_app = typer.Typer(help="Exports: Excel workbook, evidence pack (tài liệu kiểm chứng).",
                         no_args_is_help=True)
app.add_typer(report_app, name="report")
app.add_typer(export_app, name="export")

PlanOption = Annotated[str | None, typer.Option("--plan", help="plan code (default: active)")]


def _period(text: str | None):
    from bot.paperwork.periods import PeriodError, parse_period

    try:
        return parse_period(text, clock.today())
    except PeriodError:
        _fail(f"parbot: cannot read the period {text!r}: use 2025-Q3, III/2025 or 2025.")


def _day(text: str | None, option: str) -> dt.date | None:
    from bot.plans.sheets.words import parse_deadline

    if text is None:
        return None
    day = parse_deadline(text)
    if day is None or not any(sep in text for sep in "/-"):
        _fail(f"parbot: {option} {text!r} is not a date (dd/mm/yyyy or yyyy-mm-dd).")
    return day


def _write(out: Path, content: bytes) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(content)


@report_app.command("quarterly")
def report_quarterly(
    period: Annotated[str | None, typer.Argument(help="2025-Q3, III/2025, 2025 (default: "
                                                      "this quarter)")] = None,
    out: Annotated[Path | None, typer.Option("--out", help="the .docx to write")] = None,
    data_from: Annotated[str | None, typer.Option(
        "--from", help="first day of the data (default: the quarter's first day)")] = None,
    data_to: Annotated[str | None, typer.Option(
        "--to", help="last day of the data (default: the quarter's last day)")] = None,
    plan: PlanOption = None,
) -> None:
    """Draft the quarterly CCHC report (Word, Nghị định 30/2020 form) from the reports."""
    from bot.paperwork.periods import PeriodError
    from bot.paperwork.quarterly import Issuing, NoPlan, quarterly_report

    settings = _settings()
    engine = open_database(settings)
    chosen = _period(period)
    try:
        chosen = chosen.between(_day(data_from, "--from"), _day(data_to, "--to"))
    except PeriodError as exc:
        _fail(f"parbot: --to is before --from ({exc}).")
    try:
        name, content, data = quarterly_report(engine, chosen, clock.today(), plan,
                                               Issuing.from_settings(settings))
    except NoPlan:
        _fail(f"parbot: no plan {plan or ''} loaded.".replace("  ", " "))
    target = out or Path(name)
    _write(target, content)
    typer.echo(f"Wrote {target}: {chosen.code} ({data.period.start} - {data.period.end}), "
               f"{sum(len(a.targets) for a in data.areas)} targets: "
               f"{data.count('achieved')} achieved, {data.count('on_track')} on track, "
               f"{data.count('behind')} behind, {data.count('not_achieved')} not achieved, "
               f"{data.count('no_data')} without data; {data.reports} reports.")
    if data.missing:
        typer.echo(f"Warning: after the reorganisation of {data.reorganised_on}, set "
                   f"{', '.join(data.missing)} (PARBOT_REPORT_ISSUER, PARBOT_REPORT_PLACE, "
                   "PARBOT_REPORT_RECIPIENTS); the draft has highlighted placeholders.",
                   err=True)


@export_app.command("xlsx")
def export_xlsx(
    out: Annotated[Path | None, typer.Option("--out", help="the .xlsx to write")] = None,
    period: Annotated[str | None, typer.Option(
        "--period", help="window of the reporting rates (default: this quarter)")] = None,
    plan: PlanOption = None,
) -> None:
    """One workbook: targets per phase, all reports, reporting rates, overdue items."""
    from bot.paperwork.quarterly import NoPlan
    from bot.paperwork.workbook import export_workbook, workbook_file_name

    settings = _settings()
    engine = open_database(settings)
    try:
        result = export_workbook(engine, clock.today(), _period(period), plan)
    except NoPlan:
        _fail(f"parbot: no plan {plan or ''} loaded.".replace("  ", " "))
    target = out or Path(workbook_file_name(clock.today()))
    _write(target, result.content)
    counts = ", ".join(f"{n} {key}" for key, n in result.rows.items())
    typer.echo(f"Wrote {target}: {counts} (rates for {result.period.code}).")


@export_app.command("evidence")
def export_evidence(
    period: Annotated[str | None, typer.Option(
        "--period", help="2025, 2025-Q3... (default: this quarter)")] = None,
    out: Annotated[Path | None, typer.Option("--out", help="the .zip to write")] = None,
    plan: PlanOption = None,
) -> None:
    """Every evidence file of the period, fetched through the Bot API, in a ZIP with an index;
    files that cannot be fetched any more are listed as missing."""
    from bot.channels.telegram_files import telegram_fetcher
    from bot.paperwork.evidence import (
        evidence_file_name,
        evidence_items,
        evidence_pack,
        with_local_copies,
    )
    from bot.paperwork.quarterly import NoPlan

    settings = _settings()
    engine = open_database(settings)
    chosen = _period(period)
    try:
        items = evidence_items(engine, chosen, plan)
    except NoPlan:
        _fail(f"parbot: no plan {plan or ''} loaded.".replace("  ", " "))

    async def build():
        async with telegram_fetcher(settings) as fetch:
            return await evidence_pack(items, with_local_copies(fetch))

    pack = asyncio.run(build())
    target = out or Path(evidence_file_name(chosen))
    _write(target, pack.content)
    typer.echo(f"Wrote {target}: {len(pack.stored)} files, {len(pack.missing)} missing.")
    for item, reason in pack.missing:
        typer.echo(f"  missing: report {item.report_id} ({item.target_code}, {item.officer}) "
                   f"{item.file_name or item.file_id}: {reason}")


@plan_app.command("export")
def plan_export(
    file: Annotated[Path, typer.Argument(help="the .xlsx to write")],
    code: Annotated[str | None, typer.Option(help="plan code (default: active)")] = None,
) -> None:
    """Write a plan as a spreadsheet in the officials' layout (imports back unchanged)."""
    from bot.paperwork.plan_sheets import export_plan_sheet

    engine = open_database(_settings())
    try:
        _, content = export_plan_sheet(engine, code)
    except LookupError:
        _fail(f"parbot: no plan {code or ''} loaded.".replace("  ", " "))
    _write(file, content)
    typer.echo(f"Wrote {file}.")


def plan_import_sheet(file: Path, yes: bool) -> None:
    """`parbot plan import FILE.xlsx`: the preview, then the import once confirmed."""
    from bot.paperwork.plan_sheets import import_plan_sheet, render_preview

    engine = open_database(_settings())
    try:
        data = file.read_bytes()
    except OSError as exc:
        _fail(f"parbot: cannot read {file}: {exc.strerror or exc}")

    def confirm(result) -> bool:
        typer.echo(render_preview(result, "vi"))
        return yes or typer.confirm("Nhập kế hoạch này? (Import this plan?)", default=False)

    from bot.plans.store import PlanConflict

    try:
        result, imported = import_plan_sheet(engine, data, file.name, confirm)
    except PlanConflict as exc:
        _fail(f"parbot: {exc}")
    if not result.ok:
        _fail(render_preview(result, "vi"))
    if imported is None:
        typer.echo("Nothing imported.")
        return
    if not imported.created:
        typer.echo(f"Plan {imported.plan_code} is already loaded; nothing changed.")
        return
    counts = ", ".join(f"{v} {k}" for k, v in imported.counts.items())
    typer.echo(f"Imported plan {imported.plan_code}: {counts}.")
    for old in imported.superseded:
        typer.echo(f"Plan {old} is now superseded (inactive).")
