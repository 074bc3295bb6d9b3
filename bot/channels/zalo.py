"""The Zalo channel: the same Application and handlers, over the Zalo Bot Platform.

Zalo's bot API is modelled on Telegram's (`{root}/bot{token}/{method}`, `{"ok": true, "result":
...}`) but has no keyboards, callback queries, edits or documents, caps texts at 2,000
characters, returns one update per `getUpdates` without offsets, names users by opaque strings
and dates in milliseconds. The bridge (`bot.channels.bridge`) already renders keyboards as
numbered options and edits as new messages; this module adds the rest:

- `ZaloClient`: a small async httpx client, tolerant of the envelopes and errors seen in the wild
  (408 "no update yet" on getUpdates, 429 quota, non-JSON error pages).
- `ZaloRequest`: delivers the bot's messages (split at paragraph breaks, then lines, then hard),
  photos by URL from the web server's `FileStore` when PUBLIC_BASE_URL is set (documents as a
  link), or says where to get the file; turns Zalo events into Telegram-shaped updates (text,
  a bare invite code as `/start CODE`, photos as evidence, stickers and the rest as unsupported).
- `ZaloIds`: each opaque id gets a stable integer for python-telegram-bot, kept in BotState so
  conversations, persistence and scheduled messages find the same person after a restart.
- `ZaloChannel`: polling (one update per call) or webhook events, each stored in the durable
  inbox (`bot.channels.inbox`, keyed by event name + message id) before anything else happens to
  it — before the webhook's 200 — so each is handled once, fed in order to the Application, and
  what a crash interrupted is handled at the next start. Polling cannot do better than "stored
  the moment it arrives": Zalo's getUpdates has no offset, what it returns is gone.

The platform's terms ask that users be told they talk to software: the first message from a new
user and every /start get that notice first.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import logging
import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote, urlsplit

import httpx
from sqlalchemy.engine import Engine
from telegram import Update
from telegram.error import TimedOut
from telegram.ext import Application
from telegram.request import RequestData

from bot.channels import inbox
from bot.channels.bridge import BridgeRequest, Menu, Outgoing
from bot.channels.leader import PROCESS, Leadership
from bot.channels.webhooks import FileStore, WebhookRoute
from bot.core import state_store
from bot.core.catalogue import t
from bot.core.clock import clock
from bot.core.logs import where
from bot.core.settings import Settings
from bot.core.text import split_text, text_length, xml_safe
from bot.people import identity
from bot.people.identity import CODE_ALPHABET

log = logging.getLogger("parbot.zalo")

MAX_TEXT = 2000
SECRET_HEADER = "X-Bot-Api-Secret-Token"
TEXT = "message.text.received"
IMAGE = "message.image.received"
STICKER = "message.sticker.received"
UNSUPPORTED = "message.unsupported.received"
ID_KIND = "zalo.id"  # BotState: Zalo id -> {"id": the integer PTB sees}
MENU_KIND = "zalo.menu"  # BotState: chat (integer) -> the numbered options on screen
MAX_DOWNLOAD = 20 * 1024 * 1024


# --- the HTTP client -------------------------------------------------------------------------
class ZaloAPIError(Exception):
    """Zalo said no (status = its error code or the HTTP status; 0 = not reached)."""

    def __init__(self, status: int, description: str, retry_after: float | None = None) -> None:
        super().__init__(f"{status} {description}")
        self.status = status
        self.description = description
        self.retry_after = retry_after


def _parse(status: int, body: bytes) -> Any:
    """The result of a reply, whatever envelope it came in; raises ZaloAPIError."""
    try:
        data = json.loads(body) if body else None
    except ValueError:
        data = None
    if isinstance(data, dict):
        if data.get("ok") is True:
            return data.get("result")
        failed = data.get("ok") is False or "error_code" in data or \
            data.get("error") not in (None, 0)
        if failed or status >= 400:
            code = data.get("error_code") or (status if status >= 400 else None) or 400
            params = data.get("parameters") or {}
            raise ZaloAPIError(int(code) if str(code).lstrip("-").isdecimal() else status or 400,
                               str(data.get("description") or data.get("message") or "error"),
                               params.get("retry_after") if isinstance(params, dict) else None)
        return data.get("result", data.get("data", data))
    if 200 <= status < 300 and data is not None:
        return data
    text = body[:200].decode("utf-8", "replace").strip() if body else ""
    raise ZaloAPIError(status, text or f"HTTP {status}")


class ZaloClient:
    """`{root}/bot{token}/{method}` over httpx, JSON bodies; a 429 is retried after a pause."""

    def __init__(self, token: str, base_url: str, timeout: float = 15.0) -> None:
        self.root = f"{base_url.rstrip('/')}/bot{token}"
        self.timeout = timeout
        self._http = httpx.AsyncClient(timeout=httpx.Timeout(timeout, connect=10.0),
                                       follow_redirects=True)

    async def call(self, method: str, http_timeout: float | None = None, **params: Any) -> Any:
        """One call; while a tracked update is handled, made once (`bot.channels.inbox`)."""
        body = {k: v for k, v in params.items() if v is not None}
        replay = inbox.CURRENT.get()
        if replay is not None and method not in ("sendChatAction",):
            return await replay.result_of(method, body, lambda: self._call(method, http_timeout,
                                                                           body))
        return await self._call(method, http_timeout, body)

    async def _call(self, method: str, http_timeout: float | None, body: dict) -> Any:
        for attempt in range(1, 4):
            try:
                response = await self._http.post(f"{self.root}/{method}", json=body,
                                                  timeout=http_timeout or self.timeout)
            except httpx.TimeoutException as exc:
                raise ZaloAPIError(408, f"timed out ({type(exc).__name__})") from exc
            except httpx.HTTPError as exc:
                raise ZaloAPIError(0, f"{type(exc).__name__}: {exc}") from exc
            try:
                return _parse(response.status_code, response.content)
            except ZaloAPIError as exc:
                if exc.status != 429 or attempt == 3:
                    raise
                await asyncio.sleep(min(float(exc.retry_after or attempt), 30.0))
        raise AssertionError("unreachable")

    async def get_updates(self, timeout: int) -> list[dict]:
        """Events waiting (Zalo returns one at a time); [] when there is none yet (408)."""
        try:
            result = await self.call("getUpdates", http_timeout=timeout + 10, timeout=timeout)
        except ZaloAPIError as exc:
            if exc.status == 408:
                return []
            raise
        return events_of(result)

    async def download(self, url: str) -> bytes:
        """A user's photo: only from an allowed media host (checked by the caller), never
        following a redirect (a 3xx is a failed download)."""
        async with self._http.stream("GET", url, follow_redirects=False) as response:
            if response.status_code != 200:
                raise ZaloAPIError(response.status_code, f"download failed: {url}")
            data = bytearray()
            async for chunk in response.aiter_bytes():
                data.extend(chunk)
                if len(data) > MAX_DOWNLOAD:
                    raise ZaloAPIError(400, "file is too big")
            return bytes(data)

    async def aclose(self) -> None:
        await self._http.aclose()


async def check_token(settings: Settings) -> str:
    """"ok", "invalid" or "unreachable: <why>" — asked once before starting (getMe)."""
    client = ZaloClient(settings.zalo_bot_token or "", settings.zalo_api_base_url)
    try:
        await client.call("getMe")
    except ZaloAPIError as exc:
        if exc.status in (401, 403, 404):
            return "invalid"
        return f"unreachable: {exc}"
    finally:
        await client.aclose()
    return "ok"


def webhook_url(settings: Settings) -> str | None:
    """ZALO_WEBHOOK_URL, or /zalo on WEBHOOK_URL's host; None means polling."""
    if settings.zalo_webhook_url:
        return settings.zalo_webhook_url
    if settings.webhook_url:
        parts = urlsplit(settings.webhook_url)
        return f"{parts.scheme}://{parts.netloc}/zalo"
    return None


