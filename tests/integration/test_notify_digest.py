"""The weekly leadership digest: its content for a seeded database, its chart (Vietnamese glyphs,
readable size), /digest on demand, and delivery on each leader's day and time."""

from __future__ import annotations

import datetime as dt
import warnings

from sqlmodel import Session, select

from bot.core.clock import clock
from bot.core.text import split_text
from bot.notify import notification_log as notifications
from bot.notify.digest import (
    build_digest,
    details_replies,
    details_text,
    digest_chart,
    digest_replies,
    digest_text,
)
from bot.notify.submissions import mark_obligation_done
from bot.paperwork.charts import Bar, ChartText, png_size, progress_chart
from bot.people import identity
from bot.progress import NewReport, ParsedValue, record_report
from storage import models as m
from tests.notify_support import (
    CHANNEL,
    ScriptedRequest,
    TickBot,
    at,
    chat_of,
    days,
    seed_office,
    to,
)

D = dt.date
VIETNAMESE = ("ĂÂĐÊÔƠƯăâđêôơư àảãáạ ằẳẵắặ ầẩẫấậ èẻẽéẹ ềểễếệ ìỉĩíị òỏõóọ ồổỗốộ ờởỡớợ ùủũúụ "
              "ừửữứự ỳỷỹýỵ ÀẢÃÁẠ ỲỶỸÝỴ — Công tác chỉ đạo, điều hành; Cải cách thủ tục hành chính")


def seed_reports(engine, people) -> dict[str, int]:
    """A few reports in late May 2025 (and one long before)."""
    with Session(engine) as session:
        targets = {t.code: t.id for t in session.exec(select(m.Target))}
    an, hau, dung = people["Tuấn An"], people["Bích Hậu"], people["Ngọc Dũng"]
    clock.set(dt.datetime(2025, 3, 3, 9))
    record_report(engine, NewReport(targets["TTHC-2"], hau, ParsedValue(20)))
    clock.set(dt.datetime(2025, 5, 28, 10))
    for code, officer, value in [("CQS-1", an, 62), ("TTHC-2", hau, 30), ("TTHC-4", hau, 48),
                                 ("TC-1", people["Diệu Anh"], 100), ("CV-2", dung, 10),
                                 ("CDDH-2", people["Văn Thắng"], 91)]:
        record_report(engine, NewReport(targets[code], officer, ParsedValue(value)))
    return targets


