"""Recurring reports sent are facts in the `submission` table (issue 13, point 2): the migration
moves the old BotState rows, an officer marks one from /report (or the nudge button), an admin
for an owner, and the digest, /due and the answers agree on what is outstanding — ignoring
submissions dated after the clock."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import text
from sqlmodel import Session, select

from bot.answers import answer, due_command
from bot.core.access import Actor
from bot.core.clock import clock
from bot.core.settings import DEFAULT_PLAN
from bot.notify.digest import build_digest
from bot.people import identity
from bot.plans.store import import_plan_file
from bot.reporting.submissions import done_keys, mark_obligation_done, outstanding
from storage import models as m
from storage.db import make_engine, upgrade
from tests.chat import Chat
from tests.notify_support import seed_office
from tests.report_helpers import menu, press

LEADER = Actor(officer_id=None, name="Admin", role="admin")


def _obligation(engine, code: str) -> m.Obligation:
    with Session(engine) as session:
        return session.exec(select(m.Obligation).where(m.Obligation.code == code)).one()


def _late_codes(d) -> set[tuple[str, str]]:
    return {(tr.item.code, tr.item.period) for tr in d.overdue if tr.item.kind == "obligation"}


def _outstanding(engine, today) -> set[tuple[str, str]]:
    with Session(engine) as session:
        plan = session.exec(select(m.Plan)).one()
        return {(i.code, i.period) for i in outstanding(session, plan, today)}


def test_migration_0003_moves_the_botstate_rows(db_url):
    engine = make_engine(db_url)
    try:
        upgrade(engine, "0002")
        import_plan_file(engine, DEFAULT_PLAN)
        ob = _obligation(engine, "BC-TTHC-THANG")
        with engine.begin() as conn:
            conn.execute(text("INSERT INTO botstate (kind, key, data, updated_at) VALUES "
                              "('obligation_done', :key, :data, :at), "
                              "('chat_data', 'x', '{}', :at)"),
                         {"key": f"{ob.id}:2025-05", "at": dt.datetime(2025, 5, 20, 2),
                          "data": '{"officer_id": null, "at": "2025-05-20T09:00:00+07:00"}'})
        upgrade(engine)
        with Session(engine) as session:
            [row] = session.exec(select(m.Submission)).all()
            kinds = set(session.exec(select(m.BotState.kind)).all())
        assert (row.obligation_id, row.period) == (ob.id, "2025-05")
        assert row.submitted_at == dt.datetime(2025, 5, 20, 2, tzinfo=dt.UTC)
        assert kinds == {"chat_data"}  # the done rows moved, nothing else touched
    finally:
        engine.dispose()


def test_outstanding_reports_agree_in_digest_due_and_answers(engine):
    people = seed_office(engine, dt.datetime(2025, 8, 1, 9))
    clock.set(dt.datetime(2025, 9, 20, 9))
    today = clock.today()
    tthc = _obligation(engine, "BC-TTHC-THANG")
    late = _outstanding(engine, today)
    assert {("BC-TTHC-THANG", "2025-08"), ("BC-TTHC-THANG", "2025-07")} <= late
    d = build_digest(engine, clock.now())
    assert _late_codes(d) == late
    due = due_command(engine, LEADER, "", today).text
    assert "Báo cáo định kỳ chưa nộp" in due and "8/2025" in due, due
    asked = answer(engine, LEADER, "việc quá hạn", today).text
    assert "Báo cáo định kỳ chưa nộp" in asked and "(8/2025)" in asked, asked
    hau = identity.officer_actor(engine, people["Bích Hậu"])
    for period in ("2025-06", "2025-07", "2025-08"):
        assert mark_obligation_done(engine, hau, tthc.id, period).status == "done"
    assert mark_obligation_done(engine, hau, tthc.id, "2025-08").status == "already"
    left = _outstanding(engine, today)
    assert not any(code == "BC-TTHC-THANG" for code, _ in left)
    assert _late_codes(build_digest(engine, clock.now())) == left
    due = due_command(engine, LEADER, "", today).text
    asked = answer(engine, LEADER, "việc quá hạn", today).text
    for text_ in (due, asked):
        assert "(8/2025)" not in text_ and "(6/2025)" not in text_, text_
        assert "Báo cáo định kỳ chưa nộp" not in text_


def test_a_submission_after_now_does_not_count(engine):
    people = seed_office(engine, dt.datetime(2025, 8, 1, 9))
    tthc = _obligation(engine, "BC-TTHC-THANG")
    hau = identity.officer_actor(engine, people["Bích Hậu"])
    clock.set(dt.datetime(2025, 12, 1, 9))
    assert mark_obligation_done(engine, hau, tthc.id, "2025-08").status == "done"
    clock.set(dt.datetime(2025, 9, 20, 9))
    with Session(engine) as session:
        assert f"{tthc.id}:2025-08" not in done_keys(session)
    assert ("BC-TTHC-THANG", "2025-08") in _late_codes(build_digest(engine, clock.now()))


def test_admin_marks_for_the_owner(engine):
    people = seed_office(engine, dt.datetime(2025, 8, 1, 9))
    clock.set(dt.datetime(2025, 9, 20, 9))
    tthc = _obligation(engine, "BC-TTHC-THANG")
    admin = Actor(officer_id=None, name="Admin", role="admin")
    assert mark_obligation_done(engine, admin, tthc.id, "2025-08").status == "done"
    with Session(engine) as session:
        [row] = session.exec(select(m.Submission)).all()
    assert row.officer_id == people["Bích Hậu"] and row.by_officer_id is None


async def test_an_officer_marks_a_recurring_report_sent_in_report(engine):
    people = seed_office(engine, dt.datetime(2025, 8, 1, 9))
    clock.set(dt.datetime(2025, 9, 20, 9))
    tthc = _obligation(engine, "BC-TTHC-THANG")
    async with Chat(engine) as chat:
        hau = chat.officer("Bích Hậu")
        out = await chat.text(hau, "/report")
        assert "Báo cáo định kỳ đã gửi?" in out, out
        sent = [(label, data) for label, data in menu(chat, hau) if data.startswith("rep:sent:")]
        assert (f"rep:sent:{tthc.id}:2025-08") in [d for _, d in sent], sent
        out = await press(chat, hau, f"rep:sent:{tthc.id}:2025-08")
    assert "tháng 8/2025" in out or "8/2025" in out, out
    with Session(engine) as session:
        [row] = session.exec(select(m.Submission)).all()
    assert (row.obligation_id, row.period, row.officer_id) == (tthc.id, "2025-08",
                                                               people["Bích Hậu"])


async def test_an_admin_marks_a_report_sent_for_an_owner_with_sent(engine):
    people = seed_office(engine, dt.datetime(2025, 8, 1, 9))
    clock.set(dt.datetime(2025, 9, 20, 9))
    tthc = _obligation(engine, "BC-TTHC-THANG")
    async with Chat(engine) as chat:
        admin = chat.officer("Minh Quân")
        assert "Gõ /sent, mã báo cáo" in await chat.text(admin, "/sent")
        assert "không tìm thấy đúng một" in (await chat.text(
            admin, "/sent BC-TTHC-THANG 2025-08 Tuấn An")).lower()
        out = await chat.text(admin, "/sent bc-tthc-thang 2025-08 Kim Sa")
        assert "Đã ghi nhận" in out, out
        refused = await chat.text(chat.officer("Tuấn An"), "/sent BC-TTHC-THANG 2025-07")
        assert "không dành cho vai trò" in refused
    with Session(engine) as session:
        [row] = session.exec(select(m.Submission)).all()
    assert (row.obligation_id, row.period, row.officer_id) == (tthc.id, "2025-08",
                                                               people["Kim Sa"])
    assert ("BC-TTHC-THANG", "2025-08") not in _outstanding(engine, clock.today())