# --- events ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class ZaloEvent:
    name: str
    message_id: str | None
    user_id: str
    display_name: str
    chat_id: str
    chat_type: str
    date_ms: int | None
    text: str | None = None
    photo_url: str | None = None
    caption: str | None = None

    @property
    def dedupe_key(self) -> str | None:
        """Event name + sender + message id: ids are the sender's, so another person's message
        that reuses an id is not a duplicate."""
        return f"{self.name}:{self.user_id}:{self.message_id}"[:255] if self.message_id \
            else None


def _unwrap(body: Any) -> Any:
    """`{"ok": true, "result": {...}}` or the event itself."""
    while isinstance(body, dict) and "event_name" not in body and "result" in body:
        body = body["result"]
    return body


def events_of(body: Any) -> list[dict]:
    """The events in a webhook body or a getUpdates result: wrapped or not, one or a list."""
    body = _unwrap(body)
    items = body if isinstance(body, list) else [body]
    return [e for e in (_unwrap(i) for i in items) if isinstance(e, dict) and e.get("event_name")]


def _first(data: dict, *names: str) -> Any:
    for name in names:
        value = data.get(name)
        if value not in (None, ""):
            return value
    return None


def parse_event(raw: dict) -> ZaloEvent | None:
    """A Zalo event as plain values; None for what is not a user's message."""
    message = raw.get("message") if isinstance(raw.get("message"), dict) else None
    if message is None:
        return None
    sender = message.get("from") if isinstance(message.get("from"), dict) else {}
    chat = message.get("chat") if isinstance(message.get("chat"), dict) else {}
    user_id = _first(sender, "id", "user_id") or _first(chat, "id")
    if user_id is None or sender.get("is_bot"):
        return None
    date = message.get("date")
    try:
        date_ms = int(date) if date is not None else None
    except (TypeError, ValueError):
        date_ms = None
    photo = _first(message, "photo_url", "photo", "image_url", "url", "thumb")
    if isinstance(photo, dict):
        photo = _first(photo, "url", "photo_url", "src")
    if isinstance(photo, list):
        photo = next((p if isinstance(p, str) else _first(p, "url", "photo_url")
                      for p in reversed(photo) if p), None)
    if not isinstance(user_id, str | int) or isinstance(user_id, bool):
        return None
    message_id = _first(message, "message_id", "msg_id")
    caption = _first(message, "caption") if raw.get("event_name") == IMAGE else None
    # text made safe at the edge: no NUL, control characters or lone surrogates in anything
    # a person sent (ids included: they go back to the platform as JSON)
    safe = xml_safe
    user = safe(str(user_id))
    if not user:
        return None
    return ZaloEvent(
        name=safe(str(raw.get("event_name")))[:64],
        message_id=safe(str(message_id))[:128] if isinstance(message_id, str | int) else None,
        user_id=user, display_name=safe(str(_first(sender, "display_name", "name") or "")),
        chat_id=safe(str(_first(chat, "id") or user_id)) or user,
        chat_type=safe(str(chat.get("chat_type") or "PRIVATE")).upper(), date_ms=date_ms,
        text=safe(message["text"]) if isinstance(message.get("text"), str) else None,
        photo_url=safe(photo) if isinstance(photo, str) else None,
        caption=safe(caption) if isinstance(caption, str) else None,
    )


