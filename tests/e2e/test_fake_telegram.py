"""The fake Bot API server, proven with the real python-telegram-bot talking to it over HTTP."""

from __future__ import annotations

import asyncio
import datetime as dtm
import json
import re
import socket
import subprocess
import sys
import time
import warnings
from pathlib import Path
from urllib.parse import parse_qsl

import aiohttp
import pytest
from aiohttp import web
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from telegram import (
    Bot,
    BotCommand,
    BotCommandScopeChat,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InputMediaDocument,
    InputMediaPhoto,
    ReplyKeyboardMarkup,
    Update,
)
from telegram.constants import ParseMode
from telegram.error import (
    BadRequest,
    Conflict,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
)
from telegram.ext import (
    AIORateLimiter,
    Application,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    ExtBot,
    MessageHandler,
    filters,
)
from telegram.request import RequestData
from telegram.request._requestparameter import RequestParameter

from tests.fake_telegram import (
    SECRET_HEADER,
    FakeTelegram,
    FakeTelegramTimeout,
    decode_form_value,
    tiny_png,
)

TOKEN = "123:ABC"


@pytest.fixture
async def tg():
    async with FakeTelegram(token=TOKEN, bot_username="parbot_test_bot") as fake:
        yield fake


@pytest.fixture
async def bot(tg):
    async with Bot(**tg.bot_kwargs()) as b:  # initialize() calls getMe
        yield b


def _seconds(error: RetryAfter) -> float:
    with warnings.catch_warnings():  # PTB 22.2+ warns that this becomes a timedelta
        warnings.simplefilter("ignore")
        value = error.retry_after
    return value.total_seconds() if isinstance(value, dtm.timedelta) else float(value)


def _free_socket() -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    return sock


# ------------------------------------------------------------------ basics


async def test_get_me_with_empty_body(tg, bot):
    me = await bot.get_me()
    assert me.id == 123 and me.is_bot and me.username == "parbot_test_bot"
    calls = tg.calls_to("getMe")
    assert calls and calls[-1].params == {} and calls[-1].files == {} and calls[-1].ok
    assert tg.root.startswith("http://127.0.0.1:")


async def test_send_message_records_parsed_reply_markup(tg, bot):
    markup = InlineKeyboardMarkup(
        [
            [InlineKeyboardButton("Đồng ý", callback_data="agree:1")],
            [InlineKeyboardButton("Web", url="https://example.org")],
        ]
    )
    first = await bot.send_message(42, "Chọn một", reply_markup=markup)
    second = await bot.send_message(42, "123")  # numeric-looking text stays a string

    assert first.chat.id == 42 and first.chat.type == "private"
    assert first.from_user.id == 123 and first.from_user.is_bot
    assert first.reply_markup == markup
    assert second.message_id == first.message_id + 1 and second.text == "123"

    call = tg.calls_to("sendMessage")[0]
    assert call.params["chat_id"] == 42
    assert call.params["reply_markup"] == {
        "inline_keyboard": [
            [{"text": "Đồng ý", "callback_data": "agree:1"}],
            [{"text": "Web", "url": "https://example.org"}],
        ]
    }
    sent = tg.sent_messages(42)
    assert [r["text"] for r in sent] == ["Chọn một", "123"]
    assert sent[0]["reply_markup"]["inline_keyboard"][0][0]["callback_data"] == "agree:1"
    assert tg.sent_messages(7) == []


async def test_reply_keyboard_is_recorded_but_not_echoed(tg, bot):
    msg = await bot.send_message(42, "Số điện thoại?", reply_markup=ReplyKeyboardMarkup([["A"]]))
    assert msg.reply_markup is None  # Telegram only echoes inline keyboards
    assert tg.sent_messages(42)[0]["reply_markup"]["keyboard"] == [[{"text": "A"}]]


