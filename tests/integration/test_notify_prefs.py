"""Working days and the users' own settings (/snooze, /quiet, /remind, /digestday): what people
type on a phone is understood or answered with how to write it — never an error dump."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.core.clock import clock
from bot.core.settings import Settings
from bot.notify.workdays import HolidayFileError, WorkCalendar, load_calendar, parse_extra
from bot.people import preferences
from bot.people.preferences import (
    in_window,
    parse_clock,
    parse_days,
    parse_digest_schedule,
    parse_weekday,
    parse_window,
)
from tests.notify_support import TickBot, seed_office

D = dt.date
T = dt.time


# --- working days ------------------------------------------------------------------------------

def test_weekends_and_vietnamese_public_holidays_are_not_working_days():
    cal = WorkCalendar()
    assert cal.is_working_day(D(2025, 1, 24)) and not cal.is_working_day(D(2025, 1, 25))
    for day in range(27, 32):  # Tết Ất Tỵ 2025: 27/1 - 31/1 (and Sat 1/2)
        assert not cal.is_working_day(D(2025, 1, day)), day
    assert cal.holiday(D(2025, 1, 29)) == "Tết Nguyên Đán"
    assert cal.holiday(D(2025, 1, 29), "en") == "Lunar New Year"
    assert not cal.is_working_day(D(2024, 2, 12)), "Tết Giáp Thìn 2024"
    assert not cal.is_working_day(D(2025, 9, 2)) and not cal.is_working_day(D(2025, 4, 30))
    assert cal.next_working_day(D(2025, 1, 24)) == D(2025, 2, 3)
    assert cal.on_or_before(D(2025, 1, 30)) == D(2025, 1, 24)
    assert cal.on_or_after(D(2025, 5, 31)) == D(2025, 6, 2)
    assert cal.add_working_days(D(2025, 4, 29), 3) == D(2025, 5, 7)  # 30/4, 1/5, 2/5 off
    assert cal.add_working_days(D(2025, 4, 29), 0) == D(2025, 4, 29)
    assert cal.working_days_between(D(2025, 1, 24), D(2025, 2, 7)) == 5


def test_the_office_adds_its_own_days_off(tmp_path):
    path = tmp_path / "holidays.yaml"
    path.write_text("extra:\n  - date: 2025-06-13\n    name: Nghỉ hội nghị\n"
                    "  - from: 2025-07-01\n    to: 2025-07-03\n    name: Tập huấn\n",
                    encoding="utf-8")
    cal = load_calendar(path)
    assert not cal.is_working_day(D(2025, 6, 13)) and cal.holiday(D(2025, 6, 13)) == \
        "Nghỉ hội nghị"
    assert [cal.is_working_day(D(2025, 7, d)) for d in (1, 2, 3, 4)] == \
        [False, False, False, True]
    assert load_calendar(tmp_path / "none.yaml").is_working_day(D(2025, 6, 13))
    shipped = load_calendar(Settings().holidays_file)
    assert shipped.is_working_day(D(2025, 6, 13))
    with pytest.raises(HolidayFileError, match="extra #1"):
        parse_extra({"extra": [{"date": "13/6/2025"}]})
    with pytest.raises(HolidayFileError, match="from"):
        parse_extra({"extra": [{"name": "x"}]})
    with pytest.raises(HolidayFileError):
        parse_extra({"extra": [{"from": "2025-07-03", "to": "2025-07-01"}]})


# --- reading what people type -------------------------------------------------------------------

@pytest.mark.parametrize("text,expected", [
    ("7", T(7)), ("07:30", T(7, 30)), ("7h30", T(7, 30)), ("7h", T(7)), ("21g", T(21)),
    ("7.30", T(7, 30)), ("7 giờ 30", T(7, 30)), ("24:00", None), ("7:75", None), ("sáng", None),
])
def test_clock_times(text, expected):
    assert parse_clock(text) == expected


@pytest.mark.parametrize("text,expected", [
    ("21:00-07:00", (T(21), T(7))), ("21h - 7h", (T(21), T(7))), ("22 đến 6", (T(22), T(6))),
    ("12:00–13:30", (T(12), T(13, 30))), ("21:00", None), ("a-b", None),
])
def test_windows(text, expected):
    assert parse_window(text) == expected


@pytest.mark.parametrize("text,expected", [
    ("thứ 2", 0), ("Thứ Hai", 0), ("T5", 3), ("thu 5", 3), ("thu", 3), ("Thursday", 3),
    ("chủ nhật", 6), ("CN", 6), ("fri", 4), ("thứ 9", None), ("mai", None),
])
def test_weekdays(text, expected):
    assert parse_weekday(text) == expected


@pytest.mark.parametrize("text,expected", [
    ("thứ 5 08:00", (3, T(8))), ("thu 8h", (3, T(8))), ("T2 7h30", (0, T(7, 30))),
    ("monday 07:30", (0, T(7, 30))), ("thứ 6", (4, T(7, 30))), ("thứ 6 25:00", None),
    ("hôm nay", None),
])
def test_digest_schedules(text, expected):
    assert parse_digest_schedule(text) == expected


def test_days_and_windows():
    assert [parse_days(x) for x in ("3", "3 ngày", "10d", "off", "tắt", "ba")] == \
        [3, 3, 10, 0, 0, None]
    assert in_window(T(22), T(21), T(7)) and in_window(T(6, 59), T(21), T(7))
    assert not in_window(T(7), T(21), T(7)) and not in_window(T(12), T(21), T(7))
    assert in_window(T(12), T(12), T(13)) and not in_window(T(13), T(12), T(13))
    assert not in_window(T(3), T(0), T(0)), "an empty window"


@given(st.text(max_size=40))
def test_typed_text_never_breaks_the_parsers(text):
    at = parse_clock(text)
    assert at is None or isinstance(at, dt.time)
    window = parse_window(text)
    assert window is None or all(isinstance(x, dt.time) for x in window)
    day = parse_weekday(text)
    assert day is None or 0 <= day <= 6
    days = parse_days(text)
    assert days is None or days >= 0
    schedule = parse_digest_schedule(text)
    assert schedule is None or 0 <= schedule[0] <= 6


@given(st.integers(0, 23), st.integers(0, 59), st.sampled_from([":", "h", "g", "."]))
def test_any_written_time_reads_back(hour, minute, sep):
    assert parse_clock(f"{hour}{sep}{minute:02d}") == T(hour, minute)


# --- the commands ------------------------------------------------------------------------------

async def test_settings_commands_show_change_and_explain(engine):
    people = seed_office(engine, dt.datetime(2025, 5, 14, 10))
    an = people["Tuấn An"]
    async with TickBot(engine) as bot:
        shown = (await bot.say(an, "/quiet"))[0].text
        assert "Giờ yên lặng hiện tại: 21:00-07:00" in shown and "/quiet 21:00-07:00" in shown
        assert "22:30-06:15" in (await bot.say(an, "/quiet 22h30 - 6h15"))[0].text
        assert "Gõ /quiet" in (await bot.say(an, "/quiet sáng sớm"))[0].text
        assert "Đã bỏ giờ yên lặng" in (await bot.say(an, "/quiet off"))[0].text
        assert "Chưa đặt giờ yên lặng" in (await bot.say(an, "/quiet"))[0].text
        clock.set(dt.datetime(2025, 5, 14, 11))
        assert "không tạm dừng" in (await bot.say(an, "/snooze"))[0].text
        assert "hết ngày 20/5/2025" in (await bot.say(an, "/snooze 7 ngày"))[0].text
        assert "Đang tạm dừng nhắc việc đến hết ngày 20/5/2025" in \
            (await bot.say(an, "/snooze"))[0].text
        assert "tối đa 90 ngày" in (await bot.say(an, "/snooze mai"))[0].text
        assert "Đã bật lại" in (await bot.say(an, "/snooze off"))[0].text
        assert "Nhắc việc đang bật" in (await bot.say(an, "/remind"))[0].text
        assert "Đã tắt" in (await bot.say(an, "/remind tắt"))[0].text
        assert "Nhắc việc đang tắt" in (await bot.say(an, "/remind"))[0].text
        leader = people["Văn Thắng"]
        assert "Thứ Hai lúc 07:30" in (await bot.say(leader, "/digestday"))[0].text
        assert "Chủ nhật lúc 19:00" in (await bot.say(leader, "/digestday CN 19h"))[0].text
        assert "Gõ /digestday" in (await bot.say(leader, "/digestday mai"))[0].text
    prefs = preferences.get_preferences(engine, an)
    assert prefs.quiet_start == prefs.quiet_end and not prefs.reminders_on
    assert prefs.snooze_until is None
    assert preferences.get_preferences(engine, leader).digest_weekday == 6


async def test_settings_need_a_roster_account(engine):
    seed_office(engine, dt.datetime(2025, 5, 14, 10))
    async with TickBot(engine) as bot:
        guest = bot.request.user(424242, "Khách")
        from telegram import Update
        start = len(bot.outbox)
        await bot.app.process_update(Update.de_json(bot.request.text_update(guest, "/snooze 3"),
                                                    bot.app.bot))
        assert "chưa có trong danh sách" in bot.outbox[start].text


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.text(min_size=1, max_size=30))
async def test_any_argument_gets_a_polite_answer(engine, text):
    people = seed_office(engine, dt.datetime(2025, 5, 14, 10))
    async with TickBot(engine) as bot:
        for command in ("/snooze", "/quiet", "/remind", "/digestday"):
            out = await bot.say(people["Văn Thắng"], f"{command} {text}")
            assert len(out) == 1 and out[0].text and "Traceback" not in out[0].text

