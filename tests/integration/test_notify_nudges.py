"""Deadline nudges and escalations, driven tick by tick with the clock set: the right officers on
the right days, never on weekends, holidays or in quiet hours, once each, across restarts."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlmodel import Session, select

from bot.core.catalogue import t
from bot.core.clock import clock
from bot.notify import notification_log as notifications
from storage import models as m
from tests.notify_support import (
    CHANNEL,
    Crash,
    ScriptedRequest,
    TickBot,
    at,
    chat_of,
    days,
    seed_office,
    to,
)

D = dt.date
TTHC_MAY = "Báo cáo kết quả giải quyết TTHC hàng tháng (kỳ 5/2025)"
CCHC_Q2 = "Báo cáo CCHC định kỳ về Văn phòng Sở (kỳ Quý II/2025)"
TTHC_OWNERS = ("Bích Hậu", "Minh Lý", "Kim Sa")


def notices(out):
    """Reminder messages only (not the weekly digest)."""
    return [o for o in out if o.text.startswith("⏰")]


async def test_nudges_reach_the_owners_on_working_days_before_the_deadline(engine):
    people = seed_office(engine, dt.datetime(2025, 5, 14, 10, 0))
    async with TickBot(engine) as bot:
        got: dict[D, list] = {}
        for day in days(D(2025, 5, 15), D(2025, 5, 31)):
            for hour in (7, 8, 12, 19, 21):
                out = notices(await bot.tick(at(day, hour)))
                if out:
                    assert hour == 8, f"sent at {hour}:00 on {day}"
                    got.setdefault(day, []).extend(out)
    # May's monthly TTHC report (last day Sat 31/5) and the Q2 CCHC report ("trước 01/6"):
    # 14 and 7 days before fall on Saturdays, so they go on the Fridays before.
    assert sorted(got) == [D(2025, 5, 16), D(2025, 5, 23), D(2025, 5, 28), D(2025, 5, 30)]
    for day, messages in got.items():
        for name in TTHC_OWNERS:
            [mine] = to(messages, people[name])
            assert TTHC_MAY in mine.text and CCHC_Q2 not in mine.text
        [dieu_anh] = to(messages, people["Diệu Anh"])
        assert CCHC_Q2 in dieu_anh.text and TTHC_MAY not in dieu_anh.text
        left = (D(2025, 5, 31) - day).days
        assert f"còn {left} ngày" in dieu_anh.text
        assert len(messages) == 4, "nobody else is nudged"
        assert all("(nhắc bù)" not in m.text and "nhắc bù" not in m.text for m in messages)
    # one message per officer per run, with the buttons to act
    [first] = to(got[D(2025, 5, 16)], people["Bích Hậu"])
    datas = [data for _, data in first.options]
    assert datas[0].startswith("done:") and "snooze:3" in datas
    assert first.text.count("•") == 1


async def test_tet_and_weekends_hold_everything(engine):
    people = seed_office(engine, dt.datetime(2025, 1, 10, 10, 0))
    sent_days: dict[D, list] = {}
    async with TickBot(engine) as bot:
        for day in days(D(2025, 1, 13), D(2025, 2, 12)):
            for hour in (8, 15):
                out = notices(await bot.tick(at(day, hour)))
                if out:
                    sent_days.setdefault(day, []).extend(out)
    for day in sent_days:
        assert day.weekday() < 5, day
        assert not D(2025, 1, 27) <= day <= D(2025, 2, 1), f"sent during Tết: {day}"
    owner, hoa, leader = people["Bích Hậu"], people["Thị Hòa"], people["Văn Thắng"]
    january = "(kỳ 1/2025)"
    # January's report is due Fri 31/1, in Tết: 14 days before → Fri 17/1; 7, 3 and 1 days
    # before all fall in Tết or on its weekend → one nudge on Fri 24/1.
    nudged = [d for d, out in sent_days.items() for o in to(out, owner)
              if january in o.text and "⏳" in o.text]
    assert nudged == [D(2025, 1, 17), D(2025, 1, 24)]
    told = [d for d, out in sent_days.items() for o in to(out, owner)
            if january in o.text and "⛔" in o.text]
    assert told == [D(2025, 2, 3)], "overdue: the first working day after Tết"
    escalated = [d for d, out in sent_days.items() for o in to(out, hoa) if january in o.text]
    assert escalated == [D(2025, 2, 6)], "the coordinator after 3 working days of grace"
    to_leader = [d for d, out in sent_days.items() for o in to(out, leader) if january in o.text]
    assert to_leader == [D(2025, 2, 11)], "then the leader"
    [message] = [o for o in to(sent_days[D(2025, 2, 6)], hoa)]
    assert "📣" in message.text and "Bích Hậu, Minh Lý, Kim Sa" in message.text
    log = notifications.entries(engine, f"{CHANNEL}:nudge:{owner}:")
    skipped = [e for e in log if e.status == "skipped" and "2025-01" in e.key]
    assert {e.detail["reason"] for e in skipped} == {"superseded"} and len(skipped) == 2


async def test_quiet_hours_hold_back_until_they_end(engine):
    people = seed_office(engine, dt.datetime(2025, 5, 14, 10, 0))
    owner = people["Minh Lý"]
    async with TickBot(engine) as bot:
        reply = await bot.say(owner, "/quiet 07:00-10:30")
        assert "07:00-10:30" in reply[0].text
        out = notices(await bot.tick(at(D(2025, 5, 16), 8)))
        assert to(out, people["Bích Hậu"]) and not to(out, owner)
        assert not to(notices(await bot.tick(at(D(2025, 5, 16), 10, 29))), owner)
        later = to(notices(await bot.tick(at(D(2025, 5, 16), 10, 30))), owner)
        assert len(later) == 1 and TTHC_MAY in later[0].text
        assert "nhắc bù" not in later[0].text, "held on the same day is not late"
        assert not to(await bot.tick(at(D(2025, 5, 16), 11)), owner)


async def test_snooze_holds_back_and_the_message_goes_out_when_it_ends(engine):
    people = seed_office(engine, dt.datetime(2025, 5, 14, 10, 0))
    owner = people["Kim Sa"]
    async with TickBot(engine) as bot:
        clock.set(at(D(2025, 5, 15), 17))
        reply = await bot.say(owner, "/snooze 3")
        assert "17/5/2025" in reply[0].text  # paused through Sat 17/5
        out = notices(await bot.tick(at(D(2025, 5, 16), 8)))
        assert to(out, people["Minh Lý"]) and not to(out, owner)
        released = to(notices(await bot.tick(at(D(2025, 5, 19), 8))), owner)
        assert len(released) == 1 and TTHC_MAY in released[0].text
        assert "nhắc bù" in released[0].text and "16/5/2025" in released[0].text
        assert not to(await bot.tick(at(D(2025, 5, 19), 9)), owner)
        # the snooze button under a reminder works too
        out = to(notices(await bot.tick(at(D(2025, 5, 23), 8))), owner)
        assert out
        number = [data for _, data in out[0].options].index("snooze:3") + 1
        pressed = await bot.say(owner, str(number))
        assert any("Đã tạm dừng" in o.text for o in pressed)
        assert not to(notices(await bot.tick(at(D(2025, 5, 26), 9))), owner)


async def test_reminders_off_means_no_nudges_but_escalations_still_go(engine):
    people = seed_office(engine, dt.datetime(2025, 5, 14, 10, 0))
    owner, hoa = people["Bích Hậu"], people["Thị Hòa"]
    async with TickBot(engine) as bot:
        assert "Đã tắt" in (await bot.say(owner, "/remind off"))[0].text
        assert "Đã tắt" in (await bot.say(hoa, "/remind off"))[0].text
        for day in days(D(2025, 5, 15), D(2025, 6, 6)):
            out = await bot.tick(at(day, 8))
            assert not to(out, owner)
        log = notifications.entries(engine, f"{CHANNEL}:nudge:{owner}:")
        assert log and {e.status for e in log} == {"skipped"}
        assert {e.detail["reason"] for e in log} == {"reminders_off"}
        escalations = notifications.entries(engine, f"{CHANNEL}:escalate:coordinator:{hoa}:")
        assert [e.status for e in escalations if "2025-05" in e.key] == ["sent"]
        assert "Đã bật" in (await bot.say(owner, "/remind on"))[0].text


async def test_marking_a_report_sent_stops_the_nudges_and_the_escalation(engine):
    people = seed_office(engine, dt.datetime(2025, 5, 14, 10, 0))
    owner = people["Diệu Anh"]
    async with TickBot(engine) as bot:
        [first] = to(notices(await bot.tick(at(D(2025, 5, 16), 8))), owner)
        label, data = first.options[0]
        assert data.startswith("done:") and "BC-CCHC-QUY" in label
        pressed = await bot.say(owner, "1")
        assert "Đã ghi nhận" in pressed[0].text
        again = await bot.tick(at(D(2025, 5, 16), 8, 1))
        assert not again
        for day in days(D(2025, 5, 17), D(2025, 6, 12)):
            for o in to(await bot.tick(at(day, 8)), owner):
                assert CCHC_Q2 not in o.text
        # the head of office coordinates this report: he is not escalated to either
        assert not [e for e in notifications.entries(engine, f"{CHANNEL}:escalate:")
                    if "BC-CCHC-QUY:2025-Q2" in e.key]
        # someone not assigned cannot mark it
        clock.set(at(D(2025, 6, 2), 9))
        other = people["Tuấn An"]
        update = bot.request.text_update(bot.request.user(int(chat_of(other)), "An"), "x")
        update["callback_query"] = {"id": "q1", "from": update["message"]["from"],
                                    "chat_instance": "1", "data": data,
                                    "message": update.pop("message")}
        from telegram import Update
        start = len(bot.outbox)
        await bot.app.process_update(Update.de_json(update, bot.app.bot))
        assert "không được giao" in bot.outbox[start].text


async def test_overdue_then_coordinator_then_leader_once_each(engine):
    people = seed_office(engine, dt.datetime(2025, 5, 14, 10, 0))
    hoa, leader, owners = people["Thị Hòa"], people["Văn Thắng"], \
        [people[n] for n in TTHC_OWNERS]
    async with TickBot(engine) as bot:
        seen: dict[int, list[tuple[D, str]]] = {}
        for day in days(D(2025, 5, 29), D(2025, 6, 20)):
            for hour in (8, 14):
                for o in notices(await bot.tick(at(day, hour))):
                    if TTHC_MAY in o.text:
                        seen.setdefault(int(o.chat_id), []).append((day, o.text))
    for officer in owners:
        overdue = [d for d, text in seen[int(chat_of(officer))] if "⛔" in text]
        assert overdue == [D(2025, 6, 2)], "told on the first working day after Sat 31/5"
    assert [d for d, _ in seen[int(chat_of(hoa))]] == [D(2025, 6, 5)]
    assert [d for d, _ in seen[int(chat_of(leader))]] == [D(2025, 6, 10)]
    text = seen[int(chat_of(leader))][0][1]
    assert "Bích Hậu, Minh Lý, Kim Sa" in text and "quá hạn 10 ngày" in text
    rows = notifications.entries(engine, f"{CHANNEL}:escalate:")
    may = [r for r in rows if "BC-TTHC-THANG:2025-05" in r.key]
    assert sorted((r.detail["stage"], r.officer_id, r.status) for r in may) == \
        [("coordinator", hoa, "sent"), ("leader", leader, "sent")]


async def test_a_missed_run_is_caught_up_once_with_a_late_marker(engine):
    people = seed_office(engine, dt.datetime(2025, 5, 14, 10, 0))
    owner = people["Diệu Anh"]
    async with TickBot(engine) as bot:
        assert to(notices(await bot.tick(at(D(2025, 5, 16), 8))), owner)
    # the bot is down from Thu 22/5 to Mon 26/5 11:20: the 7-day nudge of Fri 23/5 was missed
    async with TickBot(engine) as bot:
        [late] = to(notices(await bot.tick(at(D(2025, 5, 26), 11, 20))), owner)
        assert "Tin nhắc bù" in late.text and "23/5/2025" in late.text
        assert "còn 5 ngày" in late.text
        assert not await bot.tick(at(D(2025, 5, 26), 11, 21))
        [row] = [e for e in notifications.entries(engine, f"{CHANNEL}:nudge:{owner}:")
                 if e.key.endswith(":d7")]
        assert row.status == "sent" and row.late
        [on_time] = to(notices(await bot.tick(at(D(2025, 5, 28), 8))), owner)
        assert "nhắc bù" not in on_time.text
    # down again from Thu 29/5 to Mon 2/6: the 1-day nudge is no longer useful (the deadline
    # passed) and is not sent; the overdue notice is
    async with TickBot(engine) as bot:
        [after] = to(notices(await bot.tick(at(D(2025, 6, 2), 9))), owner)
        assert "⛔" in after.text and "⏳" not in after.text
    d1 = [e for e in notifications.entries(engine, f"{CHANNEL}:nudge:{owner}:")
          if e.key.endswith("BC-CCHC-QUY:2025-Q2:d1")]
    assert not d1 or d1[0].status != "sent"


async def test_a_restart_in_the_middle_of_a_run_sends_nothing_twice(engine):
    people = seed_office(engine, dt.datetime(2025, 5, 14, 10, 0))
    when = at(D(2025, 5, 16), 8)
    request = ScriptedRequest()
    request.crash_after(2)
    async with TickBot(engine, request) as bot:
        with pytest.raises(Crash):
            await bot.tick(when)
        first = list(bot.outbox)
    assert len(first) == 2
    async with TickBot(engine) as bot:
        second = await bot.tick(at(D(2025, 5, 16), 8, 1))
        third = await bot.tick(at(D(2025, 5, 16), 9))
    assert not third
    chats = [o.chat_id for o in first + second]
    assert len(chats) == len(set(chats)), "nobody got the same reminder twice"
    expected = {chat_of(people[n]) for n in (*TTHC_OWNERS, "Diệu Anh")}
    rows = [e for e in notifications.entries(engine, f"{CHANNEL}:nudge:")
            if e.key.endswith(":d14")]
    uncertain = {chat_of(e.officer_id) for e in rows if e.status == "failed"}
    assert set(chats) | uncertain == expected and not set(chats) & uncertain
    assert all(e.detail.get("reason") == "uncertain" for e in rows if e.status == "failed")


async def test_blocked_users_are_marked_and_not_retried(engine):
    people = seed_office(engine, dt.datetime(2025, 5, 14, 10, 0))
    owner = people["Minh Lý"]
    request = ScriptedRequest()
    request.fail(chat_of(owner), 403)
    async with TickBot(engine, request) as bot:
        out = await bot.tick(at(D(2025, 5, 16), 8))
        assert not to(out, owner) and to(out, people["Kim Sa"])
        assert bot.reports[-1].blocked == 1
        with Session(engine) as session:
            account = session.exec(select(m.ChannelIdentity).where(
                m.ChannelIdentity.officer_id == owner,
                m.ChannelIdentity.channel == CHANNEL)).one()
            assert account.blocked
        assert not to(await bot.tick(at(D(2025, 5, 23), 8)), owner)
        assert request.refused == [(chat_of(owner), 403)], "never asked again"
        rows = notifications.entries(engine, f"{CHANNEL}:nudge:{owner}:")
        assert [(r.status, r.detail["reason"]) for r in rows] == [("failed", "blocked")]
        # unblocking (Telegram's my_chat_member update) makes the account reachable again
        changed = notifications.set_blocked(engine, CHANNEL, chat_of(owner), False)
        assert changed
        assert to(await bot.tick(at(D(2025, 5, 28), 8)), owner)


async def test_a_429_is_retried_in_the_same_run_after_retry_after(engine):
    people = seed_office(engine, dt.datetime(2025, 5, 14, 10, 0))
    owner = people["Kim Sa"]
    request = ScriptedRequest()
    request.fail(chat_of(owner), 429, times=1)
    async with TickBot(engine, request) as bot:
        [sent] = to(await bot.tick(at(D(2025, 5, 16), 8)), owner)
        assert TTHC_MAY in sent.text and bot.reports[-1].retry == 0
    assert request.refused == [(chat_of(owner), 429)]
    [row] = notifications.entries(engine, f"{CHANNEL}:nudge:{owner}:")
    assert row.status == "sent" and "attempts" not in row.detail


@pytest.mark.parametrize("status", [500, 502])
async def test_transient_failures_stay_pending_and_go_at_a_later_tick(engine, status):
    """Through a request layer that cannot tell whether a 5xx took effect (the console's,
    Zalo's), a 5xx waits for a later tick; over Telegram's HTTP it is retried at once
    (tests/e2e/test_notify_telegram.py)."""
    people = seed_office(engine, dt.datetime(2025, 5, 14, 10, 0))
    owner = people["Kim Sa"]
    request = ScriptedRequest()
    request.fail(chat_of(owner), status, times=2)
    async with TickBot(engine, request) as bot:
        assert not to(await bot.tick(at(D(2025, 5, 16), 8)), owner)
        assert bot.reports[-1].retry == 1
        [row] = notifications.entries(engine, f"{CHANNEL}:nudge:{owner}:")
        assert row.status == "pending" and row.detail["attempts"] == 1
        assert not to(await bot.tick(at(D(2025, 5, 16), 8, 0, )), owner), "not before retry_at"
        assert not to(await bot.tick(at(D(2025, 5, 16), 8, 2)), owner)  # second failure
        [sent] = to(await bot.tick(at(D(2025, 5, 16), 8, 10)), owner)
        assert TTHC_MAY in sent.text
        assert not to(await bot.tick(at(D(2025, 5, 16), 8, 30)), owner)
        [row] = notifications.entries(engine, f"{CHANNEL}:nudge:{owner}:")
        assert row.status == "sent" and row.detail["attempts"] == 2


async def test_a_message_in_english_for_an_english_speaker(engine):
    people = seed_office(engine, dt.datetime(2025, 5, 14, 10, 0))
    owner = people["Diệu Anh"]
    async with TickBot(engine) as bot:
        await bot.say(owner, "/lang en")
        [message] = to(await bot.tick(at(D(2025, 5, 16), 8)), owner)
    assert message.text.startswith("⏰ Reminder — Friday, 16/5/2025")
    assert "Periodic administrative reform report" in message.text
    assert t("notify.button.snooze", "en", days=3) in [label for label, _ in message.options]


async def test_target_nudges_offer_to_report_now(engine):
    """Each target in a reminder gets a "report:<code>" button, and pressing it opens /report
    on that target (the report conversation takes these buttons on every channel)."""
    people = seed_office(engine, dt.datetime(2025, 12, 1, 10, 0))
    an = people["Tuấn An"]
    async with TickBot(engine) as bot:
        [message] = to(await bot.tick(at(D(2025, 12, 17), 8)), an)
        assert "CQS-1 Tỷ lệ cuộc họp trực tuyến — hạn 31/12/2025 (còn 14 ngày)" in message.text
        assert "chưa có số liệu, cần ≥ 85%" in message.text
        assert [data for _, data in message.options] == ["report:CQS-1", "snooze:3"]
        opened = "\n".join(o.render() for o in await bot.say(an, "1"))
    assert "CQS-1 đo theo từng trường" in opened and "THCS Lê Lợi" in opened, opened
