"""The `parbot` command: one module per command group over a shared base (bot.cli.base).

Imports: anything below it (bot.channels, features, core, storage); nothing imports bot.cli."""

from __future__ import annotations

from bot.cli import commands, dashboard, digest, exports  # noqa: F401  (each adds its commands to `app`)
from bot.cli.base import app


def main() -> None:
    app()
