"""`parbot run` end to end on Zalo, against the fake Zalo Bot API server: onboarding by invite
code, questions, the whole /report conversation with numbered choices and a photo, a nudge and a
digest, webhooks with their secrets and duplicates, long answers, /healthz, and Telegram and
Zalo served by one process."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import re
import time

import httpx
import pytest
from sqlalchemy import update
from sqlmodel import select

from bot.channels.webhooks import HEALTH_HEADER
from bot.channels.zalo import ID_KIND
from bot.core.clock import clock
from bot.people import identity
from storage import models as m
from storage.db import make_engine
from tests.bot_process import ROSTER, free_port, prepare_database, query
from tests.e2e_zalo import ZaloBotProcess
from tests.fake_telegram import FakeTelegram
from tests.fake_zalo import FakeZalo, tiny_png

pytestmark = pytest.mark.e2e
AUTOMATED = "phần mềm trả lời tự động"
ROSTER_TEXT = ROSTER.read_text(encoding="utf-8")


def _invites(db_url: str, *names: str) -> list[str]:
    engine = make_engine(db_url)
    try:
        ids = [identity.find_officers(engine, name)[0][0] for name in names]
        return [i.code for i in identity.create_invites(engine, ids, 30)]
    finally:
        engine.dispose()


def _option(text: str, label: str) -> str:
    """The number of the numbered option whose label contains `label`."""
    for number, option in re.findall(r"^(\d+)\. (.+)$", text, re.M):
        if label in option:
            return number
    raise AssertionError(f"no option {label!r} in:\n{text}")


@pytest.mark.once("the Zalo wire; the channel's reads and writes run on both databases in "
                  "tests/integration/test_zalo.py")
async def test_officer_on_zalo_onboards_asks_and_reports_with_a_photo(db_url, tmp_path):
    env = {"PARBOT_AS_OF": "2025-05-10T09:00:00", "PARBOT_TICK_SECONDS": "0",
           "PARBOT_EVIDENCE_DIR": str(tmp_path / "evidence")}
    await asyncio.to_thread(prepare_database, db_url)
    an_code, hau_code = await asyncio.to_thread(_invites, db_url, "Tuấn An", "Bích Hậu")
    async with FakeZalo() as zl, ZaloBotProcess(zl, db_url, env=env, prepare=False) as bot:
        zl.send_text("z-an", f"/start {an_code}", display_name="An")
        await zl.wait_for_message("z-an", AUTOMATED)
        hello = await zl.wait_for_message("z-an", "Xin chào")
        assert "Nguyễn Tuấn An" in hello["text"] and "Trả lời bằng số" in hello["text"]
        zl.send_text("z-hau", hau_code.replace("-", " - ").lower())  # the code alone
        assert "Bích Hậu" in (await zl.wait_for_message("z-hau", "Xin chào"))["text"]

        plan = zl.send_text("z-an", "/plan")
        await zl.wait_for_message("z-an", "Kế hoạch số 737")
        zl.send_text("z-an", "quy nay co gi den han")  # a question, typed without diacritics
        await zl.wait_for_message("z-an", "việc đến hạn")

        zl.send_text("z-an", "/report")
        schools = await zl.wait_for_message("z-an", "trường nào")
        zl.send_text("z-an", _option(schools["text"], "THCS Lê Lợi"))
        await zl.wait_for_message("z-an", "Nhập tỷ lệ hiện tại")
        zl.send_text("z-an", "62,5")
        note = await zl.wait_for_message("z-an", "ghi chú")
        assert "1. Bỏ qua" in note["text"]
        zl.send_text("z-an", "bo qua")  # the option's label, without diacritics
        await zl.wait_for_message("z-an", "minh chứng")
        photo_url = zl.media_url("bien-ban-hop.png", tiny_png())
        zl.send_image("z-an", photo_url, caption="Biên bản họp")
        received = await zl.wait_for_message("z-an", "Đã nhận 1 tệp")
        zl.send_text("z-an", _option(received["text"], "Xong"))
        summary = await zl.wait_for_message("z-an", "Kiểm tra lại")
        assert "62,5%" in summary["text"] and "1 tệp" in summary["text"]
        zl.send_text("z-an", _option(summary["text"], "Xác nhận"))
        done = await zl.wait_for_message("z-an", "Đã ghi nhận 62,5% cho CQS-1")
        assert "▓" in done["text"]

        zl.inject(plan)  # delivered again: handled once
        zl.send_sticker("z-an")
        await zl.wait_for_message("z-an", "chỉ đọc được tin nhắn chữ")
        await zl.wait_idle()
        assert sum("Kế hoạch số 737" in t for t in zl.texts("z-an")) == 1
        assert await bot.stop() == 0
        assert "Traceback" not in bot.logs()

    def stored(session):
        report = session.exec(select(m.ProgressReport)).one()
        return report.value, session.exec(select(m.Evidence)).all(), session.exec(
            select(m.ChannelIdentity).where(m.ChannelIdentity.channel == "zalo")).all(), \
            session.exec(select(m.BotState).where(m.BotState.kind == ID_KIND)).all()

    value, evidence, accounts, ids = await asyncio.to_thread(query, db_url, stored)
    assert value == 62.5
    assert [(e.channel, e.file_id) for e in evidence] == [("zalo", photo_url)]
    copy = evidence[0].local_path  # the photo is kept: Zalo's links may not last
    assert copy and copy.startswith(str(tmp_path)) and open(copy, "rb").read() == tiny_png()
    numbers = {row.key: str(row.data["id"]) for row in ids}
    assert {a.external_id for a in accounts} == {numbers["z-an"], numbers["z-hau"]}


@pytest.mark.once("files and /healthz on the web server; nudges and digests run on both "
                  "databases in tests/integration/test_notify_*.py")
async def test_nudge_and_digest_reach_zalo_with_the_chart_by_link(db_url, tmp_path):
    roster = tmp_path / "roster.csv"
    roster.write_text(ROSTER_TEXT.replace("0912 345 601,,", "0912 345 601,,z-dieu-anh")
                      .replace("0904 567 620,,", "0904 567 620,,z-thang"), encoding="utf-8")
    clock.set(dt.datetime(2025, 5, 11, 12, 0))  # linked before this week's digest and nudge
    await asyncio.to_thread(prepare_database, db_url, roster)
    port = free_port()
    env = {"PARBOT_AS_OF": "2025-05-16T08:00:30", "PARBOT_TICK_SECONDS": "1",
           "PUBLIC_BASE_URL": f"http://127.0.0.1:{port}", "WEBHOOK_LISTEN": "127.0.0.1",
           "PORT": str(port), "WEBHOOK_SECRET": "health-s3cret"}  # /healthz details
    async with FakeZalo() as zl:
        zl.users.update({"z-dieu-anh": "Diệu Anh", "z-thang": "Thắng"})  # follow the bot
        async with ZaloBotProcess(zl, db_url, env=env, prepare=False) as bot:
            await zl.wait_for_message("z-dieu-anh", AUTOMATED, timeout=60)
            nudge = await zl.wait_for_message("z-dieu-anh", "⏰ Nhắc việc", timeout=60)
            assert "Thứ Sáu, 16/5/2025" in nudge["text"] and "BC-CCHC-QUY" in nudge["text"]
            digest = await zl.wait_for_message("z-thang", "Cán bộ đã báo cáo", timeout=60)
            zl.send_text("z-thang", _option(digest["text"], "Xuất Excel"))  # a document
            export = await zl.wait_for_message("z-thang", f"http://127.0.0.1:{port}/files/",
                                               timeout=60)
            link = re.search(r"(http://127\.0\.0\.1:\d+/files/\S+\.xlsx)", export["text"])
            assert link, export["text"]
            zl.send_text("z-thang", "/digest")  # the chart is behind the digest's button
            again = await zl.wait_for_message("z-thang", "Cần xử lý", timeout=60)
            zl.send_text("z-thang", _option(again["text"], "Chi tiết"))
            chart = await zl.wait_for_message("z-thang", "Bản tin tuần", method="sendPhoto",
                                              timeout=60)
            assert chart["photo"].startswith(f"http://127.0.0.1:{port}/files/")
            assert zl.photos[chart["photo"]].startswith(b"\x89PNG"), "Zalo fetched the chart"
            assert chart["photo"].endswith("/photo.png")

            zl.send_text("z-dieu-anh", _option(nudge["text"], "Đã nộp BC-CCHC-QUY"))
            await zl.wait_for_message("z-dieu-anh", "Đã ghi nhận")
            async with httpx.AsyncClient() as client:
                workbook = await client.get(link.group(1))
                assert workbook.status_code == 200 and workbook.content.startswith(b"PK")
                public = await client.get(f"http://127.0.0.1:{port}/healthz")
                health = await client.get(f"http://127.0.0.1:{port}/healthz",
                                          headers={HEALTH_HEADER: "health-s3cret"})
            assert public.json() == {"ok": True}, "details only with the secret"
            body = health.json()
            assert health.status_code == 200 and body["database"] == "ok"
            assert body["channels"]["zalo"]["mode"] == "polling"
            assert body["channels"]["zalo"]["scheduler"] and body["channels"]["zalo"]["jobs"]
            assert body["last_update"].startswith("2025-05-16T08:")
            await zl.wait_idle()
            assert len([t for t in zl.texts("z-dieu-anh") if "⏰ Nhắc việc" in t]) == 1
            assert await bot.stop() == 0


@pytest.mark.once("two channels on one web server, secrets, long answers")
async def test_telegram_and_zalo_in_one_process_with_one_webhook_server(db_url, tmp_path):
    roster = tmp_path / "roster.csv"
    extra = [f"Cán Bộ Thử Nghiệm Số {i},officer,PGDDT-HADONG,bộ phận thử nghiệm,,,"
             for i in range(2)]
    roster.write_text(ROSTER_TEXT.rstrip("\n") + "\n" + "\n".join(extra) + "\n",
                      encoding="utf-8")
    await asyncio.to_thread(prepare_database, db_url, roster)
    hau_tg, hau_zl, quan_zl = await asyncio.to_thread(_invites, db_url, "Bích Hậu", "Bích Hậu",
                                                      "Quân")
    port = free_port()
    root = f"http://127.0.0.1:{port}"
    env = {"WEBHOOK_URL": f"{root}/telegram", "WEBHOOK_SECRET": "tg-s3cret",
           "ZALO_WEBHOOK_SECRET": "zalo-s3cret", "WEBHOOK_LISTEN": "127.0.0.1",
           "PORT": str(port), "PARBOT_TICK_SECONDS": "0"}
    async with FakeTelegram() as tg, FakeZalo() as zl, \
            ZaloBotProcess(zl, db_url, telegram=tg, env=env, prepare=False,
                           ready_method="setWebhook", telegram_ready="setWebhook") as bot:
        assert tg.webhook_url == f"{root}/telegram" and zl.webhook_url == f"{root}/zalo"
        assert zl.webhook_secret == "zalo-s3cret"
        tg_update = {"update_id": 1, "message": {
            "message_id": 1, "date": 1, "chat": {"id": 77, "type": "private"},
            "from": {"id": 77, "is_bot": False, "first_name": "X"}, "text": f"/start {hau_tg}",
            "entities": [{"type": "bot_command", "offset": 0, "length": 6}]}}
        assert await tg.post_webhook(tg_update, secret="wrong") == 403
        assert await tg.post_webhook(tg_update, secret=None) == 403
        assert await tg.post_webhook(tg_update, secret="tg-s3cret") == 200
        assert "Bích Hậu" in (await tg.wait_for_message(77, "Xin chào"))["text"]

        event = zl.event("message.text.received", "z-hau", text=f"/start {hau_zl}")
        assert await zl.post_webhook(event, secret=None) == 403
        assert await zl.post_webhook(event, secret="wrong") == 403
        assert zl.texts("z-hau") == []
        started = time.monotonic()
        assert await zl.post_webhook(event, wrapped=True) == 200
        assert time.monotonic() - started < 2, "the platform is answered at once"
        assert "Bích Hậu" in (await zl.wait_for_message("z-hau", "Xin chào"))["text"]
        assert await zl.post_webhook(event, wrapped=False) == 200  # again: handled once
        plan = zl.event("message.text.received", "z-hau", text="/plan")
        assert await zl.post_webhook(plan, wrapped=False) == 200
        await zl.wait_for_message("z-hau", "Kế hoạch số 737")
        tg.send_command(77, "/plan")  # Telegram's own delivery to the webhook
        await tg.wait_for_message(77, "Kế hoạch số 737")

        # the administrator on Zalo: an answer of exactly 2,001 characters comes in two
        zl.send_text("z-quan", f"/start {quan_zl}")  # delivered by the fake's webhook
        await zl.wait_for_message("z-quan", "Xin chào")
        zl.send_text("z-quan", "/officers")
        first = await zl.wait_for_message("z-quan", "Danh sách cán bộ")
        await zl.wait_idle()
        assert len(first["text"]) <= 2000 and zl.texts("z-quan")[-1] == first["text"]
        pad = 2001 - len(first["text"])
        assert 0 < pad < 200

        def lengthen(session):
            session.exec(update_name(pad))
            session.commit()

        await asyncio.to_thread(query, db_url, lengthen)
        zl.send_text("z-quan", "/officers")
        part1 = await zl.wait_for_message("z-quan", "Danh sách cán bộ")
        part2 = await zl.wait_for_message("z-quan")
        await zl.wait_idle()
        assert len(part1["text"]) + 1 + len(part2["text"]) == 2001
        assert len(part1["text"]) <= 2000 and len(part2["text"]) <= 2000
        assert zl.texts("z-quan")[-2:] == [part1["text"], part2["text"]]

        async with httpx.AsyncClient() as client:
            health = (await client.get(f"{root}/healthz",
                                       headers={HEALTH_HEADER: "tg-s3cret"})).json()
        assert health["ok"] and health["database"] == "ok"
        assert {k: (v["mode"], v["running"], v["scheduler"]) for k, v in
                health["channels"].items()} == {"telegram": ("webhook", True, True),
                                                "zalo": ("webhook", True, True)}
        assert health["channels"]["telegram"]["last_update"]
        assert health["channels"]["zalo"]["last_update"]
        assert await bot.stop() == 0
        logs = bot.logs()
        assert "Traceback" not in logs
        assert '"outcome": "duplicate"' in logs

    def channels(session):
        [(officer_id, _)] = identity.find_officers(session.get_bind(), "Bích Hậu")
        return sorted(i.channel for i in session.exec(select(m.ChannelIdentity).where(
            m.ChannelIdentity.officer_id == officer_id)))

    assert await asyncio.to_thread(query, db_url, channels) == ["telegram", "zalo"]


def update_name(pad: int):
    """Lengthen the first test officer's name by `pad` characters (the answer grows alike)."""
    return update(m.Officer).where(m.Officer.full_name == "Cán Bộ Thử Nghiệm Số 0") \
        .values(full_name="Cán Bộ Thử Nghiệm Số 0" + "x" * pad)


