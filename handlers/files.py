"""Fetching a file a user sent, through the Bot API (getFile, then the download).

Every failure (file unknown to this bot, too big, gone, network, a channel without files) becomes
`FileUnavailable` with Telegram's reason, so callers list the file as missing instead of stopping.
"""

from __future__ import annotations

from telegram import Bot
from telegram.error import TelegramError

from bot.core.files import FileUnavailable


async def download(bot: Bot, file_id: str) -> bytes:
    """The file's bytes; raises FileUnavailable."""
    try:
        file = await bot.get_file(file_id)
        return bytes(await file.download_as_bytearray())
    except TelegramError as exc:
        raise FileUnavailable(exc.message or type(exc).__name__) from exc
    except OSError as exc:
        raise FileUnavailable(str(exc) or type(exc).__name__) from exc
    except (AttributeError, KeyError, TypeError, ValueError) as exc:
        # an answer that is not a file
        raise FileUnavailable("getFile: no file") from exc
