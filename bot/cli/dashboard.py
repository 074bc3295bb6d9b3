"""`parbot dashboard --as NAME [--serve]`: a signed one-time link to the dashboard as that
officer (what /dashboard sends on Zalo and the console), without Telegram. With --serve, the page
is served here (127.0.0.1:PORT unless PUBLIC_BASE_URL/WEBHOOK_LISTEN say otherwise) until Ctrl-C;
`parbot run` serves it too whenever PUBLIC_BASE_URL is set."""

from __future__ import annotations

from typing import Annotated

import typer

from bot.cli.base import _fail, _settings, app, open_database


@app.command()
def dashboard(
    as_name: Annotated[str, typer.Option("--as", help="open the page as this roster officer")],
    serve: Annotated[bool, typer.Option("--serve", help="serve the page here until Ctrl-C")]
    = False,
    host: Annotated[str, typer.Option(help="address to listen on with --serve")] = "127.0.0.1",
) -> None:
    """Print a signed one-time link (15 minutes, single use) that opens the dashboard."""
    from bot.dashboard import keys
    from bot.dashboard.view import member
    from bot.people import identity

    settings = _settings()
    engine = open_database(settings)
    found = identity.find_officers(engine, as_name)
    if len(found) != 1:
        names = ", ".join(n for _, n in found) or "none"
        _fail(f"parbot: --as {as_name!r} must match exactly one officer (matches: {names})")
    officer_id, name = found[0]
    if member(engine, officer_id) is None:
        _fail(f"parbot: {name} has no role that may open the dashboard")
    base = settings.public_base_url or f"http://127.0.0.1:{settings.port}"
    minutes = settings.dashboard_link_minutes
    link = keys.new_link(engine, base, officer_id, settings.dashboard_secret, minutes * 60)
    typer.echo(f"{name}: {link}")
    typer.echo(f"(single use, expires in {minutes:g} minutes)", err=True)
    if not settings.public_base_url and not serve:
        typer.echo("PUBLIC_BASE_URL is not set: add --serve to serve the page on this machine.",
                   err=True)
    if serve:
        from bot.channels.dashboard import serve_local

        serve_local(engine, settings, host, settings.port)