@pytest.mark.once("startup and shutdown only")
async def test_polling_telegram_and_zalo_together_and_a_clean_stop(db_url):
    async with FakeTelegram() as tg, FakeZalo() as zl, \
            ZaloBotProcess(zl, db_url, telegram=tg) as bot:
        tg.send_command(42, "/help")
        zl.send_text("z-42", "/help")
        await tg.wait_for_message(42, "Các lệnh")
        await zl.wait_for_message("z-42", "Các lệnh")
        assert await bot.stop() == 0
        last = tg.calls_to("getUpdates")[-1]
        assert int(last.params.get("offset", 0)) > 0, "Telegram updates confirmed at shutdown"
        lines = [json.loads(x) for x in bot.logs().splitlines() if x.startswith("{")]
        running = {x["channel"]: x["mode"] for x in lines if x.get("msg") == "channel running"}
        assert running == {"telegram": "polling", "zalo": "polling"}


@pytest.mark.once("startup refusals only")
async def test_zalo_token_and_secret_problems_are_one_clear_line(db_url):
    async with FakeZalo() as zl:
        bot = ZaloBotProcess(zl, db_url, zalo_token="999:WRONG", wait_ready=False)
        await bot.start()
        assert await bot.wait() == 2
        assert "rejected ZALO_BOT_TOKEN" in bot.logs() and "Traceback" not in bot.logs()
        bot = ZaloBotProcess(zl, db_url, prepare=False, wait_ready=False,
                             env={"ZALO_WEBHOOK_URL": "https://bot.example.org/zalo"})
        await bot.start()
        assert await bot.wait() == 2
        assert "ZALO_WEBHOOK_SECRET" in bot.logs()
        assert not zl.calls_to("setWebhook")
