"""`parbot digest --preview [--to FILE.png]`: the weekly digest as leaders get it, in the
terminal (text) and as the chart image — the same rendering the bot sends."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from bot.cli.base import _fail, _settings, app, open_database
from bot.core.clock import clock


@app.command()
def digest(
    preview: Annotated[bool, typer.Option("--preview", help="print the digest (required: the "
                                          "bot itself sends it to leaders)")] = False,
    to: Annotated[Path | None, typer.Option("--to", help="write the chart to this PNG file")]
    = None,
    lang: Annotated[str, typer.Option(help="vi or en")] = "vi",
    plan: Annotated[str | None, typer.Option(help="plan code (default: the active plan)")]
    = None,
) -> None:
    """The weekly leadership digest as of now (PARBOT_AS_OF): text, and the chart with --to."""
    from bot.notify.digest import build_digest, details_text, digest_chart, digest_text

    if not preview:
        _fail("parbot: add --preview to print the digest (leaders receive it from the running "
              "bot on their digest day; /digest in the chat shows it any time).", 2)
    settings = _settings()
    engine = open_database(settings)
    content = build_digest(engine, clock.now(), settings.digest_ahead_days, settings.stale_days,
                           plan)
    if content is None:
        _fail(f"parbot: no plan {plan or 'is active'}")
    typer.echo(digest_text(content, lang))
    typer.echo("\n" + details_text(content, lang))
    if to is not None:
        to.parent.mkdir(parents=True, exist_ok=True)
        to.write_bytes(digest_chart(content, lang))
        typer.echo(f"📊 {to}")
