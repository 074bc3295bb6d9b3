"""Who opens the dashboard: Telegram Mini App `initData`, signed one-time links, session cookies.

- `initData` (Telegram's documented algorithm): secret = HMAC_SHA256(key="WebAppData",
  msg=bot_token); the fields except `hash`, as `key=value` sorted by key and joined with "\\n",
  signed with that secret must give `hash` (compared in constant time); `auth_date` must be no
  older than the configured age. A given `initData` opens one session (replays are refused).
- A one-time link (`/dashboard` on Zalo and the console, `parbot dashboard --as NAME`):
  `<payload>.<signature>` where the payload names the officer, an expiry (15 minutes) and a
  nonce; the nonce is claimed once in the database, so a link works once.
- The session cookie: the same signed form with the officer and an expiry (8 hours).

The signing key is DASHBOARD_SECRET, or one generated once and kept in the database (so the CLI
and the running bot agree without configuration). Times are real time (`time.time()`), not the
plan's clock: PARBOT_AS_OF moves the plan, not Telegram's signatures.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import threading
import time
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlencode

from sqlalchemy.engine import Engine

from bot.core import state_store

PATH = "/app/"  # where the page is served
LINK_SECONDS = 15 * 60
SESSION_SECONDS = 8 * 3600
STATE_KIND = "dashboard"
USED_KIND = "dashboard_used"  # one row per used link nonce or initData hash


class Refused(Exception):
    """Credentials that do not open the dashboard; the message says why (for the logs)."""


# --- Telegram initData --------------------------------------------------------------------------

@dataclass(frozen=True)
class WebAppUser:
    id: int
    first_name: str
    language_code: str | None
    auth_date: int
    hash: str


def sign_init_data(fields: dict[str, str], bot_token: str) -> str:
    """`initData` as Telegram would send it for these fields (tests, local trials)."""
    check = "\n".join(f"{k}={v}" for k, v in sorted(fields.items()))
    secret = hmac.new(b"WebAppData", bot_token.encode(), hashlib.sha256).digest()
    digest = hmac.new(secret, check.encode(), hashlib.sha256).hexdigest()
    return urlencode({**fields, "hash": digest})


def check_init_data(init_data: str, bot_token: str, max_age: float,
                    now: float | None = None) -> WebAppUser:
    """The Telegram user of a valid `initData`; `Refused` otherwise."""
    if not init_data or not bot_token:
        raise Refused("no initData" if not init_data else "no bot token")
    try:
        pairs = parse_qsl(init_data, keep_blank_values=True, strict_parsing=True)
    except ValueError as exc:
        raise Refused("initData is not a query string") from exc
    fields = dict(pairs)
    if len(fields) != len(pairs):
        raise Refused("a field given twice")
    given = fields.pop("hash", "")
    if not given:
        raise Refused("no hash")
    check = "\n".join(f"{k}={v}" for k, v in sorted(fields.items()))
    secret = hmac.new(b"WebAppData", bot_token.encode(), hashlib.sha256).digest()
    expected = hmac.new(secret, check.encode(), hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected, given.lower()):
        raise Refused("bad signature")
    try:
        auth_date = int(fields.get("auth_date", ""))
    except ValueError as exc:
        raise Refused("no auth_date") from exc
    age = (time.time() if now is None else now) - auth_date
    if age > max_age:
        raise Refused("expired")
    if age < -60:
        raise Refused("auth_date in the future")
    try:
        user = json.loads(fields.get("user", ""))
        user_id = int(user["id"])
    except (ValueError, KeyError, TypeError) as exc:
        raise Refused("no user") from exc
    return WebAppUser(user_id, str(user.get("first_name", "")), user.get("language_code"),
                      auth_date, expected)


# --- signed tokens (links, sessions) -----------------------------------------------------------

def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def sign(payload: dict, secret: bytes) -> str:
    body = _b64(json.dumps(payload, separators=(",", ":"), sort_keys=True).encode())
    mac = hmac.new(secret, body.encode(), hashlib.sha256).digest()
    return f"{body}.{_b64(mac)}"


def unsign(token: str, secret: bytes, kind: str, now: float | None = None) -> dict:
    """The payload of a token this server signed, of this kind, not expired; `Refused`
    otherwise."""
    body, _, mac = (token or "").partition(".")
    if not body or not mac:
        raise Refused("malformed token")
    expected = hmac.new(secret, body.encode(), hashlib.sha256).digest()
    try:
        given = _unb64(mac)
        payload = json.loads(_unb64(body))
    except (ValueError, TypeError) as exc:
        raise Refused("malformed token") from exc
    if not hmac.compare_digest(expected, given):
        raise Refused("bad signature")
    if not isinstance(payload, dict) or payload.get("k") != kind:
        raise Refused("wrong kind of token")
    if float(payload.get("e", 0)) < (time.time() if now is None else now):
        raise Refused("expired")
    return payload


def link_token(officer_id: int, secret: bytes, seconds: float = LINK_SECONDS,
               now: float | None = None) -> str:
    """A one-time link's token for an officer (valid `seconds`, usable once)."""
    start = time.time() if now is None else now
    return sign({"k": "link", "o": officer_id, "e": int(start + seconds),
                 "n": secrets.token_urlsafe(12)}, secret)


