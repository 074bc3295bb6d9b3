"""/due, /target, /who, /status and typed questions through the real Application and handlers
(in-process), with the clock set: role-aware /due, buttons that re-ask, the report phrase left
to /report, guests, English."""

from __future__ import annotations

import datetime as dt

from bot.core.clock import clock
from tests.answers_seed import seed_737, seed_ward
from tests.chat import Chat


def _at(day: dt.date) -> None:
    clock.set(dt.datetime.combine(day, dt.time(9, 0)))


async def test_due_depends_on_who_asks(engine):
    seed_737(engine, reports=False)
    _at(dt.date(2025, 11, 10))  # quarter IV/2025: the plan's last quarter
    async with Chat(engine) as chat:
        officer = await chat.text(chat.officer("Tuấn An"), "/due")
        principal = await chat.text(chat.officer("Văn Bình"), "/due")
        leader = await chat.text(chat.officer("Văn Thắng"), "/due")
    for out in (officer, principal, leader):
        assert "Quý IV/2025 (01/10 - 31/12/2025)" in out
        assert "Tổng kết Kế hoạch CCHC giai đoạn 2021-2025" in out  # reviews concern everyone
    # the officer: their own target, not other people's targets; the office's reports others
    # send are listed apart
    assert "Chỉ tiêu CQS-1" in officer and "hạn 31/12/2025 (còn 51 ngày)" in officer
    own_part, office = officer.split("Báo cáo chung của phòng")
    assert "TTHC hàng tháng" not in own_part and "TC-1" not in officer
    assert "Báo cáo kết quả giải quyết TTHC hàng tháng" in office
    # the principal: the reports schools feed and the targets measured per school
    assert "Báo cáo CCHC định kỳ về Văn phòng Sở (Quý III/2025): trước 01/12/2025" in principal
    assert "Báo cáo kết quả giải quyết TTHC hàng tháng" in principal
    for code in ("CQS-1", "CV-1", "CV-2", "CV-3"):
        assert f"Chỉ tiêu {code}" in principal
    assert "TC-1" not in principal and "TCBM-1" not in principal
    # the leader: everything
    for code in ("TC-1", "TCBM-1", "CQS-1", "CDDH-2"):
        assert f"Chỉ tiêu {code}" in leader
    assert leader.index("Sắp đến hạn") < leader.index("(KH 737")


async def test_due_arguments_order_and_overdue(engine):
    seed_737(engine)
    _at(dt.date(2025, 5, 10))
    async with Chat(engine) as chat:
        leader = chat.officer("Văn Thắng")
        week = await chat.text(leader, "/due tuần")
        assert "Tuần này (05/5 - 11/5/2025)" in week
        assert "Không có việc nào đến hạn" in week and "Việc gần nhất sau đó" in week
        named = await chat.text(leader, "/due III/2025")
        assert "Quý III/2025" in named and "3 lần (31/7, 31/8, 30/9)" in named
        past = await chat.text(leader, "/due I/2025")
        assert "trước 01/3/2025 (đã qua)" in past
        usage = await chat.text(leader, "/due ngày mai nhé")
        assert "/due tuần | tháng | quý | năm" in usage
        quarter = await chat.text(leader, "/due")
        lines = quarter.split("Sắp đến hạn:")[1].splitlines()
        first = next(i for i, x in enumerate(lines) if "trước 01/6/2025" in x)
        second = next(i for i, x in enumerate(lines) if "hạn 30/6/2025" in x)
        assert first < second, "by date"
        # a button re-asks for another period
        month = await chat.text(leader, "2")  # "Tháng này"
        assert "Tháng 5/2025 (01/5 - 31/5/2025)" in month
    _at(dt.date(2026, 1, 12))
    async with Chat(engine) as chat:
        late = await chat.text(chat.officer("Văn Thắng"), "/due")
    assert "Quá hạn (" in late and "⛔" in late
    assert late.index("Quá hạn (") < late.index("Không có việc nào đến hạn")
    assert "đã kết thúc" in late and "không còn từ 01/7/2025" in late