async def test_send_photo_multipart_then_get_file_download_round_trip(tg, bot):
    png = tiny_png(64, 48)
    msg = await bot.send_photo(42, png, caption="Ảnh <b>đẹp</b>", parse_mode=ParseMode.HTML)

    call = tg.calls_to("sendPhoto")[0]
    assert call.params["chat_id"] == 42 and call.params["parse_mode"] == "HTML"
    assert call.files["photo"].data == png and call.files["photo"].filename
    assert msg.caption == "Ảnh đẹp"  # Telegram returns the caption without markup
    assert (msg.photo[-1].width, msg.photo[-1].height) == (64, 48)
    assert msg.photo[-1].file_size == len(png)

    tg_file = await bot.get_file(msg.photo[-1].file_id)
    assert tg_file.file_path.startswith(tg.base_file_url)
    assert bytes(await tg_file.download_as_bytearray()) == png
    assert tg.downloads

    # sending the same file_id again reuses it
    again = await bot.send_photo(42, msg.photo[-1].file_id)
    assert again.photo[-1].file_id == msg.photo[-1].file_id


async def test_send_document_and_preregistered_and_unknown_files(tg, bot):
    doc = await bot.send_document(42, b"hello", filename="note.txt")
    assert doc.document.file_name == "note.txt" and doc.document.mime_type == "text/plain"
    assert doc.document.file_size == 5
    f = await bot.get_file(doc.document.file_id)
    assert bytes(await f.download_as_bytearray()) == b"hello"

    tg.add_file("BQAC-known", b"%PDF-1.4", "plan.pdf", "application/pdf")
    f2 = await bot.get_file("BQAC-known")
    assert f2.file_path.endswith(".pdf")
    assert bytes(await f2.download_as_bytearray()) == b"%PDF-1.4"

    with pytest.raises(BadRequest, match="(?i)invalid file_id"):
        await bot.get_file("nope")


async def test_json_and_query_bodies_are_accepted(tg):
    async with aiohttp.ClientSession() as s:
        url = f"{tg.base_url}{TOKEN}/sendMessage"
        async with s.post(url, json={"chat_id": 5, "text": "json body"}) as r:
            body = await r.json()
        async with s.get(f"{tg.base_url}{TOKEN}/getMe?x=1") as r2:
            me = await r2.json()
    assert body["ok"] and body["result"]["text"] == "json body"
    assert me["ok"] and me["result"]["username"] == "parbot_test_bot"
    assert tg.calls_to("sendMessage")[0].params == {"chat_id": 5, "text": "json body"}


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    text=st.text(min_size=1, max_size=40),
    chat_id=st.integers(min_value=-(10**13), max_value=10**13),
    flag=st.booleans(),
    markup=st.recursive(
        st.none() | st.booleans() | st.integers() | st.text(max_size=10),
        lambda inner: (
            st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3)
        ),
        max_leaves=8,
    ).map(lambda v: {"inline_keyboard": [[{"text": "x", "data": v}]]}),
)
def test_form_decoding_inverts_ptb_encoding(text, chat_id, flag, markup):
    params = {
        "chat_id": chat_id,
        "text": text,
        "disable_notification": flag,
        "reply_markup": markup,
    }
    data = RequestData([RequestParameter.from_input(k, v) for k, v in params.items()])
    decoded = {k: decode_form_value(k, v) for k, v in parse_qsl(data.url_encoded_parameters())}
    assert decoded == params


# ------------------------------------------------------------------ errors


@pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")
async def test_429_becomes_retry_after_with_exact_envelope(tg, bot):
    tg.fail_next("sendMessage", status=429, retry_after=7)
    with pytest.raises(RetryAfter) as info:
        await bot.send_message(42, "hi")
    assert _seconds(info.value) == 7
    failed = tg.calls_to("sendMessage")[0]
    assert failed.status == 429
    assert failed.result == {
        "ok": False,
        "error_code": 429,
        "description": "Too Many Requests: retry after 7",
        "parameters": {"retry_after": 7},
    }
    assert (await bot.send_message(42, "hi")).text == "hi"  # count=1: the next one passes
    assert len(tg.sent_messages(42)) == 1