_CODE = f"[{CODE_ALPHABET}]{{4}}"
DASHED_CODE = re.compile(rf"{_CODE}\s*-\s*{_CODE}")
PLAIN_CODE = re.compile(rf"{_CODE}{_CODE}")


# --- state kept in BotState ------------------------------------------------------------------
class ZaloIds:
    """Opaque Zalo ids <-> stable integers for python-telegram-bot (user and chat ids).

    The integer is derived from the id (so it is the same after losing the table) and kept in
    BotState (so a collision, resolved by taking the next free number, stays resolved)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._numbers: dict[str, int] = {}
        self._ids: dict[int, str] = {}

    def load(self) -> None:
        for zalo_id, data in state_store.all_of(self.engine, ID_KIND).items():
            number = int(data["id"])
            self._numbers[zalo_id] = number
            self._ids[number] = zalo_id

    def number(self, zalo_id: str) -> tuple[int, bool]:
        """The integer for an id, and whether it is new (blocking: may write the table)."""
        known = self._numbers.get(zalo_id)
        if known is not None:
            return known, False
        number = 10**9 + int.from_bytes(hashlib.sha256(zalo_id.encode()).digest()[:6], "big")
        while number in self._ids:
            number += 1
        state_store.put(self.engine, ID_KIND, zalo_id, {"id": number})
        self._numbers[zalo_id] = number
        self._ids[number] = zalo_id
        return number, True

    def zalo_id(self, number: int | str) -> str | None:
        try:
            return self._ids.get(int(number))
        except (TypeError, ValueError):
            return None


def event_key(raw: dict) -> str:
    """The inbox key of an event: its name and message id, or a digest of the event."""
    event = parse_event(raw)
    if event is not None and event.dedupe_key is not None:
        return event.dedupe_key
    body = json.dumps(raw, sort_keys=True, ensure_ascii=False, default=str)
    return "sha256:" + hashlib.sha256(body.encode()).hexdigest()


def adopt_roster_id(engine: Engine, zalo_id: str, number: int) -> None:
    """A roster row may carry the officer's Zalo id: move that link to the integer the handlers
    see, so such an officer is recognised without an invite code."""
    actor = identity.resolve(engine, "zalo", zalo_id)
    if actor.officer_id is not None:
        identity.link_account(engine, actor.officer_id, "zalo", number)


def unique_id(url: str) -> str:
    """A short stable id for a photo known by its URL (file names, duplicate checks)."""
    return "zalo-" + hashlib.sha256(url.encode()).hexdigest()[:24]


EXTENSIONS = {"image/png": (".png",), "image/jpeg": (".jpg", ".jpeg"),
              "application/pdf": (".pdf",)}


def media_allowed(url: str, hosts: str | tuple[str, ...], api_root: str,
                  token: str = "") -> bool:
    """May a photo link be fetched? Only from the platform's media hosts: a host suffix
    ("zdn.vn", https only) or a whole origin ("http://127.0.0.1:8080"); never the Bot API (its
    URLs, or any URL carrying the token), never anything else (metadata services, files)."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.username \
            or parts.password:
        return False
    if url.startswith(api_root.rstrip("/") + "/bot") or (token and token in url):
        return False
    entries = [h.strip().lower().rstrip("/") for h in
               (hosts.split(",") if isinstance(hosts, str) else hosts) if h.strip()]
    host = parts.hostname.lower()
    origin = f"{parts.scheme}://{parts.netloc}".lower()
    for entry in entries:
        if "://" in entry:
            if origin == entry:
                return True
        elif parts.scheme == "https" and (host == entry or host.endswith("." + entry)):
            return True
    return False