def test_digest_content_for_a_seeded_database(engine):
    people = seed_office(engine, dt.datetime(2025, 2, 3, 9))
    seed_reports(engine, people)
    d = build_digest(engine, clock.localize(dt.datetime(2025, 6, 2, 7, 30)))
    assert d.week == (2025, 23)
    states = {row.code: row.state for area in d.areas for row in area.targets}
    assert len(states) == 25 and [a.code for a in d.areas][:3] == ["CDDH", "TC", "TTHC"]
    assert states["TC-1"] == "achieved" and states["CDDH-2"] == "achieved"
    assert states["CQS-1"] == "on_track"  # 62% on 28/5 is above the straight line to 85%
    assert states["TTHC-2"] == "behind"  # 20 → 30 in three months, 50 points still needed
    assert states["TC-3"] == "no_data"
    assert d.new_reports == 6 and d.reporters[0] == "Bích Hậu"
    assert set(d.reporters) == {"Bích Hậu", "Tuấn An", "Diệu Anh", "Ngọc Dũng", "Văn Thắng"}
    # issue 13: the rate counts every officer with an assignment (a target or a recurring
    # report, responsible or coordinating: 12 in the example roster), as the workbook does —
    # it used to count only those responsible for a target (8); 5 of them reported
    assert (d.reported, d.assigned) == (5, 12)
    overdue = {(tr.item.code, tr.item.period) for tr in d.overdue}
    assert ("BC-CCHC-QUY", "2025-Q2") in overdue and ("BC-TTHC-THANG", "2025-05") in overdue
    assert ("BC-TTHC-THANG", "2025-02") not in overdue, "more than 90 days ago"
    assert [(tr.item.code, tr.item.period) for tr in d.due_soon] == [] or \
        all(tr.item.last_day <= D(2025, 6, 16) for tr in d.due_soon)

    short = digest_text(d, "vi")
    assert len(short) <= 1200 and short.startswith("📊 Bản tin tuần 23/2025")
    assert "🎯 Chỉ tiêu: ✅ Đạt 2 · 🟢 Đúng tiến độ" in short
    assert "❗ Cần xử lý" in short and "🔴 TTHC-2 TTHC được đơn giản hóa: 30% / ≥ 80%" in short
    assert "Chưa nộp Báo cáo CCHC định kỳ về Văn phòng" in short and "— Diệu Anh" in short
    todo = short.split("❗ Cần xử lý")[1].splitlines()[1:]
    assert 3 <= sum(1 for line in todo if line.startswith("• ")) <= 5
    text = details_text(d, "vi")
    assert text.startswith("📊 Bản tin tuần 23/2025 — KH 737/KH-PGDĐT (số liệu đến 02/6/2025)")
    assert "✅ Đạt 2 · 🟢 Đúng tiến độ" in text and "⚪ Chưa có số liệu 19" in text
    assert "✅ TC-1 Rà soát văn bản hướng dẫn, thi hành lĩnh vực GDĐT — 100% / ≥ 100%" in text
    assert "🔴 TTHC-2 TTHC được đơn giản hóa — 30% / ≥ 80%" in text
    assert "🟢 CQS-1 Tỷ lệ cuộc họp trực tuyến — 62% / ≥ 85%" in text
    assert "📝 7 ngày qua: 6 báo cáo mới (Bích Hậu, " in text
    assert ("• Báo cáo CCHC định kỳ về Văn phòng Sở (kỳ Quý II/2025) — trước 01/6/2025 "
            "(quá hạn 2 ngày) — Diệu Anh") in text
    assert "👥 Cán bộ đã báo cáo trong 30 ngày qua: 5/12 người có việc được giao (41,7%)." in text
    english = details_text(d, "en")
    assert "Weekly digest 23/2025" in english and "Share of meetings held online" in english


def test_digest_due_soon_lists_owners_and_marks_what_is_sent(engine):
    people = seed_office(engine, dt.datetime(2025, 5, 1, 9))
    clock.set(dt.datetime(2025, 5, 16, 9))
    with Session(engine) as session:
        tthc = session.exec(select(m.Obligation).where(m.Obligation.code == "BC-TTHC-THANG")).one()
    hau = identity.officer_actor(engine, people["Bích Hậu"])
    assert mark_obligation_done(engine, hau, tthc.id, "2025-05").status == "done"
    d = build_digest(engine, clock.localize(dt.datetime(2025, 5, 19, 7, 30)))
    soon = [(tr.item.code, tr.item.period, tr.owner_names, tr.done) for tr in d.due_soon]
    assert soon == [("BC-CCHC-QUY", "2025-Q2", ("Diệu Anh",), False),
                    ("BC-TTHC-THANG", "2025-05", ("Bích Hậu", "Minh Lý", "Kim Sa"), True)]
    text = details_text(d, "vi")
    assert ("📅 14 ngày tới:\n• Báo cáo CCHC định kỳ về Văn phòng Sở (kỳ Quý II/2025) — "
            "trước 01/6/2025 (còn 12 ngày) — Diệu Anh\n"
            "• ✅ Báo cáo kết quả giải quyết TTHC hàng tháng (kỳ 5/2025) — "
            "hạn 31/5/2025 (còn 12 ngày) — Bích Hậu, Minh Lý, Kim Sa") in text