async def test_5xx_become_network_errors_and_count(tg, bot):
    tg.fail_next("getMe", status=502)
    tg.fail_next("sendChatAction", status=500, count=2)
    with pytest.raises(NetworkError, match="(?i)Bad Gateway"):
        await bot.get_me()
    for _ in range(2):
        with pytest.raises(NetworkError, match="(?i)Internal Server Error"):
            await bot.send_chat_action(42, "typing")
    assert await bot.send_chat_action(42, "typing") is True
    with pytest.raises(BadRequest, match="(?i)wrong parameter action"):
        await bot.send_chat_action(42, "dancing")


async def test_blocked_chat_is_forbidden(tg, bot):
    tg.block_chat(42)
    with pytest.raises(Forbidden, match="(?i)bot was blocked by the user"):
        await bot.send_message(42, "hi")
    assert (await bot.send_message(43, "hi")).chat.id == 43
    tg.unblock_chat(42)
    assert (await bot.send_message(42, "hi")).chat.id == 42


@pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")
async def test_flood_control_and_ptb_rate_limiter(tg, bot):
    tg.enable_flood_control(global_per_second=3, per_group_per_minute=2)
    for i in range(3):
        await bot.send_message(1000 + i, "burst")
    with pytest.raises(RetryAfter):
        await bot.send_message(2000, "one too many")
    tg.enable_flood_control(global_per_second=3, per_group_per_minute=2)  # fresh windows
    await bot.send_message(-100, "g1")
    await bot.send_message(-100, "g2")
    with pytest.raises(RetryAfter) as info:
        await bot.send_message(-100, "g3")
    assert 50 <= _seconds(info.value) <= 60

    # PTB's AIORateLimiter with max_retries retries a 429 after retry_after
    tg.disable_flood_control()
    tg.fail_next("sendMessage", status=429, retry_after=1)
    limited = ExtBot(**tg.bot_kwargs(), rate_limiter=AIORateLimiter(max_retries=1))
    async with limited:
        started = time.monotonic()
        assert (await limited.send_message(42, "after retry")).text == "after retry"
        assert time.monotonic() - started >= 0.9
    assert [c.status for c in tg.calls_to("sendMessage")][-2:] == [429, 200]


async def test_wrong_token_is_invalid_token(tg):
    other = Bot("999:WRONG", base_url=tg.base_url, base_file_url=tg.base_file_url)
    with pytest.raises(InvalidToken):
        await other.get_me()
    assert tg.calls[-1].status == 401
    assert tg.calls[-1].result == {"ok": False, "error_code": 401, "description": "Unauthorized"}


async def test_telegram_refusals(tg, bot):
    with pytest.raises(BadRequest, match="(?i)message text is empty"):
        await bot.send_message(42, "   ")
    with pytest.raises(BadRequest, match="(?i)message is too long"):
        await bot.send_message(42, "x" * 4097)
    with pytest.raises(BadRequest, match="(?i)BUTTON_DATA_INVALID"):
        await bot.send_message(
            42,
            "x",
            reply_markup=InlineKeyboardMarkup(
                [[InlineKeyboardButton("b", callback_data="d" * 65)]]
            ),
        )
    with pytest.raises(BadRequest, match="(?i)can't parse entities"):
        await bot.send_message(42, "<b>unclosed", parse_mode=ParseMode.HTML)
    with pytest.raises(BadRequest, match="(?i)Character '.' is reserved"):
        await bot.send_message(42, "Xong.", parse_mode=ParseMode.MARKDOWN_V2)
    ok = await bot.send_message(42, r"*Xong*\. `a.b`", parse_mode=ParseMode.MARKDOWN_V2)
    assert ok.text == "Xong. a.b"

    msg = await bot.send_message(42, "same")
    with pytest.raises(BadRequest, match="(?i)message is not modified"):
        await bot.edit_message_text("same", chat_id=42, message_id=msg.message_id)
    with pytest.raises(BadRequest, match="(?i)message to edit not found"):
        await bot.edit_message_text("x", chat_id=42, message_id=999)
    with pytest.raises(BadRequest, match="(?i)query is too old"):
        await bot.answer_callback_query("12345")
    with pytest.raises(BadRequest, match="(?i)message to be replied not found"):
        await bot.send_message(42, "re", reply_to_message_id=999)


