"""A faithful local fake of the Telegram Bot API HTTP server, for tests.

The fake is an aiohttp server bound to 127.0.0.1 on a free port that runs inside the caller's
event loop (the pytest-asyncio loop).  The real python-telegram-bot ``Bot``/``Application`` talks
to it over HTTP exactly as it talks to api.telegram.org::

    async with FakeTelegram(token="123:ABC", bot_username="parbot_test_bot") as tg:
        bot = Bot(tg.token, base_url=tg.base_url, base_file_url=tg.base_file_url)
        # or: Application.builder().token(tg.token).base_url(tg.base_url)
        #         .base_file_url(tg.base_file_url).build()
        tg.send_command(42, "/start CODE")            # a fake user types /start CODE
        msg = await tg.wait_for_message(42, contains="Welcome")
        tg.press_button(42, "menu:yes")                # ... and presses an inline button

Wire format (what PTB 22 sends, see shared/docs/telegram-wire-notes.md): every call is a POST to
``{root}/bot{token}/{method}`` with an empty body, an ``application/x-www-form-urlencoded`` body
whose non-string values are JSON text, or ``multipart/form-data`` when a file is uploaded.  JSON
bodies and query strings are accepted too.  Replies use Telegram's envelopes:
``{"ok": true, "result": ...}`` and ``{"ok": false, "error_code": N, "description": "...",
"parameters": {...}}`` with HTTP status N.

Waiting semantics (``wait_for_call`` / ``wait_for_message``), kept deliberately simple:

* Records are positions in ``tg.calls``.  Pass ``since=len(tg.calls)`` to look only at what
  happens from now on.
* Without ``since`` a cursor is used: ``wait_for_call`` has one global cursor and
  ``wait_for_message`` has one cursor per chat.  Injecting an update moves the global cursor and
  the cursor of the update's chat to the end of ``tg.calls`` ("anything the bot does in reply to
  this"); a successful wait moves the cursor just past the record it returned, so consecutive
  waits walk through the bot's replies in order.  ``tg.clear()`` resets everything to 0.
* On timeout they raise :class:`FakeTelegramTimeout` (an ``AssertionError``) that lists what
  the bot did call, which makes failing tests readable.

Delivery: while no webhook is set, injected updates queue for ``getUpdates`` (offset confirms and
drops, ``timeout`` long-polls unless ``end_polls()``, ``limit``/``allowed_updates`` honoured, a
second concurrent ``getUpdates`` terminates the first with 409 like the real server).  Once
``setWebhook`` was called with a url, queued and new updates are POSTed as JSON to it one at a time,
in order, with ``X-Telegram-Bot-Api-Secret-Token`` when a secret was set; each attempt is recorded
in ``tg.webhook_deliveries``.  Updates the receiver does not accept with 2xx are dropped after
``webhook_retries`` extra attempts (default 0).

Faithful refusals (all with Telegram's wording): unknown ``file_id``, message not found / not
modified on edits, unknown or already answered callback query, ``callback_data`` over 64 bytes,
text over 4096 / caption over 1024 characters, entities that do not parse for ``parse_mode``
HTML / MarkdownV2 / Markdown (switch off with ``validate_markup=False``), blocked chats,
``getUpdates`` while a webhook is active.

Standalone, for manual demos::

    python tests/fake_telegram.py --port 8081 --token 123:ABC

then type ``help`` on stdin to inject user activity.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import copy
import html
import inspect
import itertools
import json
import math
import re
import socket
import struct
import sys
import time
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar
from urllib.parse import parse_qsl

from aiohttp import BodyPartReader, ClientError, ClientSession, ClientTimeout, web

__all__ = [
    "Call",
    "FakeTelegram",
    "FakeTelegramTimeout",
    "FakeUser",
    "StoredFile",
    "TelegramAPIError",
    "UploadedFile",
    "WebhookDelivery",
    "decode_form_value",
    "tiny_png",
]

T = TypeVar("T")

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
MAX_TEXT = 4096
MAX_CAPTION = 1024
MAX_CALLBACK_DATA = 64
MAX_DOWNLOAD = 20 * 1024 * 1024
DEFAULT_UPDATE_TYPES = frozenset(
    {
        "message",
        "edited_message",
        "channel_post",
        "edited_channel_post",
        "business_connection",
        "business_message",
        "edited_business_message",
        "deleted_business_messages",
        "inline_query",
        "chosen_inline_result",
        "callback_query",
        "shipping_query",
        "pre_checkout_query",
        "purchased_paid_media",
        "poll",
        "poll_answer",
        "my_chat_member",
        "chat_join_request",
        "chat_boost",
        "removed_chat_boost",
    }
)  # Telegram's default: every type except chat_member, message_reaction(_count)
CHAT_ACTIONS = frozenset(
    {
        "typing",
        "upload_photo",
        "record_video",
        "upload_video",
        "record_voice",
        "upload_voice",
        "upload_document",
        "choose_sticker",
        "find_location",
        "record_video_note",
        "upload_video_note",
    }
)
# Form fields that are strings in the Bot API even when they look like numbers or JSON.
_STRING_PARAMS = frozenset(
    {
        "text",
        "caption",
        "parse_mode",
        "url",
        "secret_token",
        "ip_address",
        "callback_query_id",
        "inline_message_id",
        "inline_query_id",
        "file_id",
        "description",
        "short_description",
        "name",
        "title",
        "language_code",
        "query",
        "phone_number",
        "first_name",
        "last_name",
        "vcard",
        "emoji",
        "question",
        "payload",
        "start_parameter",
        "custom_title",
        "sticker",
        "photo",
        "document",
        "audio",
        "video",
        "voice",
        "animation",
        "video_note",
        "thumbnail",
        "address",
        "foursquare_id",
        "google_place_id",
        "business_connection_id",
        "message_effect_id",
        "invite_link",
        "switch_pm_text",
        "switch_pm_parameter",
        "next_offset",
        "result_id",
        "shipping_query_id",
        "pre_checkout_query_id",
        "error_message",
    }
)
_NUMBER_RE = re.compile(r"-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?")
_COMMAND_RE = re.compile(r"(?<!\S)/[A-Za-z0-9_]{1,64}(?:@[A-Za-z0-9_]{3,32})?(?![A-Za-z0-9_@])")
_BOT_COMMAND_NAME_RE = re.compile(r"[a-z0-9_]{1,32}")
_SECRET_TOKEN_RE = re.compile(r"[A-Za-z0-9_-]{1,256}")
_NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup are "
    "exactly the same as a current content and reply markup of the message"
)
_QUERY_TOO_OLD = "Bad Request: query is too old and response timeout expired or query ID is invalid"


# --------------------------------------------------------------------------------------------
# Records
# --------------------------------------------------------------------------------------------


@dataclass
class UploadedFile:
    """One ``multipart/form-data`` file part as received."""

    name: str
    filename: str | None
    data: bytes
    content_type: str


@dataclass
class Call:
    """One HTTP call to the Bot API.  ``status`` is ``None`` while the call is still running
    (a long poll), then the HTTP status the fake answered with; ``result`` is the ``result`` of
    an ok reply or the error envelope."""

    method: str
    params: dict[str, Any]
    files: dict[str, UploadedFile]
    at: float  # time.monotonic() when the request was parsed
    status: int | None = None
    result: Any = None

    @property
    def ok(self) -> bool:
        return self.status == 200

    @property
    def chat_id(self) -> Any:
        return self.params.get("chat_id")


@dataclass
class WebhookDelivery:
    """One attempt to POST an update to the webhook url.  ``status`` is ``None`` when the
    connection failed (``error`` says why)."""

    update_id: int | None
    url: str
    status: int | None
    secret: str | None
    at: float
    error: str | None = None
    attempt: int = 1
    manual: bool = False  # sent with post_webhook()

    @property
    def ok(self) -> bool:
        return self.status is not None and 200 <= self.status < 300


@dataclass
class StoredFile:
    """A file the fake server knows about (uploaded by the bot, sent by a fake user or
    registered with ``add_file``)."""

    file_id: str
    file_unique_id: str
    data: bytes
    file_name: str | None
    mime_type: str | None
    file_path: str

    @property
    def file_size(self) -> int:
        return len(self.data)


class TelegramAPIError(Exception):
    """Raised inside a method handler to answer with an error envelope."""

    def __init__(self, status: int, description: str, parameters: dict[str, Any] | None = None):
        super().__init__(f"{status} {description}")
        self.status = status
        self.description = description
        self.parameters = parameters

    def envelope(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "ok": False,
            "error_code": self.status,
            "description": self.description,
        }
        if self.parameters:
            body["parameters"] = self.parameters
        return body


class FakeTelegramTimeout(AssertionError):
    """A ``wait_*`` helper gave up."""


def _bad(description: str) -> TelegramAPIError:
    return TelegramAPIError(400, f"Bad Request: {description}")


@dataclass
class _Fault:
    method: str | None  # lower-cased, None = any method
    status: int
    description: str
    parameters: dict[str, Any] | None
    remaining: int | None  # None = until clear_faults()
    chat_id: int | str | None


@dataclass(eq=False)  # compared by identity: duplicates of one update are distinct entries
class _Queued:
    update: dict[str, Any]
    forced: bool = False  # a redelivered duplicate: ignores offset, delivered once
    attempts: int = 0


_DEFAULT_DESCRIPTIONS = {
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    409: "Conflict",
    420: "Flood",
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
    504: "Gateway Timeout",
}


# --------------------------------------------------------------------------------------------
# Helpers: body decoding, text rendering, images
# --------------------------------------------------------------------------------------------


def decode_form_value(name: str, raw: str) -> Any:
    """Decode one urlencoded/multipart field the way the Bot API reads it.

    PTB sends strings as they are and every other value as JSON text.  Known string fields
    (text, caption, url, ...) stay strings; otherwise JSON objects/arrays, numbers and booleans
    are decoded and anything else (``@channel``, ``HTML``, a file_id) stays a string.
    """
    if name in _STRING_PARAMS:
        return raw
    s = raw.strip()
    if not s:
        return raw
    if s[0] in "{[" or s in ("true", "false") or _NUMBER_RE.fullmatch(s):
        try:
            return json.loads(s)
        except ValueError:
            return raw
    return raw


def _utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def _byte_offset(text: str, index: int) -> int:
    return len(text[:index].encode("utf-8"))


def _entities_error(message: str) -> TelegramAPIError:
    return _bad(f"can't parse entities: {message}")


_HTML_TAGS = frozenset(
    {
        "b",
        "strong",
        "i",
        "em",
        "u",
        "ins",
        "s",
        "strike",
        "del",
        "span",
        "tg-spoiler",
        "a",
        "code",
        "pre",
        "blockquote",
        "tg-emoji",
    }
)
_HTML_TAG_RE = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9-]*)((?:\s[^<>]*)?)\s*(/?)>")


def _render_html(text: str) -> str:
    """Strip Telegram HTML to plain text, raising Telegram's errors for markup it rejects."""
    out: list[str] = []
    stack: list[tuple[str, int]] = []
    pos = 0
    while True:
        lt = text.find("<", pos)
        if lt < 0:
            out.append(text[pos:])
            break
        out.append(text[pos:lt])
        m = _HTML_TAG_RE.match(text, lt)
        offset = _byte_offset(text, lt)
        if not m:
            raise _entities_error(f'Unsupported start tag "" at byte offset {offset}')
        closing, tag, _attrs, _selfclose = m.group(1), m.group(2).lower(), m.group(3), m.group(4)
        if closing:
            if not stack:
                raise _entities_error(f"Unexpected end tag at byte offset {offset}")
            if stack[-1][0] != tag:
                raise _entities_error(
                    f'Unmatched end tag at byte offset {offset}, expected "</{stack[-1][0]}>", '
                    f'found "</{tag}>"'
                )
            stack.pop()
        else:
            if tag not in _HTML_TAGS:
                raise _entities_error(f'Unsupported start tag "{tag}" at byte offset {offset}')
            stack.append((tag, offset))
        pos = m.end()
    if stack:
        tag, _offset = stack[-1]
        raise _entities_error(f'Can\'t find end tag corresponding to start tag "{tag}"')
    return html.unescape("".join(out))


