"""Issue 13, point 7: the small things a newcomer tripped on — the value step's ✖ and words,
the console's saved files, the options footer after /lang en, /target's area buttons, a bare
number with nothing open, and /invite by a folded name."""

from __future__ import annotations

import datetime as dt

from bot.channels.bridge import Outgoing
from bot.channels.console import ConsoleRequest
from bot.core.clock import clock
from bot.people import identity
from tests.chat import Chat
from tests.report_helpers import (
    drafts,
    menu,
    office_fixture,  # noqa: F401  (the `office` fixture)
    press,
    reports,
)


async def test_the_value_step_has_a_cancel_button_and_takes_words(office):
    async with Chat(office) as chat:
        anh = chat.officer("Diệu Anh")
        out = await chat.text(anh, "/report TC-1")
        assert [d for _, d in menu(chat, anh)] == ["rep:cancel"]
        assert "✖ Hủy — gõ “hủy” để chọn." in out and "Gõ “hủy” hoặc /cancel để dừng" in out
        # a typed number is the value, never a press of the lone ✖
        out = await chat.text(anh, "1")
        assert "Thêm ghi chú" in out
        await chat.text(anh, "/cancel")
        await chat.text(anh, "/report TC-1")
        out = await chat.text(anh, "tỷ lệ này tính thế nào?")
        assert "không phải giá trị" in out and "chưa đọc được giá trị" not in out
        assert drafts(office), "still waiting for the value"
        out = await chat.text(anh, "huy")
        assert "Đã hủy báo cáo, chưa có gì được lưu" in out and drafts(office) == {}
        await chat.text(anh, "/report TC-1")
        out = await press(chat, anh, "rep:cancel")
        assert "Đã hủy báo cáo" in out
    assert not reports(office)


async def test_the_footer_follows_lang_and_counts_one_option_right(office):
    async with Chat(office) as chat:
        an = chat.officer("Tuấn An")
        usage = await chat.text(an, "/target")
        assert "1. 🗂 CDDH" in usage and "1. 1." not in usage  # numbered once
        assert "Trả lời bằng số (1-7)." in usage
        await chat.text(an, "/lang en")
        english = await chat.text(an, "/target")
        assert "Reply with a number (1-7)." in english and "Trả lời bằng số" not in english
    one = Outgoing("1", "📊", [("📊 Tình hình", "cmd:status")])
    assert one.render("vi").endswith("1. 📊 Tình hình\nTrả lời 1 để chọn.")
    assert one.render("en").endswith("Reply 1 to choose it.") and "(1-1)" not in one.render()


async def test_a_bare_number_with_nothing_open_is_not_area_one(office):
    async with Chat(office) as chat:
        an = chat.officer("Tuấn An")
        await chat.text(an, "/history")  # a reply without buttons
        out = await chat.text(an, "1")
        assert "không ứng với lựa chọn nào đang mở" in out
        assert "Công tác chỉ đạo, điều hành" not in out


def test_invite_by_a_folded_whole_name(office):
    assert [name for _, name in identity.find_officers(office, "hung")] == ["Trịnh Văn Hùng"]
    assert [name for _, name in identity.find_officers(office, "nhung")] == \
        ["Đỗ Thị Tuyết Nhung"]
    assert len(identity.find_officers(office, "thi")) > 1  # still ambiguous when it is


async def test_the_console_saves_each_chart_under_its_own_name(tmp_path):
    clock.set(dt.datetime(2025, 5, 19, 7, 30))
    request = ConsoleRequest(out=open(tmp_path / "out.txt", "w"), files_dir=tmp_path / "files")
    png = b"\x89PNG\r\n\x1a\n" + b"0" * 10
    for _ in range(2):
        await request.deliver(Outgoing("1", "📊", file_name="application.octet-stream",
                                       file_bytes=png, kind="photo"))
    await request.deliver(Outgoing("1", "", file_name="bao-cao.docx", file_bytes=b"PK",
                                   kind="document"))
    names = sorted(p.name for p in (tmp_path / "files").iterdir())
    assert names == ["bao-cao.docx", "photo-20250519-073000-2.png", "photo-20250519-073000.png"]
    request.out.close()
