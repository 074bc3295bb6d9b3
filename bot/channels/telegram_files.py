"""Fetching files people sent to the bot, through the Bot API (getFile, then the download).

The only place outside handlers that talks to Telegram for files: the evidence pack gets a
`fetch(item) -> bytes` from `telegram_fetcher`, handlers call `handlers.files.download`.
Every failure (file unknown to this bot, too big, gone, network) becomes `FileUnavailable` with
Telegram's reason, so callers list the file as missing instead of stopping.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from telegram import Bot
from telegram.error import TelegramError

from bot.core.files import FileUnavailable
from bot.core.settings import Settings
from bot.paperwork.evidence import EvidenceItem, Fetch
from handlers.files import download


def settings_bot(settings: Settings) -> Bot:
    """A Bot for the configured token and Bot API server (TELEGRAM_API_BASE_URL)."""
    root = settings.telegram_api_base_url.rstrip("/")
    return Bot(settings.telegram_bot_token or "", base_url=f"{root}/bot",
               base_file_url=f"{root}/file/bot")


@asynccontextmanager
async def telegram_fetcher(settings: Settings) -> AsyncIterator[Fetch]:
    """A fetch function for the evidence pack, open for the duration of the `async with`.
    Files from other channels (console, Zalo) are unavailable through it."""
    if not settings.telegram_bot_token:
        async def no_token(item: EvidenceItem) -> bytes:
            raise FileUnavailable("TELEGRAM_BOT_TOKEN is not set")

        yield no_token
        return
    bot = settings_bot(settings)
    try:
        await bot.initialize()
    except TelegramError as exc:
        reason = exc.message or type(exc).__name__

        async def unreachable(item: EvidenceItem) -> bytes:
            raise FileUnavailable(reason)

        yield unreachable
        return

    async def fetch(item: EvidenceItem) -> bytes:
        if item.channel != "telegram":
            raise FileUnavailable(f"channel {item.channel}")
        return await download(bot, item.file_id)

    try:
        yield fetch
    finally:
        await bot.shutdown()
