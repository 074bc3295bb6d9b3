"""Running the bot: Telegram, Zalo or both in one process; polling or webhooks; a clean stop.

Each channel is its own python-telegram-bot Application from the same factory and handlers, all
on one asyncio loop. Webhooks (both platforms), /healthz and Zalo's file links are served by one
ASGI server (`bot.channels.webhooks`) when WEBHOOK_URL, ZALO_WEBHOOK_URL or PUBLIC_BASE_URL
asks for it.

Exit codes: 0 after SIGTERM/SIGINT (updates received are handled and confirmed first, the
database is closed), 2 for a configuration problem or a token the platform rejects, 3 when a
platform or the listening port cannot be reached.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
import signal
from typing import Any, Protocol
from urllib.parse import urlsplit

from sqlalchemy import text
from sqlalchemy.engine import Engine
from telegram import Update
from telegram.error import InvalidToken, NetworkError, TelegramError
from telegram.ext import Application, ContextTypes, TypeHandler

from bot.channels import dashboard, webhooks, zalo
from bot.channels.app import build_application
from bot.channels.telegram import check_token
from bot.core.clock import clock
from bot.core.services import Services
from bot.core.settings import Settings

log = logging.getLogger("parbot")

TELEGRAM_SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


class Channel(Protocol):
    name: str
    app: Application

    @property
    def mode(self) -> str: ...
    def route(self) -> webhooks.WebhookRoute | None: ...
    async def prepare(self) -> None: ...
    async def begin(self) -> None: ...
    async def end(self) -> None: ...
    async def close(self) -> None: ...


def telegram_webhook(settings: Settings) -> tuple[str, str]:
    """(the URL given to Telegram, the path served): WEBHOOK_URL's own path, or /telegram."""
    url = settings.webhook_url or ""
    path = urlsplit(url).path
    if path in ("", "/"):
        return url.rstrip("/") + "/telegram", "/telegram"
    return url, path


class TelegramChannel:
    name = "telegram"

    def __init__(self, settings: Settings, engine: Engine) -> None:
        self.settings = settings
        self.app = build_application(Services(engine=engine, settings=settings,
                                              channel="telegram"))

    @property
    def mode(self) -> str:
        return "webhook" if self.settings.webhook_url else "polling"

    def route(self) -> webhooks.WebhookRoute | None:
        if not self.settings.webhook_url:
            return None
        return webhooks.WebhookRoute(telegram_webhook(self.settings)[1], TELEGRAM_SECRET_HEADER,
                                     self.settings.webhook_secret or "", self.accept, "telegram")

    async def accept(self, payload: Any) -> None:
        if not isinstance(payload, dict) or "update_id" not in payload:
            raise ValueError("not a Telegram update")
        await self.app.update_queue.put(Update.de_json(payload, self.app.bot))

    async def prepare(self) -> None:
        return None

    async def begin(self) -> None:
        if self.settings.webhook_url:
            await self.app.bot.set_webhook(
                url=telegram_webhook(self.settings)[0], secret_token=self.settings.webhook_secret,
                allowed_updates=Update.ALL_TYPES, drop_pending_updates=False)
        else:
            await self.app.updater.start_polling(
                allowed_updates=Update.ALL_TYPES, timeout=self.settings.poll_timeout,
                poll_interval=0.0, drop_pending_updates=False)

    async def end(self) -> None:
        """Stop polling; the updater confirms what was fetched (getUpdates with the offset)."""
        if self.app.updater is not None and self.app.updater.running:
            await self.app.updater.stop()

    async def close(self) -> None:
        return None


def zalo_channel(settings: Settings, engine: Engine,
                 files: webhooks.FileStore | None) -> zalo.ZaloChannel:
    client = zalo.ZaloClient(settings.zalo_bot_token or "", settings.zalo_api_base_url)
    request = zalo.ZaloRequest(client, engine, files, settings.public_file_hours)
    app = build_application(Services(engine=engine, settings=settings, channel="zalo"),
                            request=request)
    return zalo.ZaloChannel(app, request, settings)


def config_problem(settings: Settings) -> str | None:
    """What in the settings keeps the bot from starting (checked before any network call)."""
    if settings.telegram_bot_token and settings.webhook_url and not settings.webhook_secret:
        return "WEBHOOK_SECRET is required when WEBHOOK_URL is set."
    if settings.zalo_bot_token and zalo.webhook_url(settings):
        secret = settings.zalo_webhook_secret or ""
        if not 8 <= len(secret) <= 256:
            return ("ZALO_WEBHOOK_SECRET (8 to 256 characters) is required when Zalo uses a "
                    "webhook (ZALO_WEBHOOK_URL, or WEBHOOK_URL's host).")
        if settings.telegram_bot_token and settings.webhook_url and \
                urlsplit(zalo.webhook_url(settings) or "").path == \
                telegram_webhook(settings)[1]:
            return "ZALO_WEBHOOK_URL and WEBHOOK_URL must have different paths."
    return None


def check_tokens(settings: Settings) -> tuple[int, str] | None:
    """Ask each platform once whether the token is good: (exit code, message) if not."""
    if settings.telegram_bot_token:
        status = check_token(settings)
        if status == "invalid":
            return 2, ("parbot: Telegram rejected TELEGRAM_BOT_TOKEN (invalid token). "
                       "Check it with @BotFather.")
        if status != "ok":
            return 3, (f"parbot: cannot reach the Telegram Bot API at "
                       f"{settings.telegram_api_base_url} ({status[13:]}).")
    if settings.zalo_bot_token:
        status = asyncio.run(zalo.check_token(settings))
        if status == "invalid":
            return 2, ("parbot: Zalo rejected ZALO_BOT_TOKEN (invalid token). Check it in "
                       "Zalo Bot Manager (or reset it there).")
        if status != "ok":
            return 3, (f"parbot: cannot reach the Zalo Bot API at "
                       f"{settings.zalo_api_base_url} ({status[13:]}).")
    return None


