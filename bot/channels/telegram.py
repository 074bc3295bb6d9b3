"""Small direct Bot API calls the CLI needs outside a running Application, and reading an update
a webhook received (`parse_update`)."""

from __future__ import annotations

import asyncio
from typing import Any

from telegram import Bot, Update
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




def parse_update(payload: Any, bot: Bot) -> Update:
    """A webhook body as an Update; ValueError (→ 400) for anything that is not one: not an
    object, no integer update_id, or fields PTB cannot read."""
    if not isinstance(payload, dict) or type(payload.get("update_id")) is not int:
        raise ValueError("not a Telegram update")
    for key, value in payload.items():
        if key != "update_id" and not isinstance(value, dict):
            raise ValueError(f"{key} is not an object")
    try:
        return Update.de_json(payload, bot)
    except (TypeError, KeyError, AttributeError, IndexError) as exc:
        raise ValueError(f"unreadable update: {type(exc).__name__}") from exc