# ------------------------------------------------------------------ updates


async def test_get_updates_offset_limit_timeout_allowed_updates(tg, bot):
    u1 = tg.send_text(42, "một")
    u2 = tg.send_command(42, "/start CODE")
    got = await bot.get_updates(timeout=0)
    assert [u.update_id for u in got] == [u1["update_id"], u2["update_id"]]
    assert got[1].message.text == "/start CODE"
    assert got[1].message.entities[0].type == "bot_command"
    assert got[1].message.entities[0].length == len("/start")
    # not confirmed yet: delivered again; limit honoured
    assert [u.update_id for u in await bot.get_updates(limit=1)] == [u1["update_id"]]
    # offset confirms
    assert await bot.get_updates(offset=u2["update_id"] + 1) == ()
    assert tg.pending_updates == []

    # long poll returns as soon as something arrives
    started = time.monotonic()
    poll = asyncio.create_task(bot.get_updates(offset=u2["update_id"] + 1, timeout=5))
    await asyncio.sleep(0.1)
    u3 = tg.send_text(42, "ba")
    assert [u.update_id for u in await poll] == [u3["update_id"]]
    assert time.monotonic() - started < 2

    # an empty long poll lasts its timeout
    started = time.monotonic()
    assert await bot.get_updates(offset=u3["update_id"] + 1, timeout=1) == ()
    assert 0.9 <= time.monotonic() - started < 2

    # allowed_updates filters (and drops) other kinds
    await bot.send_message(
        42,
        "menu",
        reply_markup=InlineKeyboardMarkup([[InlineKeyboardButton("A", callback_data="a")]]),
    )
    tg.send_text(42, "ignored")
    press = tg.press_button(42, "a")
    got = await bot.get_updates(offset=u3["update_id"] + 1, allowed_updates=["callback_query"])
    assert [u.update_id for u in got] == [press["update_id"]]
    assert got[0].callback_query.message.text == "menu"

    # a duplicate is redelivered once with the same update_id
    tg.send_duplicate(press["update_id"])
    dup = await bot.get_updates(offset=press["update_id"] + 1)
    assert [u.update_id for u in dup] == [press["update_id"]]
    assert await bot.get_updates(offset=press["update_id"] + 1) == ()


async def test_a_second_get_updates_terminates_the_first(tg, bot):
    first = asyncio.create_task(bot.get_updates(timeout=3))
    await asyncio.sleep(0.1)
    async with Bot(**tg.bot_kwargs()) as second_instance:
        assert await second_instance.get_updates(timeout=0) == ()
    with pytest.raises(Conflict, match="(?i)terminated by other getUpdates"):
        await first


async def test_injected_user_activity_parses_in_ptb(tg, bot):
    user = tg.user(77, first_name="Bình", language_code="vi", username="binh")
    user.send_contact("84901234567")
    user.send_photo(caption="biên bản")
    user.send_document("bao-cao.pdf", "application/pdf", b"%PDF-1.7 data")
    user.send_sticker()
    first = user.send_text("sai chính tả")
    user.edit_text(first["message"]["message_id"], "đúng chính tả")
    tg.inject_raw(
        {
            "message": {
                "message_id": 900,
                "date": 0,
                "chat": {"id": 5, "type": "private"},
                "text": "raw",
            }
        }
    )

    updates = await bot.get_updates()
    contact, photo, document, sticker, text, edited, raw = updates
    assert contact.message.contact.user_id == contact.message.from_user.id == 77
    assert contact.message.from_user.language_code == "vi"
    assert contact.message.chat.username == "binh"
    assert photo.message.caption == "biên bản" and len(photo.message.photo) >= 1
    png = await (await bot.get_file(photo.message.photo[-1].file_id)).download_as_bytearray()
    assert bytes(png).startswith(b"\x89PNG")
    pdf = await (await bot.get_file(document.message.document.file_id)).download_as_bytearray()
    assert bytes(pdf) == b"%PDF-1.7 data"
    assert document.message.document.file_name == "bao-cao.pdf"
    assert sticker.message.sticker.emoji == "👍"
    assert edited.edited_message.text == "đúng chính tả"
    assert edited.edited_message.message_id == text.message.message_id
    assert raw.message.text == "raw" and raw.update_id > edited.update_id
    assert [u.message.message_id for u in updates[:5]] == [1, 2, 3, 4, 5]


