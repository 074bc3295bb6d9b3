"""The dashboard with the real `parbot run` process and the fake Bot API: a leader's chat menu
button at start, /dashboard's Mini App button and one-time link, and the page on the bot's own
web server (PUBLIC_BASE_URL is HTTPS, as a reverse proxy in front of WEBHOOK_LISTEN:PORT)."""

from __future__ import annotations

import asyncio
import re

import httpx
import pytest

from tests.bot_process import BotProcess, free_port, link, prepare_database
from tests.fake_telegram import FakeTelegram

# the page's reads run on both databases in tests/integration/test_dashboard_*.py
pytestmark = [pytest.mark.e2e, pytest.mark.once("the menu button, the link and the web server")]
BASE = "https://dash.example"
LEADER_CHAT = 4242


async def _get(url: str, **kw) -> httpx.Response:
    async with httpx.AsyncClient(follow_redirects=False, timeout=10) as client:
        for _ in range(50):
            try:
                return await client.get(url, **kw)
            except httpx.ConnectError:  # the server is coming up
                await asyncio.sleep(0.1)
    raise AssertionError(f"no answer from {url}")


async def test_dashboard_from_telegram_to_the_page(db_url):
    port = free_port()
    local = f"http://127.0.0.1:{port}"
    await asyncio.to_thread(prepare_database, db_url)
    await asyncio.to_thread(link, db_url, "Văn Thắng", LEADER_CHAT)
    env = {"PUBLIC_BASE_URL": BASE, "WEBHOOK_LISTEN": "127.0.0.1", "PORT": str(port),
           "PARBOT_AS_OF": "2025-05-10T09:00:00", "PARBOT_TICK_SECONDS": "0"}
    async with FakeTelegram() as tg, BotProcess(tg, db_url, env=env, prepare=False) as bot:
        menus = [c.params for c in tg.calls_to("setChatMenuButton")]
        assert any(str(p.get("chat_id")) == str(LEADER_CHAT) and
                   p["menu_button"]["web_app"]["url"] == f"{BASE}/app/" for p in menus), menus

        tg.send_command(LEADER_CHAT, "/dashboard")
        reply = await tg.wait_for_message(LEADER_CHAT, "Bảng theo dõi")
        rows = reply["reply_markup"]["inline_keyboard"]
        assert rows[0][0]["web_app"]["url"] == f"{BASE}/app/"
        login = rows[1][0]["url"]
        assert re.match(rf"{re.escape(BASE)}/app/login\?t=[\w.-]+$", login)

        button = await _get(login.replace(BASE, local))
        assert button.status_code == 200 and 'id="open"' in button.text
        async with httpx.AsyncClient(timeout=10) as client:
            first = await client.post(f"{local}/app/login",
                                      data={"t": login.split("t=", 1)[1]})
        assert first.status_code == 303, first.text
        cookie = first.headers["set-cookie"]
        assert "httponly" in cookie.lower() and "secure" in cookie.lower()
        session = cookie.split(";", 1)[0]
        page = await _get(f"{local}/app/", headers={"Cookie": session})
        assert page.status_code == 200
        assert len(re.findall(r'<li class="target" data-code=', page.text)) == 25
        assert (await _get(login.replace(BASE, local))).status_code == 403, "used once"
        assert (await _get(f"{local}/healthz")).status_code in (200, 503)
        assert await bot.stop() == 0
