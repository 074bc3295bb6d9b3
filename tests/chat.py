"""Talking to the real Application and handlers in-process, through the bridge request layer.

Fast and deterministic (each update is fully handled before `say` returns); for the Telegram wire
itself, the end-to-end tests run `parbot run` against the fake Bot API server instead.
"""

from __future__ import annotations

import itertools

from sqlalchemy.engine import Engine
from telegram import Update

from bot.channels.app import build_application, console_admin
from bot.channels.bridge import BridgeRequest, Outgoing
from bot.core.services import Services
from bot.core.settings import Settings
from bot.people import identity

_ids = itertools.count(5000)


class RecordingRequest(BridgeRequest):
    channel = "console"

    def __init__(self) -> None:
        super().__init__()
        self.outbox: list[Outgoing] = []

    async def deliver(self, message: Outgoing) -> None:
        self.outbox.append(message)


class Chat:
    def __init__(self, engine: Engine, admin_console: bool = False,
                 request: RecordingRequest | None = None, channel: str = "console",
                 **settings: object) -> None:
        self.engine = engine
        # no background reminder ticks: tests that want them drive the tick themselves
        # and no fair-use limit: tests that want it set PARBOT_*RATE* themselves
        self.settings = Settings(**{"PARBOT_TICK_SECONDS": 0, "PARBOT_RATE_BURST": 0,
                                    "PARBOT_STRANGER_RATE_BURST": 0, **settings})
        self.services = Services(engine=engine, settings=self.settings, channel=channel,
                                 console_actor=console_admin() if admin_console else None)
        self.request = request or RecordingRequest()
        self.app = build_application(self.services, request=self.request)
        self.errors: list[BaseException] = []  # what any handler raised (the user got the apology)
        self.raise_errors = True  # a test of the error path itself turns this off
        self.app.add_error_handler(self._record_error)

    async def _record_error(self, update: object, context) -> None:
        self.errors.append(context.error)

    async def __aenter__(self) -> Chat:
        await self.app.initialize()
        await self.app.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.app.stop()
        await self.app.shutdown()

    def user(self, name: str = "Khách", language_code: str = "vi") -> dict:
        """A user not on the roster."""
        return self.request.user(next(_ids), name, language_code)

    def officer(self, name: str, language_code: str = "vi") -> dict:
        """A user linked to the roster officer whose name contains `name`."""
        found = identity.find_officers(self.engine, name)
        assert len(found) == 1, f"{name!r} matches {found}"
        officer_id, full_name = found[0]
        user = self.request.user(next(_ids), full_name, language_code)
        identity.link_account(self.engine, officer_id, self.services.channel, user["id"])
        return user

    async def feed(self, update: dict) -> list[Outgoing]:
        """Handle one update; a handler that raises fails the test (the user got only the
        polite apology, which must never pass for an answer)."""
        start = len(self.request.outbox)
        await self.app.process_update(Update.de_json(update, self.app.bot))
        if self.errors and self.raise_errors:
            error, self.errors = self.errors[0], []
            raise AssertionError(f"a handler raised on {update!r}: {error!r}") from error
        return self.request.outbox[start:]

    async def say(self, user: dict, text: str) -> list[Outgoing]:
        return await self.feed(self.request.text_update(user, text))

    async def text(self, user: dict, text: str) -> str:
        """Everything the bot answered, rendered as the user reads it."""
        return "\n".join(o.render() for o in await self.say(user, text))