def run_bot(settings: Settings, engine: Engine) -> int:
    """Run every channel that has a token until SIGTERM/SIGINT; return the exit code."""
    try:
        problem = config_problem(settings)
        if problem:
            log.error(problem)
            print(f"parbot: {problem}")
            return 2
        failed = check_tokens(settings)
        if failed:
            print(failed[1])
            return failed[0]
        return asyncio.run(Runner(settings, engine).serve())
    finally:
        engine.dispose()


def _database_ok(engine: Engine) -> bool:
    with engine.connect() as conn:
        conn.execute(text("SELECT 1"))
    return True


class Runner:
    def __init__(self, settings: Settings, engine: Engine) -> None:
        self.settings = settings
        self.engine = engine
        self.files = webhooks.FileStore(settings.public_base_url,
                                        settings.public_file_hours * 3600) \
            if settings.public_base_url else None
        self.channels: list[Channel] = []
        if settings.telegram_bot_token:
            self.channels.append(TelegramChannel(settings, engine))
        if settings.zalo_bot_token:
            self.channels.append(zalo_channel(settings, engine, self.files))
        self.last_update: dict[str, dt.datetime] = {}
        for channel in self.channels:
            channel.app.add_handler(TypeHandler(Update, self._seen(channel.name)), group=-1000)

    def _seen(self, name: str):
        async def seen(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
            self.last_update[name] = clock.now()

        return seen

    async def health(self) -> tuple[bool, dict[str, Any]]:
        """Database reachable, every Application and its job queue running, last updates."""
        try:
            database = await asyncio.wait_for(asyncio.to_thread(_database_ok, self.engine), 1.5)
        except Exception:  # unreachable, or too slow to answer a health check
            database = False
        channels = {}
        for channel in self.channels:
            jobs = channel.app.job_queue
            seen = self.last_update.get(channel.name)
            channels[channel.name] = {
                "mode": channel.mode, "running": channel.app.running,
                "scheduler": bool(jobs is not None and jobs.scheduler.running),
                "jobs": len(jobs.jobs()) if jobs is not None else 0,
                "last_update": seen.isoformat(timespec="seconds") if seen else None}
        ok = database and all(c["running"] and c["scheduler"] for c in channels.values())
        latest = max(self.last_update.values(), default=None)
        return ok, {"database": "ok" if database else "unreachable", "channels": channels,
                    "last_update": latest.isoformat(timespec="seconds") if latest else None,
                    "now": clock.now().isoformat(timespec="seconds")}

    def server(self) -> webhooks.WebServer | None:
        routes = [r for c in self.channels if (r := c.route()) is not None]
        if not routes and self.files is None:
            return None
        pages = dashboard.routes(self.engine, self.settings) \
            if self.settings.public_base_url else []
        app = webhooks.build_app(routes, self.health, self.files, pages)
        return webhooks.WebServer(app, self.settings.webhook_listen, self.settings.port)

    async def serve(self) -> int:
        loop = asyncio.get_running_loop()
        stop = asyncio.Event()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        server = self.server()
        initialized: list[Channel] = []
        started: list[Channel] = []
        code = 0
        try:
            if server is not None:
                await server.start()
            for channel in self.channels:
                await channel.prepare()
                await channel.app.initialize()
                initialized.append(channel)
                if channel.app.post_init:
                    await channel.app.post_init(channel.app)
                await channel.app.start()
                started.append(channel)
                await channel.begin()
                log.info("channel running", extra={"fields": {"channel": channel.name,
                                                              "mode": channel.mode}})
            await stop.wait()
            log.info("stopping", extra={"fields": {"reason": "signal"}})
        except InvalidToken:
            print("parbot: Telegram rejected TELEGRAM_BOT_TOKEN (invalid token). "
                  "Check it with @BotFather.")
            code = 2
        except NetworkError as exc:
            print(f"parbot: cannot reach the Telegram Bot API at "
                  f"{self.settings.telegram_api_base_url}: {exc}")
            code = 3
        except TelegramError as exc:  # e.g. setWebhook refused the URL
            print(f"parbot: Telegram refused to start the bot: {exc.message}")
            code = 2
        except zalo.ZaloAPIError as exc:
            print(f"parbot: the Zalo Bot API at {self.settings.zalo_api_base_url} refused to "
                  f"start the bot: {exc}")
            code = 2 if exc.status in (401, 403, 404) else 3
        except OSError as exc:
            print(f"parbot: cannot listen on {self.settings.webhook_listen}:{self.settings.port}"
                  f" ({exc}). Set WEBHOOK_LISTEN/PORT.")
            code = 3
        finally:
            if server is not None:
                await server.stop()  # no new webhooks; those accepted are handled below
            for channel in reversed(started):
                await self._stop(channel)
            for channel in reversed(initialized):
                with contextlib.suppress(Exception):
                    await channel.app.shutdown()
                if channel.app.post_shutdown:
                    await channel.app.post_shutdown(channel.app)
            for channel in self.channels:
                await channel.close()
        return code

    @staticmethod
    async def _stop(channel: Channel) -> None:
        try:
            await channel.end()
        except Exception:
            log.exception("channel %s did not stop taking updates cleanly", channel.name)
        await channel.app.stop()
        if channel.app.post_stop:
            await channel.app.post_stop(channel.app)
