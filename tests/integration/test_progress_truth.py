"""Issue 13: one assessment behind every view. The two-school trend regression: two schools'
reports a minute apart are two schools pooled, not one series falling from 80 to 70."""

from __future__ import annotations

import datetime as dt

from sqlmodel import Session

from bot.core.clock import clock
from bot.notify.digest import build_digest
from bot.progress import assess_target, history_of, series
from storage import models as m
from tests.chat import Chat
from tests.report_helpers import (
    office_fixture,  # noqa: F401  (the `office` fixture)
    press,
    target_id,
    unit_id,
)

LE_LOI = "Trường THCS Lê Lợi"
VAN_YEN = "Trường Tiểu học Văn Yên"


async def _report_school(chat, who, office, school: str, value: str) -> str:
    await chat.text(who, "/report CQS-1")
    await press(chat, who, f"rep:u:{unit_id(office, school)}")
    await chat.text(who, value)
    await press(chat, who, "rep:skip")
    await press(chat, who, "rep:done")
    return await press(chat, who, "rep:ok:")


async def test_two_schools_a_minute_apart_are_pooled_not_a_falling_trend(office):
    clock.set(dt.datetime(2025, 9, 20, 9, 0))
    async with Chat(office) as chat:
        an = chat.officer("Tuấn An")
        first = await _report_school(chat, an, office, LE_LOI, "80%")
        assert "Đã ghi nhận 80%" in first, first
        clock.advance(minutes=1)
        receipt = await _report_school(chat, an, office, VAN_YEN, "12/20")
        assert "Đã ghi nhận 60% (12/20)" in receipt, receipt
        target = await chat.text(an, "/target cqs-1")
    assert "Chậm nhiều" not in receipt and "⛔" not in receipt
    assert "↘" not in target and "điểm/tháng" not in target.split("Xu hướng")[-1][:40]
    assert "Xu hướng: chưa đủ số liệu" in target, target
    assert "Hiện tại" in target and "70%" in target
    assert "Chậm tiến độ" not in target
    with Session(office) as session:
        cqs = session.get(m.Target, target_id(office, "CQS-1"))
        a = assess_target(session, cqs)
        history = history_of(session, cqs)
    assert a.figure.value == 70.0  # mean of 80% and 60% (one school gave no ratio)
    assert a.figure.trend is not None and a.figure.trend.per_month is None  # < 14 days
    assert a.state in ("on_track", "at_risk")
    assert [v for _, v in series(history, clock.now())] == [80.0, 70.0]
    d = build_digest(office, clock.now())
    row = next(r for area in d.areas for r in area.targets if r.code == "CQS-1")
    assert (row.value, row.state) == (70.0, a.state)


async def test_reports_after_now_do_not_count(office):
    """A database holding a later report answers as one holding only the earlier ones."""
    clock.set(dt.datetime(2025, 9, 20, 9, 0))
    async with Chat(office) as chat:
        an = chat.officer("Tuấn An")
        await _report_school(chat, an, office, LE_LOI, "31/50")
        clock.set(dt.datetime(2025, 12, 2, 9, 0))
        await _report_school(chat, an, office, LE_LOI, "50/50")
        clock.set(dt.datetime(2025, 9, 21, 9, 0))
        target = await chat.text(an, "/target cqs-1")
    assert "62%" in target and "100%" not in target and "02/12" not in target, target
    with Session(office) as session:
        a = assess_target(session, session.get(m.Target, target_id(office, "CQS-1")))
    assert a.figure.value == 62.0 and a.figure.reports == 1
    d = build_digest(office, clock.now())
    row = next(r for area in d.areas for r in area.targets if r.code == "CQS-1")
    assert row.value == 62.0 and row.state == a.state


async def test_a_principals_status_due_and_digest_are_about_their_school(office):
    clock.set(dt.datetime(2025, 9, 20, 9, 0))
    async with Chat(office) as chat:
        an = chat.officer("Tuấn An")
        await _report_school(chat, an, office, LE_LOI, "80%")
        await _report_school(chat, an, office, VAN_YEN, "12/20")
        binh = chat.officer("Văn Bình")  # principal of Lê Lợi
        status = await chat.text(binh, "/status")
        digest = await chat.text(binh, "/digest")
        office_status = await chat.text(an, "/status")
    assert f"Số liệu của {LE_LOI}" in status, status
    assert "TTHC-1" not in status and "(TTHC)" not in status  # office targets are not theirs
    assert "Số liệu của" not in office_status
    assert "Đúng tiến độ 1" in digest and "TTHC-1" not in digest, digest  # 4 school targets
    d = build_digest(office, clock.now(), unit_id=unit_id(office, LE_LOI))
    [row] = [r for area in d.areas for r in area.targets if r.code == "CQS-1"]
    assert row.value == 80.0  # Lê Lợi's own figure, not the pooled 70%
    assert all(r.code != "TTHC-1" for area in d.areas for r in area.targets)