def _sniff_mime(data: bytes) -> str | None:
    if data.startswith(b"\x89PNG"):
        return "image/png"
    if data.startswith(b"\xff\xd8"):
        return "image/jpeg"
    if data.startswith(b"%PDF"):
        return "application/pdf"
    return None


# --- the request layer -----------------------------------------------------------------------
class ZaloRequest(BridgeRequest):
    channel = "zalo"

    def __init__(self, client: ZaloClient, engine: Engine, files: FileStore | None = None,
                 file_hours: float = 24, media_hosts: str = "zdn.vn,zadn.vn",
                 api_root: str = "https://bot-api.zaloplatforms.com", token: str = "") -> None:
        super().__init__(bot_username="parbot_zalo")
        self.client = client
        self.engine = engine
        self.files = files  # when PUBLIC_BASE_URL is set
        self.file_hours = file_hours
        self.media_hosts, self.api_root, self.token = media_hosts, api_root, token
        self.ids = ZaloIds(engine)
        self._saved_menus: set[str] = set()
        self._id_lock = asyncio.Lock()  # incoming events and scheduled sends meet new ids

    async def number_of(self, zalo_id: str) -> tuple[int, bool]:
        """The integer for a Zalo id (and whether it is new), a roster's link to that id moved
        onto it; one at a time, so two messages to a new person link and greet once."""
        async with self._id_lock:
            number, new = await asyncio.to_thread(self.ids.number, zalo_id)
            await asyncio.to_thread(adopt_roster_id, self.engine, zalo_id, number)
            return number, new

    async def load(self) -> None:
        """Ids and open menus from before a restart."""
        await asyncio.to_thread(self.ids.load)
        rows = await asyncio.to_thread(state_store.all_of, self.engine, MENU_KIND)
        for chat_id, data in rows.items():
            self.menus[chat_id] = Menu(int(data["message_id"]),
                                       [(str(a), str(b)) for a, b in data["options"]],
                                       str(data.get("text", "")))
            self._saved_menus.add(chat_id)

    # --- PTB's calls ---------------------------------------------------------------------
    async def do_request(self, url: str, method: str, request_data: RequestData | None = None,
                         *args: Any, **kwargs: Any) -> tuple[int, bytes]:
        try:
            if method == "GET":  # File.download_*: the photo's own URL rides in the path
                photo = self._file_url(url)
                if not media_allowed(photo, self.media_hosts, self.api_root, self.token):
                    log.warning("zalo photo link refused", extra={"fields": {
                        "host": urlsplit(photo).hostname or "?"}})
                    raise ZaloAPIError(403, "not a Zalo media link")
                return 200, await self.client.download(photo)
            return await super().do_request(url, method, request_data, *args, **kwargs)
        except ZaloAPIError as exc:
            if exc.status == 408:  # no answer in time: it may or may not have been delivered
                raise TimedOut(f"Zalo: {exc.description}") from exc
            status = {401: 401, 403: 403, 404: 400, 429: 429}.get(exc.status, 0) or \
                (400 if 400 <= exc.status < 500 else 502)
            body: dict[str, Any] = {"ok": False, "error_code": status,
                                    "description": f"Zalo: {exc.description}"}
            if status == 429:
                body["parameters"] = {"retry_after": int(exc.retry_after or 1)}
            return status, json.dumps(body).encode()

    @staticmethod
    def _file_url(url: str) -> str:
        parts = urlsplit(url)
        path = unquote(parts.path)
        inner = path.split("/file/bot", 1)[1].split("/", 1)[1] if "/file/bot" in path else path
        return inner + (f"?{parts.query}" if parts.query else "")

    async def api_getFile(self, params: dict, files: dict) -> dict:
        file_id = str(params.get("file_id", ""))
        if not media_allowed(file_id, self.media_hosts, self.api_root, self.token):
            raise ZaloAPIError(400, "file not found")
        return {"file_id": file_id, "file_unique_id": unique_id(file_id), "file_path": file_id}

    async def api_sendChatAction(self, params: dict, files: dict) -> bool:
        zalo_id = self.ids.zalo_id(params.get("chat_id"))
        if zalo_id is not None:
            with contextlib.suppress(ZaloAPIError):
                await self.client.call("sendChatAction", chat_id=zalo_id, action="typing")
        return True

    # --- outgoing ------------------------------------------------------------------------
    async def _language(self, chat_id: str) -> str:
        actor = await asyncio.to_thread(identity.resolve, self.engine, "zalo", chat_id)
        return actor.language

    async def send_text(self, zalo_id: str, text: str) -> None:
        for part in split_text(text, MAX_TEXT):
            await self.client.call("sendMessage", chat_id=zalo_id, text=part)

    async def _chat_of(self, chat_id: str) -> tuple[str, str]:
        """(Zalo id, the chat's integer as a string) for a chat the bot writes to: an integer it
        gave out, or a Zalo id from the roster that has not written yet (linked to its integer
        from now on, and its menu moved there)."""
        zalo_id = self.ids.zalo_id(chat_id)
        if zalo_id is not None:
            return zalo_id, chat_id
        if chat_id.lstrip("-").isdecimal():
            raise ZaloAPIError(404, f"chat {chat_id} is not a Zalo chat seen by this bot")
        number, new = await self.number_of(chat_id)
        menu = self.menus.pop(chat_id, None)
        if menu is not None:
            self.menus[str(number)] = menu
        if new:  # the bot writes first: it says what it is first
            await self.send_text(chat_id, t("zalo.automated", await self._language(str(number))))
        return chat_id, str(number)

    async def deliver(self, message: Outgoing) -> None:
        zalo_id, chat_id = await self._chat_of(message.chat_id)
        needs_language = bool(message.options) or message.file_bytes is not None
        lang = await self._language(chat_id) if needs_language else "vi"
        text = message.render(lang)
        if message.file_bytes is not None:
            await self._deliver_file(zalo_id, message, text, lang)
        else:
            await self.send_text(zalo_id, text)
        await self._sync_menu(chat_id)

    async def _deliver_file(self, zalo_id: str, message: Outgoing, text: str, lang: str) -> None:
        data = message.file_bytes or b""
        mime = _sniff_mime(data)
        name = message.file_name or "file"
        if mime and not name.lower().endswith(EXTENSIONS[mime]):  # e.g. PTB's default name
            name = ("photo" if message.kind == "photo" else "file") + EXTENSIONS[mime][0]
        if self.files is None:
            await self.send_text(zalo_id, text)
            await self.send_text(zalo_id, t("zalo.file_elsewhere", lang, name=name))
            return
        url = self.files.put(name, data, mime)
        if message.kind == "photo":
            fits = text_length(text) <= MAX_TEXT
            try:
                await self.client.call("sendPhoto", chat_id=zalo_id, photo=url,
                                       caption=text if fits and text else None)
            except ZaloAPIError as exc:  # e.g. Zalo could not fetch it: the link as text
                if exc.status in (401, 403, 429) or exc.status == 0:
                    raise
                log.warning("zalo sendPhoto refused, sending the link: %s", exc)
            else:
                if not fits:
                    await self.send_text(zalo_id, text)
                return
        hours = f"{self.file_hours:g}"
        link = t("zalo.file_link", lang, name=name, url=url, hours=hours)
        await self.send_text(zalo_id, f"{text}\n\n{link}" if text else link)

    async def _sync_menu(self, chat_id: str) -> None:
        """Keep the open menu of a chat in BotState, so a number typed after a restart still
        presses the button."""
        menu = self.menus.get(chat_id)
        if menu is not None:
            data = {"message_id": menu.message_id, "options": [list(o) for o in menu.options],
                    "text": menu.text}
            await asyncio.to_thread(state_store.put, self.engine, MENU_KIND, chat_id, data)
            self._saved_menus.add(chat_id)
        elif chat_id in self._saved_menus:
            await asyncio.to_thread(state_store.delete, self.engine, MENU_KIND, chat_id)
            self._saved_menus.discard(chat_id)

    # --- incoming ------------------------------------------------------------------------
    def _content_update(self, user: dict, content: dict) -> dict:
        chat = {"id": user["id"], "type": "private", "first_name": user["first_name"]}
        message = {"message_id": next(self._message_ids), "date": int(clock.now().timestamp()),
                   "chat": chat, "from": user, **content}
        return {"update_id": next(self._update_ids), "message": message}

    def _as_start(self, text: str, linked: bool) -> str:
        """A bare invite code means `/start CODE`: always in its dashed form (ABCD-EFGH), and
        from someone not linked yet also without the dash."""
        typed = text.strip().upper()
        if DASHED_CODE.fullmatch(typed) or (not linked and PLAIN_CODE.fullmatch(typed)):
            return f"/start {typed.replace(' ', '')}"
        return text

    async def event_update(self, event: ZaloEvent) -> dict | None:
        """The Telegram-shaped update for one event (None: nothing for the handlers)."""
        if event.chat_type not in ("PRIVATE", "USER"):
            log.info("event ignored", extra={"fields": {"event": event.name,
                                                         "reason": "not a private chat"}})
            return None
        number, new = await self.number_of(event.user_id)
        user = self.user(number, event.display_name or "Zalo", "vi")
        chat_id = str(number)
        if event.name == TEXT and event.text is not None:
            linked = (await asyncio.to_thread(identity.resolve, self.engine, "zalo",
                                              number)).officer_id is not None
            text = self._as_start(event.text, linked)
            update = self.text_update(user, text)
            await self._sync_menu(chat_id)
            if new or text.split(maxsplit=1)[:1] == ["/start"]:
                lang = await self._language(chat_id)
                await self.send_text(event.user_id, t("zalo.automated", lang))
        elif event.name == IMAGE and event.photo_url:
            update = self.photo_update(user, event.photo_url, event.caption)
            for size in update["message"]["photo"]:  # the URL is the id; names need a short one
                size["file_unique_id"] = unique_id(event.photo_url)
        elif event.name == STICKER:
            update = self._content_update(user, {"sticker": {
                "file_id": f"zalo-sticker-{event.message_id}", "file_unique_id": "sticker",
                "width": 1, "height": 1, "is_animated": False, "is_video": False,
                "type": "regular"}})
        else:
            update = self._content_update(user, {})
        if new and event.name != TEXT:
            lang = await self._language(chat_id)
            await self.send_text(event.user_id, t("zalo.automated", lang))
        message = update.get("message")
        if message is not None and event.date_ms:
            message["date"] = event.date_ms // 1000
        return update


