"""Running the Telegram bot: polling or webhook, clean stop, clear errors."""

from __future__ import annotations

import logging

from sqlalchemy.engine import Engine
from telegram import Update
from telegram.error import InvalidToken, NetworkError

from bot.app import build_application
from bot.channels.telegram import check_token
from bot.settings import Settings
from handlers.common import Services

log = logging.getLogger("parbot")


def run_telegram(settings: Settings, engine: Engine) -> int:
    """Run until SIGTERM/SIGINT; return the process exit code."""
    status = check_token(settings)
    if status != "ok":
        engine.dispose()
        if status == "invalid":
            print("parbot: Telegram rejected TELEGRAM_BOT_TOKEN (invalid token). "
                  "Check it with @BotFather.")
            return 2
        print(f"parbot: cannot reach the Telegram Bot API at "
              f"{settings.telegram_api_base_url} ({status[13:]}).")
        return 3
    app = build_application(Services(engine=engine, settings=settings, channel="telegram"))
    try:
        if settings.webhook_url:
            if not settings.webhook_secret:
                log.error("WEBHOOK_SECRET is required with WEBHOOK_URL")
                print("parbot: WEBHOOK_SECRET is required when WEBHOOK_URL is set.")
                return 2
            app.run_webhook(
                listen=settings.webhook_listen, port=settings.port,
                url_path="telegram", webhook_url=settings.webhook_url,
                secret_token=settings.webhook_secret, allowed_updates=Update.ALL_TYPES,
                drop_pending_updates=False,
            )
        else:
            app.run_polling(allowed_updates=Update.ALL_TYPES, timeout=settings.poll_timeout,
                            poll_interval=0.0)
    except InvalidToken:
        print("parbot: Telegram rejected TELEGRAM_BOT_TOKEN (invalid token). "
              "Check it with @BotFather.")
        return 2
    except NetworkError as exc:
        print(f"parbot: cannot reach the Telegram Bot API at "
              f"{settings.telegram_api_base_url}: {exc}")
        return 3
    finally:
        engine.dispose()
    return 0
