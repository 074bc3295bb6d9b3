"""Settings from the environment and `.env` (every one is documented in `.env.example`)."""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_PLAN = ROOT / "data" / "plans" / "737-KH-PGDDT-2021.yaml"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_file=".env", env_file_encoding="utf-8", extra="ignore", env_ignore_empty=True
    )

    telegram_bot_token: str | None = Field(default=None, alias="TELEGRAM_BOT_TOKEN")
    telegram_api_base_url: str = Field(
        default="https://api.telegram.org", alias="TELEGRAM_API_BASE_URL"
    )
    database_url: str = Field(default=f"sqlite:///{ROOT / 'var' / 'parbot.db'}",
                              alias="DATABASE_URL")
    timezone: str = Field(default="Asia/Ho_Chi_Minh", alias="PARBOT_TIMEZONE")
    as_of: dt.datetime | None = Field(default=None, alias="PARBOT_AS_OF")
    plan: Path = Field(default=DEFAULT_PLAN, alias="PARBOT_PLAN")
    public_plan: bool = Field(default=False, alias="PARBOT_PUBLIC_PLAN")
    invite_days: int = Field(default=14, alias="PARBOT_INVITE_DAYS")
    webhook_url: str | None = Field(default=None, alias="WEBHOOK_URL")
    webhook_secret: str | None = Field(default=None, alias="WEBHOOK_SECRET")
    webhook_listen: str = Field(default="0.0.0.0", alias="WEBHOOK_LISTEN")
    port: int = Field(default=8443, alias="PORT")
    poll_timeout: int = Field(default=10, alias="PARBOT_POLL_TIMEOUT")
    log_level: str = Field(default="INFO", alias="PARBOT_LOG_LEVEL")
    evidence_dir: Path | None = Field(default=None, alias="PARBOT_EVIDENCE_DIR")
    report_idle_minutes: int = Field(default=30, alias="PARBOT_REPORT_IDLE_MINUTES")
    undo_window_minutes: int = Field(default=60, alias="PARBOT_UNDO_MINUTES")


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
