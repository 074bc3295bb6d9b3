"""A Bot API emulation for channels without Telegram's features, as a PTB request layer.

python-telegram-bot calls `do_request(url, ...)` for every Bot API method; this layer answers
them locally: outgoing messages go to `deliver` (print them, post them to Zalo...), incoming
lines become Telegram-shaped updates. Inline keyboards become numbered options; a reply that is
an option's number or label (diacritics-insensitive) becomes the button press. Edits become new
messages. The console and Zalo share this one rendering.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import re
from dataclasses import dataclass, field
from typing import Any

from telegram.request import BaseRequest, RequestData

from bot.core.catalogue import LANGUAGES, language, t
from bot.core.clock import clock
from bot.core.text import fold

# Bot API methods that only set up Telegram's own client UI (command menus, webhooks, menu
# buttons): they mean nothing on a bridged channel and succeed without effect.
SETUP_ONLY = frozenset({"setMyCommands", "deleteMyCommands", "deleteWebhook", "setWebhook",
                        "setChatMenuButton", "close", "logOut"})
# Methods about files people sent: a bridged channel holds no files, so they fail like a Bot API
# "Bad Request" and callers list the file as unavailable.
FILELESS = frozenset({"getFile"})

@dataclass
class Outgoing:
    """One message as the user will see it on a channel without keyboards."""

    chat_id: str
    text: str
    options: list[tuple[str, str]] = field(default_factory=list)  # (label, callback data)
    file_name: str | None = None
    file_bytes: bytes | None = None
    kind: str = "text"  # text | photo | document | notice
    lang: str = "vi"  # the chat's language when the message was sent (/lang changes it)

    def render(self, lang: str | None = None) -> str:
        lang = lang or self.lang
        lines = [self.text] if self.text else []
        if lone_cancel(self.options):  # typed numbers are values here, not this button
            lines.append(f"{self.options[0][0]} — {t('bridge.reply_hint_cancel', lang)}")
            return "\n".join(lines)
        for i, (label, _) in enumerate(self.options, 1):
            lines.append(f"{i}. {label}")
        if len(self.options) == 1:
            lines.append(t("bridge.reply_hint_one", lang))
        elif self.options:
            lines.append(t("bridge.reply_hint", lang, last=len(self.options)))
        return "\n".join(lines)


def lone_cancel(options: list[tuple[str, str]]) -> bool:
    """A question whose only button cancels it (the value step of /report): a typed number
    there is an answer, never a press."""
    return len(options) == 1 and options[0][1].endswith(":cancel")


@dataclass
class Menu:
    message_id: int
    options: list[tuple[str, str]]
    text: str


def _options(reply_markup: Any) -> list[tuple[str, str]]:
    if isinstance(reply_markup, str):
        reply_markup = json.loads(reply_markup)
    if not isinstance(reply_markup, dict):
        return []
    return [(b.get("text", ""), b.get("callback_data", ""))
            for row in reply_markup.get("inline_keyboard", []) for b in row
            if b.get("callback_data")]


def _links(reply_markup: Any) -> list[str]:
    """Buttons that open a page (`url`, `web_app`): no Mini App on a bridged channel, so they
    read as "label: address" lines under the text."""
    if isinstance(reply_markup, str):
        reply_markup = json.loads(reply_markup)
    if not isinstance(reply_markup, dict):
        return []
    out = []
    for row in reply_markup.get("inline_keyboard", []):
        for b in row:
            url = b.get("url") or (b.get("web_app") or {}).get("url")
            if url and not b.get("callback_data"):
                out.append(f"{b.get('text', '')}: {url}")
    return out


class BridgeRequest(BaseRequest):
    channel = "bridge"

    def __init__(self, bot_id: int = 1, bot_username: str = "parbot") -> None:
        self.bot = {"id": bot_id, "is_bot": True, "first_name": "parbot",
                    "username": bot_username}
        self.inbox: asyncio.Queue[dict] = asyncio.Queue()
        self._update_ids = itertools.count(1)
        self._message_ids = itertools.count(1)
        self.menus: dict[str, Menu] = {}
        self.chat_lang: dict[str, str] = {}
        self.users: dict[str, dict] = {}

    # --- BaseRequest -------------------------------------------------------------------
    @property
    def read_timeout(self) -> float | None:
        return None

    async def initialize(self) -> None:
        return None

    async def shutdown(self) -> None:
        return None

    async def do_request(self, url: str, method: str, request_data: RequestData | None = None,
                         *args: Any, **kwargs: Any) -> tuple[int, bytes]:
        name = url.rstrip("/").rsplit("/", 1)[-1]
        params = dict(request_data.parameters) if request_data else {}
        files = request_data.multipart_data if request_data and request_data.contains_files \
            else {}
        handler = getattr(self, f"api_{name}", None)
        if handler is None and name in FILELESS:
            return 400, json.dumps({"ok": False, "error_code": 400,
                                    "description": "Bad Request: no files on this channel"}
                                   ).encode()
        if handler is None and name in SETUP_ONLY:
            return 200, json.dumps({"ok": True, "result": True}).encode()
        if handler is None:  # a loud error, never a silent success (docs/architecture.md)
            raise NotImplementedError(f"{type(self).__name__} does not implement the Bot API "
                                      f"method {name}")
        result = await handler(params, files)
        return 200, json.dumps({"ok": True, "result": result}).encode()

    # --- what channels implement -------------------------------------------------------
    async def deliver(self, message: Outgoing) -> None:
        raise NotImplementedError

    # --- Bot API methods ---------------------------------------------------------------
    async def api_getMe(self, params: dict, files: dict) -> dict:
        return self.bot

    async def api_getUpdates(self, params: dict, files: dict) -> list[dict]:
        timeout = float(params.get("timeout") or 0)
        try:
            first = await asyncio.wait_for(self.inbox.get(), timeout=max(timeout, 0.01))
        except TimeoutError:
            return []
        updates = [first]
        while not self.inbox.empty():
            updates.append(self.inbox.get_nowait())
        return updates

    def _message(self, chat_id: str, text: str | None = None, **extra: Any) -> dict:
        msg = {"message_id": next(self._message_ids), "date": int(clock.now().timestamp()),
               "chat": {"id": int(chat_id) if str(chat_id).lstrip("-").isdecimal() else chat_id,
                        "type": "private"},
               "from": self.bot}
        if text is not None:
            msg["text"] = text
        msg.update(extra)
        return msg

    async def _send(self, chat_id: str, text: str, reply_markup: Any, kind: str = "text",
                    file_name: str | None = None, file_bytes: bytes | None = None,
                    **extra: Any) -> dict:
        chat_id = str(chat_id)
        options = _options(reply_markup)
        links = _links(reply_markup)
        if links:
            text = "\n".join([text, *links]) if text else "\n".join(links)
        message = self._message(chat_id, text if kind == "text" else None, **extra)
        if options:
            self.menus[chat_id] = Menu(message["message_id"], options, text)
        else:
            self.menus.pop(chat_id, None)
        await self.deliver(Outgoing(chat_id, text, options, file_name, file_bytes, kind,
                                    self.chat_lang.get(chat_id, "vi")))
        return message

    async def api_sendMessage(self, params: dict, files: dict) -> dict:
        return await self._send(params["chat_id"], params.get("text", ""),
                                params.get("reply_markup"))

    async def api_editMessageText(self, params: dict, files: dict) -> dict:
        return await self._send(params["chat_id"], params.get("text", ""),
                                params.get("reply_markup"))

    async def api_editMessageReplyMarkup(self, params: dict, files: dict) -> bool:
        return True

    async def _send_file(self, params: dict, files: dict, field_name: str) -> dict:
        name, content = None, None
        for part in files.values():
            # (filename, bytes, mimetype) tuples as PTB builds them
            name, content = part[0], part[1]
            break
        kind = "photo" if field_name == "photo" else "document"
        extra = {}
        if kind == "photo":
            extra["photo"] = [{"file_id": f"local-{next(self._message_ids)}",
                               "file_unique_id": "u", "width": 1, "height": 1}]
        else:
            extra["document"] = {"file_id": f"local-{next(self._message_ids)}",
                                 "file_unique_id": "u", "file_name": name}
        return await self._send(params["chat_id"], params.get("caption", ""),
                                params.get("reply_markup"), kind=kind, file_name=name,
                                file_bytes=content, **extra)

    async def api_sendPhoto(self, params: dict, files: dict) -> dict:
        return await self._send_file(params, files, "photo")

    async def api_sendDocument(self, params: dict, files: dict) -> dict:
        return await self._send_file(params, files, "document")

    async def api_answerCallbackQuery(self, params: dict, files: dict) -> bool:
        text = params.get("text")
        chat_id = str(params.get("callback_query_id", "")).rsplit("-", 1)[0]
        if text and chat_id:
            await self.deliver(Outgoing(str(chat_id), text, kind="notice"))
        return True

    # --- incoming ----------------------------------------------------------------------
    def user(self, user_id: str | int, first_name: str = "", language_code: str = "vi") -> dict:
        user = {"id": user_id, "is_bot": False, "first_name": first_name or "User",
                "language_code": language_code}
        self.users[str(user_id)] = user
        self.chat_lang[str(user_id)] = language(language_code)
        return user

    def _match_option(self, chat_id: str, text: str) -> str | None:
        menu = self.menus.get(chat_id)
        if menu is None:
            return None
        typed = text.strip()
        if typed.isdecimal() and 1 <= int(typed) <= len(menu.options) and \
                not lone_cancel(menu.options):
            return menu.options[int(typed) - 1][1]
        folded = fold(typed)
        matches = [data for label, data in menu.options if folded and fold(label) == folded]
        return matches[0] if len(matches) == 1 else None

    def text_update(self, user: dict, text: str) -> dict:
        """A line typed by `user` as a Telegram update (a button press if it picks an option)."""
        chat_id = str(user["id"])
        update_id = next(self._update_ids)
        data = self._match_option(chat_id, text)
        chat = {"id": user["id"], "type": "private", "first_name": user["first_name"]}
        chosen = re.fullmatch(r"/lang(?:@\w+)?\s+(\w+)", text.strip().lower())
        if chosen and chosen.group(1) in LANGUAGES:  # the footer follows the chat's language
            self.chat_lang[chat_id] = chosen.group(1)
        if data is not None:
            menu = self.menus.pop(chat_id)
            message = {"message_id": menu.message_id, "date": int(clock.now().timestamp()),
                       "chat": chat, "from": self.bot, "text": menu.text}
            return {"update_id": update_id,
                    "callback_query": {"id": f"{chat_id}-{update_id}", "from": user,
                                       "chat_instance": chat_id, "data": data,
                                       "message": message}}
        message = {"message_id": next(self._message_ids), "date": int(clock.now().timestamp()),
                   "chat": chat, "from": user, "text": text}
        if text.startswith("/"):
            command = text.split()[0]
            message["entities"] = [{"type": "bot_command", "offset": 0,
                                    "length": len(command)}]
        return {"update_id": update_id, "message": message}

    def photo_update(self, user: dict, file_id: str, caption: str | None = None) -> dict:
        chat = {"id": user["id"], "type": "private", "first_name": user["first_name"]}
        message = {"message_id": next(self._message_ids), "date": int(clock.now().timestamp()),
                   "chat": chat, "from": user,
                   "photo": [{"file_id": file_id, "file_unique_id": file_id,
                              "width": 1, "height": 1}]}
        if caption:
            message["caption"] = caption
        return {"update_id": next(self._update_ids), "message": message}
