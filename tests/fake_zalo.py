"""A local fake of the Zalo Bot Platform API (2025), for tests.

An aiohttp server on 127.0.0.1 (free port) inside the caller's event loop, speaking what public
material documents of the platform (see shared/docs/zalo-bot-platform.md)::

    async with FakeZalo() as zl:
        # the bot uses ZALO_API_BASE_URL=zl.root, ZALO_BOT_TOKEN=zl.token
        zl.send_text("u-1", "/start ABCD-EFGH")     # a Zalo user writes to the bot
        msg = await zl.wait_for_message("u-1", "Xin chào")

- Every call is `{root}/bot{token}/{method}`, GET or POST, with a JSON, form or query body.
  Answers use `{"ok": true, "result": ...}` or `{"ok": false, "error_code": N, "description":
  ...}` with HTTP status N; a wrong token gets 401.
- `getUpdates` long-polls for `timeout` seconds and returns ONE event (no update_id, no offset:
  what it returns is gone); none within the timeout is a 408 "no update yet" (at once after
  `end_polls()`). It is refused while a webhook is set.
- `setWebhook` (`url`, `secret_token` of 8-256 characters) switches to webhook delivery: every
  event is POSTed to the URL in order, with `X-Bot-Api-Secret-Token`, wrapped in `{"ok": true,
  "result": event}` (or bare with `wrap_webhook=False`); `post_webhook` sends one now with any
  secret (or none) and either shape, and returns the HTTP status.
- `sendMessage` takes 1-2,000 characters to a user who wrote to the bot; `sendPhoto` takes a
  photo URL only, which the fake downloads at once like the platform (the bytes are recorded);
  `sendChatAction`, `sendSticker`, `getMe`, `deleteWebhook`, `getWebhookInfo` as documented.
- Users' events: text, image (photo URL + caption), sticker, unsupported; ids are opaque hex
  strings, dates in milliseconds. `media_url(name, data)` serves a file the fake users "send".
- Recording and waiting as in tests/fake_telegram.py: `calls`, `sent_messages(chat)`,
  `wait_for_call`, `wait_for_message` (per-chat cursor moved by each event sent), `fail_next`.
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import json
import re
import secrets
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar
from urllib.parse import parse_qsl

from aiohttp import ClientError, ClientSession, ClientTimeout, web

T = TypeVar("T")
SECRET_HEADER = "X-Bot-Api-Secret-Token"
MAX_TEXT = 2000
TEXT = "message.text.received"
IMAGE = "message.image.received"
STICKER = "message.sticker.received"
UNSUPPORTED = "message.unsupported.received"
_SECRET_RE = re.compile(r"[A-Za-z0-9_\-]{8,256}")


class FakeZaloTimeout(AssertionError):
    pass


class ZaloError(Exception):
    def __init__(self, status: int, description: str) -> None:
        super().__init__(f"{status} {description}")
        self.status = status
        self.description = description


@dataclass
class Call:
    method: str
    params: dict[str, Any]
    status: int | None = None  # None while running
    result: Any = None
    at: float = field(default_factory=time.monotonic)

    @property
    def chat_id(self) -> Any:
        return self.params.get("chat_id")


@dataclass
class Delivery:
    event: dict[str, Any]
    status: int | None
    secret: str | None
    wrapped: bool


@dataclass
class _Fault:
    method: str
    status: int
    description: str
    remaining: int


def now_ms() -> int:
    return int(time.time() * 1000)


def tiny_png() -> bytes:
    """A valid 1x1 PNG."""
    import struct
    import zlib

    def chunk(kind: bytes, payload: bytes) -> bytes:
        return (struct.pack(">I", len(payload)) + kind + payload
                + struct.pack(">I", zlib.crc32(kind + payload) & 0xFFFFFFFF))

    raw = b"\x00\xff\x00\x00"
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


class FakeZalo:
    def __init__(self, token: str = "1234567890:zalo-Test_token", *, bot_name: str = "parbot",
                 host: str = "127.0.0.1", wrap_webhook: bool = True,
                 fetch_photos: bool = True, webhook_retry_seconds: float = 5.0) -> None:
        self.token = token
        self.webhook_retry_seconds = webhook_retry_seconds  # an event not taken (no answer or
        # 5xx) is POSTed again every 0.1 s for this long, the next ones waiting behind it
        self.bot_name = bot_name
        self.host = host
        self.port = 0
        self.wrap_webhook = wrap_webhook
        self.fetch_photos = fetch_photos
        self.calls: list[Call] = []
        self.deliveries: list[Delivery] = []
        self.photos: dict[str, bytes] = {}  # photo URL -> bytes fetched by sendPhoto
        self.users: dict[str, str] = {}  # id -> display name
        self._sent: list[dict[str, Any]] = []
        self._pending: list[dict[str, Any]] = []
        self._faults: list[_Fault] = []
        self._media: dict[str, bytes] = {}
        self._moved: dict[str, str] = {}
        self._chat_cursors: dict[str, int] = {}
        self._call_cursor = 0
        self._webhook_url = ""
        self._webhook_secret: str | None = None
        self._outbox: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self._changed = asyncio.Event()
        self._runner: web.AppRunner | None = None
        self._session: ClientSession | None = None
        self._worker: asyncio.Task | None = None
        self._root: str | None = None
        self._inflight = 0
        self._last_activity = 0.0
        self._polls_ended = False  # see `end_polls`

    # --- lifecycle ---------------------------------------------------------------------
    async def __aenter__(self) -> FakeZalo:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    async def start(self) -> None:
        app = web.Application(client_max_size=32 * 1024 * 1024)
        app.router.add_get("/media/{name}", self._handle_media)
        app.router.add_get("/moved/{name}", self._handle_moved)
        app.router.add_route("*", "/{prefix}/{method}", self._handle_api)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
        await self._runner.setup()
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((self.host, 0))
        await web.SockSite(self._runner, sock).start()
        self.port = sock.getsockname()[1]
        self._root = f"http://{self.host}:{self.port}"
        self._session = ClientSession(timeout=ClientTimeout(total=10))
        self._worker = asyncio.create_task(self._webhook_worker(), name="fake-zalo-webhook")

    async def stop(self) -> None:
        if self._worker:
            self._worker.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._worker
        if self._session:
            await self._session.close()
        if self._runner:
            await self._runner.cleanup()

    @property
    def root(self) -> str:
        assert self._root, "FakeZalo is not started"
        return self._root

    @property
    def webhook_url(self) -> str:
        return self._webhook_url

    @property
    def webhook_secret(self) -> str | None:
        return self._webhook_secret

    def moved_url(self, name: str, location: str) -> str:
        """A URL on the fake that answers 302 to `location` (a hostile photo link)."""
        self._moved[name] = location
        return f"{self.root}/moved/{name}"

    def media_url(self, name: str, data: bytes) -> str:
        """A URL on the fake that serves `data` (a photo a user sends)."""
        self._media[name] = data
        return f"{self.root}/media/{name}"

    # --- users' activity ---------------------------------------------------------------
    def event(self, name: str, user_id: str, display_name: str | None = None,
              message_id: str | None = None, **content: Any) -> dict[str, Any]:
        self.users.setdefault(user_id, display_name or f"Người dùng {user_id[-4:]}")
        message = {"from": {"id": user_id, "display_name": self.users[user_id], "is_bot": False},
                   "chat": {"id": user_id, "chat_type": "PRIVATE"},
                   "message_id": message_id or secrets.token_hex(16), "date": now_ms(),
                   **content}
        return {"event_name": name, "message": message}

    def inject(self, event: dict[str, Any]) -> dict[str, Any]:
        """Deliver an event: webhook if one is set, else queued for getUpdates."""
        chat = str(event.get("message", {}).get("chat", {}).get("id", ""))
        self._chat_cursors[chat] = len(self._sent)
        self._call_cursor = len(self.calls)
        if self._webhook_url:
            self._outbox.put_nowait(copy.deepcopy(event))
        else:
            self._pending.append(copy.deepcopy(event))
        self._last_activity = time.monotonic()
        self._bump()
        return event

    def send_text(self, user_id: str, text: str, **kw: Any) -> dict[str, Any]:
        return self.inject(self.event(TEXT, user_id, text=text, **kw))

    def send_image(self, user_id: str, photo_url: str, caption: str | None = None,
                   **kw: Any) -> dict[str, Any]:
        content = {"photo_url": photo_url}
        if caption is not None:
            content["caption"] = caption
        return self.inject(self.event(IMAGE, user_id, **content, **kw))

    def send_sticker(self, user_id: str, **kw: Any) -> dict[str, Any]:
        return self.inject(self.event(STICKER, user_id, sticker="sticker-1",
                                      url="https://zalo.example/sticker.webp", **kw))

    def send_unsupported(self, user_id: str, **kw: Any) -> dict[str, Any]:
        return self.inject(self.event(UNSUPPORTED, user_id, **kw))

    async def post_webhook(self, event: dict[str, Any], secret: Any = ..., *,
                           wrapped: bool | None = None, url: str | None = None) -> int | None:
        """POST one event to the webhook now; secret ... = the one set, None = no header.
        Returns the HTTP status (None if nothing listens)."""
        target = url or self._webhook_url
        assert target, "no webhook set and no url given"
        secret = self._webhook_secret if secret is ... else secret
        wrapped = self.wrap_webhook if wrapped is None else wrapped
        chat = str(event.get("message", {}).get("chat", {}).get("id", ""))
        self._chat_cursors[chat] = len(self._sent)
        return await self._post(event, target, secret, wrapped)

    async def _post(self, event: dict, target: str, secret: str | None,
                    wrapped: bool) -> int | None:
        body = {"ok": True, "result": event} if wrapped else event
        headers = {SECRET_HEADER: secret} if secret is not None else {}
        status = None
        try:
            assert self._session is not None
            async with self._session.post(target, json=body, headers=headers) as response:
                status = response.status
        except (TimeoutError, ClientError, OSError):
            status = None
        self.deliveries.append(Delivery(copy.deepcopy(event), status, secret, wrapped))
        self._bump()
        return status

    async def _webhook_worker(self) -> None:
        while True:
            event = await self._outbox.get()
            self._inflight += 1
            try:
                for _ in range(max(1, round(self.webhook_retry_seconds / 0.1))):
                    # the receiver may still be starting, or restarting
                    status = await self._post(event, self._webhook_url, self._webhook_secret,
                                              self.wrap_webhook)
                    if status is not None and status < 500:
                        break
                    await asyncio.sleep(0.1)
            finally:
                self._inflight -= 1
                self._last_activity = time.monotonic()

    # --- faults ------------------------------------------------------------------------
    def fail_next(self, method: str, status: int = 429, description: str | None = None,
                  count: int = 1) -> None:
        self._faults.append(_Fault(method.lower(), status, description or {
            429: "Too many requests: quota exceeded", 500: "Internal server error",
            403: "Forbidden"}.get(status, "Error"), count))

    # --- recording and waiting ---------------------------------------------------------
    def sent_messages(self, chat_id: str | None = None) -> list[dict[str, Any]]:
        """Successful sendMessage/sendPhoto: dicts with method, chat_id, text, caption, photo,
        call_index."""
        return [r for r in self._sent if chat_id is None or r["chat_id"] == chat_id]

    def texts(self, chat_id: str) -> list[str]:
        return [r["text"] or r["caption"] or "" for r in self.sent_messages(chat_id)]

    def calls_to(self, method: str) -> list[Call]:
        return [c for c in self.calls if c.method.lower() == method.lower()]

    def _bump(self) -> None:
        self._changed.set()
        self._changed = asyncio.Event()

    async def _wait_until(self, check: Callable[[], T | None], timeout: float,
                          describe: Callable[[], str]) -> T:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            event = self._changed
            found = check()
            if found is not None:
                return found
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise FakeZaloTimeout(describe())
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(event.wait(), remaining)

    def describe(self, since: int = 0) -> str:
        lines = [f"  #{i} {c.method} -> {c.status} "
                 f"{ {k: v for k, v in c.params.items() if k in ('chat_id', 'text', 'photo')} }"
                 for i, c in enumerate(self.calls[since:], start=since)
                 if c.method.lower() != "getupdates"]
        return "\n".join(lines[-20:]) or "  (nothing but getUpdates)"

    async def wait_for_call(self, method: str | None, predicate: Callable[[Call], bool] | None
                            = None, timeout: float = 10, *, since: int | None = None) -> Call:
        """The first call of `method` (received; it may still be running) at index >= since
        (default: a cursor moved by each event sent and each call returned)."""
        start = self._call_cursor if since is None else since

        def check() -> tuple[int, Call] | None:
            for i in range(start, len(self.calls)):
                c = self.calls[i]
                if method and c.method.lower() != method.lower():
                    continue
                if predicate is None or predicate(c):
                    return i, c
            return None

        index, call = await self._wait_until(
            check, timeout, lambda: f"no {method} call within {timeout}s:\n"
            + self.describe(start))
        self._call_cursor = index + 1
        return call

    async def wait_for_request(self, method: str, timeout: float = 10, *,
                               since: int | None = None) -> Call:
        """As FakeTelegram's: a call received, finished or not (so is `wait_for_call` here)."""
        return await self.wait_for_call(method, timeout=timeout, since=since)

    async def wait_for_message(self, chat_id: str, contains: str | re.Pattern | None = None,
                               timeout: float = 10, *, since: int | None = None,
                               method: str | None = None) -> dict[str, Any]:
        """The first message sent to `chat_id` (from the chat's cursor: just after the last
        event the user sent, or the last message returned) whose text or caption contains
        `contains`."""
        start = self._chat_cursors.get(chat_id, 0) if since is None else since

        def matches(rec: dict[str, Any]) -> bool:
            if rec["chat_id"] != chat_id or rec["index"] < start:
                return False
            if method and rec["method"].lower() != method.lower():
                return False
            text = rec["text"] or rec["caption"] or ""
            if contains is None:
                return True
            if isinstance(contains, re.Pattern):
                return bool(contains.search(text))
            return contains in text

        rec = await self._wait_until(
            lambda: next((r for r in self._sent if matches(r)), None), timeout,
            lambda: (f"no message to {chat_id} containing {contains!r} within {timeout}s; "
                     f"sent to it: {[r['text'] or r['caption'] for r in self._sent if r['chat_id'] == chat_id][-6:]}"  # noqa: E501
                     f"\ncalls:\n{self.describe()}"))
        self._chat_cursors[chat_id] = rec["index"] + 1
        return rec

    async def wait_idle(self, quiet: float = 0.3, timeout: float = 15) -> None:
        """Until no event waits, no webhook is being delivered and nothing but getUpdates
        happened for `quiet` seconds."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            if not self._pending and self._outbox.empty() and self._inflight == 0 and \
                    time.monotonic() - self._last_activity >= quiet:
                return
            if loop.time() >= deadline:
                raise FakeZaloTimeout(f"not idle after {timeout}s:\n{self.describe()}")
            await asyncio.sleep(0.05)

    # --- HTTP --------------------------------------------------------------------------
    async def _handle_moved(self, request: web.Request) -> web.Response:
        location = self._moved.get(request.match_info["name"])
        if location is None:
            return web.Response(status=404)
        return web.Response(status=302, headers={"Location": location})

    async def _handle_media(self, request: web.Request) -> web.Response:
        data = self._media.get(request.match_info["name"])
        if data is None:
            return web.Response(status=404)
        return web.Response(body=data, content_type="image/png")

    @staticmethod
    async def _params(request: web.Request) -> dict[str, Any]:
        params: dict[str, Any] = dict(request.query)
        if request.can_read_body:
            raw = await request.read()
            if request.content_type == "application/json" and raw:
                body = json.loads(raw)
                if isinstance(body, dict):
                    params.update(body)
            elif raw:
                params.update(dict(parse_qsl(raw.decode())))
        return params

    async def _handle_api(self, request: web.Request) -> web.Response:
        prefix, method = request.match_info["prefix"], request.match_info["method"]
        params = await self._params(request)
        call = Call(method, params)
        self.calls.append(call)
        polling = method == "getUpdates"
        self._inflight += 0 if polling else 1
        self._bump()
        try:
            if prefix != f"bot{self.token}":
                raise ZaloError(401, "Unauthorized: invalid token")
            fault = next((f for f in self._faults if f.method == method.lower()), None)
            if fault is not None:
                fault.remaining -= 1
                if fault.remaining <= 0:
                    self._faults.remove(fault)
                raise ZaloError(fault.status, fault.description)
            handler = getattr(self, f"_m_{method}", None)
            if handler is None:
                raise ZaloError(404, f"Method not found: {method}")
            result = await handler(params)
            call.status, call.result = 200, result
            return web.json_response({"ok": True, "result": result})
        except ZaloError as exc:
            call.status = exc.status
            return web.json_response({"ok": False, "error_code": exc.status,
                                      "description": exc.description}, status=exc.status)
        finally:
            if not polling:
                self._inflight -= 1
                self._last_activity = time.monotonic()
            self._bump()

    # --- methods -----------------------------------------------------------------------
    async def _m_getMe(self, params: dict) -> dict:
        return {"id": "7f3a9c0e5b1d2a4c", "account_name": f"bot.{self.bot_name}",
                "account_type": "BASIC", "can_join_groups": False,
                "display_name": self.bot_name}

    async def _m_getUpdates(self, params: dict) -> dict:
        if self._webhook_url:
            raise ZaloError(400, "Webhook is active: call deleteWebhook before getUpdates")
        timeout = min(float(params.get("timeout") or 0), 30.0)
        await self._wait_pending(timeout)
        if not self._pending:
            raise ZaloError(408, "Request timeout: no update yet")
        return self._pending.pop(0)

    def end_polls(self, ended: bool = True) -> None:
        """While ended, `getUpdates` answers at once when no event waits ("no update yet", as
        when its timeout ends), the polls waiting now included: a bot being stopped does not
        wait a poll out. `end_polls(False)`: polls wait again."""
        self._polls_ended = ended
        self._bump()

    async def _wait_pending(self, timeout: float) -> None:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while not self._pending and not self._webhook_url and not self._polls_ended:
            remaining = deadline - loop.time()
            if remaining <= 0:
                return
            event = self._changed
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(event.wait(), remaining)

    async def _m_setWebhook(self, params: dict) -> dict:
        url = str(params.get("url") or "")
        secret = params.get("secret_token")
        if not re.match(r"https?://[^/\s]+", url):
            raise ZaloError(400, "Bad request: invalid webhook url")
        if secret is None or not _SECRET_RE.fullmatch(str(secret)):
            raise ZaloError(400, "Bad request: secret_token must be 8-256 characters")
        self._webhook_url, self._webhook_secret = url, str(secret)
        for event in self._pending:  # what waited for polling goes to the webhook now
            self._outbox.put_nowait(event)
        self._pending.clear()
        return {"url": url, "updated_at": now_ms()}

    async def _m_deleteWebhook(self, params: dict) -> dict:
        self._webhook_url, self._webhook_secret = "", None
        return {"url": "", "updated_at": now_ms()}

    async def _m_getWebhookInfo(self, params: dict) -> dict:
        return {"url": self._webhook_url, "updated_at": now_ms()}

    def _chat(self, params: dict) -> str:
        chat_id = str(params.get("chat_id") or "")
        if chat_id not in self.users:
            raise ZaloError(400, "Bad request: user not found or has not messaged the bot")
        return chat_id

    def _record(self, method: str, chat_id: str, text: str | None = None,
                caption: str | None = None, photo: str | None = None) -> dict:
        result = {"message_id": secrets.token_hex(16), "date": now_ms()}
        self._sent.append({"method": method, "chat_id": chat_id, "text": text,
                           "caption": caption, "photo": photo, "index": len(self._sent),
                           "call_index": len(self.calls) - 1, "message_id": result["message_id"]})
        return result

    async def _m_sendMessage(self, params: dict) -> dict:
        chat_id = self._chat(params)
        text = params.get("text")
        if not isinstance(text, str) or not text.strip():
            raise ZaloError(400, "Bad request: text is empty")
        if len(text) > MAX_TEXT:
            raise ZaloError(400, f"Bad request: text is longer than {MAX_TEXT} characters")
        return self._record("sendMessage", chat_id, text=text)

    async def _m_sendPhoto(self, params: dict) -> dict:
        chat_id = self._chat(params)
        photo = params.get("photo")
        caption = params.get("caption")
        if not isinstance(photo, str) or not re.match(r"https?://", photo):
            raise ZaloError(400, "Bad request: photo must be a URL")
        if caption is not None and len(str(caption)) > MAX_TEXT:
            raise ZaloError(400, "Bad request: caption is too long")
        if self.fetch_photos:
            try:
                assert self._session is not None
                async with self._session.get(photo) as response:
                    if response.status != 200:
                        raise ZaloError(400, f"Bad request: cannot fetch photo ({response.status})")
                    self.photos[photo] = await response.read()
            except (ClientError, OSError) as exc:
                raise ZaloError(400, f"Bad request: cannot fetch photo ({exc})") from exc
        return self._record("sendPhoto", chat_id, caption=caption, photo=photo)

    async def _m_sendSticker(self, params: dict) -> dict:
        return self._record("sendSticker", self._chat(params))

    async def _m_sendChatAction(self, params: dict) -> bool:
        self._chat(params)
        return True
