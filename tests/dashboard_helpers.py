"""Shared by the dashboard tests: the office (plan 737, the example roster, a few reports), the
settings, one-time links and Telegram initData signed as Telegram would sign them."""

from __future__ import annotations

import datetime as dt
import json
import time
from urllib.parse import parse_qs, urlsplit

from sqlalchemy.engine import Engine

from bot.core.settings import Settings
from bot.dashboard import keys
from bot.people import identity

TOKEN = "123456:TEST-dashboard-token"
BASE = "https://dash.example"
TODAY = dt.datetime(2025, 5, 10, 9, 0)
LEADER, PRINCIPAL, OFFICER = "Văn Thắng", "Văn Bình", "Bích Hậu"
LE_LOI, VAN_YEN = "Trường THCS Lê Lợi", "Trường Tiểu học Văn Yên"
# what each view must show: the targets (codes) in scope
PER_SCHOOL = {"CV-1", "CV-2", "CV-3", "CQS-1"}
HAU_TARGETS = {"TTHC-1", "TTHC-2", "TTHC-3", "TTHC-4", "TTHC-5"}


def settings(**extra: object) -> Settings:
    return Settings(**{"TELEGRAM_BOT_TOKEN": TOKEN, "PUBLIC_BASE_URL": BASE,
                       "PARBOT_TICK_SECONDS": 0, **extra})


def officer_id(engine: Engine, name: str) -> int:
    [(found, _)] = identity.find_officers(engine, name)
    return found


def link(engine: Engine, name: str, base: str = BASE, seconds: float = keys.LINK_SECONDS,
         secret: str | None = None) -> str:
    return keys.new_link(engine, base, officer_id(engine, name), secret, seconds)


def init_data(user_id: int, auth_date: float | None = None, token: str = TOKEN,
              first_name: str = "Test") -> str:
    user = json.dumps({"id": user_id, "first_name": first_name, "language_code": "vi"},
                      separators=(",", ":"), ensure_ascii=False)
    fields = {"auth_date": str(int(time.time() if auth_date is None else auth_date)),
              "query_id": f"AAH{user_id}", "user": user}
    return keys.sign_init_data(fields, token)


def link_telegram(engine: Engine, name: str, telegram_id: int) -> None:
    identity.link_account(engine, officer_id(engine, name), "telegram", telegram_id)


def follow(client, url: str, **kw):
    """Open a one-time link as a person does: GET shows the button, the press POSTs."""
    page = client.get(url)
    if page.status_code != 200:
        return page
    token = parse_qs(urlsplit(url).query)["t"][0]
    return client.post("/app/login", data={"t": token}, **kw)