def session_token(officer_id: int, via: str, secret: bytes, seconds: float = SESSION_SECONDS,
                  now: float | None = None) -> str:
    start = time.time() if now is None else now
    return sign({"k": "session", "o": officer_id, "v": via, "e": int(start + seconds)}, secret)


# --- the key, and what has been used ------------------------------------------------------------

_SECRETS: dict[str, bytes] = {}
_LOCK = threading.Lock()


def secret(engine: Engine, configured: str | None = None) -> bytes:
    """DASHBOARD_SECRET, or the database's own key (made once, kept in BotState)."""
    if configured:
        return hashlib.sha256(configured.encode()).digest()
    key = str(engine.url)
    with _LOCK:
        if key in _SECRETS:
            return _SECRETS[key]
    stored = state_store.get(engine, STATE_KIND, "secret")
    if stored is None:
        state_store.claim(engine, STATE_KIND, "secret", {"key": secrets.token_hex(32)})
        stored = state_store.get(engine, STATE_KIND, "secret")
    value = bytes.fromhex(stored["key"])
    with _LOCK:
        _SECRETS[key] = value
    return value


def was_used(engine: Engine, what: str) -> bool:
    return state_store.get(engine, USED_KIND, what[:255]) is not None


def use_once(engine: Engine, what: str, until: float, detail: dict | None = None) -> None:
    """Record that a link nonce or an initData (valid until `until`, real time) was used;
    `Refused` if it was already. Records of credentials that have expired since are dropped:
    those could not be replayed anyway."""
    if not state_store.claim(engine, USED_KIND, what[:255], {**(detail or {}), "until": until}):
        raise Refused("already used")
    now = time.time()
    for key, data in state_store.all_of(engine, USED_KIND).items():
        if float(data.get("until", now)) < now - 60:
            state_store.delete(engine, USED_KIND, key)


# --- addresses ----------------------------------------------------------------------------------

def app_url(base_url: str) -> str:
    """The page (the Mini App's URL)."""
    return f"{base_url.rstrip('/')}{PATH}"


def link_url(base_url: str, token: str) -> str:
    return f"{base_url.rstrip('/')}{PATH}login?{urlencode({'t': token})}"


def new_link(engine: Engine, base_url: str, officer_id: int, configured: str | None = None,
             seconds: float = LINK_SECONDS) -> str:
    """A signed one-time link that opens the page as this officer."""
    return link_url(base_url, link_token(officer_id, secret(engine, configured), seconds))