async def test_application_polling_command_and_button(tg):
    async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        code = context.args[0] if context.args else "-"
        keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("Đồng ý", callback_data="agree")]])
        await update.effective_message.reply_text(f"Xin chào, mã {code}", reply_markup=keyboard)

    async def button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        await query.answer("Đã ghi nhận")
        await query.edit_message_text(f"Bạn chọn: {query.data}")

    app = (
        Application.builder()
        .token(tg.token)
        .base_url(tg.base_url)
        .base_file_url(tg.base_file_url)
        .build()
    )
    app.add_handler(CommandHandler("start", start))
    app.add_handler(CallbackQueryHandler(button))
    await app.initialize()
    await app.updater.start_polling(timeout=1, poll_interval=0)
    await app.start()
    try:
        tg.send_command(42, "/start ABC")
        greeting = await tg.wait_for_message(42, contains="mã ABC", timeout=5)
        assert greeting["method"] == "sendMessage"
        assert greeting["reply_markup"]["inline_keyboard"][0][0]["callback_data"] == "agree"

        tg.press_button(42, "agree")
        edited = await tg.wait_for_message(42, contains="Bạn chọn: agree", timeout=5)
        assert edited["method"] == "editMessageText" and edited["edited"]
        assert edited["message_id"] == greeting["message_id"]
        answer = await tg.wait_for_call("answerCallbackQuery", timeout=5)
        assert answer.params["text"] == "Đã ghi nhận"
        assert "reply_markup" not in tg.messages_in_chat(42)[-1]  # edit removed the keyboard
    finally:
        await app.updater.stop()
        await app.stop()
        await app.shutdown()
    assert tg.pending_updates == []  # the shutdown getUpdates confirmed everything
    methods = [c.method for c in tg.calls]
    assert methods[0] == "getMe" and "deleteWebhook" in methods


async def test_wait_helpers_cursor_and_timeout_message(tg, bot):
    await bot.send_message(42, "cũ")
    hello = tg.send_text(42, "hello")  # moves the chat cursor: the old message no longer counts
    with pytest.raises(FakeTelegramTimeout, match="no message to chat 42"):
        await tg.wait_for_message(42, timeout=0.2)
    await bot.send_message(42, "một")
    await bot.send_message(42, "hai")
    assert (await tg.wait_for_message(42))["text"] == "một"
    assert (await tg.wait_for_message(42))["text"] == "hai"
    assert (await tg.wait_for_message(42, re.compile(r"^c"), since=0))["text"] == "cũ"
    with pytest.raises(FakeTelegramTimeout, match="not idle"):
        await tg.wait_idle(quiet=0.05, timeout=0.2)  # the update is not confirmed yet
    await bot.get_updates(offset=hello["update_id"] + 1)
    await tg.wait_idle(quiet=0.05, timeout=2)


# ------------------------------------------------------------------ webhook


