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

from bot.channels import inbox, webhooks, zalo
from bot.channels.app import build_application
from bot.channels.leader import PROCESS, Leadership, SingleProcess
from bot.channels.telegram import check_token, parse_update
from bot.channels.updates import describe
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
    async def recover(self) -> None: ...
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
    """Telegram over polling (our own loop: updates are stored in the inbox before the next
    getUpdates offset confirms them) or a webhook (stored before the 200)."""

    name = "telegram"

    def __init__(self, settings: Settings, engine: Engine,
                 leadership: Leadership | None = None) -> None:
        self.settings = settings
        self.engine = engine
        self.leadership = leadership
        self.app = build_application(Services(engine=engine, settings=settings,
                                              channel="telegram"))
        if settings.inbox:
            self.app.update_processor.use_inbox(engine, self.name)  # type: ignore[attr-defined]
        self.offset: int | None = None
        self._stop = asyncio.Event()
        self._poller: asyncio.Task | None = None

    @property
    def mode(self) -> str:
        return "webhook" if self.settings.webhook_url else "polling"

    def route(self) -> webhooks.WebhookRoute | None:
        if not self.settings.webhook_url:
            return None
        return webhooks.WebhookRoute(telegram_webhook(self.settings)[1], TELEGRAM_SECRET_HEADER,
                                     self.settings.webhook_secret or "", self.accept, "telegram")

    def _alive(self, owner: str) -> bool:
        return self.leadership.alive(owner) if self.leadership is not None else False

    async def _enqueue(self, updates: list[Update], new: list[bool]) -> None:
        for update, fresh in zip(updates, new, strict=True):
            if not fresh:
                log.info("update", extra={"fields": {**describe(update),
                                                     "outcome": "duplicate"}})
                continue
            self.app.update_processor.track(  # type: ignore[attr-defined]
                update.update_id, str(update.update_id))
            await self.app.update_queue.put(update)

    async def _store(self, updates: list[Update], raws: list[dict]) -> list[bool]:
        if not self.settings.inbox:  # PARBOT_INBOX=off (bench/bench_inbox.py): nothing kept
            return [True] * len(updates)
        items = [(str(u.update_id), raw) for u, raw in zip(updates, raws, strict=True)]
        return await asyncio.to_thread(inbox.store, self.engine, self.name, items, PROCESS)

    async def accept(self, payload: Any) -> None:
        """A webhook body: stored in the inbox, then queued; the 200 goes out after both.
        Anything that is not an update is a ValueError (→ 400) and is not stored."""
        update = parse_update(payload, self.app.bot)
        await self._enqueue([update], await self._store([update], [payload]))

    async def prepare(self) -> None:
        return None

    async def recover(self) -> None:
        """Updates stored by a process that is gone and never finished: handled again, in the
        order they came, once."""
        if not self.settings.inbox:
            return
        taken = await asyncio.to_thread(inbox.take_unfinished, self.engine, self.name, PROCESS,
                                        self._alive)
        for row in taken:
            update = Update.de_json(row.raw, self.app.bot)
            self.app.update_processor.track(  # type: ignore[attr-defined]
                update.update_id, row.key, row.calls)
            await self.app.update_queue.put(update)
        if taken:
            log.info("inbox recovered", extra={"fields": {"channel": self.name,
                                                          "updates": len(taken)}})

    async def begin(self) -> None:
        await self.recover()
        if self.settings.webhook_url:
            await self.app.bot.set_webhook(
                url=telegram_webhook(self.settings)[0], secret_token=self.settings.webhook_secret,
                allowed_updates=Update.ALL_TYPES, drop_pending_updates=False)
        else:
            if self.leadership is None or self.leadership.is_leader:
                await self.app.bot.delete_webhook(drop_pending_updates=False)
            self._poller = asyncio.create_task(self._poll(), name="telegram-poll")

    async def _poll(self) -> None:
        """getUpdates → stored in the inbox → queued; the next getUpdates (offset) confirms.
        Only the leader polls (Telegram allows one consumer)."""
        backoff = 0.5
        while not self._stop.is_set():
            if self.leadership is not None and not self.leadership.is_leader:
                if await self.leadership.wait_to_lead(self._stop):
                    await self.recover()  # what the old leader fetched and left unfinished
                continue
            try:
                updates = await self.app.bot.get_updates(
                    offset=self.offset, timeout=self.settings.poll_timeout,
                    allowed_updates=Update.ALL_TYPES)
                if updates:
                    raws = [inbox.raw_json(u.to_dict()) for u in updates]
                    new = await self._store(updates, raws)
                    self.offset = updates[-1].update_id + 1  # stored: safe to confirm
                    await self._enqueue(updates, new)
            except InvalidToken:
                log.error("Telegram rejected the token while polling: polling stopped")
                return
            except Exception as exc:  # the platform, the network or the database: again, slower
                log.warning("telegram getUpdates failed: %s", exc,
                            exc_info=not isinstance(exc, TelegramError))
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._stop.wait(), backoff)
                backoff = min(backoff * 2, 30.0)
                continue
            backoff = 0.5

    async def end(self) -> None:
        """Stop polling, and confirm what was stored (getUpdates with the offset)."""
        self._stop.set()
        if self._poller is None:
            return
        try:  # the long poll in flight finishes, so what it brings is stored
            await asyncio.wait_for(asyncio.shield(self._poller),
                                   self.settings.poll_timeout + 5)
        except TimeoutError:
            self._poller.cancel()
        with contextlib.suppress(BaseException):
            await self._poller
        if self.offset is not None:
            with contextlib.suppress(TelegramError):
                await self.app.bot.get_updates(offset=self.offset, timeout=0)

    async def close(self) -> None:
        return None


