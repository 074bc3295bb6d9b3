"""The app factory: one python-telegram-bot Application, whatever the channel.

Telegram talks the Bot API over HTTP (`TELEGRAM_API_BASE_URL`); the console and Zalo pass their
own request layer. Handlers are registered in one place (`handlers.register`).
"""

from __future__ import annotations

from telegram import BotCommand
from telegram.ext import AIORateLimiter, Application, ApplicationBuilder, Defaults
from telegram.request import BaseRequest

import handlers
from bot.access import Actor
from bot.catalogue import t
from bot.channels.updates import ChatOrderedProcessor
from bot.clock import clock
from handlers.common import Services

MENU_COMMANDS = ("report", "due", "target", "who", "status", "plan", "digest", "help", "lang")


async def _post_init(app: Application) -> None:
    registered = app.bot_data.get("commands", set())
    for lang in ("vi", "en"):
        commands = [BotCommand(c, t(f"menu.{c}", lang)) for c in MENU_COMMANDS
                    if c in registered]
        await app.bot.set_my_commands(commands, language_code=None if lang == "vi" else lang)


def build_application(services: Services, request: BaseRequest | None = None,
                      token: str | None = None) -> Application:
    settings = services.settings
    builder = (ApplicationBuilder().defaults(Defaults(tzinfo=clock.tz)).post_init(_post_init)
               .concurrent_updates(ChatOrderedProcessor()))
    if request is not None:
        builder = builder.token(token or f"{services.channel}:local").request(request) \
            .get_updates_request(request)
    else:
        root = settings.telegram_api_base_url.rstrip("/")
        builder = (builder.token(token or settings.telegram_bot_token or "")
                   .base_url(f"{root}/bot").base_file_url(f"{root}/file/bot")
                   .rate_limiter(AIORateLimiter(max_retries=3)))
    app = builder.build()
    app.bot_data["services"] = services
    handlers.register(app)
    return app


def console_admin(name: str = "Console") -> Actor:
    """The console's local user when it is not acting as a roster officer: the machine's
    operator, who holds the database anyway, so an administrator."""
    return Actor(officer_id=None, name=name, role="admin")
