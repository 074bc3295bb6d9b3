"""Small direct Bot API calls the CLI needs outside a running Application."""

from __future__ import annotations

import asyncio

from telegram import Bot
from telegram.error import InvalidToken, TelegramError

from bot.core.settings import Settings


def _bot(settings: Settings) -> Bot:
    root = settings.telegram_api_base_url.rstrip("/")
    return Bot(settings.telegram_bot_token or "", base_url=f"{root}/bot",
               base_file_url=f"{root}/file/bot")


async def _username(settings: Settings) -> str:
    async with _bot(settings) as bot:
        return bot.username


def bot_username(settings: Settings) -> str | None:
    """The bot's @username via getMe, or None when there is no token or no answer."""
    if not settings.telegram_bot_token:
        return None
    try:
        return asyncio.run(_username(settings))
    except (TelegramError, OSError):
        return None


def check_token(settings: Settings) -> str:
    """"ok", "invalid" (Telegram refused the token) or "unreachable: <why>" — asked once
    before starting, so a wrong token is one clear line rather than a retry loop."""
    try:
        asyncio.run(_username(settings))
    except InvalidToken:
        return "invalid"
    except (TelegramError, OSError) as exc:
        return f"unreachable: {exc}"
    return "ok"