_MDV2_RESERVED = frozenset("_*[]()~`>#+-=|{}.!")
_MDV2_NAMES = {
    "*": "Bold",
    "_": "Italic",
    "__": "Underline",
    "~": "Strikethrough",
    "||": "Spoiler",
    "[": "TextUrl",
}


def _scan_until(text: str, start: int, closing: str) -> int:
    """Index of ``closing`` at or after ``start``, skipping backslash escapes; -1 if none."""
    i = start
    while i < len(text):
        if text[i] == "\\":
            i += 2
            continue
        if text.startswith(closing, i):
            return i
        i += 1
    return -1


def _unescape_md(text: str) -> str:
    return re.sub(r"\\([\x01-\x7e])", r"\1", text)


def _render_markdown_v2(text: str) -> str:
    out: list[str] = []
    stack: list[tuple[str, int]] = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        line_start = i == 0 or text[i - 1] == "\n"
        if c == "\\" and i + 1 < n and 0 < ord(text[i + 1]) < 127:
            out.append(text[i + 1])
            i += 2
            continue
        if c == "`":
            if text.startswith("```", i):
                end = _scan_until(text, i + 3, "```")
                if end < 0:
                    raise _entities_error(
                        f"Can't find end of PreCode entity at byte offset {_byte_offset(text, i)}"
                    )
                inner = text[i + 3 : end]
                first, sep, rest = inner.partition("\n")
                if sep and first and " " not in first:
                    inner = rest  # language tag
                out.append(_unescape_md(inner))
                i = end + 3
            else:
                end = _scan_until(text, i + 1, "`")
                if end < 0:
                    raise _entities_error(
                        f"Can't find end of Code entity at byte offset {_byte_offset(text, i)}"
                    )
                out.append(_unescape_md(text[i + 1 : end]))
                i = end + 1
            continue
        if c == ">" and line_start:
            i += 1
            continue
        if c in "*_~|":
            if c == "_" and text.startswith("__", i):
                marker = "__"
            elif c == "|":
                if not text.startswith("||", i):
                    raise _entities_error(
                        "Character '|' is reserved and must be escaped with the preceding '\\'"
                    )
                marker = "||"
            else:
                marker = c
            if stack and stack[-1][0] == marker:
                stack.pop()
            elif any(m == marker for m, _ in stack):
                m, off = stack[-1]
                raise _entities_error(
                    f"Can't find end of {_MDV2_NAMES[m]} entity at byte offset {off}"
                )
            else:
                stack.append((marker, _byte_offset(text, i)))
            i += len(marker)
            continue
        if c == "[":
            stack.append(("[", _byte_offset(text, i)))
            i += 1
            continue
        if c == "]" and stack and stack[-1][0] == "[":
            stack.pop()
            if text.startswith("(", i + 1):
                end = _scan_until(text, i + 2, ")")
                if end < 0:
                    raise _entities_error(
                        f"Can't find end of a URL at byte offset {_byte_offset(text, i + 1)}"
                    )
                i = end + 1
                continue
            i += 1  # "[text]" without a url: Telegram keeps the text
            continue
        if c in _MDV2_RESERVED:
            raise _entities_error(
                f"Character '{c}' is reserved and must be escaped with the preceding '\\'"
            )
        out.append(c)
        i += 1
    if stack:
        m, off = stack[-1]
        raise _entities_error(f"Can't find end of {_MDV2_NAMES[m]} entity at byte offset {off}")
    return "".join(out)


def _render_markdown(text: str) -> str:
    """Legacy ``Markdown``: _italic_, *bold*, `code`, ```pre```, [text](url)."""
    out: list[str] = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c == "\\" and i + 1 < n and text[i + 1] in "_*`[":
            out.append(text[i + 1])
            i += 2
            continue
        if c in "_*`[":
            closing = {"[": "]"}.get(c, c)
            if text.startswith("```", i):
                closing, c = "```", "```"
            end = text.find(closing, i + len(c))
            if end < 0:
                raise _entities_error(
                    f"Can't find end of the entity starting at byte offset {_byte_offset(text, i)}"
                )
            out.append(text[i + len(c) : end])
            i = end + len(closing)
            if c == "[" and text.startswith("(", i):
                close = text.find(")", i)
                if close < 0:
                    raise _entities_error(
                        f"Can't find end of the entity starting at byte offset "
                        f"{_byte_offset(text, i)}"
                    )
                i = close + 1
            continue
        out.append(c)
        i += 1
    return "".join(out)


def render_text(text: str, parse_mode: str | None, *, validate: bool = True) -> str:
    """The plain text Telegram stores for ``text`` sent with ``parse_mode``."""
    if not parse_mode:
        return text
    mode = str(parse_mode).lower()
    if mode not in ("html", "markdownv2", "markdown"):
        raise _bad("unsupported parse_mode")
    if not validate:
        return text
    if mode == "html":
        return _render_html(text)
    if mode == "markdownv2":
        return _render_markdown_v2(text)
    return _render_markdown(text)


def tiny_png(
    width: int = 64, height: int = 48, rgb: tuple[int, int, int] = (30, 144, 255)
) -> bytes:
    """A valid single-colour PNG of the given size (for fake photos)."""

    def chunk(kind: bytes, payload: bytes) -> bytes:
        body = kind + payload
        return struct.pack(">I", len(payload)) + body + struct.pack(">I", zlib.crc32(body))

    row = b"\x00" + bytes(rgb) * width
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(row * height))
        + chunk(b"IEND", b"")
    )


def image_size(data: bytes) -> tuple[int, int] | None:
    """(width, height) of a PNG, GIF or JPEG, or None."""
    if data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) >= 24:
        return struct.unpack(">II", data[16:24])
    if data[:6] in (b"GIF87a", b"GIF89a") and len(data) >= 10:
        return struct.unpack("<HH", data[6:10])
    if data[:2] == b"\xff\xd8":
        i = 2
        while i + 9 < len(data):
            if data[i] != 0xFF:
                i += 1
                continue
            marker = data[i + 1]
            if marker in (0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE):
                height, width = struct.unpack(">HH", data[i + 5 : i + 9])
                return width, height
            if marker in (0xD8, 0x01) or 0xD0 <= marker <= 0xD7:
                i += 2
                continue
            (seg_len,) = struct.unpack(">H", data[i + 2 : i + 4])
            i += 2 + seg_len
    return None


def _update_type(update: dict[str, Any]) -> str | None:
    return next((k for k in update if k != "update_id"), None)


def _update_chat_id(update: dict[str, Any]) -> Any:
    body = update.get(_update_type(update) or "")
    if not isinstance(body, dict):
        return None
    for obj in (body, body.get("message")):
        if isinstance(obj, dict) and isinstance(obj.get("chat"), dict):
            return obj["chat"].get("id")
    sender = body.get("from")
    return sender.get("id") if isinstance(sender, dict) else None


def _as_int(value: Any) -> Any:
    if isinstance(value, str) and re.fullmatch(r"-?\d+", value.strip()):
        return int(value)
    return value


# --------------------------------------------------------------------------------------------
# Fake user helper
# --------------------------------------------------------------------------------------------


class FakeUser:
    """``tg.user(42, ...)``: the same injection methods with the user id bound."""

    def __init__(self, tg: FakeTelegram, user_id: int):
        self.tg = tg
        self.id = user_id

    @property
    def chat_id(self) -> int:
        return self.id

    def send_text(self, text: str, **kw: Any) -> dict[str, Any]:
        return self.tg.send_text(self.id, text, **kw)

    def send_command(self, command: str, args: str | None = None) -> dict[str, Any]:
        return self.tg.send_command(self.id, command, args)

    def send_contact(self, phone_number: str, contact_user_id: int | None = None, **kw: Any):
        return self.tg.send_contact(self.id, phone_number, contact_user_id, **kw)

    def send_photo(self, caption: str | None = None, data: bytes | None = None):
        return self.tg.send_photo(self.id, caption, data)

    def send_document(self, file_name: str, mime_type: str, data: bytes, **kw: Any):
        return self.tg.send_document(self.id, file_name, mime_type, data, **kw)

    def send_sticker(self, **kw: Any) -> dict[str, Any]:
        return self.tg.send_sticker(self.id, **kw)

    def press_button(self, callback_data: str, message_id: int | None = None, **kw: Any):
        return self.tg.press_button(self.id, callback_data, message_id, **kw)

    def edit_text(self, message_id: int, text: str) -> dict[str, Any]:
        return self.tg.edit_text(self.id, message_id, text)

    async def wait_for_message(self, contains: Any = None, **kw: Any) -> dict[str, Any]:
        return await self.tg.wait_for_message(self.id, contains, **kw)

    def sent_messages(self) -> list[dict[str, Any]]:
        return self.tg.sent_messages(self.id)


# --------------------------------------------------------------------------------------------
# The server
# --------------------------------------------------------------------------------------------

_NOT_SENT = frozenset({"sendchataction"})


def _records_as_sent(method: str) -> bool:
    """Calls that put a bot message in a chat: every send* (not sendChatAction), copy/forward,
    editMessageText/Caption."""
    m = method.lower()
    if m in _NOT_SENT:
        return False
    return m.startswith(("send", "copymessage", "forwardmessage")) or m in (
        "editmessagetext",
        "editmessagecaption",
    )


_MEDIA_METHODS = {
    "sendphoto": "photo",
    "senddocument": "document",
    "sendaudio": "audio",
    "sendvideo": "video",
    "sendvoice": "voice",
    "sendanimation": "animation",
    "sendsticker": "sticker",
}
_MEDIA_KINDS = {
    # kind: (folder in file_path, mime type when the upload has none)
    "photo": ("photos", "image/jpeg"),
    "document": ("documents", "application/octet-stream"),
    "audio": ("music", "audio/mpeg"),
    "video": ("videos", "video/mp4"),
    "voice": ("voice", "audio/ogg"),
    "animation": ("animations", "video/mp4"),
    "sticker": ("stickers", "image/webp"),
}


