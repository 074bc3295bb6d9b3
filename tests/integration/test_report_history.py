"""/history and /undo: who sees which reports, withdrawing within the window, the audit log."""

from __future__ import annotations

from bot.core.clock import clock
from tests.chat import Chat
from tests.report_helpers import (
    audit,
    menu,
    office_fixture,  # noqa: F401  (the `office` fixture)
    press,
    reports,
    to_summary,
)


async def report(chat: Chat, user: dict, code: str, value: str) -> None:
    await to_summary(chat, user, code, value)
    assert "Đã ghi nhận" in await press(chat, user, "rep:ok:")


async def undo(chat: Chat, user: dict) -> str:
    """/undo, then its confirmation (issue 13: /undo no longer acts at once)."""
    asked = await chat.text(user, "/undo")
    data = [d for _, d in menu(chat, user) if d.startswith("undo:") and d != "undo:keep"]
    if not data:
        return asked
    assert "Rút lại báo cáo" in asked or "Withdraw the report" in asked, asked
    return await press(chat, user, data[0])


async def test_undo_within_the_window_withdraws_and_keeps_the_report(office):
    async with Chat(office) as chat:
        anh = chat.officer("Diệu Anh")
        await report(chat, anh, "TC-1", "40 lần đầu")
        clock.advance(minutes=10)
        await report(chat, anh, "TC-2", "55")
        clock.advance(minutes=59)
        asked = await chat.text(anh, "/undo")
        assert "Rút lại báo cáo 55% cho TC-2" in asked and reports(office)[1].withdrawn_at is None
        assert [label for label, _ in menu(chat, anh)] == ["↩️ Rút lại", "Giữ nguyên"]
        out = await press(chat, anh, f"undo:{reports(office)[1].id}")
        assert "Đã rút lại báo cáo 55% cho TC-2" in out and "vẫn được lưu" in out
        first, second = reports(office)
        assert second.withdrawn_at is not None and first.withdrawn_at is None
        assert [a.entity_id for a in audit(office, "report.withdraw")] == [second.id]
        # issue 13: the next /undo does not reach back to the report before; it says the
        # last one is withdrawn (it used to look at TC-1: "too old")
        out = await chat.text(anh, "/undo")
        assert "đã được rút lại" in out and "không rút tiếp báo cáo trước đó" in out
        assert reports(office)[0].withdrawn_at is None
        history = await chat.text(anh, "/history")
        assert "TC-2 · 55% · Nguyễn Thị Diệu Anh (đã rút lại)" in history
        assert "TC-1 · 40%" in history and "Ghi chú: lần đầu" in history


async def test_undo_window_setting_and_nothing_to_undo(office):
    async with Chat(office, PARBOT_UNDO_MINUTES=5) as chat:
        anh = chat.officer("Diệu Anh")
        assert "chưa có báo cáo nào để rút lại" in await chat.text(anh, "/undo")
        await report(chat, anh, "TC-1", "40")
        clock.advance(minutes=6)
        assert "trong vòng 5 phút" in await chat.text(anh, "/undo")
        await report(chat, anh, "TC-1", "45")
        clock.advance(minutes=4)
        assert "Rút lại báo cáo 45%" in await chat.text(anh, "/undo")
        assert "Đã giữ nguyên" in await press(chat, anh, "undo:keep")
        assert reports(office)[-1].withdrawn_at is None
        assert "Đã rút lại báo cáo 45%" in await undo(chat, anh)
        # the 40% before it stays withdrawn-free: /undo stops at the last report
        first = reports(office)[0]
        assert "đã được rút lại" in await undo(chat, anh) and first.withdrawn_at is None


async def test_undo_withdraws_only_ones_own_report(office):
    async with Chat(office) as chat:
        binh, mai = chat.officer("Văn Bình"), chat.officer("Trần Thị Mai")
        await report(chat, binh, "CQS-1", "31/50")
        assert "chưa có báo cáo nào" in await chat.text(mai, "/undo")
        assert reports(office)[0].withdrawn_at is None
        # a leader may undo their own reports only: Bình's stays
        assert "chưa có báo cáo nào" in await chat.text(chat.officer("Thắng"), "/undo")
        assert reports(office)[0].withdrawn_at is None
        assert "Lệnh /undo không dành cho" in await chat.text(chat.officer("Minh Quân"), "/undo")


async def test_history_by_role(office):
    async with Chat(office) as chat:
        anh, an = chat.officer("Diệu Anh"), chat.officer("Tuấn An")
        binh = chat.officer("Văn Bình")
        leader = chat.officer("Thắng")
        await report(chat, anh, "TC-1", "40")
        await report(chat, binh, "CQS-1", "31/50")
        await chat.text(an, "/report CQS-1 20/30")
        await press(chat, an, "rep:u:")  # the first school: Lê Lợi
        await press(chat, an, "rep:ok:")
        clock.advance(minutes=1)

        own = await chat.text(anh, "/history")
        assert "của Anh/Chị" in own and "TC-1 · 40%" in own and "CQS-1" not in own
        target = await chat.text(anh, "/history tc-1")
        assert "Báo cáo gần đây — TC-1" in target and "Diệu Anh" in target
        refused = await chat.text(anh, "/history CQS-1")
        assert "CQS-1 không được giao cho Anh/Chị" in refused and "TC-1" in refused
        assert "Không có chỉ tiêu mã ZZ-1" in await chat.text(anh, "/history ZZ-1")

        school = await chat.text(binh, "/history")
        assert "của trường" in school
        assert school.count("CQS-1") == 2, "the principal's and Tuấn An's report for Lê Lợi"
        assert "TC-1" not in school
        assert "không đo theo từng trường" in await chat.text(binh, "/history TC-1")

        everything = await chat.text(leader, "/history")
        assert all(code in everything for code in ("TC-1 · 40%", "62% (31/50)", "66,7% (20/30)"))
        any_target = await chat.text(leader, "/history CQS-1")
        assert "Nguyễn Văn Bình (Trường THCS Lê Lợi)" in any_target
        assert "Nguyễn Tuấn An (Trường THCS Lê Lợi)" in any_target
        assert "Chưa có báo cáo nào" in await chat.text(leader, "/history TC-3")
        assert "chưa có trong danh sách" in await chat.text(chat.user(), "/history")


async def test_history_shows_evidence_count_and_english(office):
    async with Chat(office) as chat:
        anh = chat.officer("Diệu Anh", language_code="en")
        await chat.text(anh, "/lang en")
        await chat.text(anh, "/report TC-1")
        await chat.text(anh, "50")
        await chat.feed(chat.request.photo_update(anh, "P-1"))
        await press(chat, anh, "rep:done")
        await press(chat, anh, "rep:ok:")
        out = await chat.text(anh, "/history")
        assert "Your recent reports" in out and "TC-1 · 50% · Nguyễn Thị Diệu Anh 📎1" in out
        assert "Withdrew the report 50% for TC-1" in await undo(chat, anh)
        assert "(withdrawn)" in await chat.text(anh, "/history TC-1")
