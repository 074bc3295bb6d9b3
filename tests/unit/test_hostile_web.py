"""Issue 14, rows 11 and 12: the web server under hostile requests (in-process, ASGI)."""

from __future__ import annotations

import httpx
from telegram import Bot

from bot.channels.telegram import parse_update
from bot.channels.webhooks import MAX_BODY, WebhookRoute, build_app

SECRET = {"X-Telegram-Bot-Api-Secret-Token": "s3cret-s3cret"}


def _app(received: list):
    async def accept(payload):  # as the runner's Telegram route does
        received.append(parse_update(payload, Bot("1:x")))

    async def health():
        return True, {"database": "ok", "channels": {"telegram": {"mode": "webhook",
                                                                  "jobs": 3}},
                      "now": "2025-05-10T09:00:00+07:00"}

    route = WebhookRoute("/telegram", "X-Telegram-Bot-Api-Secret-Token", "s3cret-s3cret",
                         accept, "telegram")
    return build_app([route], health, health_secret="s3cret-s3cret")


def _client(app) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://bot")


async def test_row11_a_huge_body_is_refused_while_it_streams():
    pulled = 0
    chunk = b"x" * (1024 * 1024)

    async def body():
        nonlocal pulled
        for _ in range(300):  # 300 MB, if anyone read it all
            pulled += 1
            yield chunk

    async with _client(_app([])) as client:
        response = await client.post("/telegram", content=body(), headers=SECRET)
    assert response.status_code == 413
    assert pulled <= MAX_BODY // len(chunk) + 2, f"{pulled} MB read before the 413"


async def test_row11_malformed_updates_get_400_never_500():
    received: list = []
    nested = "[" * 200_000 + "]" * 200_000
    async with _client(_app(received)) as client:
        for body in (nested, '{"update_id": 1, "message": "x"}',
                     '{"update_id": 1, "message": {"chat": 5}}', '{"update_id": "a" }', "[]",
                     '{"update_id": 1, "callback_query": []}', "\ufeff{}", '"x"', "null",
                     '{"update_id": 1e999}'):
            response = await client.post("/telegram", content=body.encode(), headers=SECRET)
            assert response.status_code == 400, (body[:40], response.status_code)
        ok = await client.post("/telegram", json={"update_id": 7}, headers=SECRET)
        assert ok.status_code == 200 and len(received) == 1


async def test_row12_public_healthz_says_only_ok_and_details_need_the_secret():
    async with _client(_app([])) as client:
        public = await client.get("/healthz")
        assert public.status_code == 200 and public.json() == {"ok": True}
        wrong = await client.get("/healthz", headers={"X-Parbot-Health-Secret": "guess"})
        assert wrong.json() == {"ok": True}
        full = await client.get("/healthz", headers={"X-Parbot-Health-Secret": "s3cret-s3cret"})
        assert full.json()["channels"]["telegram"]["jobs"] == 3 and "now" in full.json()