def test_chart_renders_vietnamese_without_missing_glyphs_at_a_phone_size(engine):
    people = seed_office(engine, dt.datetime(2025, 2, 3, 9))
    seed_reports(engine, people)
    d = build_digest(engine, clock.localize(dt.datetime(2025, 6, 2, 7, 30)))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        png = digest_chart(d, "vi")
        extra = progress_chart([(VIETNAMESE, [Bar(VIETNAMESE, 55.0, "at_risk", VIETNAMESE)])],
                               ChartText(VIETNAMESE, VIETNAMESE, VIETNAMESE,
                                         {"at_risk": VIETNAMESE}))
    glyphs = [str(w.message) for w in caught if "Glyph" in str(w.message)
              or "missing from" in str(w.message)]
    assert glyphs == []
    width, height = png_size(png)
    assert width == 1080, "7.2 in at 150 dpi: sharp on a phone, no sideways scrolling"
    assert height >= 25 * 0.34 * 150, "a row per target"
    assert height / width < 20 and width + height < 10000, "within Telegram's photo limits"
    assert png_size(extra)[0] == 1080


def test_the_glyph_check_would_catch_a_font_without_the_characters():
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        progress_chart([("漢字", [Bar("漢字", 10.0, "behind", "漢字")])],
                       ChartText("漢字", "x", "y", {"behind": "z"}))
    assert any("Glyph" in str(w.message) for w in caught)


def test_long_digests_are_cut_at_line_breaks():
    text = "\n".join(f"dòng {i} " + "x" * 90 for i in range(120))
    chunks = split_text(text, 1000)
    assert all(len(c) <= 1000 for c in chunks) and "\n".join(chunks) == text
    assert split_text("a" * 2500, 1000) == ["a" * 1000, "a" * 1000, "a" * 500]


async def test_digest_on_demand_for_leaders_only(engine):
    people = seed_office(engine, dt.datetime(2025, 5, 14, 10))
    async with TickBot(engine) as bot:
        clock.set(dt.datetime(2025, 5, 20, 15))
        out = await bot.say(people["Văn Thắng"], "/digest")
        assert [o.kind for o in out] == ["text"]  # issue 13: one phone-size message
        assert out[0].text.startswith("📊 Bản tin tuần 21/2025") and len(out[0].text) <= 1300
        details = await bot.say(people["Văn Thắng"], "1")  # 📋 Chi tiết + biểu đồ
        assert [o.kind for o in details] == ["photo", "text"]
        assert details[0].file_bytes[:8] == b"\x89PNG\r\n\x1a\n"
        assert "1. Công tác chỉ đạo, điều hành" in details[1].text
        refused = await bot.say(people["Tuấn An"], "/digest")
        assert "không dành cho vai trò" in refused[0].text
        admin = await bot.say(people["Minh Quân"], "/digest")
        assert admin[0].kind == "text" and admin[0].text.startswith("📊 Bản tin tuần")
    assert not notifications.entries(engine, f"{CHANNEL}:digest:"), "on demand is not logged"


async def test_weekly_digest_goes_to_leaders_on_their_day_and_time(engine):
    people = seed_office(engine, dt.datetime(2025, 5, 14, 10))
    leader = people["Văn Thắng"]
    async with TickBot(engine) as bot:
        assert not to(await bot.tick(at(D(2025, 5, 19), 7, 29)), leader)
        out = to(await bot.tick(at(D(2025, 5, 19), 7, 30)), leader)
        assert [o.kind for o in out] == ["text"]
        assert "tuần 21/2025" in out[0].text and "gửi bù" not in out[0].text
        assert not to(await bot.tick(at(D(2025, 5, 19), 8)), leader)
        assert not [o for o in await bot.tick(at(D(2025, 5, 19), 9)) if "Bản tin" in o.text]
        reply = await bot.say(leader, "/digestday thứ 5 16:00")
        assert "Thứ Năm lúc 16:00" in reply[0].text
        assert not to(await bot.tick(at(D(2025, 5, 22), 15, 59)), leader)
        sent = [o for o in await bot.tick(at(D(2025, 5, 22), 16)) if "Bản tin" in o.text]
        assert sent == [], "this week's digest was already sent on Monday"
        sent = [o for o in to(await bot.tick(at(D(2025, 5, 29), 16)), leader)
                if "Bản tin" in o.text]
        assert len(sent) == 1 and "tuần 22/2025" in sent[0].text
        assert "Đã tắt" in (await bot.say(leader, "/digestday off"))[0].text
        for day in days(D(2025, 6, 2), D(2025, 6, 12)):
            assert not [o for o in to(await bot.tick(at(day, 16)), leader)
                        if "Bản tin" in o.text]
        # officers cannot choose a digest day
        refused = await bot.say(people["Tuấn An"], "/digestday thứ 2 07:30")
        assert "không dành cho vai trò" in refused[0].text