class FakeTelegram:
    """Fake Bot API server.  See the module docstring for the overall behaviour."""

    def __init__(
        self,
        token: str = "123:ABC",
        bot_username: str = "parbot_test_bot",
        *,
        bot_first_name: str = "Parbot Test",
        host: str = "127.0.0.1",
        port: int = 0,
        validate_markup: bool = True,
        webhook_retries: int = 0,
        webhook_retry_delay: float = 0.2,
        webhook_timeout: float = 10.0,
        strict_webhook_url: bool = False,
    ):
        self.token = token
        self.bot_username = bot_username
        self.bot_first_name = bot_first_name
        self.host = host
        self.port = port
        self.validate_markup = validate_markup
        self.webhook_retries = webhook_retries
        self.webhook_retry_delay = webhook_retry_delay
        self.webhook_timeout = webhook_timeout
        self.strict_webhook_url = strict_webhook_url
        try:
            self.bot_id = int(token.split(":", 1)[0])
        except ValueError:
            self.bot_id = 123

        self.calls: list[Call] = []
        self.webhook_deliveries: list[WebhookDelivery] = []
        self.downloads: list[str] = []
        self.on_call: Callable[[Call], None] | None = None  # e.g. a logger (used by the CLI)
        self.now: Callable[[], float] = time.time  # source of Message.date; replace to fake it

        self._sent: list[dict[str, Any]] = []
        self._call_cursor = 0
        self._chat_cursors: dict[Any, int] = {}
        self._delivery_cursor = 0

        self._users: dict[int, dict[str, Any]] = {}
        self._messages: dict[tuple[Any, int], dict[str, Any]] = {}
        self._last_message_id: dict[Any, int] = {}
        self._files: dict[str, StoredFile] = {}
        self._files_by_path: dict[str, StoredFile] = {}
        self._file_seq = itertools.count(1)
        self._callback_seq = itertools.count(4_000_000_000_000_000_001)
        self._open_callback_queries: set[str] = set()
        self._commands: dict[tuple[str, str], list[dict[str, Any]]] = {}

        self._next_update_id = 700_000_001
        self._history: dict[int, dict[str, Any]] = {}
        self._pending: list[_Queued] = []
        self._allowed_updates: list[str] | None = None
        self._poll_generation = 0
        self._last_injection = 0.0
        self._last_activity = 0.0
        self._inflight = 0

        self._webhook_url = ""
        self._webhook_secret: str | None = None
        self._webhook_max_connections = 40
        self._webhook_allowed: list[str] | None = None
        self._webhook_last_error: tuple[int, str] | None = None

        self._faults: list[_Fault] = []
        self._random_faults: tuple[Any, float, float, int, frozenset[str]] | None = None
        self._flood: tuple[int | None, int | None, int | None] | None = None
        self._flood_log: list[tuple[float, Any]] = []
        self._blocked: dict[Any, str] = {}

        self._changed = asyncio.Event()
        self._closing = False
        self._polls_ended = False  # see `end_polls`
        self._runner: web.AppRunner | None = None
        self._root: str | None = None
        self._session: ClientSession | None = None
        self._worker: asyncio.Task[None] | None = None

        self._handlers: dict[str, Callable[[dict[str, Any], dict[str, UploadedFile]], Any]] = {
            "getme": self._h_get_me,
            "getupdates": self._h_get_updates,
            "setwebhook": self._h_set_webhook,
            "deletewebhook": self._h_delete_webhook,
            "getwebhookinfo": self._h_get_webhook_info,
            "sendmessage": self._h_send_message,
            "sendchataction": self._h_send_chat_action,
            "editmessagetext": self._h_edit_message_text,
            "editmessagecaption": self._h_edit_message_caption,
            "editmessagereplymarkup": self._h_edit_message_reply_markup,
            "deletemessage": self._h_delete_message,
            "answercallbackquery": self._h_answer_callback_query,
            "setmycommands": self._h_set_my_commands,
            "getmycommands": self._h_get_my_commands,
            "deletemycommands": self._h_delete_my_commands,
            "getfile": self._h_get_file,
            "getchat": self._h_get_chat,
            "sendmediagroup": self._h_send_media_group,
            "sendlocation": self._h_send_location,
            "sendcontact": self._h_send_contact,
            "copymessage": self._h_copy_message,
            "forwardmessage": self._h_forward_message,
            "close": lambda p, f: True,
            "logout": lambda p, f: True,
        }
        for media_method in _MEDIA_METHODS:
            self._handlers[media_method] = self._make_media_handler(media_method)

    # ---------------------------------------------------------------- lifecycle

    async def __aenter__(self) -> FakeTelegram:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    async def start(self) -> None:
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_get("/file/{prefix}/{path:.+}", self._handle_file)
        app.router.add_route("*", "/{prefix}/{method}", self._handle_api)
        app.router.add_route("*", "/{tail:.*}", self._handle_not_found)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=2.0)
        await self._runner.setup()
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((self.host, self.port))
        site = web.SockSite(self._runner, sock)
        await site.start()
        self.port = sock.getsockname()[1]
        self._root = f"http://{self.host}:{self.port}"
        self._session = ClientSession(timeout=ClientTimeout(total=self.webhook_timeout))
        self._closing = False
        self._worker = asyncio.create_task(self._webhook_worker(), name="fake-telegram-webhook")

    async def stop(self) -> None:
        self._closing = True
        self._bump()
        if self._worker:
            self._worker.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._worker
            self._worker = None
        if self._session:
            await self._session.close()
            self._session = None
        if self._runner:
            await self._runner.cleanup()
            self._runner = None

    # ---------------------------------------------------------------- addresses

    @property
    def root(self) -> str:
        if self._root is None:
            raise RuntimeError("FakeTelegram is not started (use `async with FakeTelegram()`)")
        return self._root

    @property
    def base_url(self) -> str:
        return f"{self.root}/bot"

    @property
    def base_file_url(self) -> str:
        return f"{self.root}/file/bot"

    def bot_kwargs(self) -> dict[str, str]:
        """``Bot(**tg.bot_kwargs())``"""
        return {"token": self.token, "base_url": self.base_url, "base_file_url": self.base_file_url}

    @property
    def bot_user(self) -> dict[str, Any]:
        return {
            "id": self.bot_id,
            "is_bot": True,
            "first_name": self.bot_first_name,
            "username": self.bot_username,
        }

    @property
    def webhook_url(self) -> str:
        return self._webhook_url

    @property
    def webhook_secret(self) -> str | None:
        return self._webhook_secret

    @property
    def pending_updates(self) -> list[dict[str, Any]]:
        """Updates not yet confirmed (polling) or delivered (webhook)."""
        return [copy.deepcopy(q.update) for q in self._pending]

    # ---------------------------------------------------------------- recording

    def sent_messages(self, chat_id: Any = None) -> list[dict[str, Any]]:
        """Successful sendMessage/sendPhoto/sendDocument/... and editMessageText/Caption calls,
        oldest first, as dicts with keys method, chat_id, message_id, text, caption, parse_mode,
        reply_markup, edited, params, message (the returned Message or None), call_index, at."""
        chat_id = _as_int(chat_id)
        return [r for r in self._sent if chat_id is None or r["chat_id"] == chat_id]

    def calls_to(self, method: str) -> list[Call]:
        method = method.lower()
        return [c for c in self.calls if c.method.lower() == method]

    def end_polls(self, ended: bool = True) -> None:
        """While ended, ``getUpdates`` answers at once with what is queued, even nothing (as when
        its timeout ends), the polls waiting now included: a bot being stopped does not wait a
        long poll out. ``end_polls(False)``: polls wait again."""
        self._polls_ended = ended
        self._bump()

    def clear(self) -> None:
        """Forget recorded calls, sent messages, webhook deliveries and downloads; reset cursors.
        Chats, messages, files and queued updates stay."""
        self.calls = []
        self._sent = []
        self.webhook_deliveries = []
        self.downloads = []
        self._call_cursor = 0
        self._chat_cursors = {}
        self._delivery_cursor = 0

    def messages_in_chat(self, chat_id: Any) -> list[dict[str, Any]]:
        """Current state of every known message in the chat (bot's and user's), by message_id."""
        chat_id = _as_int(chat_id)
        found = [m for (c, _), m in self._messages.items() if c == chat_id]
        return [copy.deepcopy(m) for m in sorted(found, key=lambda m: m["message_id"])]

    def commands(self, scope: dict[str, Any] | None = None, language_code: str = "") -> list:
        return copy.deepcopy(self._commands.get(self._commands_key(scope, language_code), []))

    # ---------------------------------------------------------------- fault injection

    def fail_next(
        self,
        method: str | None,
        status: int = 429,
        retry_after: int = 1,
        description: str | None = None,
        count: int | None = 1,
        *,
        chat_id: Any = None,
        parameters: dict[str, Any] | None = None,
    ) -> None:
        """Answer the next ``count`` calls of ``method`` (None: any method except getUpdates;
        ``count=None``: until ``clear_faults()``) with an error.  429 carries
        ``parameters.retry_after``; ``parameters`` adds/overrides (e.g. migrate_to_chat_id)."""
        params = dict(parameters or {})
        if status == 429:
            params.setdefault("retry_after", retry_after)
            description = description or f"Too Many Requests: retry after {retry_after}"
        description = description or _DEFAULT_DESCRIPTIONS.get(status, "Error")
        self._faults.append(
            _Fault(
                method=method.lower() if method else None,
                status=status,
                description=description,
                parameters=params or None,
                remaining=count,
                chat_id=_as_int(chat_id),
            )
        )

    def clear_faults(self) -> None:
        self._faults.clear()
        self._random_faults = None

    def random_faults(
        self,
        p429: float = 0.10,
        p502: float = 0.03,
        retry_after: int = 1,
        methods: tuple[str, ...] = ("sendMessage", "sendPhoto"),
        seed: int = 16,
    ) -> None:
        """Answer a random share of ``methods`` calls with 429 (``retry_after``) or 502 Bad
        Gateway, as a busy Bot API does (until ``clear_faults()``).  Seeded: repeatable."""
        import random

        self._random_faults = (random.Random(seed), p429, p502, retry_after,
                               frozenset(m.lower() for m in methods))

    def block_chat(
        self,
        chat_id: Any,
        description: str = "Forbidden: bot was blocked by the user",
        *,
        notify: bool = False,
    ) -> dict[str, Any] | None:
        """Every call with this chat_id now gets 403.  ``notify=True`` also injects the
        ``my_chat_member`` update (status kicked) Telegram sends when a user blocks the bot."""
        chat_id = _as_int(chat_id)
        self._blocked[chat_id] = description
        if notify and isinstance(chat_id, int) and chat_id > 0:
            return self._inject(self._my_chat_member(chat_id, "member", "kicked"))
        return None

    def unblock_chat(self, chat_id: Any, *, notify: bool = False) -> dict[str, Any] | None:
        chat_id = _as_int(chat_id)
        self._blocked.pop(chat_id, None)
        if notify and isinstance(chat_id, int) and chat_id > 0:
            return self._inject(self._my_chat_member(chat_id, "kicked", "member"))
        return None

    # ---------------------------------------------------------------- files

    def add_file(
        self,
        file_id: str,
        data: bytes,
        file_name: str | None = None,
        mime_type: str | None = None,
        *,
        file_unique_id: str | None = None,
        folder: str = "documents",
    ) -> StoredFile:
        """Pre-register a file so getFile/download of ``file_id`` work."""
        n = next(self._file_seq)
        ext = ""
        if file_name and "." in file_name:
            ext = "." + file_name.rsplit(".", 1)[1]
        stored = StoredFile(
            file_id=file_id,
            file_unique_id=file_unique_id or f"AgADfake{n:06d}",
            data=bytes(data),
            file_name=file_name,
            mime_type=mime_type,
            file_path=f"{folder}/file_{n}{ext}",
        )
        self._files[file_id] = stored
        self._files_by_path[stored.file_path] = stored
        return stored

    def get_file(self, file_id: str) -> StoredFile:
        return self._files[file_id]

    def _new_file(
        self, kind: str, data: bytes, file_name: str | None, mime_type: str | None, folder: str
    ) -> StoredFile:
        prefix = {"photo": "AgACAgI", "sticker": "CAACAgI", "document": "BQACAgI"}.get(
            kind, "BAACAgI"
        )
        n = next(self._file_seq)
        if file_name and "." in file_name:
            ext = "." + file_name.rsplit(".", 1)[1]
        elif kind == "photo":
            ext = ".jpg"
        else:
            ext = ""
        stored = StoredFile(
            file_id=f"{prefix}AAxkBAAI{n:08d}fake{kind}",
            file_unique_id=f"AQAD{n:08d}",
            data=bytes(data),
            file_name=file_name,
            mime_type=mime_type,
            file_path=f"{folder}/file_{n}{ext}",
        )
        self._files[stored.file_id] = stored
        self._files_by_path[stored.file_path] = stored
        return stored

    def _photo_sizes(self, data: bytes) -> list[dict[str, Any]]:
        width, height = image_size(data) or (800, 600)
        longest = max(width, height, 1)
        sizes = []
        for cap in (90, 320, 800):
            if longest > cap:
                scale = cap / longest
                sizes.append((max(1, round(width * scale)), max(1, round(height * scale)), scale))
        scale = min(1.0, 1280 / longest)
        sizes.append((max(1, round(width * scale)), max(1, round(height * scale)), scale))
        result = []
        for w, h, scale in sizes:
            stored = self._new_file("photo", data, None, "image/jpeg", "photos")
            result.append(
                {
                    "file_id": stored.file_id,
                    "file_unique_id": stored.file_unique_id,
                    "width": w,
                    "height": h,
                    "file_size": max(1, int(len(data) * scale * scale)) if scale < 1 else len(data),
                }
            )
        return result

    # ---------------------------------------------------------------- fake users and updates

    def user(
        self,
        user_id: int,
        first_name: str = "An",
        language_code: str | None = "vi",
        username: str | None = None,
        *,
        last_name: str | None = None,
    ) -> FakeUser:
        """Register (or re-describe) a user; returns a helper with the id bound."""
        info: dict[str, Any] = {"id": user_id, "is_bot": False, "first_name": first_name}
        if last_name:
            info["last_name"] = last_name
        if username:
            info["username"] = username
        if language_code:
            info["language_code"] = language_code
        self._users[user_id] = info
        return FakeUser(self, user_id)

    def _user_dict(self, user_id: int) -> dict[str, Any]:
        if user_id not in self._users:
            self.user(user_id)
        return dict(self._users[user_id])

    def _chat_dict(self, chat_id: Any) -> dict[str, Any]:
        if isinstance(chat_id, int) and chat_id > 0:
            chat: dict[str, Any] = {"id": chat_id, "type": "private"}
            info = self._users.get(chat_id, {"first_name": "An"})
            for key in ("first_name", "last_name", "username"):
                if key in info:
                    chat[key] = info[key]
            return chat
        if isinstance(chat_id, int) and chat_id <= -1_000_000_000_000:
            return {"id": chat_id, "type": "supergroup", "title": f"Group {chat_id}"}
        return {"id": chat_id, "type": "group", "title": f"Group {chat_id}"}

    def _next_message_id(self, chat_id: Any) -> int:
        mid = self._last_message_id.get(chat_id, 0) + 1
        self._last_message_id[chat_id] = mid
        return mid

    def _user_message(self, user_id: int, content: dict[str, Any]) -> dict[str, Any]:
        msg = {
            "message_id": self._next_message_id(user_id),
            "from": self._user_dict(user_id),
            "chat": self._chat_dict(user_id),
            "date": int(self.now()),
            **content,
        }
        self._messages[(user_id, msg["message_id"])] = msg
        return copy.deepcopy(msg)

    @staticmethod
    def _command_entities(text: str) -> list[dict[str, Any]]:
        return [
            {
                "type": "bot_command",
                "offset": _utf16_len(text[: m.start()]),
                "length": _utf16_len(m.group(0)),
            }
            for m in _COMMAND_RE.finditer(text)
        ]

    def _text_content(self, text: str, entities: list[dict[str, Any]] | None) -> dict[str, Any]:
        content: dict[str, Any] = {"text": text}
        ents = self._command_entities(text) if entities is None else entities
        if ents:
            content["entities"] = ents
        return content

    def send_text(
        self,
        user_id: int,
        text: str,
        *,
        entities: list[dict[str, Any]] | None = None,
        reply_to_message_id: int | None = None,
    ) -> dict[str, Any]:
        """The user sends ``text`` in the private chat.  Like a real client, ``/commands`` in
        the text get ``bot_command`` entities unless ``entities`` is given."""
        content = self._text_content(text, entities)
        if reply_to_message_id is not None:
            replied = self._messages.get((user_id, reply_to_message_id))
            if replied is not None:
                content["reply_to_message"] = copy.deepcopy(replied)
        return self._inject({"message": self._user_message(user_id, content)})

    def send_command(self, user_id: int, command: str, args: str | None = None) -> dict[str, Any]:
        """``send_command(42, "/start CODE")``, ``send_command(42, "start", "CODE")``."""
        text = command if command.startswith("/") else f"/{command}"
        if args:
            text = f"{text} {args}"
        return self.send_text(user_id, text)

    def send_contact(
        self,
        user_id: int,
        phone_number: str,
        contact_user_id: int | None = None,
        *,
        first_name: str | None = None,
        last_name: str | None = None,
    ) -> dict[str, Any]:
        """The user shares a contact.  ``contact_user_id=None`` means their own contact (what a
        ``request_contact`` button sends: contact.user_id == from.id); pass another id for
        someone else's contact, or 0 for a contact that is not a Telegram user."""
        who = self._user_dict(user_id)
        cuid = user_id if contact_user_id is None else contact_user_id
        contact: dict[str, Any] = {
            "phone_number": phone_number,
            "first_name": first_name or (who["first_name"] if cuid == user_id else "Contact"),
        }
        last = (
            last_name
            if last_name is not None
            else who.get("last_name")
            if cuid == user_id
            else None
        )
        if last:
            contact["last_name"] = last
        if cuid:
            contact["user_id"] = cuid
        return self._inject({"message": self._user_message(user_id, {"contact": contact})})

    def send_photo(
        self, user_id: int, caption: str | None = None, data: bytes | None = None
    ) -> dict[str, Any]:
        """The user sends a photo (``data`` defaults to a small valid PNG); the sizes are
        registered so the bot can getFile/download them."""
        content: dict[str, Any] = {"photo": self._photo_sizes(data or tiny_png())}
        if caption is not None:
            content["caption"] = caption
        return self._inject({"message": self._user_message(user_id, content)})

    def send_document(
        self,
        user_id: int,
        file_name: str = "file.bin",
        mime_type: str = "application/octet-stream",
        data: bytes = b"",
        *,
        caption: str | None = None,
    ) -> dict[str, Any]:
        stored = self._new_file("document", data, file_name, mime_type, "documents")
        content: dict[str, Any] = {
            "document": {
                "file_id": stored.file_id,
                "file_unique_id": stored.file_unique_id,
                "file_name": file_name,
                "mime_type": mime_type,
                "file_size": len(data),
            }
        }
        if caption is not None:
            content["caption"] = caption
        return self._inject({"message": self._user_message(user_id, content)})

    def send_sticker(self, user_id: int, *, emoji: str = "👍") -> dict[str, Any]:
        stored = self._new_file(
            "sticker", b"RIFF\x00\x00\x00\x00WEBP", None, "image/webp", "stickers"
        )
        sticker = {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "type": "regular",
            "width": 512,
            "height": 512,
            "is_animated": False,
            "is_video": False,
            "emoji": emoji,
            "set_name": "FakeStickers",
            "file_size": stored.file_size,
        }
        return self._inject({"message": self._user_message(user_id, {"sticker": sticker})})

    def send_content(self, user_id: int, **content: Any) -> dict[str, Any]:
        """A user message with arbitrary content fields, e.g. ``location={...}``."""
        return self._inject({"message": self._user_message(user_id, content)})

    @staticmethod
    def _button_datas(message: dict[str, Any]) -> list[str]:
        markup = message.get("reply_markup") or {}
        return [
            b.get("callback_data")
            for row in markup.get("inline_keyboard", [])
            for b in row
            if isinstance(b, dict) and "callback_data" in b
        ]

    def press_button(
        self,
        user_id: int,
        callback_data: str,
        message_id: int | None = None,
        *,
        chat_id: Any = None,
        strict: bool = True,
    ) -> dict[str, Any]:
        """The user presses an inline button.  Without ``message_id`` the newest bot message in
        the chat that has a button with this ``callback_data`` is used.  ``strict`` (default)
        raises ValueError when no such button exists — a real user can only press buttons the
        bot sent; ``strict=False`` lets a test forge stale/unknown data."""
        chat = user_id if chat_id is None else _as_int(chat_id)
        message: dict[str, Any] | None = None
        if message_id is None:
            bot_msgs = sorted(
                (
                    m
                    for (c, _), m in self._messages.items()
                    if c == chat and m.get("from", {}).get("id") == self.bot_id
                ),
                key=lambda m: m["message_id"],
                reverse=True,
            )
            message = next((m for m in bot_msgs if callback_data in self._button_datas(m)), None)
            if message is None:
                if strict:
                    raise ValueError(
                        f"no bot message in chat {chat} has a button with callback_data "
                        f"{callback_data!r} (pass strict=False to forge one)"
                    )
                message = bot_msgs[0] if bot_msgs else None
        else:
            message = self._messages.get((chat, message_id))
            if strict and (message is None or callback_data not in self._button_datas(message)):
                raise ValueError(
                    f"message {message_id} in chat {chat} has no button with callback_data "
                    f"{callback_data!r} (pass strict=False to forge one)"
                )
            if message is None:  # an old message Telegram no longer shows: inaccessible
                message = {"message_id": message_id, "chat": self._chat_dict(chat), "date": 0}
        query_id = str(next(self._callback_seq))
        self._open_callback_queries.add(query_id)
        query: dict[str, Any] = {
            "id": query_id,
            "from": self._user_dict(user_id),
            "chat_instance": str(-abs(hash(("chat_instance", chat))) % 10**18),
            "data": callback_data,
        }
        if message is not None:
            query["message"] = copy.deepcopy(message)
        else:
            query["inline_message_id"] = f"fake-inline-{query_id}"
        return self._inject({"callback_query": query})

    def edit_text(self, user_id: int, message_id: int, text: str) -> dict[str, Any]:
        """The user edits their own earlier text message (-> ``edited_message``)."""
        stored = self._messages.get((user_id, message_id))
        if stored is None or stored.get("from", {}).get("id") != user_id:
            raise ValueError(f"user {user_id} has no message {message_id} to edit")
        stored.pop("entities", None)
        stored.update(self._text_content(text, None))
        stored["edit_date"] = int(self.now())
        return self._inject({"edited_message": copy.deepcopy(stored)})

    def inject_raw(self, update: dict[str, Any]) -> dict[str, Any]:
        """Queue/deliver an arbitrary update dict; an ``update_id`` is assigned if missing."""
        return self._inject(copy.deepcopy(update))

    def send_duplicate(self, update_id: int) -> dict[str, Any]:
        """Redeliver an earlier update with the same update_id (as Telegram does after a crash
        or a failed webhook response).  In polling mode it is handed out once by the next
        getUpdates regardless of the offset."""
        if update_id not in self._history:
            raise KeyError(f"no update {update_id} was injected")
        return self._inject(copy.deepcopy(self._history[update_id]), forced=True)

    def _my_chat_member(self, user_id: int, old: str, new: str) -> dict[str, Any]:
        user = self._user_dict(user_id)
        now = int(self.now())
        return {
            "my_chat_member": {
                "chat": self._chat_dict(user_id),
                "from": user,
                "date": now,
                "old_chat_member": {"user": self.bot_user, "status": old},
                "new_chat_member": {"user": self.bot_user, "status": new, "until_date": 0}
                if new == "kicked"
                else {"user": self.bot_user, "status": new},
            }
        }

    def _inject(self, update: dict[str, Any], *, forced: bool = False) -> dict[str, Any]:
        if "update_id" not in update:
            update = {"update_id": self._next_update_id, **update}
            self._next_update_id += 1
        else:
            self._next_update_id = max(self._next_update_id, int(update["update_id"]) + 1)
        if not forced:
            self._history[update["update_id"]] = copy.deepcopy(update)
        self._pending.append(_Queued(copy.deepcopy(update), forced=forced))
        self._call_cursor = len(self.calls)
        chat = _update_chat_id(update)
        if chat is not None:
            self._chat_cursors[chat] = len(self.calls)
        self._last_injection = time.monotonic()
        self._bump()
        return update

    # ---------------------------------------------------------------- waiting

    def _bump(self) -> None:
        self._changed.set()
        self._changed = asyncio.Event()

    async def _wait_until(
        self, check: Callable[[], T | None], timeout: float, describe: Callable[[], str]
    ) -> T:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            event = self._changed
            found = check()
            if found is not None:
                return found
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise FakeTelegramTimeout(describe())
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(event.wait(), remaining)

    def _describe_calls(self, since: int) -> str:
        lines = []
        for i, c in enumerate(self.calls[since:], start=since):
            if c.method.lower() == "getupdates":
                continue
            summary = {k: v for k, v in c.params.items() if k in ("chat_id", "text", "caption")}
            lines.append(f"  #{i} {c.method} -> {c.status} {summary}")
        return "\n".join(lines[-20:]) or "  (none besides getUpdates)"

    async def wait_for_call(
        self,
        method: str | None,
        predicate: Callable[[Call], bool] | None = None,
        timeout: float = 10,
        *,
        since: int | None = None,
    ) -> Call:
        """The first completed call of ``method`` (None: any) at index >= ``since`` (default:
        the cursor, see module docstring) that satisfies ``predicate``."""
        start = self._call_cursor if since is None else since
        wanted = method.lower() if method else None

        def check() -> tuple[int, Call] | None:
            for i in range(start, len(self.calls)):
                c = self.calls[i]
                if c.status is None or (wanted and c.method.lower() != wanted):
                    continue
                if predicate is None or predicate(c):
                    return i, c
            return None

        index, call = await self._wait_until(
            check,
            timeout,
            lambda: (
                f"no {method or 'call'} matched within {timeout}s; calls since #{start}:\n"
                + self._describe_calls(start)
            ),
        )
        self._call_cursor = index + 1
        return call

    async def wait_for_request(
        self, method: str, timeout: float = 10, *, since: int | None = None
    ) -> Call:
        """The first call of ``method`` received at index >= ``since`` (default: the cursor),
        finished or still running: a ``getUpdates`` long poll in flight says the bot polls."""
        start = self._call_cursor if since is None else since
        wanted = method.lower()

        def check() -> tuple[int, Call] | None:
            for i in range(start, len(self.calls)):
                if self.calls[i].method.lower() == wanted:
                    return i, self.calls[i]
            return None

        index, call = await self._wait_until(
            check, timeout,
            lambda: f"no {method} received within {timeout}s; calls since #{start}:\n"
            + self._describe_calls(start))
        self._call_cursor = index + 1
        return call

    async def wait_for_message(
        self,
        chat_id: Any,
        contains: str | re.Pattern[str] | None = None,
        timeout: float = 10,
        *,
        since: int | None = None,
        method: str | None = None,
        predicate: Callable[[dict[str, Any]], bool] | None = None,
    ) -> dict[str, Any]:
        """The first sent-message record (see ``sent_messages``) for ``chat_id`` at call index
        >= ``since`` (default: the chat's cursor) whose text or caption contains ``contains``
        (a substring, or a compiled regex searched), optionally of ``method``."""
        chat_id = _as_int(chat_id)
        start = self._chat_cursors.get(chat_id, 0) if since is None else since
        wanted = method.lower() if method else None

        def matches(rec: dict[str, Any]) -> bool:
            if rec["chat_id"] != chat_id or rec["call_index"] < start:
                return False
            if wanted and rec["method"].lower() != wanted:
                return False
            if contains is not None:
                msg = rec.get("message") or {}
                texts = [rec.get("text"), rec.get("caption"), msg.get("text"), msg.get("caption")]
                texts = [t for t in texts if isinstance(t, str)]
                if isinstance(contains, re.Pattern):
                    if not any(contains.search(t) for t in texts):
                        return False
                elif not any(contains in t for t in texts):
                    return False
            return predicate is None or predicate(rec)

        rec = await self._wait_until(
            lambda: next((r for r in self._sent if matches(r)), None),
            timeout,
            lambda: (
                f"no message to chat {chat_id} containing {contains!r} within {timeout}s; "
                f"calls since #{start}:\n" + self._describe_calls(start)
            ),
        )
        self._chat_cursors[chat_id] = rec["call_index"] + 1
        return rec

    async def wait_for_webhook_delivery(
        self, update_id: int | None = None, timeout: float = 10, *, since: int | None = None
    ) -> WebhookDelivery:
        """The first webhook delivery (of ``update_id`` if given) at index >= ``since``
        (default: just past the one this returned last time)."""
        start = self._delivery_cursor if since is None else since

        def check() -> tuple[int, WebhookDelivery] | None:
            for i in range(start, len(self.webhook_deliveries)):
                d = self.webhook_deliveries[i]
                if update_id is None or d.update_id == update_id:
                    return i, d
            return None

        index, delivery = await self._wait_until(
            check,
            timeout,
            lambda: (
                f"no webhook delivery of {update_id} within {timeout}s "
                f"(webhook url {self._webhook_url!r}, deliveries: {self.webhook_deliveries})"
            ),
        )
        self._delivery_cursor = index + 1
        return delivery

    async def wait_idle(self, quiet: float = 0.2, timeout: float = 10) -> None:
        """Wait until every injected update was confirmed/delivered, no call other than a
        getUpdates long poll is running, and nothing but getUpdates happened for ``quiet``
        seconds."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            now = time.monotonic()
            last = max(self._last_activity, self._last_injection)
            if not self._pending and self._inflight == 0 and now - last >= quiet:
                return
            if loop.time() >= deadline:
                raise FakeTelegramTimeout(
                    f"not idle after {timeout}s: {len(self._pending)} pending updates, "
                    f"{self._inflight} calls running; last calls:\n{self._describe_calls(0)}"
                )
            await asyncio.sleep(min(0.05, quiet))

    # ---------------------------------------------------------------- HTTP layer

    @staticmethod
    async def _read_params(request: web.Request) -> tuple[dict[str, Any], dict[str, UploadedFile]]:
        params: dict[str, Any] = {k: decode_form_value(k, v) for k, v in request.query.items()}
        files: dict[str, UploadedFile] = {}
        ctype = request.content_type if "Content-Type" in request.headers else ""
        if ctype.startswith("multipart/"):
            reader = await request.multipart()
            while (part := await reader.next()) is not None:
                if not isinstance(part, BodyPartReader) or part.name is None:
                    continue
                if part.filename is not None:
                    data = await part.read(decode=False)
                    files[part.name] = UploadedFile(
                        name=part.name,
                        filename=part.filename,
                        data=bytes(data),
                        content_type=part.headers.get("Content-Type", "application/octet-stream"),
                    )
                else:
                    params[part.name] = decode_form_value(part.name, await part.text())
            return params, files
        body = await request.read()
        if not body:
            return params, files
        if ctype == "application/json":
            try:
                data = json.loads(body)
            except ValueError as exc:
                raise _bad("can't parse JSON object") from exc
            if not isinstance(data, dict):
                raise _bad("can't parse JSON object")
            params.update(data)
            return params, files
        text = body.decode(request.charset or "utf-8", errors="replace")
        for key, value in parse_qsl(text, keep_blank_values=True):
            params[key] = decode_form_value(key, value)
        return params, files

    def _token_from(self, prefix: str) -> str | None:
        return prefix[3:] if prefix.startswith("bot") else None

    async def _handle_not_found(self, request: web.Request) -> web.Response:
        return web.json_response(TelegramAPIError(404, "Not Found").envelope(), status=404)

    async def _handle_file(self, request: web.Request) -> web.Response:
        token = self._token_from(request.match_info["prefix"])
        if token is None:
            return await self._handle_not_found(request)
        if token != self.token:
            return web.json_response(TelegramAPIError(401, "Unauthorized").envelope(), status=401)
        path = request.match_info["path"]
        stored = self._files_by_path.get(path)
        if stored is None:
            return await self._handle_not_found(request)
        self.downloads.append(path)
        return web.Response(body=stored.data, content_type="application/octet-stream")

    async def _handle_api(self, request: web.Request) -> web.Response:
        token = self._token_from(request.match_info["prefix"])
        if token is None:
            return await self._handle_not_found(request)
        method = request.match_info["method"]
        try:
            params, files = await self._read_params(request)
        except TelegramAPIError as err:
            return web.json_response(err.envelope(), status=err.status)
        call = Call(method=method, params=params, files=files, at=time.monotonic())
        self.calls.append(call)
        index = len(self.calls) - 1
        self._bump()  # received: `wait_for_request` sees it while it runs
        long_poll = method.lower() == "getupdates"
        if not long_poll:
            self._inflight += 1
            self._last_activity = time.monotonic()
        try:
            if token != self.token:
                raise TelegramAPIError(401, "Unauthorized")
            self._apply_faults(method.lower(), params)
            handler = self._handlers.get(method.lower())
            if handler is None:
                send_like = method.lower().startswith("send") and "chat_id" in params
                handler = self._h_send_other if send_like else self._h_fallback
            result = handler(params, files)
            if inspect.isawaitable(result):
                result = await result
        except TelegramAPIError as err:
            call.status, call.result = err.status, err.envelope()
        except asyncio.CancelledError:
            call.status = 499
            raise
        except Exception as exc:  # a bug in the fake: answer like a broken server
            call.status = 500
            call.result = TelegramAPIError(500, f"Internal Server Error: {exc!r}").envelope()
        else:
            call.status, call.result = 200, result
            if _records_as_sent(method) and index < len(self.calls):
                if self.calls[index] is call:
                    self._record_sent(method, call, index, result)
        finally:
            if not long_poll:
                self._inflight -= 1
                self._last_activity = time.monotonic()
            self._bump()
            if self.on_call:
                self.on_call(call)
        if call.status == 200:
            body = {"ok": True, "result": call.result}
        else:
            body = call.result
        return web.Response(
            text=json.dumps(body, ensure_ascii=False),
            status=call.status,
            content_type="application/json",
        )

    def _apply_faults(self, method: str, params: dict[str, Any]) -> None:
        chat_id = _as_int(params.get("chat_id"))
        if self._random_faults is not None and method in self._random_faults[4]:
            rng, p429, p502, retry_after, _ = self._random_faults
            draw = rng.random()
            if draw < p429:
                raise TelegramAPIError(429, f"Too Many Requests: retry after {retry_after}",
                                       {"retry_after": retry_after})
            if draw < p429 + p502:
                raise TelegramAPIError(502, "Bad Gateway")
        for fault in list(self._faults):
            if fault.method is None and method == "getupdates":
                continue
            if fault.method is not None and fault.method != method:
                continue
            if fault.chat_id is not None and fault.chat_id != chat_id:
                continue
            if fault.remaining is not None:
                fault.remaining -= 1
                if fault.remaining <= 0:
                    self._faults.remove(fault)
            raise TelegramAPIError(fault.status, fault.description, fault.parameters)
        if chat_id is not None and chat_id in self._blocked:
            raise TelegramAPIError(403, self._blocked[chat_id])
        if self._flood is not None and _records_as_sent(method):
            self._check_flood(chat_id)

    def enable_flood_control(
        self,
        global_per_second: int | None = 30,
        per_chat_per_second: int | None = None,
        per_group_per_minute: int | None = 20,
    ) -> None:
        """Answer message-sending calls (send*, copy/forward, editMessageText/Caption) with 429
        + retry_after when they exceed Telegram's broadcast limits: ``global_per_second`` over
        all chats, ``per_group_per_minute`` per group (chat_id < 0) and, if set,
        ``per_chat_per_second`` per chat.  Off by default."""
        self._flood = (global_per_second, per_chat_per_second, per_group_per_minute)
        self._flood_log.clear()

    def disable_flood_control(self) -> None:
        self._flood = None

    def _check_flood(self, chat_id: Any) -> None:
        assert self._flood is not None
        global_limit, chat_limit, group_limit = self._flood
        now = time.monotonic()
        log = self._flood_log = [(t, c) for t, c in self._flood_log if now - t < 60]
        windows = [(global_limit, 1.0, [t for t, _ in log if now - t < 1])]
        if chat_limit is not None:
            windows.append((chat_limit, 1.0, [t for t, c in log if c == chat_id and now - t < 1]))
        if group_limit is not None and isinstance(chat_id, int) and chat_id < 0:
            windows.append((group_limit, 60.0, [t for t, c in log if c == chat_id]))
        for limit, window, times in windows:
            if limit is not None and len(times) >= limit:
                retry = max(1, math.ceil(min(times) + window - now))
                raise TelegramAPIError(
                    429, f"Too Many Requests: retry after {retry}", {"retry_after": retry}
                )
        self._flood_log.append((now, chat_id))

    def _record_sent(self, method: str, call: Call, index: int, result: Any) -> None:
        params = call.params
        results = result if isinstance(result, list) else [result]
        for item in results:
            message = copy.deepcopy(item) if isinstance(item, dict) and "chat" in item else None
            if message:
                chat_id, message_id = message["chat"]["id"], message["message_id"]
            else:
                chat_id = _as_int(params.get("chat_id"))
                message_id = item["message_id"] if isinstance(item, dict) else None
                message_id = message_id or params.get("message_id")
            msg = message or {}
            self._sent.append(
                {
                    "method": method,
                    "chat_id": chat_id,
                    "message_id": message_id,
                    "text": params.get("text", msg.get("text")),
                    "caption": params.get("caption", msg.get("caption")),
                    "parse_mode": params.get("parse_mode"),
                    "reply_markup": params.get("reply_markup"),
                    "edited": method.lower().startswith("edit"),
                    "files": call.files,
                    "params": params,
                    "message": message,
                    "call_index": index,
                    "at": call.at,
                }
            )

    # ---------------------------------------------------------------- method helpers

    def _chat_id(self, params: dict[str, Any]) -> Any:
        chat_id = params.get("chat_id")
        if chat_id is None or chat_id == "":
            raise _bad("chat_id is empty")
        chat_id = _as_int(chat_id)
        if not isinstance(chat_id, int):
            raise _bad("chat not found")
        return chat_id

    def _check_markup(self, markup: Any) -> dict[str, Any] | None:
        """Validate reply_markup; return it if it is an inline keyboard (the only kind
        Telegram echoes in Message.reply_markup)."""
        if markup is None:
            return None
        if not isinstance(markup, dict):
            raise _bad("can't parse reply keyboard markup JSON object")
        if "inline_keyboard" not in markup:
            if "keyboard" in markup and not isinstance(markup["keyboard"], list):
                raise _bad('field "keyboard" of the ReplyKeyboardMarkup must be an Array')
            return None
        rows = markup["inline_keyboard"]
        if not isinstance(rows, list) or not all(isinstance(r, list) for r in rows):
            raise _bad('field "inline_keyboard" of the InlineKeyboardMarkup must be an Array')
        for row in rows:
            for button in row:
                if not isinstance(button, dict) or not isinstance(button.get("text"), str):
                    raise _bad(
                        'can\'t parse inline keyboard button: Field "text" must be of type String'
                    )
                if "callback_data" in button:
                    size = len(str(button["callback_data"]).encode("utf-8"))
                    if not 1 <= size <= MAX_CALLBACK_DATA:
                        raise _bad("BUTTON_DATA_INVALID")
                elif "url" in button:
                    if not re.match(r"(https?|tg)://", str(button["url"])):
                        raise _bad("BUTTON_URL_INVALID")
                elif not (set(button) - {"text"}):
                    raise _bad(
                        "can't parse inline keyboard button: Text buttons are unallowed "
                        "in the inline keyboard"
                    )
        return markup

    def _render(
        self,
        text: Any,
        parse_mode: Any,
        entities: Any,
        *,
        limit: int,
        empty_error: str | None,
        too_long: str,
    ) -> str:
        text = "" if text is None else str(text)
        plain = text if entities else render_text(text, parse_mode, validate=self.validate_markup)
        if empty_error and not plain.strip():
            raise _bad(empty_error)
        if _utf16_len(plain.strip()) > limit:
            raise _bad(too_long)
        return plain.strip()

    def _reply_to(self, chat_id: Any, params: dict[str, Any]) -> dict[str, Any] | None:
        reply = params.get("reply_parameters")
        reply_id = reply.get("message_id") if isinstance(reply, dict) else None
        reply_id = reply_id or params.get("reply_to_message_id")
        if not reply_id:
            return None
        replied = self._messages.get((chat_id, int(reply_id)))
        allow = params.get("allow_sending_without_reply") or (
            isinstance(reply, dict) and reply.get("allow_sending_without_reply")
        )
        if replied is None:
            if allow:
                return None
            raise _bad("message to be replied not found")
        replied = copy.deepcopy(replied)
        replied.pop("reply_to_message", None)
        return replied

    def _bot_message(
        self, chat_id: Any, params: dict[str, Any], content: dict[str, Any]
    ) -> dict[str, Any]:
        markup = self._check_markup(params.get("reply_markup"))
        replied = self._reply_to(chat_id, params)
        msg: dict[str, Any] = {
            "message_id": self._next_message_id(chat_id),
            "from": self.bot_user,
            "chat": self._chat_dict(chat_id),
            "date": int(self.now()),
        }
        if replied:
            msg["reply_to_message"] = replied
        msg.update(content)
        if markup:
            msg["reply_markup"] = markup
        self._messages[(chat_id, msg["message_id"])] = msg
        return copy.deepcopy(msg)

    def _stored_message(self, params: dict[str, Any], action: str) -> dict[str, Any]:
        chat_id = self._chat_id(params)
        message_id = params.get("message_id")
        if message_id is None:
            raise _bad("message identifier is not specified")
        msg = self._messages.get((chat_id, int(message_id)))
        if msg is None:
            raise _bad(f"message to {action} not found")
        if action == "edit" and msg.get("from", {}).get("id") != self.bot_id:
            raise _bad("message can't be edited")
        return msg

    # ---------------------------------------------------------------- method handlers

    def _h_fallback(self, params: dict[str, Any], files: dict[str, UploadedFile]) -> Any:
        """Any other method: recorded, answered with ``true``."""
        return True

    def _h_get_me(self, params: dict[str, Any], files: dict[str, UploadedFile]) -> Any:
        return {
            **self.bot_user,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    def _h_get_chat(self, params: dict[str, Any], files: dict[str, UploadedFile]) -> Any:
        chat = self._chat_dict(self._chat_id(params))
        return {**chat, "accent_color_id": 0, "max_reaction_count": 11}

    def _allowed(self, update: dict[str, Any], allowed: list[str] | None) -> bool:
        kind = _update_type(update)
        return kind in (set(allowed) if allowed else DEFAULT_UPDATE_TYPES)

    async def _h_get_updates(self, params: dict[str, Any], files: dict[str, UploadedFile]) -> Any:
        offset = int(params.get("offset") or 0)
        limit = max(1, min(100, int(params.get("limit") or 100)))
        timeout = max(0.0, float(params.get("timeout") or 0))
        if params.get("allowed_updates") is not None:
            allowed = params["allowed_updates"]
            self._allowed_updates = list(allowed) if allowed else None
        if offset > 0:
            self._pending = [
                q for q in self._pending if q.forced or q.update["update_id"] >= offset
            ]
        elif offset < 0:
            self._pending = self._pending[offset:]
        self._poll_generation += 1
        generation = self._poll_generation
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            event = self._changed
            if self._webhook_url:
                raise TelegramAPIError(
                    409,
                    "Conflict: can't use getUpdates method while webhook is active; use "
                    "deleteWebhook to delete the webhook first",
                )
            if generation != self._poll_generation:
                raise TelegramAPIError(
                    409,
                    "Conflict: terminated by other getUpdates request; make sure that only one "
                    "bot instance is running",
                )
            self._pending = [
                q for q in self._pending if self._allowed(q.update, self._allowed_updates)
            ]
            batch = self._pending[:limit]
            if batch or self._closing or self._polls_ended:
                # A redelivered duplicate is handed out once; the rest stay until confirmed.
                handed = {id(q) for q in batch if q.forced}
                self._pending = [q for q in self._pending if id(q) not in handed]
                return [copy.deepcopy(q.update) for q in batch]
            remaining = deadline - loop.time()
            if remaining <= 0:
                return []
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(event.wait(), remaining)

    def _h_set_webhook(self, params: dict[str, Any], files: dict[str, UploadedFile]) -> Any:
        url = str(params.get("url") or "")
        if not url:
            return self._h_delete_webhook(params, files)
        if not re.match(r"https?://[^/\s]+", url):
            raise _bad("bad webhook: Failed to resolve host: Name or service not known")
        if self.strict_webhook_url:
            if not url.startswith("https://"):
                raise _bad("bad webhook: An HTTPS URL must be provided for webhook")
            port_match = re.match(r"https://[^/:]+(?::(\d+))?", url)
            port = int(port_match.group(1) or 443) if port_match else 443
            if port not in (80, 88, 443, 8443):
                raise _bad("bad webhook: Webhook can be set up only on ports 80, 88, 443 or 8443")
        secret = params.get("secret_token")
        if secret is not None and not _SECRET_TOKEN_RE.fullmatch(str(secret)):
            raise _bad("secret token contains unallowed characters")
        if params.get("drop_pending_updates"):
            self._pending.clear()
        self._webhook_url = url
        self._webhook_secret = str(secret) if secret is not None else None
        self._webhook_max_connections = int(params.get("max_connections") or 40)
        if params.get("allowed_updates") is not None:
            self._webhook_allowed = list(params["allowed_updates"]) or None
        self._webhook_last_error = None
        return True

    def _h_delete_webhook(self, params: dict[str, Any], files: dict[str, UploadedFile]) -> Any:
        if params.get("drop_pending_updates"):
            self._pending.clear()
        self._webhook_url = ""
        self._webhook_secret = None
        self._webhook_last_error = None
        return True

    def _h_get_webhook_info(self, params: dict[str, Any], files: dict[str, UploadedFile]) -> Any:
        info: dict[str, Any] = {
            "url": self._webhook_url,
            "has_custom_certificate": False,
            "pending_update_count": len(self._pending),
        }
        if self._webhook_url:
            info["max_connections"] = self._webhook_max_connections
            info["ip_address"] = "127.0.0.1"
            if self._webhook_allowed:
                info["allowed_updates"] = list(self._webhook_allowed)
            if self._webhook_last_error:
                info["last_error_date"], info["last_error_message"] = self._webhook_last_error
        return info

    def _h_send_message(self, params: dict[str, Any], files: dict[str, UploadedFile]) -> Any:
        chat_id = self._chat_id(params)
        text = self._render(
            params.get("text"),
            params.get("parse_mode"),
            params.get("entities"),
            limit=MAX_TEXT,
            empty_error="message text is empty",
            too_long="message is too long",
        )
        content: dict[str, Any] = {"text": text}
        if params.get("entities"):
            content["entities"] = params["entities"]
        if isinstance(params.get("link_preview_options"), dict):
            content["link_preview_options"] = params["link_preview_options"]
        return self._bot_message(chat_id, params, content)

    def _media_content(
        self, field_name: str, value: Any, files: dict[str, UploadedFile], params: dict[str, Any]
    ) -> dict[str, Any]:
        """Message content for one photo/document/... given as an upload, an ``attach://``
        reference, a known file_id or an http(s) URL."""
        folder, default_mime = _MEDIA_KINDS[field_name]
        upload = files.get(field_name) if value is None else None
        if isinstance(value, str) and value.startswith("attach://"):
            upload = files.get(value[len("attach://") :])
            if upload is None:
                raise _bad(f"can't find {value} in the request")
        if upload is not None:
            mime = upload.content_type
            if mime == "application/octet-stream" and field_name != "document":
                mime = default_mime
            name = None if field_name == "photo" else upload.filename
            stored = self._new_file(field_name, upload.data, name, mime, folder)
        elif isinstance(value, str) and value in self._files:
            stored = self._files[value]
        elif isinstance(value, str) and re.match(r"https?://", value):
            name = value.rstrip("/").rsplit("/", 1)[-1] or None
            stored = self._new_file(field_name, b"", name, default_mime, folder)
        elif value in (None, ""):
            raise _bad(f"there is no {field_name} in the request")
        else:
            raise _bad("wrong file identifier/HTTP URL specified")
        content: dict[str, Any] = {}
        if field_name == "photo":
            known = None
            if upload is None:
                known = next(
                    (
                        m["photo"]
                        for m in self._messages.values()
                        if any(size["file_id"] == stored.file_id for size in m.get("photo", []))
                    ),
                    None,
                )
            content["photo"] = copy.deepcopy(known) if known else self._photo_sizes(stored.data)
        else:
            obj: dict[str, Any] = {
                "file_id": stored.file_id,
                "file_unique_id": stored.file_unique_id,
                "file_size": stored.file_size,
            }
            if field_name == "sticker":
                obj.update(type="regular", width=512, height=512, is_animated=False, is_video=False)
            else:
                if stored.file_name and field_name != "voice":
                    obj["file_name"] = stored.file_name
                obj["mime_type"] = stored.mime_type or default_mime
                if field_name in ("video", "animation"):
                    obj.update(width=640, height=360, duration=int(params.get("duration") or 1))
                elif field_name in ("audio", "voice"):
                    obj["duration"] = int(params.get("duration") or 1)
            content[field_name] = obj
        if params.get("caption") is not None and field_name != "sticker":
            caption = self._render(
                params.get("caption"),
                params.get("parse_mode"),
                params.get("caption_entities"),
                limit=MAX_CAPTION,
                empty_error=None,
                too_long="message caption is too long",
            )
            if caption:
                content["caption"] = caption
        return content

    def _make_media_handler(self, method: str) -> Callable[..., Any]:
        field_name = _MEDIA_METHODS[method]

        def handler(params: dict[str, Any], files: dict[str, UploadedFile]) -> Any:
            chat_id = self._chat_id(params)
            content = self._media_content(field_name, params.get(field_name), files, params)
            return self._bot_message(chat_id, params, content)

        return handler

    def _h_send_media_group(self, params: dict[str, Any], files: dict[str, UploadedFile]) -> Any:
        chat_id = self._chat_id(params)
        media = params.get("media")
        if not isinstance(media, list) or not 2 <= len(media) <= 10:
            raise _bad(
                "wrong number of media specified"
                if isinstance(media, list)
                else "can't parse media JSON object"
            )
        contents = []
        for item in media:
            if not isinstance(item, dict) or item.get("type") not in _MEDIA_KINDS:
                raise _bad("can't parse InputMedia: media type is invalid")
            contents.append(self._media_content(item["type"], item.get("media"), files, item))
        group_id = str(next(self._file_seq) + 13_000_000_000_000_000)
        base = {k: v for k, v in params.items() if k != "reply_markup"}
        return [
            self._bot_message(chat_id, base, {**content, "media_group_id": group_id})
            for content in contents
        ]

    def _h_send_location(self, params: dict[str, Any], files: dict[str, UploadedFile]) -> Any:
        chat_id = self._chat_id(params)
        try:
            location = {
                "latitude": float(params["latitude"]),
                "longitude": float(params["longitude"]),
            }
        except (KeyError, TypeError, ValueError) as exc:
            raise _bad("wrong latitude or longitude specified") from exc
        return self._bot_message(chat_id, params, {"location": location})

    def _h_send_contact(self, params: dict[str, Any], files: dict[str, UploadedFile]) -> Any:
        chat_id = self._chat_id(params)
        if not params.get("phone_number") or not params.get("first_name"):
            raise _bad("phone number or first name is empty")
        contact = {
            k: params[k]
            for k in ("phone_number", "first_name", "last_name", "vcard")
            if params.get(k)
        }
        return self._bot_message(chat_id, params, {"contact": contact})

    def _copy_source(self, params: dict[str, Any]) -> dict[str, Any]:
        source = self._messages.get(
            (_as_int(params.get("from_chat_id")), int(params.get("message_id") or 0))
        )
        if source is None:
            raise _bad("message to copy not found")
        return {
            k: copy.deepcopy(v)
            for k, v in source.items()
            if k
            not in (
                "message_id",
                "from",
                "chat",
                "date",
                "reply_markup",
                "edit_date",
                "reply_to_message",
            )
        }

    def _h_copy_message(self, params: dict[str, Any], files: dict[str, UploadedFile]) -> Any:
        chat_id = self._chat_id(params)
        content = self._copy_source(params)
        if params.get("caption") is not None and "text" not in content:
            content["caption"] = params["caption"]
        return {"message_id": self._bot_message(chat_id, params, content)["message_id"]}

    def _h_forward_message(self, params: dict[str, Any], files: dict[str, UploadedFile]) -> Any:
        chat_id = self._chat_id(params)
        content = self._copy_source(params)
        return self._bot_message(chat_id, {}, content)

    def _h_send_other(self, params: dict[str, Any], files: dict[str, UploadedFile]) -> Any:
        """sendPoll, sendDice, ...: a bare Message (PTB parses it), params in the record."""
        return self._bot_message(self._chat_id(params), params, {})

    def _h_send_chat_action(self, params: dict[str, Any], files: dict[str, UploadedFile]) -> Any:
        self._chat_id(params)
        if params.get("action") not in CHAT_ACTIONS:
            raise _bad("wrong parameter action in request")
        return True

    def _h_edit_message_text(self, params: dict[str, Any], files: dict[str, UploadedFile]) -> Any:
        text = self._render(
            params.get("text"),
            params.get("parse_mode"),
            params.get("entities"),
            limit=MAX_TEXT,
            empty_error="message text is empty",
            too_long="MESSAGE_TOO_LONG",
        )
        markup = self._check_markup(params.get("reply_markup"))
        if params.get("inline_message_id"):
            return True
        msg = self._stored_message(params, "edit")
        if "text" not in msg:
            raise _bad("there is no text in the message to edit")
        if msg["text"] == text and msg.get("reply_markup") == markup:
            raise _bad(_NOT_MODIFIED[len("Bad Request: ") :])
        msg["text"] = text
        msg.pop("entities", None)
        if params.get("entities"):
            msg["entities"] = params["entities"]
        self._set_markup(msg, markup)
        msg["edit_date"] = int(self.now())
        return copy.deepcopy(msg)

    def _h_edit_message_caption(
        self, params: dict[str, Any], files: dict[str, UploadedFile]
    ) -> Any:
        caption = self._render(
            params.get("caption"),
            params.get("parse_mode"),
            params.get("caption_entities"),
            limit=MAX_CAPTION,
            empty_error=None,
            too_long="message caption is too long",
        )
        markup = self._check_markup(params.get("reply_markup"))
        if params.get("inline_message_id"):
            return True
        msg = self._stored_message(params, "edit")
        if "text" in msg:
            raise _bad("there is no caption in the message to edit")
        if msg.get("caption", "") == caption and msg.get("reply_markup") == markup:
            raise _bad(_NOT_MODIFIED[len("Bad Request: ") :])
        if caption:
            msg["caption"] = caption
        else:
            msg.pop("caption", None)
        self._set_markup(msg, markup)
        msg["edit_date"] = int(self.now())
        return copy.deepcopy(msg)

    def _h_edit_message_reply_markup(
        self, params: dict[str, Any], files: dict[str, UploadedFile]
    ) -> Any:
        markup = self._check_markup(params.get("reply_markup"))
        if params.get("inline_message_id"):
            return True
        msg = self._stored_message(params, "edit")
        if msg.get("reply_markup") == markup:
            raise _bad(_NOT_MODIFIED[len("Bad Request: ") :])
        self._set_markup(msg, markup)
        msg["edit_date"] = int(self.now())
        return copy.deepcopy(msg)

    @staticmethod
    def _set_markup(msg: dict[str, Any], markup: dict[str, Any] | None) -> None:
        if markup:
            msg["reply_markup"] = markup
        else:
            msg.pop("reply_markup", None)

    def _h_delete_message(self, params: dict[str, Any], files: dict[str, UploadedFile]) -> Any:
        msg = self._stored_message(params, "delete")
        del self._messages[(msg["chat"]["id"], msg["message_id"])]
        return True

    def _h_answer_callback_query(
        self, params: dict[str, Any], files: dict[str, UploadedFile]
    ) -> Any:
        query_id = str(params.get("callback_query_id") or "")
        if query_id not in self._open_callback_queries:
            raise _bad(_QUERY_TOO_OLD[len("Bad Request: ") :])
        self._open_callback_queries.discard(query_id)
        return True

    @staticmethod
    def _commands_key(scope: Any, language_code: Any) -> tuple[str, str]:
        scope = scope if isinstance(scope, dict) and scope else {"type": "default"}
        return json.dumps(scope, sort_keys=True), str(language_code or "")

    def _h_set_my_commands(self, params: dict[str, Any], files: dict[str, UploadedFile]) -> Any:
        commands = params.get("commands")
        if not isinstance(commands, list):
            raise _bad("can't parse commands JSON object")
        if len(commands) > 100:
            raise _bad("too many commands")
        for cmd in commands:
            if not isinstance(cmd, dict) or not _BOT_COMMAND_NAME_RE.fullmatch(
                str(cmd.get("command", ""))
            ):
                raise _bad("BOT_COMMAND_INVALID")
            if not 1 <= len(str(cmd.get("description") or "")) <= 256:
                raise _bad("BOT_COMMAND_DESCRIPTION_INVALID")
        key = self._commands_key(params.get("scope"), params.get("language_code"))
        if commands:
            self._commands[key] = [
                {"command": c["command"], "description": c["description"]} for c in commands
            ]
        else:
            self._commands.pop(key, None)
        return True

    def _h_get_my_commands(self, params: dict[str, Any], files: dict[str, UploadedFile]) -> Any:
        key = self._commands_key(params.get("scope"), params.get("language_code"))
        return copy.deepcopy(self._commands.get(key, []))

    def _h_delete_my_commands(self, params: dict[str, Any], files: dict[str, UploadedFile]) -> Any:
        self._commands.pop(
            self._commands_key(params.get("scope"), params.get("language_code")), None
        )
        return True

    def _h_get_file(self, params: dict[str, Any], files: dict[str, UploadedFile]) -> Any:
        file_id = str(params.get("file_id") or "")
        stored = self._files.get(file_id)
        if stored is None:
            raise _bad("invalid file_id")
        if stored.file_size > MAX_DOWNLOAD:
            raise _bad("file is too big")
        return {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_size": stored.file_size,
            "file_path": stored.file_path,
        }

    # ---------------------------------------------------------------- webhook delivery

    async def post_webhook(
        self,
        update: dict[str, Any],
        secret: str | None = ...,  # type: ignore[assignment]
        *,
        url: str | None = None,
    ) -> int | None:
        """POST ``update`` to the webhook url (or ``url``) right now, with ``secret`` as the
        secret header (default: the configured secret; None: no header).  Returns the HTTP
        status (None if the connection failed) and records a manual delivery."""
        target = url or self._webhook_url
        if not target:
            raise RuntimeError("no webhook url set and none given")
        if secret is ...:
            secret = self._webhook_secret
        delivery = await self._deliver(update, target, secret, attempt=1, manual=True)
        return delivery.status

    async def _deliver(
        self,
        update: dict[str, Any],
        url: str,
        secret: str | None,
        *,
        attempt: int,
        manual: bool,
    ) -> WebhookDelivery:
        assert self._session is not None, "FakeTelegram is not started"
        headers = {"Content-Type": "application/json"}
        if secret is not None:
            headers[SECRET_HEADER] = secret
        status: int | None = None
        error: str | None = None
        try:
            async with self._session.post(
                url, data=json.dumps(update, ensure_ascii=False).encode(), headers=headers
            ) as resp:
                await resp.read()
                status = resp.status
        except (ClientError, TimeoutError, OSError) as exc:
            error = f"{type(exc).__name__}: {exc}"
        delivery = WebhookDelivery(
            update_id=update.get("update_id"),
            url=url,
            status=status,
            secret=secret,
            at=time.monotonic(),
            error=error,
            attempt=attempt,
            manual=manual,
        )
        self.webhook_deliveries.append(delivery)
        if not manual and not delivery.ok:
            reason = error or f"Wrong response from the webhook: {status}"
            self._webhook_last_error = (int(self.now()), reason)
        self._bump()
        return delivery

    async def _webhook_worker(self) -> None:
        while not self._closing:
            event = self._changed
            if not self._webhook_url or not self._pending:
                await event.wait()
                continue
            queued = self._pending[0]
            if not self._allowed(queued.update, self._webhook_allowed):
                self._pending.remove(queued)
                continue
            queued.attempts += 1
            try:
                delivery = await self._deliver(
                    queued.update,
                    self._webhook_url,
                    self._webhook_secret,
                    attempt=queued.attempts,
                    manual=False,
                )
            except Exception as exc:  # keep delivering whatever a broken receiver does
                delivery = WebhookDelivery(
                    update_id=queued.update.get("update_id"),
                    url=self._webhook_url,
                    status=None,
                    secret=self._webhook_secret,
                    at=time.monotonic(),
                    error=repr(exc),
                    attempt=queued.attempts,
                )
                self.webhook_deliveries.append(delivery)
            if delivery.ok or queued.attempts > self.webhook_retries:
                with contextlib.suppress(ValueError):
                    self._pending.remove(queued)
                self._bump()
            else:
                await asyncio.sleep(self.webhook_retry_delay)


# --------------------------------------------------------------------------------------------
# CLI
# --------------------------------------------------------------------------------------------

_CLI_HELP = """commands (user ids are ints, private chat id == user id):
  text USER TEXT...          user sends a text message
  cmd USER /start [ARGS]     user sends a command
  contact USER PHONE         user shares their own contact
  photo USER [CAPTION]       user sends a photo
  press USER DATA            user presses the newest button with this callback_data
  block USER | unblock USER  user blocks/unblocks the bot
  fail METHOD [STATUS]       next METHOD call fails (default 429)
  sent [USER]                show messages the bot sent
  help | quit"""


async def _cli(args: argparse.Namespace) -> None:
    tg = FakeTelegram(
        token=args.token, bot_username=args.bot_username, host=args.host, port=args.port
    )

    def log(call: Call) -> None:
        if call.method.lower() == "getupdates" and call.result == []:
            return
        shown = {k: v for k, v in call.params.items() if k != "reply_markup"}
        print(f"<- {call.method} {call.status} {json.dumps(shown, ensure_ascii=False)[:300]}")

    def show(update: dict[str, Any]) -> None:
        print(f"-> update {json.dumps(update, ensure_ascii=False)}")

    tg.on_call = log
    async with tg:
        print(f"fake Telegram Bot API on {tg.root}  token={tg.token}")
        print(f"  base_url={tg.base_url}  base_file_url={tg.base_file_url}")
        print(_CLI_HELP)
        loop = asyncio.get_running_loop()
        while True:
            line = await loop.run_in_executor(None, sys.stdin.readline)
            if not line:  # stdin closed: keep serving until interrupted
                await asyncio.Event().wait()
            parts = line.strip().split(maxsplit=2)
            if not parts:
                continue
            try:
                cmd = parts[0].lower()
                if cmd == "quit":
                    return
                if cmd == "help":
                    print(_CLI_HELP)
                elif cmd == "text":
                    show(tg.send_text(int(parts[1]), parts[2]))
                elif cmd == "cmd":
                    show(tg.send_command(int(parts[1]), " ".join(parts[2:])))
                elif cmd == "contact":
                    show(tg.send_contact(int(parts[1]), parts[2]))
                elif cmd == "photo":
                    show(tg.send_photo(int(parts[1]), parts[2] if len(parts) > 2 else None))
                elif cmd == "press":
                    show(tg.press_button(int(parts[1]), parts[2]))
                elif cmd == "block":
                    tg.block_chat(int(parts[1]), notify=True)
                elif cmd == "unblock":
                    tg.unblock_chat(int(parts[1]), notify=True)
                elif cmd == "fail":
                    tg.fail_next(parts[1], int(parts[2]) if len(parts) > 2 else 429)
                elif cmd == "sent":
                    chat = int(parts[1]) if len(parts) > 1 else None
                    for rec in tg.sent_messages(chat):
                        print(
                            f"  {rec['chat_id']}#{rec['message_id']} {rec['method']}: "
                            f"{rec['text'] or rec['caption']!r} {rec['reply_markup'] or ''}"
                        )
                else:
                    print("unknown command; type help")
            except (IndexError, ValueError, KeyError) as exc:
                print(f"error: {exc!r}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Run the fake Telegram Bot API server.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8081)
    parser.add_argument("--token", default="123:ABC")
    parser.add_argument("--bot-username", default="parbot_test_bot")
    args = parser.parse_args(argv)
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(_cli(args))


if __name__ == "__main__":
    main()