# --- the running channel ---------------------------------------------------------------------
class ZaloChannel:
    """The Zalo side of `parbot run`: events in (polling or webhook), stored in the inbox, once
    each, in order."""

    name = "zalo"

    def __init__(self, app: Application, request: ZaloRequest, settings: Settings,
                 leadership: Leadership | None = None) -> None:
        self.app = app
        self.request = request
        self.client = request.client
        self.engine = request.engine
        self.settings = settings
        self.leadership = leadership
        self.webhook_url = webhook_url(settings)
        self.poll_timeout = settings.poll_timeout
        self.events: asyncio.Queue[tuple[str, dict, list] | None] = asyncio.Queue()
        self._stop = asyncio.Event()
        self._poller: asyncio.Task | None = None
        self._worker: asyncio.Task | None = None
        app.update_processor.use_inbox(self.engine, self.name)  # type: ignore[attr-defined]

    @property
    def mode(self) -> str:
        return "webhook" if self.webhook_url else "polling"

    def route(self) -> WebhookRoute | None:
        if not self.webhook_url:
            return None
        return WebhookRoute(path=urlsplit(self.webhook_url).path or "/zalo",
                            header=SECRET_HEADER, secret=self.settings.zalo_webhook_secret or "",
                            accept=self.accept, name="zalo")

    async def prepare(self) -> None:
        """Before the Application starts: the ids and menus of earlier runs."""
        await self.request.load()

    def _alive(self, owner: str) -> bool:
        return self.leadership.alive(owner) if self.leadership is not None else False

    async def recover(self) -> None:
        """Events stored by a process that is gone and never finished: handled again, in the
        order they came, once."""
        taken = await asyncio.to_thread(inbox.take_unfinished, self.engine, self.name, PROCESS,
                                        self._alive)
        for row in taken:
            self.events.put_nowait((row.key, row.raw, row.calls))
        if taken:
            log.info("inbox recovered", extra={"fields": {"channel": self.name,
                                                          "updates": len(taken)}})

    async def begin(self) -> None:
        """After the Application started: what a crash interrupted first, then new events."""
        await self.recover()
        self._worker = asyncio.create_task(self._ingest(), name="zalo-ingest")
        if self.webhook_url:
            await self.client.call("setWebhook", url=self.webhook_url,
                                   secret_token=self.settings.zalo_webhook_secret)
            log.info("zalo webhook set", extra={"fields": {"url": self.webhook_url}})
        else:
            if self.leadership is None or self.leadership.is_leader:
                try:
                    await self.client.call("deleteWebhook")
                except ZaloAPIError as exc:  # none was set, or the method is not offered
                    log.info("zalo deleteWebhook: %s", exc)
            self._poller = asyncio.create_task(self._poll(), name="zalo-poll")

    async def _store(self, found: list[dict]) -> None:
        """Into the inbox, then queued; duplicates (a retried webhook, a second process)
        stop here."""
        keys = [event_key(raw) for raw in found]
        new = await asyncio.to_thread(inbox.store, self.engine, self.name,
                                      list(zip(keys, found, strict=True)), PROCESS)
        for key, raw, fresh in zip(keys, found, new, strict=True):
            if fresh:
                self.events.put_nowait((key, raw, []))
            else:
                log.info("zalo event", extra={"fields": {"event": raw.get("event_name"),
                                                          "outcome": "duplicate"}})

    async def accept(self, payload: Any) -> None:
        """A webhook body: stored in the inbox (the 200 goes out after), handled in the
        background."""
        found = events_of(payload)
        if not found:
            log.info("zalo webhook body without an event")
        await self._store(found)

    async def _poll(self) -> None:
        backoff = 0.5
        while not self._stop.is_set():
            if self.leadership is not None and not self.leadership.is_leader:
                if await self.leadership.wait_to_lead(self._stop):
                    await self.recover()
                continue
            try:
                found = await self.client.get_updates(self.poll_timeout)
                if found:
                    await self._store(found)
            except Exception as exc:  # the platform or the network: try again, slower
                log.warning("zalo getUpdates failed: %s", exc,
                            exc_info=not isinstance(exc, ZaloAPIError))
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._stop.wait(), backoff)
                backoff = min(backoff * 2, 30.0)
                continue
            backoff = 0.5

    async def _ingest(self) -> None:
        while True:
            item = await self.events.get()
            if item is None:
                return
            key, raw, calls = item
            try:
                await self._handle(key, raw, calls)
            except ZaloAPIError as exc:  # the platform refused a send (user gone, blocked...)
                log.warning("zalo event: the platform refused a call", extra={"fields": {
                    "status": exc.status}})
                await asyncio.to_thread(inbox.finish, self.engine, self.name,
                                        [(key, type(exc).__name__)])
            except Exception as exc:  # type and frames only: messages carry what people sent
                log.error("zalo event not handled: %s", where(exc))
                await asyncio.to_thread(inbox.finish, self.engine, self.name,
                                        [(key, type(exc).__name__)])

    async def _handle(self, key: str, raw: dict, calls: list) -> None:
        event = parse_event(raw)
        update = await self.request.event_update(event) if event is not None else None
        if update is None:
            log.info("zalo event ignored", extra={"fields": {"event": raw.get("event_name")}})
            await asyncio.to_thread(inbox.finish, self.engine, self.name, [(key, None)])
            return
        self.app.update_processor.track(  # type: ignore[attr-defined]
            update["update_id"], key, calls)
        await self.app.update_queue.put(Update.de_json(update, self.app.bot))

    async def end(self) -> None:
        """Stop taking events; what was received is still handed to the Application."""
        self._stop.set()
        if self._poller is not None:
            try:  # let the long poll in flight finish, so its event is not lost
                await asyncio.wait_for(asyncio.shield(self._poller), self.poll_timeout + 5)
            except TimeoutError:
                self._poller.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await self._poller
        if self._worker is not None:
            self.events.put_nowait(None)
            await self._worker

    async def close(self) -> None:
        await self.client.aclose()
