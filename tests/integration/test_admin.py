"""Admin chat commands and invite codes (expiry, single use), in-process."""

from __future__ import annotations

import datetime as dt
import re

from sqlmodel import Session, select

from bot.core.clock import clock
from bot.people.roster import import_roster
from storage import models as m
from tests.chat import Chat
from tests.conftest import ROOT


def _assigned(engine, code: str, name_part: str, kind: str = "responsible") -> bool:
    with Session(engine) as s:
        rows = s.exec(select(m.Assignment, m.Officer, m.Target)
                      .join(m.Officer, m.Officer.id == m.Assignment.officer_id)
                      .join(m.Target, m.Target.id == m.Assignment.target_id)
                      .where(m.Target.code == code, m.Assignment.kind == kind)).all()
        return any(name_part in o.full_name for _, o, _ in rows)


async def test_assign_unassign_and_audit(plan_engine):
    import_roster(plan_engine, ROOT / "data" / "roster.example.csv")
    async with Chat(plan_engine) as chat:
        admin = chat.officer("Minh Quân")
        assert not _assigned(plan_engine, "CQS-1", "Kim Sa")
        out = await chat.text(admin, "/assign cqs-1 Kim Sa")
        assert "Đã giao CQS-1" in out and _assigned(plan_engine, "CQS-1", "Kim Sa")
        assert "không thay đổi" in await chat.text(admin, "/assign CQS-1 Kim Sa")
        out = await chat.text(admin, "/assign CQS-1 phối hợp Kim Sa")
        assert "phối hợp" in out and _assigned(plan_engine, "CQS-1", "Kim Sa", "coordinator")
        assert "Đã bỏ giao" in await chat.text(admin, "/unassign CQS-1 Kim Sa")
        assert not _assigned(plan_engine, "CQS-1", "Kim Sa")
        assert "Không có chỉ tiêu mã XYZ-9" in await chat.text(admin, "/assign XYZ-9 Kim Sa")
        assert "Không tìm thấy cán bộ" in await chat.text(admin, "/assign CQS-1 Không Ai")
        assert "nhiều cán bộ" in await chat.text(admin, "/assign CQS-1 Thị")
        assert "Cách dùng" in await chat.text(admin, "/assign")
        roster = await chat.text(admin, "/officers")
        assert "15 người" in roster and "Nguyễn Tuấn An" in roster
        # a leader may not assign
        leader = chat.officer("Văn Thắng")
        assert "không dành cho vai trò lãnh đạo" in await chat.text(leader, "/assign CQS-1 An")
    with Session(plan_engine) as s:
        actions = [a.action for a in s.exec(select(m.AuditLog)
                                            .where(m.AuditLog.action.like("assignment.%")))]
    assert actions == ["assignment.assigned", "assignment.assigned", "assignment.removed"]


async def test_invite_single_use_and_expiry(plan_engine):
    import_roster(plan_engine, ROOT / "data" / "roster.example.csv")
    clock.set(dt.datetime(2025, 3, 1, 9, 0))
    async with Chat(plan_engine) as chat:
        admin = chat.officer("Minh Quân")
        out = await chat.text(admin, "/invite Kim Sa")
        code = re.search(r"[A-Z0-9]{4}-[A-Z0-9]{4}", out).group(0)
        assert f"/start {code}" in out  # not Telegram: the code to type
        newcomer = chat.user("Sa")
        assert "Xin chào" in await chat.text(newcomer, f"/start {code.lower().replace('-', '')}")
        assert "đã được dùng" in await chat.text(chat.user(), f"/start {code}")
        out = await chat.text(admin, "/invite Ngọc Dũng")
        late = re.search(r"[A-Z0-9]{4}-[A-Z0-9]{4}", out).group(0)
        clock.advance(days=15)  # PARBOT_INVITE_DAYS defaults to 14
        assert "hết hạn" in await chat.text(chat.user(), f"/start {late}")
