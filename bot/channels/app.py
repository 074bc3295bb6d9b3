"""The app factory: one python-telegram-bot Application, whatever the channel.

Telegram talks the Bot API over HTTP (`TELEGRAM_API_BASE_URL`); the console and Zalo pass their
own request layer. Handlers are registered in one place (`handlers.register`).
"""

from __future__ import annotations

import asyncio
import logging

import httpx
from telegram import BotCommand, BotCommandScopeChat, MenuButtonWebApp, WebAppInfo
from telegram.error import NetworkError, TelegramError
from telegram.ext import Application, ApplicationBuilder, Defaults
from telegram.request import BaseRequest, HTTPXRequest, RequestData

import handlers
from bot.channels import delivery, inbox
from bot.channels.pacing import NotDelivered, PacedLimiter
from bot.channels.persistence import SQLPersistence
from bot.channels.updates import ChatOrderedProcessor
from bot.core.access import Actor, allowed
from bot.core.catalogue import t
from bot.core.clock import clock
from bot.core.services import Services
from bot.dashboard.keys import app_url
from bot.people.identity import linked_accounts
from bot.reporting import sweep_evidence

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


SWEEP_EVERY = 24 * 3600  # seconds: the evidence folder is swept once a day
SWEEP_JOB = "evidence.sweep"


async def _sweep_evidence(context) -> None:
    """Delete kept evidence copies no report and no open draft refers to (crash leftovers)."""
    svc: Services = context.application.bot_data["services"]
    if svc.settings.evidence_dir is None:
        return
    gone = await asyncio.to_thread(sweep_evidence, svc.engine, svc.settings.evidence_dir)
    if gone:
        log.info("evidence swept", extra={"fields": {"deleted": gone}})


def _install_sweep(app: Application) -> None:
    settings = app.bot_data["services"].settings
    if settings.evidence_dir is None or settings.tick_seconds <= 0 or app.job_queue is None:
        return
    app.job_queue.run_repeating(_sweep_evidence, interval=SWEEP_EVERY, first=300,
                                name=SWEEP_JOB, job_kwargs={"max_instances": 1,
                                                            "coalesce": True})


class OnceRequest(HTTPXRequest):
    """PTB's HTTP layer, each call of a handler made once even when its update is handled again
    after a crash (`bot.channels.inbox.Replay`); what certainly did not take effect (a refused
    connection, a 5xx) raises `NotDelivered`, which delivery retries at once."""

    async def do_request(self, url: str, method: str, request_data: RequestData | None = None,
                         *args, **kwargs) -> tuple[int, bytes]:
        async def send() -> tuple[int, bytes]:
            try:
                status, body = await super(OnceRequest, self).do_request(
                    url, method, request_data, *args, **kwargs)
            except NetworkError as exc:
                if isinstance(exc.__cause__, httpx.ConnectError):
                    raise NotDelivered(str(exc)) from exc
                raise
            if status >= 500:
                raise NotDelivered(f"{status} {body[:200].decode('utf-8', 'replace')}")
            return status, body

        return await inbox.through(url, method, request_data, send)


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
                   .request(OnceRequest(connection_pool_size=256))
                   .rate_limiter(PacedLimiter(settings.send_rate)))  # evenly spaced
    app = builder.build()
    app.bot_data["services"] = services
    handlers.register(app)
    delivery.install(app)
    _install_sweep(app)
    return app


def console_admin(name: str = "Console") -> Actor:
    """The console's local user when it is not acting as a roster officer: the machine's
    operator, who holds the database anyway, so an administrator."""
    return Actor(officer_id=None, name=name, role="admin")
