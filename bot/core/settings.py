"""Settings from the environment and `.env` (every one is documented in `.env.example`)."""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

ROOT = Path(__file__).resolve().parents[2]
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
    # Zalo Bot Platform, and the public address of the webhook server (files for Zalo).
    zalo_bot_token: str | None = Field(default=None, alias="ZALO_BOT_TOKEN")
    zalo_api_base_url: str = Field(default="https://bot-api.zaloplatforms.com",
                                   alias="ZALO_API_BASE_URL")
    # where Zalo users' photos may be fetched from: host suffixes (https only) or whole origins
    # ("http://127.0.0.1:8080"); anything else, and the Bot API itself, is never fetched
    zalo_media_hosts: str = Field(default="zdn.vn,zadn.vn", alias="ZALO_MEDIA_HOSTS")
    zalo_webhook_url: str | None = Field(default=None, alias="ZALO_WEBHOOK_URL")
    zalo_webhook_secret: str | None = Field(default=None, alias="ZALO_WEBHOOK_SECRET")
    public_base_url: str | None = Field(default=None, alias="PUBLIC_BASE_URL")
    public_file_hours: float = Field(default=24, alias="PUBLIC_FILE_HOURS")
    # The dashboard (/app/): signing key, initData age, one-time links, sessions.
    dashboard_secret: str | None = Field(default=None, alias="DASHBOARD_SECRET")
    dashboard_initdata_max_age: float = Field(default=3600, alias="DASHBOARD_INITDATA_MAX_AGE")
    dashboard_link_minutes: float = Field(default=15, alias="DASHBOARD_LINK_MINUTES")
    dashboard_session_hours: float = Field(default=8, alias="DASHBOARD_SESSION_HOURS")
    telegram_webapp_js: str = Field(default="https://telegram.org/js/telegram-web-app.js",
                                    alias="TELEGRAM_WEBAPP_JS")
    poll_timeout: int = Field(default=10, alias="PARBOT_POLL_TIMEOUT")
    log_level: str = Field(default="INFO", alias="PARBOT_LOG_LEVEL")
    evidence_dir: Path | None = Field(default=None, alias="PARBOT_EVIDENCE_DIR")
    report_idle_minutes: int = Field(default=30, alias="PARBOT_REPORT_IDLE_MINUTES")
    undo_window_minutes: int = Field(default=60, alias="PARBOT_UNDO_MINUTES")
    # Nudges, escalation and the weekly digest (bot/notify/nudges.py reads and checks these).
    tick_seconds: float = Field(default=30, alias="PARBOT_TICK_SECONDS")
    nudge_offsets: str = Field(default="14,7,3,1", alias="PARBOT_NUDGE_OFFSETS")
    nudge_time: str = Field(default="08:00", alias="PARBOT_NUDGE_TIME")
    escalation_grace_days: int = Field(default=3, alias="PARBOT_ESCALATION_GRACE_DAYS")
    leader_escalation_days: int = Field(default=3, alias="PARBOT_LEADER_ESCALATION_DAYS")
    stale_days: int = Field(default=30, alias="PARBOT_STALE_DAYS")
    catch_up_days: int = Field(default=7, alias="PARBOT_CATCH_UP_DAYS")
    digest_ahead_days: int = Field(default=14, alias="PARBOT_DIGEST_AHEAD_DAYS")
    holidays_file: Path = Field(default=ROOT / "data" / "holidays.yaml",
                                alias="PARBOT_HOLIDAYS_FILE")
    send_rate: float = Field(default=29.5, alias="PARBOT_SEND_RATE")
    # Fair use (bot/core/fair_use.py): messages per minute and at once, per person; people not
    # on the roster get the stricter pair. 0 switches a limit off.
    rate_per_minute: float = Field(default=60, alias="PARBOT_RATE_PER_MINUTE")
    rate_burst: int = Field(default=30, alias="PARBOT_RATE_BURST")
    stranger_rate_per_minute: float = Field(default=20, alias="PARBOT_STRANGER_RATE_PER_MINUTE")
    stranger_rate_burst: int = Field(default=10, alias="PARBOT_STRANGER_RATE_BURST")
    notify_attempts: int = Field(default=5, alias="PARBOT_NOTIFY_ATTEMPTS")
    # Who issues the quarterly report after the issuing office was reorganised (2025: the
    # districts were dissolved): unit, its parent, place, recipients ("A; B"). Unset: the draft
    # carries highlighted placeholders and the bot warns.
    report_issuer: str | None = Field(default=None, alias="PARBOT_REPORT_ISSUER")
    report_parent: str | None = Field(default=None, alias="PARBOT_REPORT_PARENT")
    report_place: str | None = Field(default=None, alias="PARBOT_REPORT_PLACE")
    report_recipients: str | None = Field(default=None, alias="PARBOT_REPORT_RECIPIENTS")
    # The durable inbox and running several processes on one PostgreSQL.
    inbox_days: int = Field(default=14, alias="PARBOT_INBOX_DAYS")
    inbox: bool = Field(default=True, alias="PARBOT_INBOX")  # off: only to measure its cost
    leader_retry_seconds: float = Field(default=10, alias="PARBOT_LEADER_RETRY_SECONDS")


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
