"""`parbot` commands: db, plan, officers, console, ask, run."""

from __future__ import annotations

import asyncio
import io
import sys
from pathlib import Path
from typing import Annotated

import typer
from sqlalchemy.engine import Engine

from bot.cli.base import _fail, _settings, app, db_app, officers_app, open_database, plan_app
from bot.core.clock import clock
from bot.core.settings import Settings


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Apply all migrations (and load PARBOT_PLAN into an empty database)."""
    settings = _settings()
    open_database(settings, migrate=True)
    typer.echo("Database is up to date.")


@plan_app.command("validate")
def plan_validate(file: Path) -> None:
    """Check a plan file; print every problem as file:line: message."""
    from bot.plans.loader import validate_plan_file

    problems = validate_plan_file(file)
    if problems:
        _fail("\n".join(problems))
    typer.echo(f"{file}: OK")


@plan_app.command("import")
def plan_import(file: Path, yes: Annotated[bool, typer.Option(
        "--yes", "-y", help="import a spreadsheet without asking")] = False) -> None:
    """Import a plan (YAML, or .xlsx after a preview); a newer plan of the same unit
    supersedes the old one."""
    if file.suffix.lower() in (".xlsx", ".xlsm"):
        from bot.cli.exports import plan_import_sheet

        return plan_import_sheet(file, yes)
    from bot.people.roster import relink
    from bot.plans.loader import PlanError
    from bot.plans.store import PlanConflict, import_plan_file

    settings = _settings()
    engine = open_database(settings)
    try:
        result = import_plan_file(engine, file)
    except PlanError as exc:
        _fail("\n".join(exc.problems))
    except PlanConflict as exc:
        _fail(f"parbot: {exc}")
    if not result.created:
        typer.echo(f"Plan {result.plan_code} is already loaded; nothing changed.")
        return
    relink(engine)
    counts = ", ".join(f"{v} {k}" for k, v in result.counts.items())
    typer.echo(f"Imported plan {result.plan_code}: {counts}.")
    for old in result.superseded:
        typer.echo(f"Plan {old} is now superseded (inactive).")


@plan_app.command("show")
def plan_show(code: Annotated[str | None, typer.Option(help="plan code")] = None,
              lang: str = "vi",
              targets: Annotated[bool, typer.Option(
                  "--targets", help="every target: value per phase, deadline, owners")] = False,
              ) -> None:
    """The plan at a glance; with --targets every target line by line."""
    from bot.plans.overview import overview, render_overview, targets_listing

    settings = _settings()
    engine = open_database(settings)
    if targets:
        listing = targets_listing(engine, code, lang)
        if listing is None:
            _fail(f"parbot: no plan {code or ''}".strip())
        typer.echo(listing)
        return
    ov = overview(engine, clock.today(), code)
    if ov is None:
        _fail(f"parbot: no plan {code or ''}".strip())
    typer.echo(render_overview(ov, clock.today(), lang).text)


@officers_app.command("import")
def officers_import(file: Path) -> None:
    """Import the roster CSV (full_name, role, unit, department, phone, telegram_id, zalo_id)."""
    from bot.people.roster import RosterError, import_roster

    settings = _settings()
    engine = open_database(settings)
    try:
        result = import_roster(engine, file)
    except RosterError as exc:
        _fail("\n".join(exc.problems))
    typer.echo(f"Officers: {result.created} created, {result.updated} updated, "
               f"{result.unchanged} unchanged.")
    for person, officer in result.links:
        typer.echo(f"  linked: {person} ↔ {officer}")
    for line in result.ambiguous:
        typer.echo(f"  ambiguous: {line}")
    for line in result.unmatched:
        typer.echo(f"  unmatched: {line}")


@officers_app.command("list")
def officers_list() -> None:
    """The roster with roles, units and linked channels."""
    from bot.people.roster import list_officers

    engine = open_database(_settings())
    for o in list_officers(engine):
        channels = ",".join(o.channels) or "-"
        typer.echo(f"{o.id:>4}  {o.full_name:<32} {o.role:<9} {o.unit or '-':<32} "
                   f"{o.phone or '-':<14} {channels:<16} {o.assignments} assignments")


@officers_app.command("invite")
def officers_invite(
    name: Annotated[str | None, typer.Argument(help="officer (any part of the name)")] = None,
    all_: Annotated[bool, typer.Option("--all", help="every officer not linked yet")] = False,
    days: Annotated[int | None, typer.Option(help="days the codes stay valid")] = None,
) -> None:
    """Print one-time invite links (https://t.me/<bot>?start=<code>)."""
    from bot.channels.telegram import bot_username
    from bot.people import identity
    from bot.people.identity import deep_link
    from bot.people.roster import list_officers

    settings = _settings()
    engine = open_database(settings)
    if all_:
        ids = [o.id for o in list_officers(engine) if o.active and "telegram" not in o.channels]
    elif name:
        found = identity.find_officers(engine, name)
        if len(found) != 1:
            names = ", ".join(n for _, n in found) or "none"
            _fail(f"parbot: {name!r} must match exactly one officer (matches: {names})")
        ids = [found[0][0]]
    else:
        _fail("parbot: name an officer or use --all")
    username = bot_username(settings)
    for inv in identity.create_invites(engine, ids, days or settings.invite_days):
        link = deep_link(username, inv.code) if username else f"/start {inv.code}"
        typer.echo(f"{inv.full_name}\t{link}\t(expires {inv.expires_at:%Y-%m-%d})")
    if username is None:
        typer.echo("(bot username unknown: set TELEGRAM_BOT_TOKEN to print t.me links)", err=True)


def _console_app(settings: Settings, engine: Engine, as_name: str | None, out):
    from bot.channels.app import build_application, console_admin
    from bot.channels.console import CONSOLE_USER_ID, ConsoleRequest
    from bot.core.services import Services
    from bot.people import identity

    svc = Services(engine=engine, settings=settings, channel="console")
    name = "Console"
    if as_name:
        found = identity.find_officers(engine, as_name)
        if len(found) != 1:
            names = ", ".join(n for _, n in found) or "none"
            _fail(f"parbot: --as {as_name!r} must match exactly one officer (matches: {names})")
        officer_id, name = found[0]
        identity.link_account(engine, officer_id, "console", CONSOLE_USER_ID)
    else:
        svc.console_actor = console_admin()
        identity.unlink_channel(engine, "console")  # the operator is not a roster account
    request = ConsoleRequest(out=out)
    return build_application(svc, request=request), request, name


@app.command()
def console(as_name: Annotated[str | None, typer.Option("--as", help="act as this officer")]
            = None, lang: str = "vi") -> None:
    """Chat with the bot in this terminal (no account needed). /quit to leave."""
    from bot.channels.console import chat

    settings = _settings()
    engine = open_database(settings)
    application, request, name = _console_app(settings, engine, as_name, sys.stdout)
    if sys.stdin.isatty():
        typer.echo("parbot console — gõ /help để xem lệnh, /quit để thoát.")
    asyncio.run(chat(application, request, sys.stdin, name, lang, prompt=sys.stdin.isatty()))


@app.command()
def ask(question: str,
        as_name: Annotated[str | None, typer.Option("--as", help="ask as this officer")] = None,
        lang: str = "vi") -> None:
    """Print the bot's answer to one question (or command)."""
    from bot.channels.console import chat

    settings = _settings()
    engine = open_database(settings)
    out = io.StringIO()
    application, request, name = _console_app(settings, engine, as_name, out)
    asyncio.run(chat(application, request, io.StringIO(question + "\n"), name, lang))
    typer.echo(out.getvalue().rstrip("\n"))


@app.command()
def run() -> None:
    """Run the bot on Telegram and/or Zalo (polling, or webhooks when WEBHOOK_URL is set)."""
    from bot.channels.runner import run_bot

    settings = _settings()
    if not settings.telegram_bot_token and not settings.zalo_bot_token:
        _fail("parbot: neither TELEGRAM_BOT_TOKEN nor ZALO_BOT_TOKEN is set.\n"
              "Get a token from @BotFather in Telegram (/newbot), put it in .env as\n"
              "TELEGRAM_BOT_TOKEN=123456:ABC..., then run `parbot run` again.\n"
              "For Zalo: create a bot in the Zalo app (Zalo Bot Manager) and set ZALO_BOT_TOKEN.\n"
              "To try the bot without an account: `parbot console`.", 2)
    engine = open_database(settings)
    raise typer.Exit(run_bot(settings, engine))
