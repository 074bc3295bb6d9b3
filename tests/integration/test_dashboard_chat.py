"""/dashboard in the chat: a Mini App button on Telegram (and a menu button for leaders), a
signed one-time link on the console and Zalo, a clear word when PUBLIC_BASE_URL is missing."""

from __future__ import annotations

import dataclasses
import json
import re

import pytest
from starlette.testclient import TestClient

from bot.channels.dashboard import local_app
from bot.core.clock import clock
from bot.people import identity
from tests.answers_seed import seed_737
from tests.chat import Chat, RecordingRequest
from tests.dashboard_helpers import BASE, LEADER, OFFICER, TODAY, follow, officer_id, settings


@pytest.fixture
def office(engine):
    seed_737(engine)
    clock.set(TODAY)
    return engine


async def test_without_public_base_url_the_bot_says_who_must_set_it(office):
    async with Chat(office) as chat:
        hau = chat.officer(OFFICER)
        out = await chat.text(hau, "/dashboard")
    assert "PUBLIC_BASE_URL" in out and "Quản trị viên" in out


async def test_on_the_console_a_one_time_link_opens_the_officers_page(office):
    async with Chat(office, PUBLIC_BASE_URL=BASE) as chat:
        hau = chat.officer(OFFICER)
        out = await chat.text(hau, "/dashboard")
    assert "dùng một lần, hết hạn sau 15 phút" in out
    url = re.search(r"https://\S+", out).group(0)
    assert url.startswith(f"{BASE}/app/login?t=")
    with TestClient(local_app(office, settings()), base_url=BASE) as client:
        page = follow(client, url, follow_redirects=True)
        assert page.status_code == 200 and 'data-code="TTHC-1"' in page.text
        assert 'data-code="CQS-1"' not in page.text
        assert client.get(url, follow_redirects=False).status_code == 403


async def test_strangers_and_the_anonymous_console_get_no_link(office):
    async with Chat(office, PUBLIC_BASE_URL=BASE) as chat:
        out = await chat.text(chat.user(), "/dashboard")
        assert "/app/login" not in out and "/start" in out
    async with Chat(office, admin_console=True, PUBLIC_BASE_URL=BASE) as chat:
        out = await chat.text(chat.user(), "/dashboard")
        assert "parbot dashboard --as" in out and "/app/login" not in out


class TelegramCalls(RecordingRequest):
    """The bridge, recording each Bot API call as Telegram would receive it."""

    def __init__(self) -> None:
        super().__init__()
        self.calls: list[tuple[str, dict]] = []

    async def do_request(self, url, method, request_data=None, *args, **kwargs):
        name = url.rstrip("/").rsplit("/", 1)[-1]
        params = dict(request_data.parameters) if request_data else {}
        self.calls.append((name, {k: json.loads(v) if isinstance(v, str) and v[:1] in "[{"
                                  else v for k, v in params.items()}))
        return await super().do_request(url, method, request_data, *args, **kwargs)

    async def api_setChatMenuButton(self, params, files):
        return True


def telegram_chat(engine, **extra) -> Chat:
    chat = Chat(engine, **extra)
    chat.request = TelegramCalls()
    from bot.channels.app import build_application

    chat.services = dataclasses.replace(chat.services, channel="telegram")
    chat.app = build_application(chat.services, request=chat.request)
    return chat


async def _telegram_user(chat: Chat, engine, name: str) -> dict:
    user = chat.request.user(800_000 + officer_id(engine, name), name)
    identity.link_account(engine, officer_id(engine, name), "telegram", user["id"])
    return user


async def test_on_telegram_a_mini_app_button_and_a_menu_button_for_leaders(office):
    async with telegram_chat(office, PUBLIC_BASE_URL=BASE) as chat:
        thang = await _telegram_user(chat, office, LEADER)
        out = "\n".join(o.render() for o in await chat.say(thang, "/dashboard"))
        # the bridge (console, Zalo) renders a web_app button as its address
        assert f"📊 Mở bảng theo dõi: {BASE}/app/" in out
        sent = [p for n, p in chat.request.calls if n == "sendMessage"][-1]
        buttons = [b for row in sent["reply_markup"]["inline_keyboard"] for b in row]
        assert buttons[0]["web_app"] == {"url": f"{BASE}/app/"}
        assert buttons[1]["url"].startswith(f"{BASE}/app/login?t=")
        menus = [p for n, p in chat.request.calls if n == "setChatMenuButton"]
        assert menus and menus[-1]["menu_button"]["type"] == "web_app"
        assert menus[-1]["menu_button"]["web_app"]["url"] == f"{BASE}/app/"
        assert str(menus[-1]["chat_id"]) == str(thang["id"])

        chat.request.calls.clear()
        hau = await _telegram_user(chat, office, OFFICER)
        await chat.say(hau, "/dashboard")
        assert not [n for n, _ in chat.request.calls if n == "setChatMenuButton"], \
            "officers keep the default menu button"


async def test_on_telegram_without_https_the_bot_sends_the_link(office):
    async with telegram_chat(office, PUBLIC_BASE_URL="http://127.0.0.1:8443") as chat:
        thang = await _telegram_user(chat, office, LEADER)
        out = "\n".join(o.render() for o in await chat.say(thang, "/dashboard"))
        assert "http://127.0.0.1:8443/app/login?t=" in out
        sent = [p for n, p in chat.request.calls if n == "sendMessage"][-1]
        assert "web_app" not in json.dumps(sent.get("reply_markup") or {})