def zalo_channel(settings: Settings, engine: Engine, files: webhooks.FileStore | None,
                 leadership: Leadership | None = None) -> zalo.ZaloChannel:
    client = zalo.ZaloClient(settings.zalo_bot_token or "", settings.zalo_api_base_url)
    request = zalo.ZaloRequest(client, engine, files, settings.public_file_hours,
                               settings.zalo_media_hosts, settings.zalo_api_base_url,
                               settings.zalo_bot_token or "")
    app = build_application(Services(engine=engine, settings=settings, channel="zalo"),
                            request=request)
    return zalo.ZaloChannel(app, request, settings, leadership)


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
        self.leadership = Leadership(engine, settings.leader_retry_seconds)
        self.channels: list[Channel] = []
        if settings.telegram_bot_token:
            self.channels.append(TelegramChannel(settings, engine, self.leadership))
        if settings.zalo_bot_token:
            self.channels.append(zalo_channel(settings, engine, self.files, self.leadership))
        self.last_update: dict[str, dt.datetime] = {}
        for channel in self.channels:
            channel.app.add_handler(TypeHandler(Update, self._seen(channel.name)), group=-1000)
            channel.app.bot_data["leadership"] = self.leadership  # scheduled work: leader only

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
                    "leader": self.leadership.is_leader,
                    "last_update": latest.isoformat(timespec="seconds") if latest else None,
                    "now": clock.now().isoformat(timespec="seconds")}

    def server(self) -> webhooks.WebServer | None:
        routes = [r for c in self.channels if (r := c.route()) is not None]
        if not routes and self.files is None:
            return None
        pages = []
        if self.settings.public_base_url:
            from bot.channels import dashboard  # jinja2: only where the page is served

            pages = dashboard.routes(self.engine, self.settings)
        app = webhooks.build_app(
            routes, self.health, self.files,
            health_secret=self.settings.webhook_secret or self.settings.zalo_webhook_secret,
            pages=pages)
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
            await self.leadership.start()
            log.info("process", extra={"fields": {
                "owner": PROCESS, "leader": self.leadership.is_leader,
                "database": self.engine.dialect.name}})
            await asyncio.to_thread(self._prune)
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
            janitor = asyncio.create_task(self._janitor(), name="inbox-janitor")
            await stop.wait()
            janitor.cancel()
            log.info("stopping", extra={"fields": {"reason": "signal"}})
        except SingleProcess as exc:
            print(f"parbot: {exc}")
            code = 2
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
            await self.leadership.stop()
        return code

    async def _janitor(self) -> None:
        """The leader takes up what a process that died left unfinished in the inbox (with
        webhooks, nobody would restart it), and prunes old rows daily."""
        pruned = clock.now()
        while True:
            await asyncio.sleep(max(self.settings.leader_retry_seconds, 1.0) * 3)
            if not self.leadership.is_leader:
                continue
            for channel in self.channels:
                try:
                    await channel.recover()
                except Exception:
                    log.exception("inbox recovery failed on %s", channel.name)
            if clock.now() - pruned > dt.timedelta(days=1):
                pruned = clock.now()
                await asyncio.to_thread(self._prune)

    def _prune(self) -> None:
        """Inbox rows past PARBOT_INBOX_DAYS go (one process prunes as good as another)."""
        before = clock.now() - dt.timedelta(days=self.settings.inbox_days)
        removed = inbox.prune(self.engine, before)
        if removed:
            log.info("inbox pruned", extra={"fields": {"rows": removed}})

    @staticmethod
    async def _stop(channel: Channel) -> None:
        try:
            await channel.end()
        except Exception:
            log.exception("channel %s did not stop taking updates cleanly", channel.name)
        await channel.app.stop()
        if channel.app.post_stop:
            await channel.app.post_stop(channel.app)