async def test_webhook_delivery_with_secret(tg, bot):
    received: list[tuple[str | None, dict]] = []

    async def handle(request: web.Request) -> web.Response:
        received.append((request.headers.get(SECRET_HEADER), await request.json()))
        if request.headers.get(SECRET_HEADER) != "s3cret":
            return web.Response(status=403)
        return web.Response(text="ok")

    app = web.Application()
    app.router.add_post("/hook", handle)
    runner = web.AppRunner(app)
    await runner.setup()
    sock = _free_socket()
    await web.SockSite(runner, sock).start()
    url = f"http://127.0.0.1:{sock.getsockname()[1]}/hook"
    try:
        queued = tg.send_text(42, "trước webhook")  # queued while polling; delivered once set
        assert await bot.set_webhook(url, secret_token="s3cret")
        info = await bot.get_webhook_info()
        assert info.url == url

        first = await tg.wait_for_webhook_delivery(queued["update_id"], timeout=5)
        assert first.status == 200 and first.secret == "s3cret"
        update = tg.send_text(42, "xin chào")
        delivery = await tg.wait_for_webhook_delivery(update["update_id"], timeout=5)
        assert delivery.ok and delivery.url == url
        assert received[-1] == ("s3cret", update)
        assert Update.de_json(received[-1][1], bot).message.text == "xin chào"

        assert await tg.post_webhook(update, secret="wrong") == 403
        assert await tg.post_webhook(update, secret=None) == 403
        assert [d.status for d in tg.webhook_deliveries] == [200, 200, 403, 403]
        assert tg.webhook_deliveries[-1].manual

        with pytest.raises(Conflict, match="(?i)webhook is active"):
            await bot.get_updates()
        with pytest.raises(BadRequest, match="(?i)secret token"):
            await bot.set_webhook(url, secret_token="bad secret!")

        assert await bot.delete_webhook()
        later = tg.send_text(42, "polling again")
        assert [u.update_id for u in await bot.get_updates()] == [later["update_id"]]
    finally:
        await runner.cleanup()


async def test_failed_webhook_delivery_is_recorded(tg, bot):
    sock = _free_socket()  # bound, never listening: connection refused
    url = f"http://127.0.0.1:{sock.getsockname()[1]}/hook"
    sock.close()
    await bot.set_webhook(url)
    update = tg.send_text(42, "lost")
    delivery = await tg.wait_for_webhook_delivery(update["update_id"], timeout=5)
    assert delivery.status is None and delivery.error
    info = await bot.get_webhook_info()
    assert info.last_error_message


# ------------------------------------------------------------------ commands, misc methods


async def test_my_commands_per_scope_and_language(tg, bot):
    assert await bot.set_my_commands(
        [BotCommand("start", "Bắt đầu"), BotCommand("help", "Trợ giúp")]
    )
    assert await bot.set_my_commands([BotCommand("start", "Start")], language_code="en")
    assert await bot.set_my_commands(
        [BotCommand("admin", "Quản trị")], scope=BotCommandScopeChat(chat_id=42)
    )
    assert [c.command for c in await bot.get_my_commands()] == ["start", "help"]
    assert [c.description for c in await bot.get_my_commands(language_code="en")] == ["Start"]
    assert [c.command for c in await bot.get_my_commands(scope=BotCommandScopeChat(42))] == [
        "admin"
    ]
    assert tg.calls_to("setMyCommands")[0].params["commands"][0] == {
        "command": "start",
        "description": "Bắt đầu",
    }
    assert await bot.delete_my_commands(language_code="en")
    assert await bot.get_my_commands(language_code="en") == ()
    with pytest.raises(BadRequest, match="(?i)BOT_COMMAND_INVALID"):
        await bot.set_my_commands([BotCommand("Bad-Name", "x")])
    assert await bot.set_my_description("mô tả")  # generic fallback records and returns True
    assert tg.calls_to("setMyDescription")[0].params == {"description": "mô tả"}
    assert await bot.log_out() and await bot.close()


async def test_edit_reply_markup_and_delete(tg, bot):
    kb = InlineKeyboardMarkup([[InlineKeyboardButton("A", callback_data="a")]])
    msg = await bot.send_message(42, "x", reply_markup=kb)
    edited = await bot.edit_message_reply_markup(42, msg.message_id, reply_markup=None)
    assert edited.reply_markup is None
    with pytest.raises(BadRequest, match="(?i)not modified"):
        await bot.edit_message_reply_markup(42, msg.message_id, reply_markup=None)
    assert await bot.delete_message(42, msg.message_id)
    with pytest.raises(BadRequest, match="(?i)message to delete not found"):
        await bot.delete_message(42, msg.message_id)
    with pytest.raises(ValueError, match="no bot message"):
        tg.press_button(42, "a")  # the button is gone
    forged = tg.press_button(42, "a", strict=False)
    assert "inline_message_id" in forged["callback_query"]