async def test_a_holiday_holds_the_digest_and_a_down_bot_catches_up_once(engine):
    people = seed_office(engine, dt.datetime(2025, 8, 20, 10))
    leader = people["Văn Thắng"]
    async with TickBot(engine) as bot:
        # Mon 1/9 and Tue 2/9/2025 are the National Day holidays
        assert not to(await bot.tick(at(D(2025, 9, 1), 7, 30)), leader)
        assert not to(await bot.tick(at(D(2025, 9, 2), 9)), leader)
        out = to(await bot.tick(at(D(2025, 9, 3), 7, 0)), leader)
        assert [o.kind for o in out] == ["text"]
        assert "Bản tin gửi bù cho ngày 01/9/2025" in out[0].text
        assert not to(await bot.tick(at(D(2025, 9, 3), 7, 1)), leader)
    [row] = [e for e in notifications.entries(engine, f"{CHANNEL}:digest:{leader}:")
             if e.key.endswith("2025-W36")]
    assert row.status == "sent" and row.late


async def test_a_digest_that_fails_is_sent_at_a_later_tick_once(engine):
    """The weekly message is one part now (the chart is behind its button): a 502 leaves it
    pending and the next tick sends it, once."""
    people = seed_office(engine, dt.datetime(2025, 5, 14, 10))
    leader = people["Văn Thắng"]
    request = ScriptedRequest()
    async with TickBot(engine, request) as bot:
        clock.set(at(D(2025, 5, 19), 7, 30))
        original = request.do_request
        calls = {"n": 0}

        async def flaky(url, method, request_data=None, *args, **kwargs):
            if url.endswith("sendMessage") and str(request_data.parameters.get("chat_id")) == \
                    chat_of(leader) and calls["n"] == 0:
                calls["n"] += 1
                return 502, b'{"ok":false,"error_code":502,"description":"Bad Gateway"}'
            return await original(url, method, request_data, *args, **kwargs)

        request.do_request = flaky
        first = to(await bot.tick(), leader)
        assert [o for o in first if "Bản tin" in o.text] == []
        [row] = notifications.entries(engine, f"{CHANNEL}:digest:{leader}:")
        assert row.status == "pending"
        second = to(await bot.tick(at(D(2025, 5, 19), 7, 35)), leader)
        assert [o.kind for o in second if "Bản tin" in o.text] == ["text"]
        [row] = notifications.entries(engine, f"{CHANNEL}:digest:{leader}:")
        assert row.status == "sent"
        assert not [o for o in to(await bot.tick(at(D(2025, 5, 19), 7, 40)), leader)
                    if "Bản tin" in o.text]


def test_replies_keep_the_caption_within_telegram_limits(engine):
    seed_office(engine, dt.datetime(2025, 5, 14, 10))
    d = build_digest(engine, clock.localize(dt.datetime(2025, 5, 19, 7, 30)))
    [short] = digest_replies(d, "vi")
    assert len(short.text) <= 1200 and short.photo is None
    assert [b.data for row in short.buttons for b in row] == ["digest:details", "cmd:export",
                                                              "cmd:quarterly"]
    replies = details_replies(d, "vi", chart=b"png")
    assert replies[0].photo == b"png" and len(replies[0].text) <= 1024
    assert all(len(r.text) <= 4096 for r in replies)
    assert [b.data for b in replies[-1].buttons[0]] == ["cmd:status"]