async def test_target_who_status_commands(engine):
    seed_737(engine)
    _at(dt.date(2025, 5, 10))
    async with Chat(engine) as chat:
        an = chat.officer("Tuấn An")
        target = await chat.text(an, "/target CQS-1")
        assert "🎯 CQS-1 · Tỷ lệ cuộc họp trực tuyến" in target
        assert "GĐ 2024-2025: ≥ 85% — hạn 31/12/2025" in target
        assert "▓▓▓▓▓▓▓░░░ 70% / ≥ 85%" in target
        assert "Xu hướng: ↗" in target and "Cần khoảng" in target
        assert "(KH 737, Phụ lục, GĐ 2021-2023, dòng 6" in target
        words = await chat.text(an, "/target hop truc tuyen")
        assert "🎯 CQS-1" in words
        usage = await chat.text(an, "/target")
        assert "/target CQS-1" in usage and "7. 🗂 CQS" in usage
        who = await chat.text(an, "/who SIPAS")
        assert "CDDH-2" in who and "Phan Văn Thắng (phụ trách)" in who
        reverse = await chat.text(an, "/who Diệu Anh")
        assert "TC-1" in reverse and "BC-CCHC-QUY" in reverse
        status = await chat.text(an, "/status")
        assert "Tình hình thực hiện KH 737 (đến 10/5/2025)" in status
        assert "🔻 3. Cải cách thủ tục hành chính (TTHC): chậm tiến độ" in status
        area = await chat.text(an, "/status 3")
        assert "TTHC-2 TTHC được đơn giản hóa: 30% / ≥ 80% — Chậm tiến độ." in area
        unknown = await chat.text(an, "/status vũ trụ")
        assert "không tìm thấy lĩnh vực" in unknown and "1. 🗂 CDDH" in unknown
        assert "1. 1." not in unknown


async def test_typed_questions_and_their_buttons(engine):
    seed_737(engine)
    _at(dt.date(2025, 5, 10))
    async with Chat(engine) as chat:
        binh = chat.officer("Văn Bình")
        due = await chat.text(binh, "quy nay co gi den han")
        assert "Quý II/2025" in due and "trước 01/6/2025 (còn 21 ngày)" in due
        sipas = await chat.text(binh, "chi tieu sipas nam 2025")
        assert "CDDH-2" in sipas and "90–95%" in sipas and "(KH 737, mục I.3.1)" in sipas
        lost = await chat.text(binh, "thời tiết hôm nay thế nào")
        assert "chưa hiểu" in lost and "1. Quý này có gì đến hạn?" in lost
        again = await chat.text(binh, "1")
        assert "Quý II/2025" in again
        choose = await chat.text(binh, "tự chủ tài chính")
        assert "chọn một" in choose
        picked = await chat.text(binh, "1")
        assert picked.startswith("🎯 TCBM-2")
        # a share asked: of the two, the one counted in percent (TCC-2 is done or not)
        share = await chat.text(binh, "tự chủ tài chính bao nhiêu %")
        assert share.startswith("🎯 TCBM-2")


async def test_report_phrase_is_left_to_report(engine):
    seed_737(engine, reports=False)
    _at(dt.date(2025, 5, 10))
    async with Chat(engine) as chat:
        an = chat.officer("Tuấn An")
        out = await chat.text(an, "báo cáo")
        assert "chưa hiểu" not in out and "KH 737" not in out
        await chat.text(an, "/cancel")
        question = await chat.text(an, "báo cáo quý II hạn khi nào?")
        assert "Quý II/2025: trước 01/6/2025" in question


async def test_guests_english_and_another_plan(engine):
    seed_737(engine)
    _at(dt.date(2025, 5, 10))
    async with Chat(engine) as chat:
        guest = chat.user()
        assert "chưa có trong danh sách" in await chat.text(guest, "quy nay co gi den han")
        an = chat.officer("Tuấn An", language_code="en")
        await chat.text(an, "/lang en")
        english = await chat.text(an, "what is the SIPAS target for 2025?")
        assert "90–95%" in english and "(Plan 737, section I.3.1)" in english
    async with Chat(engine, PARBOT_PUBLIC_PLAN=True) as chat:
        guest = chat.user()
        plan_text = await chat.text(guest, "họp trực tuyến bao nhiêu %")
        assert "85%" in plan_text and "70%" not in plan_text  # the plan, not the progress
        refused = await chat.text(guest, "quý này có gì đến hạn")
        assert "/due" in refused


async def test_the_ward_plan(engine):
    seed_ward(engine)
    _at(dt.date(2026, 5, 10))
    async with Chat(engine, admin_console=True) as chat:
        user = chat.user()
        due = await chat.text(user, "/due")
        assert "Quý II/2026" in due and "trước 15/6/2026" in due and "(KH 12" in due
        plan = await chat.text(user, "/plan")
        assert "12/KH-UBND" in plan
        who = await chat.text(user, "/who Thu Hà")
        assert "TTHC-1" in who and "TTHC-2" in who