async def test_media_group_location_contact_copy_and_other_sends(tg, bot):
    album = await bot.send_media_group(
        42,
        [
            InputMediaPhoto(tiny_png(10, 10), caption="một"),
            InputMediaDocument(b"abc", filename="b.txt"),
        ],
    )
    assert len(album) == 2 and album[0].media_group_id == album[1].media_group_id
    assert album[0].caption == "một" and album[1].document.file_name == "b.txt"
    file = await bot.get_file(album[1].document.file_id)
    assert bytes(await file.download_as_bytearray()) == b"abc"
    assert [r["caption"] for r in tg.sent_messages(42)] == ["một", None]

    loc = await bot.send_location(42, 21.0285, 105.8542)
    assert loc.location.latitude == pytest.approx(21.0285)
    card = await bot.send_contact(42, phone_number="+84901234567", first_name="Ban")
    assert card.contact.phone_number == "+84901234567"
    copied = await bot.copy_message(43, from_chat_id=42, message_id=loc.message_id)
    assert tg.messages_in_chat(43)[0]["message_id"] == copied.message_id
    assert "location" in tg.messages_in_chat(43)[0]
    dice = await bot.send_dice(42)  # not modelled: a bare Message
    assert dice.chat.id == 42
    assert [r["method"] for r in tg.sent_messages(42)][-3:] == [
        "sendLocation",
        "sendContact",
        "sendDice",
    ]


async def test_application_webhook_mode_with_real_ptb_server(tg):
    replies = []

    async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        replies.append(update.update_id)
        await update.effective_message.reply_text(f"echo {update.effective_message.text}")

    app = Application.builder().token(tg.token).base_url(tg.base_url).build()
    app.add_handler(MessageHandler(filters.TEXT, echo))
    sock = _free_socket()
    port = sock.getsockname()[1]
    sock.close()
    await app.initialize()
    await app.updater.start_webhook(
        listen="127.0.0.1",
        port=port,
        url_path="tg",
        webhook_url=f"http://127.0.0.1:{port}/tg",
        secret_token="s3cret",
    )
    await app.start()
    try:
        assert tg.webhook_url == f"http://127.0.0.1:{port}/tg"
        assert tg.webhook_secret == "s3cret"
        update = tg.send_text(42, "alo")
        assert (await tg.wait_for_message(42, contains="echo alo", timeout=5))["text"]
        assert (await tg.wait_for_webhook_delivery(update["update_id"])).status == 200
        assert await tg.post_webhook(update, secret="wrong") == 403  # PTB checks the secret
        assert replies == [update["update_id"]]
    finally:
        await app.updater.stop()
        await app.stop()
        await app.shutdown()


def test_cli_serves_standalone(tmp_path: Path):
    sock = _free_socket()
    port = sock.getsockname()[1]
    sock.close()
    script = Path(__file__).parent.parent / "fake_telegram.py"
    proc = subprocess.Popen(
        [sys.executable, str(script), "--port", str(port), "--token", "9:XYZ"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 10
        body = None
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.5) as conn:
                    conn.sendall(
                        b"POST /bot9:XYZ/getMe HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n"
                        b"Connection: close\r\n\r\n"
                    )
                    raw = b""
                    while chunk := conn.recv(4096):
                        raw += chunk
                body = json.loads(raw.split(b"\r\n\r\n", 1)[1])
                break
            except OSError:
                time.sleep(0.05)
        assert body and body["ok"] and body["result"]["id"] == 9
        out, _ = proc.communicate(b"quit\n", timeout=10)
        assert b"fake Telegram Bot API on" in out
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
