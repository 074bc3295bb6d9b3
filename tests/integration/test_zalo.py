"""The Zalo channel in-process: the client against the fake Zalo server, the splitter, events,
ids and duplicates kept in the database, the web server (webhooks, /healthz, file links), and
conversations through the real Application and handlers over the Zalo request layer."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import re
from collections.abc import AsyncIterator

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlmodel import Session, select

from bot.channels import inbox, zalo
from bot.channels.runner import config_problem, telegram_webhook, zalo_channel
from bot.channels.webhooks import FileStore, WebhookRoute, WebServer, build_app
from bot.core import state_store
from bot.core.clock import clock
from bot.core.settings import Settings
from bot.core.text import split_text, text_length
from bot.people import identity
from bot.people.roster import import_roster, list_officers
from storage import models as m
from tests.bot_process import free_port
from tests.conftest import ROOT
from tests.fake_zalo import FakeZalo, tiny_png

AUTOMATED = "phần mềm trả lời tự động"
ROSTER_HEADER = "full_name,role,unit,department,phone,telegram_id,zalo_id\n"


# --- splitting long texts ----------------------------------------------------------------------
def test_a_2001_character_answer_is_split_in_two_at_the_paragraph_break():
    text = "a" * 1000 + "\n\n" + "b" * 999
    assert len(text) == 2001
    assert split_text(text, zalo.MAX_TEXT) == ["a" * 1000, "b" * 999]


def test_split_prefers_paragraphs_then_lines_then_a_hard_cut():
    short = "x" * 10
    assert split_text(short, zalo.MAX_TEXT) == [short]
    assert split_text("", zalo.MAX_TEXT) == [] and split_text(" \n\n ", zalo.MAX_TEXT) == []
    paragraphs = "\n\n".join(["p" * 900] * 3)  # 2 fit together, the third goes alone
    assert split_text(paragraphs, zalo.MAX_TEXT) == ["p" * 900 + "\n\n" + "p" * 900, "p" * 900]
    lines = "\n".join(["l" * 700] * 4)  # one paragraph of 2,803 characters: cut at lines
    pair = "l" * 700 + "\n" + "l" * 700
    assert split_text(lines, zalo.MAX_TEXT) == [pair, pair]
    one_line = "w" * 4500
    assert split_text(one_line, zalo.MAX_TEXT) == ["w" * 2000, "w" * 2000, "w" * 500]
    words = "từ " * 1000  # 3,000 characters: the cut falls after a space, not inside a word
    parts = split_text(words, zalo.MAX_TEXT)
    assert [len(p) for p in parts] == [1998, 1002] and parts[0].endswith(" ")


def test_emoji_count_twice_like_the_platform_counts():
    text = "🙂" * 1001  # 2,002 UTF-16 units
    parts = split_text(text, zalo.MAX_TEXT)
    assert len(parts) == 2 and all(text_length(p) <= 2000 for p in parts)
    assert "".join(parts) == text


@settings(max_examples=200, deadline=None)
@given(st.lists(st.text(alphabet=st.sampled_from("ab cđệ🙂\n"), max_size=900), max_size=12)
       .map("\n\n".join))
def test_split_keeps_every_character_and_respects_the_limit(text):
    parts = split_text(text, 500)
    assert all(0 < text_length(p) <= 500 and p.strip() for p in parts)
    assert re.sub(r"\s", "", "".join(parts)) == re.sub(r"\s", "", text)


# --- envelopes and events ----------------------------------------------------------------------
def test_envelopes_are_read_whatever_their_shape():
    assert zalo._parse(200, b'{"ok": true, "result": {"a": 1}}') == {"a": 1}
    assert zalo._parse(200, b'{"a": 1}') == {"a": 1}
    cases = [(408, b'{"ok": false, "error_code": 408, "description": "no update"}', 408),
             (200, b'{"ok": false, "error_code": 401, "description": "Unauthorized"}', 401),
             (200, b'{"error": -124, "message": "Access token is invalid"}', 400),
             (502, b"<html>Bad gateway</html>", 502),
             (429, b'{"ok": false, "error_code": 429, "description": "quota"}', 429)]
    for status, body, code in cases:
        with pytest.raises(zalo.ZaloAPIError) as caught:
            zalo._parse(status, body)
        assert caught.value.status == code


def _event(name=zalo.TEXT, **message):
    return {"event_name": name, "message": {
        "from": {"id": "6ede9a7f", "display_name": "Bích Hậu", "is_bot": False},
        "chat": {"id": "6ede9a7f", "chat_type": "PRIVATE"}, "message_id": "2d758c",
        "date": 1750316131602, **message}}


def test_events_wrapped_unwrapped_or_listed():
    event = _event(text="Xin chào")
    for body in (event, {"ok": True, "result": event}, {"ok": True, "result": [event, event]}):
        assert all(e == event for e in zalo.events_of(body)) and zalo.events_of(body)
    assert zalo.events_of({"ok": True, "result": {}}) == []
    assert zalo.events_of("nonsense") == [] and zalo.events_of(None) == []
    parsed = zalo.parse_event(event)
    assert (parsed.user_id, parsed.display_name, parsed.text, parsed.date_ms) == \
        ("6ede9a7f", "Bích Hậu", "Xin chào", 1750316131602)
    assert parsed.dedupe_key == "message.text.received:6ede9a7f:2d758c"  # name, sender, id
    image = zalo.parse_event(_event(zalo.IMAGE, photo_url="https://x/a.jpg", caption="biên bản"))
    assert (image.photo_url, image.caption) == ("https://x/a.jpg", "biên bản")
    bot_message = _event(text="x")
    bot_message["message"]["from"]["is_bot"] = True
    assert zalo.parse_event(bot_message) is None
    assert zalo.parse_event({"event_name": zalo.TEXT}) is None


def test_a_bare_invite_code_means_start():
    request = zalo.ZaloRequest.__new__(zalo.ZaloRequest)
    assert request._as_start(" k7q2-x9pa ", linked=True) == "/start K7Q2-X9PA"
    assert request._as_start("K7Q2X9PA", linked=False) == "/start K7Q2X9PA"
    assert request._as_start("K7Q2X9PA", linked=True) == "K7Q2X9PA"  # maybe a note: left alone
    assert request._as_start("báo cáo", linked=False) == "báo cáo"
    assert request._as_start("HOAN-THANH", linked=False) == "HOAN-THANH"  # O and I: no code


# --- settings ----------------------------------------------------------------------------------
def test_webhook_addresses_and_required_secrets():
    both = Settings(TELEGRAM_BOT_TOKEN="1:x", ZALO_BOT_TOKEN="z", WEBHOOK_SECRET="s3cret-1",
                    WEBHOOK_URL="https://bot.example.org/telegram",
                    ZALO_WEBHOOK_SECRET="zalo-secret")
    assert zalo.webhook_url(both) == "https://bot.example.org/zalo"
    assert telegram_webhook(both) == ("https://bot.example.org/telegram", "/telegram")
    assert config_problem(both) is None
    bare = Settings(TELEGRAM_BOT_TOKEN="1:x", WEBHOOK_URL="https://bot.example.org",
                    WEBHOOK_SECRET="s3cret-1")
    assert telegram_webhook(bare) == ("https://bot.example.org/telegram", "/telegram")
    assert zalo.webhook_url(Settings(ZALO_BOT_TOKEN="z")) is None
    assert "WEBHOOK_SECRET" in config_problem(Settings(TELEGRAM_BOT_TOKEN="1:x",
                                                       WEBHOOK_URL="https://b.org/t"))
    short = Settings(ZALO_BOT_TOKEN="z", ZALO_WEBHOOK_URL="https://b.org/z",
                     ZALO_WEBHOOK_SECRET="short")
    assert "ZALO_WEBHOOK_SECRET" in config_problem(short)
    same = both.model_copy(update={"zalo_webhook_url": "https://bot.example.org/telegram"})
    assert "different paths" in config_problem(same)
    assert Settings().zalo_api_base_url == "https://bot-api.zaloplatforms.com"


# --- the client against the fake server --------------------------------------------------------
async def test_client_polls_one_event_at_a_time_and_408_means_none():
    async with FakeZalo() as zl:
        client = zalo.ZaloClient(zl.token, zl.root)
        try:
            assert await client.get_updates(0) == []
            first = zl.send_text("u-1", "một")
            second = zl.send_text("u-1", "hai")
            assert await client.get_updates(1) == [first]
            assert await client.get_updates(1) == [second]
            assert (await client.call("getMe"))["account_name"] == "bot.parbot"
            zl.fail_next("getMe", status=429)
            assert (await client.call("getMe"))["display_name"] == "parbot"  # retried
            with pytest.raises(zalo.ZaloAPIError) as caught:
                await client.call("sendMessage", chat_id="u-1", text="x" * 2001)
            assert caught.value.status == 400
        finally:
            await client.aclose()
        wrong = zalo.ZaloClient("bad-token", zl.root)
        try:
            with pytest.raises(zalo.ZaloAPIError) as caught:
                await wrong.call("getMe")
            assert caught.value.status == 401
        finally:
            await wrong.aclose()
        assert await zalo.check_token(Settings(ZALO_BOT_TOKEN="bad",
                                               ZALO_API_BASE_URL=zl.root)) == "invalid"
        assert await zalo.check_token(Settings(ZALO_BOT_TOKEN=zl.token,
                                               ZALO_API_BASE_URL=zl.root)) == "ok"
    gone = await zalo.check_token(Settings(ZALO_BOT_TOKEN="x",
                                           ZALO_API_BASE_URL=f"http://127.0.0.1:{free_port()}"))
    assert gone.startswith("unreachable")


# --- what is kept in the database --------------------------------------------------------------
def test_ids_are_stable_integers_kept_across_restarts(engine):
    ids = zalo.ZaloIds(engine)
    number, new = ids.number("6ede9a7f-abc")
    assert new and number > 10**9 and ids.zalo_id(number) == "6ede9a7f-abc"
    assert ids.number("6ede9a7f-abc") == (number, False)
    # another id whose number is taken (a collision) gets the next free one, remembered
    state_store.put(engine, zalo.ID_KIND, "someone-else", {"id": number + 1})
    again = zalo.ZaloIds(engine)
    again.load()
    assert again.number("6ede9a7f-abc") == (number, False)
    assert again.zalo_id(number + 1) == "someone-else"
    assert again.zalo_id("not a number") is None and again.zalo_id(5) is None


def test_events_are_stored_once_and_pruned_after_the_retention(engine):
    clock.set(dt.datetime(2025, 5, 10, 9, 0))
    text = _event(message_id="m1")
    image = _event(zalo.IMAGE, message_id="m1", photo_url="https://cdn.zalo.example/a.jpg")
    # name + sender + message id (issue 14: another person's message may reuse an id)
    assert zalo.event_key(text).startswith("message.text.received:")
    assert zalo.event_key(text).endswith(":m1")
    assert zalo.event_key(image).startswith("message.image.received:")
    assert zalo.event_key(text).split(":")[1] == zalo.event_key(image).split(":")[1]
    items = [(zalo.event_key(e), e) for e in (text, text, image)]
    assert inbox.store(engine, "zalo", items, "me") == [True, False, True]
    clock.advance(days=15)
    assert inbox.prune(engine, clock.now() - dt.timedelta(days=14)) == 2
    assert inbox.store(engine, "zalo", items[:1], "me") == [True]


# --- the web server ----------------------------------------------------------------------------
async def test_webhook_routes_check_the_secret_and_hand_over_the_body():
    received = []

    async def accept(payload):
        if payload == "not an update":
            raise ValueError(payload)
        received.append(payload)

    async def healthy():
        return len(received) < 2, {"database": "ok"}

    files = FileStore("https://bot.example.org", ttl_seconds=60)
    app = build_app([WebhookRoute("/zalo", zalo.SECRET_HEADER, "zalo-secret", accept, "zalo")],
                    healthy, files)
    url = files.put("chart.png", tiny_png())
    assert url.startswith("https://bot.example.org/files/") and url.endswith("/chart.png")
    token = url.split("/files/")[1].split("/")[0]
    assert len(token) >= 32
    secret = {zalo.SECRET_HEADER: "zalo-secret"}
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                 base_url="http://bot") as client:
        assert (await client.post("/zalo", json={"a": 1})).status_code == 403
        assert (await client.post("/zalo", json={"a": 1},
                                  headers={zalo.SECRET_HEADER: "wrong"})).status_code == 403
        assert received == []
        ok = await client.post("/zalo", json={"a": 1}, headers=secret)
        assert ok.status_code == 200 and received == [{"a": 1}]
        assert (await client.post("/zalo", content=b"{nope", headers=secret)).status_code == 400
        assert (await client.post("/zalo", json="not an update", headers=secret)).status_code \
            == 400
        assert (await client.get("/healthz")).status_code == 200
        await client.post("/zalo", json={"b": 2}, headers=secret)
        sick = await client.get("/healthz")
        assert sick.status_code == 503 and sick.json()["ok"] is False
        got = await client.get(f"/files/{token}/chart.png")
        assert got.status_code == 200 and got.content == tiny_png()
        assert got.headers["content-type"] == "image/png"
        assert (await client.get(f"/files/{token}")).status_code == 200
        assert (await client.get("/files/guessed-token")).status_code == 404
        assert (await client.get("/telegram")).status_code in (404, 405)


def test_file_links_expire():
    files = FileStore("https://bot.example.org/", ttl_seconds=-1)
    url = files.put("a.pdf", b"%PDF-1.4")
    assert files.get(url.split("/files/")[1].split("/")[0]) is None


# --- conversations in-process through the Zalo request layer -----------------------------------
@contextlib.asynccontextmanager
async def zalo_bot(zl: FakeZalo, engine, files: FileStore | None = None,
                   **env: object) -> AsyncIterator[zalo.ZaloChannel]:
    """The Zalo channel of `parbot run`, in this event loop, polling the fake server."""
    settings = Settings(ZALO_BOT_TOKEN=zl.token, ZALO_API_BASE_URL=zl.root,
                        PARBOT_POLL_TIMEOUT=1, PARBOT_TICK_SECONDS=0, **env)
    channel = zalo_channel(settings, engine, files)
    zl.end_polls(False)
    await channel.prepare()
    await channel.app.initialize()
    await channel.app.start()
    await channel.begin()
    try:
        yield channel
    finally:
        zl.end_polls()  # no waiting for a poll's timeout: end() stops the poller before it polls
        await channel.end()
        await channel.app.stop()
        await channel.app.shutdown()
        await channel.close()


@pytest.fixture
def office(plan_engine):
    import_roster(plan_engine, ROOT / "data" / "roster.example.csv")
    clock.set(dt.datetime(2025, 5, 10, 9, 0))
    return plan_engine


def _zalo_identity(engine, officer_name: str) -> str | None:
    [(officer_id, _)] = identity.find_officers(engine, officer_name)
    with Session(engine) as session:
        row = session.exec(select(m.ChannelIdentity).where(
            m.ChannelIdentity.officer_id == officer_id,
            m.ChannelIdentity.channel == "zalo")).first()
        return row.external_id if row else None


async def test_invite_typed_or_bare_links_and_says_it_is_software(office):
    hau, ly = (identity.find_officers(office, n)[0][0] for n in ("Bích Hậu", "Minh Lý"))
    [first, second] = identity.create_invites(office, [hau, ly], 14)
    async with FakeZalo() as zl, zalo_bot(zl, office) as channel:
        zl.send_text("u-hau", f"/start {first.code}")
        await zl.wait_for_message("u-hau", AUTOMATED)
        hello = await zl.wait_for_message("u-hau", "Xin chào")
        assert "Bích Hậu" in hello["text"]
        zl.send_text("u-ly", second.code.lower())  # the code alone, as typed on a phone
        await zl.wait_for_message("u-ly", AUTOMATED)
        assert "Minh Lý" in (await zl.wait_for_message("u-ly", "Xin chào"))["text"]
        zl.send_text("u-stranger", "ZZZZ-ZZZZ")
        await zl.wait_for_message("u-stranger", "Mã mời không đúng")
        number, _ = channel.request.ids.number("u-hau")
    assert _zalo_identity(office, "Bích Hậu") == str(number)
    assert state_store.get(office, zalo.ID_KIND, "u-hau") == {"id": number}


async def test_numbers_and_labels_press_buttons_even_after_a_restart(office):
    async with FakeZalo() as zl:
        async with zalo_bot(zl, office) as channel:
            number, _ = channel.request.ids.number("u-an")
            [(an, _)] = identity.find_officers(office, "Tuấn An")
            identity.link_account(office, an, "zalo", number)
            zl.send_text("u-an", "/start")
            await zl.wait_for_message("u-an", AUTOMATED)
            greeting = await zl.wait_for_message("u-an", "Xin chào")
            options = re.findall(r"^(\d+)\. (.+)$", greeting["text"], re.M)
            assert options[0] == ("1", "📝 Báo cáo tiến độ")
            assert f"Trả lời bằng số (1-{len(options)})" in greeting["text"]
            help_number = next(n for n, label in options if "Hướng dẫn" in label)
            zl.send_text("u-an", help_number)
            await zl.wait_for_message("u-an", "Các lệnh")
            zl.send_text("u-an", "/start")
            await zl.wait_for_message("u-an", "Xin chào")
            zl.send_text("u-an", "❓ huong dan")  # the label, without diacritics
            await zl.wait_for_message("u-an", "Các lệnh")
            zl.send_text("u-an", "/start")
            await zl.wait_for_message("u-an", "Xin chào")
            zl.send_text("u-an", "²")  # a digit that is no number: an answer, not a crash
            await zl.wait_for_message("u-an")
            zl.send_text("u-an", "/start")
            await zl.wait_for_message("u-an", "Xin chào")
            await zl.wait_idle()
        async with zalo_bot(zl, office):  # a new process: ids and the open menu are kept
            zl.send_text("u-an", help_number)
            await zl.wait_for_message("u-an", "Các lệnh")
            assert not any(AUTOMATED in t for t in zl.texts("u-an")[-1:])


async def test_duplicate_events_are_handled_once_even_after_a_restart(office):
    async with FakeZalo() as zl:
        async with zalo_bot(zl, office) as channel:
            event = zl.send_text("u-1", "/help")
            await zl.wait_for_message("u-1", "Các lệnh")
            zl.inject(event)  # the platform delivers it again (polling)
            await channel.accept({"ok": True, "result": event})  # and by webhook
            await channel.accept(event)
            zl.send_text("u-1", "/lang en")
            await zl.wait_for_message("u-1", "English")
            await zl.wait_idle()
        async with zalo_bot(zl, office) as channel:
            await channel.accept(event)
            zl.send_text("u-1", "/lang vi")
            await zl.wait_for_message("u-1", "tiếng Việt")
            await zl.wait_idle()
        assert sum("Các lệnh" in t for t in zl.texts("u-1")) == 1


async def test_events_become_telegram_shaped_updates(office):
    async with FakeZalo() as zl:
        client = zalo.ZaloClient(zl.token, zl.root)
        request = zalo.ZaloRequest(client, office)
        try:
            await request.load()
            zl.users["6ede9a7f"] = "Bích Hậu"
            text = await request.event_update(zalo.parse_event(_event(text="/start ABCD-EFGH")))
            message = text["message"]
            number, _ = request.ids.number("6ede9a7f")
            assert message["from"]["id"] == message["chat"]["id"] == number
            assert message["date"] == 1750316131  # Zalo's milliseconds, as seconds
            assert message["entities"] == [{"type": "bot_command", "offset": 0, "length": 6}]
            photo = await request.event_update(zalo.parse_event(_event(
                zalo.IMAGE, photo_url="https://cdn.zalo.example/a.jpg", caption="biên bản")))
            sizes = photo["message"]["photo"]
            assert sizes[0]["file_id"] == "https://cdn.zalo.example/a.jpg"
            assert sizes[0]["file_unique_id"] == zalo.unique_id("https://cdn.zalo.example/a.jpg")
            assert photo["message"]["caption"] == "biên bản"
            sticker = await request.event_update(zalo.parse_event(_event(zalo.STICKER)))
            assert "sticker" in sticker["message"]
            group = _event(text="x")
            group["message"]["chat"] = {"id": "g-1", "chat_type": "GROUP"}
            assert await request.event_update(zalo.parse_event(group)) is None
        finally:
            await client.aclose()


async def test_stickers_and_other_content_get_a_clear_answer(office):
    async with FakeZalo() as zl, zalo_bot(zl, office):
        zl.send_sticker("u-2")
        await zl.wait_for_message("u-2", "chỉ đọc được tin nhắn chữ")
        zl.send_unsupported("u-2")
        await zl.wait_for_message("u-2", "chỉ đọc được tin nhắn chữ")
        zl.inject({"event_name": "user.follow", "message": {}})  # not a message: ignored
        zl.send_text("u-2", "/help")
        await zl.wait_for_message("u-2", "Các lệnh")


async def test_long_answers_are_split_under_2000_characters(office, tmp_path):
    rows = [f"Cán Bộ Thử Nghiệm Số {i},officer,PGDDT-HADONG,bộ phận thử nghiệm,,," for i in
            range(8)]
    path = tmp_path / "more.csv"
    path.write_text(ROSTER_HEADER + "\n".join(rows) + "\n", encoding="utf-8")
    import_roster(office, path)
    async with FakeZalo() as zl, zalo_bot(zl, office) as channel:
        number, _ = channel.request.ids.number("u-admin")
        [(quan, _)] = identity.find_officers(office, "Quân")
        identity.link_account(office, quan, "zalo", number)
        zl.send_text("u-admin", "/officers")
        await zl.wait_for_message("u-admin", "Danh sách cán bộ (23 người)")
        await zl.wait_idle()
        parts = [t for t in zl.texts("u-admin") if AUTOMATED not in t]
        assert len(parts) == 2 and all(len(p) <= 2000 for p in parts)
        assert sum(len(p) for p in parts) + 1 > 2000
        assert not parts[1].startswith("\n") and parts[1].startswith("• ")  # cut at a line
        whole = "\n".join(parts)
        assert all(o.full_name in whole for o in list_officers(office))


async def test_photos_by_url_documents_as_links_or_where_to_get_them(office):
    port = free_port()
    files = FileStore(f"http://127.0.0.1:{port}", ttl_seconds=3600)

    async def healthy():
        return True, {}

    server = WebServer(build_app([], healthy, files), "127.0.0.1", port)
    await server.start()
    try:
        async with FakeZalo() as zl, zalo_bot(zl, office, files, PUBLIC_FILE_HOURS=6) as channel:
            zl.send_text("u-3", "/help")
            await zl.wait_for_message("u-3", "Các lệnh")
            number, _ = channel.request.ids.number("u-3")
            await channel.app.bot.send_photo(number, tiny_png(), caption="📊 Biểu đồ tuần")
            photo = await zl.wait_for_message("u-3", "Biểu đồ tuần", method="sendPhoto")
            assert photo["photo"].startswith(f"http://127.0.0.1:{port}/files/")
            assert zl.photos[photo["photo"]] == tiny_png(), "the platform fetched the chart"
            await channel.app.bot.send_document(number, b"%PDF-1.4 report", filename="bao-cao.pdf",
                                                caption="Báo cáo quý")
            link = await zl.wait_for_message("u-3", "Báo cáo quý")
            assert "bao-cao.pdf: http://127.0.0.1:" in link["text"] and "6 giờ" in link["text"]
            url = re.search(r"(http://\S+)", link["text"]).group(1)
            assert files.get(url.split("/files/")[1].split("/")[0]).data == b"%PDF-1.4 report"
        unreachable = FileStore(f"http://127.0.0.1:{free_port()}")  # Zalo cannot fetch it
        async with FakeZalo() as zl, zalo_bot(zl, office, unreachable) as channel:
            zl.send_text("u-3", "/help")
            await zl.wait_for_message("u-3", "Các lệnh")
            number, _ = channel.request.ids.number("u-3")
            await channel.app.bot.send_photo(number, tiny_png(), caption="📊 Biểu đồ tuần")
            fallback = await zl.wait_for_message("u-3", "Biểu đồ tuần")
            assert f"photo.png: {unreachable.base_url}/files/" in fallback["text"]
        async with FakeZalo() as zl, zalo_bot(zl, office) as channel:  # no PUBLIC_BASE_URL
            zl.send_text("u-3", "/help")
            await zl.wait_for_message("u-3", "Các lệnh")
            number, _ = channel.request.ids.number("u-3")
            await channel.app.bot.send_photo(number, tiny_png(), caption="📊 Biểu đồ tuần")
            await zl.wait_for_message("u-3", "Biểu đồ tuần")
            await zl.wait_for_message("u-3", "Telegram")
            assert not zl.calls_to("sendPhoto")
    finally:
        await server.stop()


async def test_a_roster_zalo_id_is_recognised_and_can_be_written_to_first(office, tmp_path):
    path = tmp_path / "roster.csv"
    text = (ROOT / "data" / "roster.example.csv").read_text(encoding="utf-8")
    path.write_text(text.replace("0912 345 601,,", "0912 345 601,,zalo-dieu-anh"),
                    encoding="utf-8")
    import_roster(office, path)
    async with FakeZalo() as zl, zalo_bot(zl, office) as channel:
        zl.users["zalo-dieu-anh"] = "Diệu Anh"  # she follows the bot, has not written yet
        account = [a for a in identity.linked_accounts(office, "zalo")][0]
        assert account.external_id == "zalo-dieu-anh"
        await asyncio.gather(  # two scheduled messages at once, to someone new
            channel.app.bot.send_message("zalo-dieu-anh", "⏰ Nhắc việc: thử"),
            channel.app.bot.send_message("zalo-dieu-anh", "📊 Bản tin: thử"))
        await zl.wait_for_message("zalo-dieu-anh", AUTOMATED)
        texts = zl.texts("zalo-dieu-anh")
        assert sum(AUTOMATED in t for t in texts) == 1
        assert any("Nhắc việc" in t for t in texts) and any("Bản tin" in t for t in texts)
        number, _ = channel.request.ids.number("zalo-dieu-anh")
        assert _zalo_identity(office, "Diệu Anh") == str(number)
        zl.send_text("zalo-dieu-anh", "/start")
        hello = await zl.wait_for_message("zalo-dieu-anh", "Xin chào")
        assert "Diệu Anh" in hello["text"]


async def test_polling_survives_platform_errors(office):
    async with FakeZalo() as zl:
        zl.fail_next("getUpdates", status=500, count=2)
        async with zalo_bot(zl, office):
            zl.send_text("u-4", "/help")
            await zl.wait_for_message("u-4", "Các lệnh", timeout=15)
            assert [c.status for c in zl.calls_to("getUpdates")][:2] == [500, 500]


async def test_sending_to_a_chat_it_never_saw_is_refused_clearly(office):
    from telegram.error import BadRequest

    async with FakeZalo() as zl, zalo_bot(zl, office) as channel:
        with pytest.raises(BadRequest, match="not a Zalo chat"):
            await channel.app.bot.send_message(123456, "x")


async def test_photos_people_send_can_be_downloaded_through_the_bot(office):
    from handlers.files import download

    async with FakeZalo() as zl, zalo_bot(zl, office, ZALO_MEDIA_HOSTS=zl.root) as channel:
        url = zl.media_url("bien-ban.png", tiny_png())  # the fake is the media host here
        assert await download(channel.app.bot, url + "?sig=1") == tiny_png()
        with pytest.raises(Exception, match="file not found"):
            await download(channel.app.bot, "not-a-url")


_json = st.recursive(st.none() | st.booleans() | st.integers() | st.text(max_size=20),
                     lambda children: st.lists(children, max_size=4)
                     | st.dictionaries(st.sampled_from(["ok", "result", "event_name", "message",
                                                        "from", "chat", "id", "text", "date",
                                                        "photo_url", "message_id", "is_bot"]),
                                       children, max_size=6), max_leaves=30)


@settings(max_examples=150, deadline=None)
@given(_json)
def test_any_body_is_read_without_crashing(body):
    for event in zalo.events_of(body):
        parsed = zalo.parse_event(event)
        assert parsed is None or (parsed.user_id and parsed.name == str(event["event_name"]))
