"""The dependencies a handler gets: wired once by the app factory (bot.channels.app)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.engine import Engine

from bot.core.access import Actor
from bot.core.settings import Settings


@dataclass
class Services:
    """Put in `application.bot_data["services"]` by the app factory."""

    engine: Engine
    settings: Settings
    channel: str  # telegram | console | zalo
    console_actor: Actor | None = None  # the console's local user when not linked
