"""The app factory: one python-telegram-bot Application, whatever the channel.

Telegram talks the Bot API over HTTP (`TELEGRAM_API_BASE_URL`); the console and Zalo pass their
own request layer. Handlers are registered in one place (`handlers.register`).
"""

from __future__ import annotations

import asyncio
import logging

from telegram import BotCommand, BotCommandScopeChat, MenuButtonWebApp, WebAppInfo
from telegram.error import TelegramError
from telegram.ext import AIORateLimiter, Application, ApplicationBuilder, Defaults
from telegram.request import BaseRequest

import handlers
from bot.channels import delivery
from bot.channels.persistence import SQLPersistence
from bot.channels.updates import ChatOrderedProcessor
from bot.core.access import Actor, allowed
from bot.core.catalogue import t
from bot.core.clock import clock
from bot.core.services import Services
from bot.dashboard.keys import app_url
from bot.people.identity import linked_accounts

log = logging.getLogger("parbot")

MENU_SIZE = 12
SKIP_IN_MENU = {"start", "cancel"}


def menu(app: Application, role: str, lang: str) -> list[BotCommand]:
    """The command menu for a role: what it may use, in /help order."""
    order = app.bot_data.get("command_order", [])
    return [BotCommand(c, t(f"menu.{c}", lang)) for c in order
            if c not in SKIP_IN_MENU and allowed(role, c)][:MENU_SIZE]


async def _post_init(app: Application) -> None:
    """Command menus: officers' by default (vi, and en for English clients); each linked
    principal, leader and admin gets their role's menu in their own chat, and each leader a
    menu button that opens the dashboard (when PUBLIC_BASE_URL is HTTPS, as Mini Apps need)."""
    svc: Services = app.bot_data["services"]
    for lang in ("vi", "en"):
        await app.bot.set_my_commands(menu(app, "officer", lang),
                                      language_code=None if lang == "vi" else lang)
    if svc.channel != "telegram":
        return
    accounts = await asyncio.to_thread(linked_accounts, svc.engine, svc.channel)
    for account in accounts:
        if account.role != "officer" and not account.blocked:
            try:
                await app.bot.set_my_commands(menu(app, account.role, account.language),
                                              scope=BotCommandScopeChat(int(account.external_id)))
            except TelegramError as exc:  # a chat that is gone must not stop the bot
                log.warning("menu for chat %s not set: %s", account.external_id, exc)
    base = svc.settings.public_base_url or ""
    if not base.startswith("https://"):
        return
    for account in accounts:
        if account.role == "leader" and not account.blocked:
            try:
                await app.bot.set_chat_menu_button(
                    chat_id=int(account.external_id), menu_button=MenuButtonWebApp(
                        t("dashboard.menu_button", account.language), WebAppInfo(app_url(base))))
            except TelegramError as exc:
                log.warning("menu button for chat %s not set: %s", account.external_id, exc)


def build_application(services: Services, request: BaseRequest | None = None,
                      token: str | None = None) -> Application:
    settings = services.settings
    builder = (ApplicationBuilder().defaults(Defaults(tzinfo=clock.tz)).post_init(_post_init)
               .concurrent_updates(ChatOrderedProcessor())
               .persistence(SQLPersistence(services.engine, namespace=services.channel)))
    if request is not None:
        builder = builder.token(token or f"{services.channel}:local").request(request) \
            .get_updates_request(request)
    else:
        root = settings.telegram_api_base_url.rstrip("/")
        builder = (builder.token(token or settings.telegram_bot_token or "")
                   .base_url(f"{root}/bot").base_file_url(f"{root}/file/bot")
                   .rate_limiter(AIORateLimiter(  # evenly spaced, no bursts (.env.example)
                       overall_max_rate=1, overall_time_period=1 / max(settings.send_rate, 0.1),
                       max_retries=3)))
    app = builder.build()
    app.bot_data["services"] = services
    handlers.register(app)
    delivery.install(app)
    return app


def console_admin(name: str = "Console") -> Actor:
    """The console's local user when it is not acting as a roster officer: the machine's
    operator, who holds the database anyway, so an administrator."""
    return Actor(officer_id=None, name=name, role="admin")
