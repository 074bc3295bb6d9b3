"""What every `parbot` command group shares: the Typer apps, settings, failing clearly, the
database."""

from __future__ import annotations

import typer
from sqlalchemy.engine import Engine

from bot.core import logs
from bot.core.clock import clock
from bot.core.settings import Settings, get_settings
from storage.db import NotMigrated, check_migrated, make_engine, upgrade

app = typer.Typer(help="parbot — trợ lý CCHC: kế hoạch, báo cáo tiến độ, nhắc việc.",
                  no_args_is_help=True, add_completion=False)
db_app = typer.Typer(help="Database: migrations.", no_args_is_help=True)
plan_app = typer.Typer(help="Plans: validate, import, show.", no_args_is_help=True)
officers_app = typer.Typer(help="Roster: import, list, invite.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(plan_app, name="plan")
app.add_typer(officers_app, name="officers")


def _settings() -> Settings:
    settings = get_settings()
    clock.configure(settings.timezone, settings.as_of)
    logs.setup(settings.log_level)
    return settings


def _fail(message: str, code: int = 1) -> None:
    typer.echo(message, err=True)
    raise typer.Exit(code)


def open_database(settings: Settings, migrate: bool = False) -> Engine:
    """The engine, migrated (db upgrade) or checked, with the configured plan loaded if the
    database holds none yet."""
    from bot.plans.loader import PlanError
    from bot.plans.store import ensure_plan

    engine = make_engine(settings.database_url)
    if migrate:
        upgrade(engine)
    else:
        try:
            check_migrated(engine)
        except NotMigrated as exc:
            _fail(f"parbot: {exc}", 2)
    try:
        result = ensure_plan(engine, settings.plan)
    except PlanError as exc:
        _fail("\n".join(exc.problems))
    if result is not None:
        typer.echo(f"Loaded plan {result.plan_code} ({result.counts.get('targets', 0)} targets)"
                   f" from {settings.plan}", err=True)
    return engine
