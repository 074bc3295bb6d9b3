"""A simulated quarter (29/9 - 31/12/2025) of the real application, tick by tick with the clock
set: every officer gets each nudge exactly once at a civil hour, every overdue item is escalated
once, every leader gets each weekly digest with its chart."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from sqlmodel import Session, select

from bot.core.clock import clock
from bot.notify import notification_log as notifications
from bot.notify.submissions import mark_obligation_done
from bot.notify.workdays import WorkCalendar
from bot.people import identity
from bot.plans.deadlines import due_items
from bot.plans.store import active_plans
from bot.progress import NewReport, ParsedValue, record_report
from storage import models as m
from tests.notify_support import CHANNEL, TickBot, at, chat_of, days, seed_office

D = dt.date
START, END = D(2025, 9, 29), D(2025, 12, 31)
# Ticks each day: the night, the digest time, the nudge time, after An's quiet hours, the
# afternoon and the evening.
HOURS = [(0, 0), (7, 0), (7, 30), (8, 0), (10, 0), (15, 0), (21, 0)]
OFFSETS = (14, 7, 3, 1)
SNOOZE = (D(2025, 11, 10), D(2025, 11, 17))  # Kim Sa: /snooze 7 on 10/11 → back on 17/11
QUIET = (dt.time(7, 0), dt.time(9, 30))  # Tuấn An's quiet hours


async def test_a_simulated_quarter(engine):
    people = seed_office(engine, dt.datetime(2025, 9, 25, 10))
    with Session(engine) as session:
        targets = {t.code: t.id for t in session.exec(select(m.Target))}
        tthc = session.exec(select(m.Obligation).where(
            m.Obligation.code == "BC-TTHC-THANG")).one().id
        plan = active_plans(session)[0]
        items = [i for i in due_items(session, plan, START, END) if i.kind != "review"]
        assignments = session.exec(select(m.Assignment)).all()
        leaders = [o.id for o in session.exec(select(m.Officer).where(m.Officer.role ==
                                                                       "leader"))]
    clock.set(dt.datetime(2025, 9, 26, 9))
    record_report(engine, NewReport(targets["TC-1"], people["Diệu Anh"], ParsedValue(100)))
    an, kim_sa = people["Tuấn An"], people["Kim Sa"]
    sent: list[tuple[dt.datetime, object]] = []
    async with TickBot(engine) as bot:
        clock.set(dt.datetime(2025, 9, 26, 10))
        assert "07:00-09:30" in (await bot.say(an, "/quiet 7h-9h30"))[0].text
        for day in days(START, END):
            for hour, minute in HOURS:
                when = at(day, hour, minute)
                if day == SNOOZE[0] and (hour, minute) == (15, 0):
                    await bot.say(kim_sa, "/snooze 7")
                if day == D(2025, 10, 29) and (hour, minute) == (15, 0):
                    hau = identity.officer_actor(engine, people["Bích Hậu"])
                    assert mark_obligation_done(engine, hau, tthc, "2025-10").status == "done"
                sent.extend((when, o) for o in await bot.tick(when))
    assert all(r.failed == r.retry == r.blocked == 0 for r in bot.reports)
    calendar = WorkCalendar()
    by_chat: dict[str, list] = defaultdict(list)
    for when, o in sent:
        by_chat[o.chat_id].append((when, o))

    # --- civil hours, and one message per person per tick -----------------------------------
    for chat, messages in by_chat.items():
        ticks = [when for when, o in messages if o.kind != "text" or o.text.startswith("⏰")]
        assert len(ticks) == len(set(ticks)), f"{chat}: two messages in one run"
        for when, o in messages:
            assert calendar.is_working_day(when.date()), (chat, when, o.text[:40])
            assert dt.time(7, 30) <= when.time() <= dt.time(20, 0), (chat, when)
            if o.text.startswith("⏰"):
                assert when.time() >= dt.time(8), "reminders from 08:00"
            if chat == chat_of(an):
                assert not QUIET[0] <= when.time() < QUIET[1], "quiet hours respected"

    # --- each nudge exactly once ----------------------------------------------------------------
    rows = notifications.entries(engine, f"{CHANNEL}:")
    assert {r.status for r in rows} <= {"sent", "skipped"}
    nudged: dict[tuple[int, str], list[D]] = defaultdict(list)
    for r in rows:
        if r.kind == "nudge" and r.status == "sent":
            nudged[(r.officer_id, r.detail["item"])].append(clock.local(r.sent_at).date())
    owners = defaultdict(set)
    coordinators = defaultdict(set)
    for a in assignments:
        key = ("target", a.target_id) if a.target_id else ("obligation", a.obligation_id)
        (owners if a.kind == "responsible" else coordinators)[key].add(a.officer_id)
    done_on = {("BC-TTHC-THANG", "2025-10"): D(2025, 10, 29)}
    expected: dict[tuple[int, str], list[D]] = {}
    for item in items:
        if item.code == "TC-1":
            continue
        planned = sorted({calendar.on_or_before(item.last_day - dt.timedelta(days=o))
                          for o in OFFSETS})
        planned = [d for d in planned if START <= d < done_on.get((item.code, item.period), END)]
        for officer in owners[(item.kind, item.item_id)]:
            got = planned
            if officer == kim_sa:
                held = [d for d in got if SNOOZE[0] <= d < SNOOZE[1]]
                got = sorted({d for d in got if d not in held} | ({SNOOZE[1]} if held else set()))
            expected[(officer, item.key())] = got
    assert nudged == expected
    assert len(expected) >= 45 and sum(len(v) for v in expected.values()) >= 150

    # every sent row is in a message to that officer at that tick, and each message shows it
    texts = {(o.chat_id, when): o.text for when, o in sent}
    titles = {i.key(): (i.code if i.kind == "target" else f"(kỳ {i.label})") for i in items}
    for r in rows:
        if r.status == "sent" and r.kind != "digest":
            text = texts[(chat_of(r.officer_id), clock.local(r.sent_at).replace(tzinfo=None))]
            assert titles.get(r.detail["item"], "") in text

    # --- overdue: the owner once, then each coordinator once, then each leader once ------------
    overdue = [i for i in items if i.kind == "obligation" and i.last_day < D(2025, 12, 20)
               and (i.code, i.period) not in done_on]
    assert {(i.code, i.period) for i in overdue} == {
        ("BC-TTHC-THANG", "2025-09"), ("BC-TTHC-THANG", "2025-11"), ("BC-CCHC-QUY", "2025-Q3")}
    for item in overdue:
        key = item.key()
        told = sorted(r.officer_id for r in rows if r.kind == "overdue" and r.status == "sent"
                      and r.detail["item"] == key)
        assert told == sorted(owners[("obligation", item.item_id)]), key
        up = [(r.detail["stage"], r.officer_id) for r in rows if r.kind == "escalate"
              and r.status == "sent" and r.detail["item"] == key]
        assert len(up) == len(set(up))
        want = {("coordinator", c) for c in coordinators[("obligation", item.item_id)]
                if c not in owners[("obligation", item.item_id)]}
        want |= {("leader", ld) for ld in leaders
                 if ld not in coordinators[("obligation", item.item_id)]}
        assert set(up) == want, key
        stages = {r.detail["stage"]: clock.local(r.sent_at).date() for r in rows
                  if r.kind == "escalate" and r.detail["item"] == key}
        grace = calendar.add_working_days(item.last_day, 4)
        assert stages["coordinator"] == grace
        if any(stage == "leader" for stage, _ in want):
            assert stages["leader"] == calendar.add_working_days(grace, 3)
    assert not [r for r in rows if r.kind in ("overdue", "escalate")
                and "2025-10" in r.detail["item"]], "October's report was marked sent"

    # --- stale: one gentle reminder per target and owner ------------------------------------
    stale = [(r.officer_id, r.detail["item"]) for r in rows if r.kind == "stale"]
    assert stale and len(stale) == len(set(stale))
    assert not [s for s in stale if ":TC-1:" in s[1]], "an achieved target is not stale"

    # --- every leader, every Monday: the digest, one phone-size message (issue 13: the chart
    # is behind its "details" button now, no longer sent every week) ------------------------
    mondays = [d for d in days(START, END) if d.weekday() == 0]
    for leader in leaders:
        digests = [(when, o) for when, o in by_chat[chat_of(leader)]
                   if o.kind == "text" and o.text.startswith("📊 Bản tin tuần")]
        assert [when for when, _ in digests] == [at(d, 7, 30) for d in mondays]
        for when, o in digests:
            week = when.date().isocalendar()[1]
            assert f"Bản tin tuần {week}/" in o.text and len(o.text) <= 1200
        assert not [o for _, o in by_chat[chat_of(leader)] if o.kind == "photo"]

