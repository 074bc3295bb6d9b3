"""/report end to end: the real `parbot run` against the fake Telegram Bot API — buttons,
evidence downloaded, the quick form, cancel, undo, pooled schools, refusals, idle expiry across
a restart, kill -9 in the middle of a report and right after Confirm, duplicate delivery."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from sqlmodel import select

from bot.people import identity
from storage import models as m
from storage.db import make_engine
from tests.bot_process import BotProcess, prepare_database, query
from tests.fake_telegram import FakeTelegram

pytestmark = pytest.mark.e2e

AN = 100001  # the example roster gives Tuấn An this Telegram id
ANH, BINH, MAI = 501, 810, 811
PDF = "application/pdf"
AS_OF = {"PARBOT_AS_OF": "2025-05-10T09:00:00"}


def _setup(db_url: str) -> None:
    prepare_database(db_url)
    engine = make_engine(db_url)
    try:
        for name, user_id in (("Diệu Anh", ANH), ("Văn Bình", BINH), ("Trần Thị Mai", MAI)):
            [(officer_id, _)] = identity.find_officers(engine, name)
            identity.link_account(engine, officer_id, "telegram", user_id)
    finally:
        engine.dispose()


def _reports(db_url: str) -> list[m.ProgressReport]:
    return query(db_url, lambda s: list(s.exec(select(m.ProgressReport)
                                                .order_by(m.ProgressReport.id))))


def _evidence(db_url: str) -> list[m.Evidence]:
    return query(db_url, lambda s: list(s.exec(select(m.Evidence).order_by(m.Evidence.id))))


def _buttons(message: dict) -> list[tuple[str, str]]:
    markup = message.get("reply_markup") or {}
    return [(b["text"], b.get("callback_data", "")) for row in markup.get("inline_keyboard", [])
            for b in row]


def _data(message: dict, prefix: str = "", label: str = "") -> str:
    found = [d for text, d in _buttons(message) if d.startswith(prefix) and label in text]
    assert len(found) == 1, (prefix, label, _buttons(message))
    return found[0]


@pytest.mark.once("files over the wire; storing a report runs on both databases in "
                  "tests/integration/test_report_*.py")
async def test_full_report_over_the_wire_with_photo_and_pdf(db_url, tmp_path):
    folder = tmp_path / "evidence"
    env = {**AS_OF, "PARBOT_EVIDENCE_DIR": str(folder)}
    async with FakeTelegram() as tg, BotProcess(tg, db_url, env=env) as bot:
        tg.send_command(AN, "/report")
        question = await tg.wait_for_message(AN, "trường nào")
        tg.press_button(AN, _data(question, "rep:u:", "Lê Lợi"))
        await tg.wait_for_message(AN, "Nhập tỷ lệ hiện tại")
        tg.send_text(AN, "abc")
        await tg.wait_for_message(AN, "chưa đọc được")
        tg.send_text(AN, "31/50")
        await tg.wait_for_message(AN, "Thêm ghi chú")
        tg.send_photo(AN, caption="Biên bản họp trực tuyến")
        await tg.wait_for_message(AN, "Đã nhận 1 tệp")
        pdf = b"%PDF-1.4\n% bien ban\n"
        tg.send_document(AN, "bien-ban.pdf", PDF, pdf)
        await tg.wait_for_message(AN, "Đã nhận 2 tệp")
        tg.send_document(AN, "ghi-am.mp3", "audio/mpeg", b"ID3")
        await tg.wait_for_message(AN, "Không nhận được tệp")
        tg.press_button(AN, "rep:done")
        summary = await tg.wait_for_message(AN, "Kiểm tra lại")
        assert "62% (31/50)" in summary["text"] and "2 tệp" in summary["text"]
        assert "Biên bản họp trực tuyến" in summary["text"]
        confirm = _data(summary, "rep:ok:")
        press = tg.press_button(AN, confirm)
        done = await tg.wait_for_message(AN, "Đã ghi nhận")
        assert "▓▓▓▓▓▓░░░░ 62% / 85%" in done["text"]
        assert "Chưa báo cáo: Trường Tiểu học Văn Yên" in done["text"]
        # Confirm pressed again, and the same press delivered again: still one report
        tg.press_button(AN, confirm)
        await tg.wait_for_message(AN, "đã được ghi nhận lúc")
        tg.send_duplicate(press["update_id"])
        await tg.wait_idle(quiet=0.3)
        assert bot.proc.returncode is None and "Traceback" not in bot.logs()
    [report] = await asyncio.to_thread(_reports, db_url)
    assert (report.numerator, report.denominator) == (31, 50)
    assert report.note == "Biên bản họp trực tuyến"
    files = await asyncio.to_thread(_evidence, db_url)
    assert [f.mime_type for f in files] == ["image/png", PDF]  # by the bytes (a PNG here)
    assert all(f.channel == "telegram" and f.report_id == report.id for f in files)
    assert files[1].file_name == "bien-ban.pdf" and files[1].size == len(pdf)
    assert Path(files[1].local_path).read_bytes() == pdf, "downloaded to PARBOT_EVIDENCE_DIR"
    assert Path(files[0].local_path).parent == folder


@pytest.mark.once("the conversation over the wire; its reads and writes run on both "
                  "databases in tests/integration/test_report_*.py")
async def test_quick_form_cancel_refusal_undo_and_pooled_schools(db_url):
    await asyncio.to_thread(_setup, db_url)
    async with FakeTelegram() as tg, BotProcess(tg, db_url, env=AS_OF, prepare=False):
        tg.send_command(ANH, "/report CQS-1 50")
        await tg.wait_for_message(ANH, "CQS-1 không được giao cho Anh/Chị")
        tg.send_command(ANH, "/report TC-1 62,5 đã rà soát")
        summary = await tg.wait_for_message(ANH, "Kiểm tra lại")
        assert "Giá trị: 62,5%" in summary["text"] and "Ghi chú: đã rà soát" in summary["text"]
        tg.press_button(ANH, "rep:cancel")
        await tg.wait_for_message(ANH, "Đã hủy báo cáo")
        tg.send_command(ANH, "/report TC-1 70")
        summary = await tg.wait_for_message(ANH, "Kiểm tra lại")
        tg.press_button(ANH, _data(summary, "rep:ok:"))
        await tg.wait_for_message(ANH, "Đã ghi nhận 70% cho TC-1")
        tg.send_command(ANH, "/undo")  # issue 13: asks first
        asked = await tg.wait_for_message(ANH, "Rút lại báo cáo 70% cho TC-1")
        tg.press_button(ANH, _data(asked, "undo:", "Rút lại"))
        await tg.wait_for_message(ANH, "Đã rút lại báo cáo 70% cho TC-1")

        for user, value in ((BINH, "31/50"), (MAI, "20/30")):
            tg.send_text(user, f"báo cáo CQS-1 {value}")
            summary = await tg.wait_for_message(user, "Kiểm tra lại")
            tg.press_button(user, _data(summary, "rep:ok:"))
        first = await tg.wait_for_message(BINH, "Đã ghi nhận")
        assert "Chưa báo cáo: Trường Tiểu học Văn Yên" in first["text"]
        second = await tg.wait_for_message(MAI, "Đã ghi nhận")
        assert "(2/2 trường đã báo cáo): 63,8% (51/80)" in second["text"]
    stored = await asyncio.to_thread(_reports, db_url)
    assert [(r.value, r.withdrawn_at is not None) for r in stored] == [
        (70, True), (62, False), (66.67, False)]


async def test_kill_9_in_the_middle_of_a_report_then_restart_and_finish(db_url):
    await asyncio.to_thread(_setup, db_url)
    async with FakeTelegram() as tg:
        bot = BotProcess(tg, db_url, env=AS_OF, prepare=False)
        await bot.start()
        tg.send_command(ANH, "/report TC-1")
        await tg.wait_for_message(ANH, "Nhập tỷ lệ hiện tại")
        value = tg.send_text(ANH, "62")
        await tg.wait_for_message(ANH, "Thêm ghi chú")
        await bot.kill()  # kill -9 right after the answer: nothing flushed on the way out

        await bot.start()
        since = len(tg.calls)
        tg.send_duplicate(value["update_id"])  # Telegram hands the value out once more
        await tg.wait_idle(quiet=0.5)
        assert [r for r in tg.sent_messages(ANH) if r["call_index"] >= since] == [], \
            "the redelivered value is not taken again (as the note)"
        after_restart = bot.logs().split('"msg": "channel running"')[-1]
        assert f'"update_id": {value["update_id"]},' in after_restart, \
            "the value did reach the restarted bot (unconfirmed or redelivered)"
        tg.send_text(ANH, "ghi chú sau sự cố")
        await tg.wait_for_message(ANH, "Gửi ảnh hoặc tệp minh chứng")
        tg.press_button(ANH, "rep:done")
        summary = await tg.wait_for_message(ANH, "Kiểm tra lại")
        assert "Giá trị: 62%" in summary["text"] and "ghi chú sau sự cố" in summary["text"]
        confirm = _data(summary, "rep:ok:")
        tg.press_button(ANH, confirm)
        await tg.wait_for_message(ANH, "Đã ghi nhận 62% cho TC-1")
        await bot.kill()  # and once more, right after Confirm

        # restarted a little later: with the same PARBOT_AS_OF its clock would start before
        # the report just made, and nothing after "now" counts (issue 13)
        bot.extra_env = {"PARBOT_AS_OF": "2025-05-10T10:00:00"}
        await bot.start()
        tg.press_button(ANH, confirm)  # pressed again after the restart
        await tg.wait_for_message(ANH, "đã được ghi nhận lúc")
        tg.send_command(ANH, "/history TC-1")
        history = await tg.wait_for_message(ANH, "Báo cáo gần đây")
        assert history["text"].count("62%") == 1

        # a report left open over a restart 45 minutes later is closed, with a message
        tg.send_command(ANH, "/report TC-2")
        await tg.wait_for_message(ANH, "Nhập tỷ lệ hiện tại")
        await bot.kill()
        bot.extra_env = {**bot.extra_env, "PARBOT_AS_OF": "2025-05-10T10:45:00"}
        await bot.start()
        tg.send_text(ANH, "35")
        closed = await tg.wait_for_message(ANH, "đã đóng vì không có thao tác")
        assert "TC-2" in closed["text"] and "30 phút" in closed["text"]
        await bot.stop()
    [report] = await asyncio.to_thread(_reports, db_url)
    assert (report.value, report.note) == (62, "ghi chú sau sự cố")


@pytest.mark.once("the same parsing on both databases")
async def test_every_value_format_and_the_rejected_ones_over_the_wire(db_url):
    from tests.integration.test_report_flow import ACCEPTED, REJECTED

    await asyncio.to_thread(_setup, db_url)
    async with FakeTelegram() as tg, BotProcess(tg, db_url, env=AS_OF, prepare=False) as bot:
        for code, typed, _, _ in ACCEPTED:
            tg.send_command(ANH, f"/report {code} {typed.strip()}")
            summary = await tg.wait_for_message(ANH, "Kiểm tra lại")
            tg.press_button(ANH, _data(summary, "rep:ok:"))
            await tg.wait_for_message(ANH, "Đã ghi nhận")
        for code, typed, why in REJECTED:
            tg.send_command(ANH, f"/report {code}")
            await tg.wait_for_message(ANH, "hạn 31/12/2025")
            tg.send_text(ANH, typed)
            answer = await tg.wait_for_message(ANH, why)
            assert "Ví dụ:" in answer["text"] and ("Nhập tỷ lệ" in answer["text"]
                                                   or "hoàn thành chưa" in answer["text"])
            tg.send_command(ANH, "/cancel")
            await tg.wait_for_message(ANH, "Đã hủy")
        assert "Traceback" not in bot.logs()
    stored = await asyncio.to_thread(_reports, db_url)
    assert [r.value for r in stored] == [value for _, _, value, _ in ACCEPTED]
