"""Helpers shared by the /report tests: the roster loaded, buttons pressed, files sent, and what
the database holds."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlmodel import Session, select

from bot.channels.bridge import lone_cancel
from bot.core.clock import clock
from bot.people.roster import import_roster
from storage import models as m
from tests.chat import Chat
from tests.conftest import ROOT

NOW = dt.datetime(2025, 5, 10, 9, 0)  # phase B (2024-2025) of plan 737, deadlines 31/12/2025
PDF = "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ERROR = "đã có lỗi"  # the generic error message (handlers/errors.py)


@pytest.fixture(name="office")
def office_fixture(plan_engine):
    """Plan 737 and the example roster (two schools: THCS Lê Lợi, Tiểu học Văn Yên)."""
    import_roster(plan_engine, ROOT / "data" / "roster.example.csv")
    clock.set(NOW)
    return plan_engine


def menu(chat: Chat, user: dict) -> list[tuple[str, str]]:
    """The buttons of the bot's last message with buttons, as (label, data)."""
    current = chat.request.menus.get(str(user["id"]))
    return list(current.options) if current else []


async def press(chat: Chat, user: dict, data: str) -> str:
    """Press the button whose callback data starts with `data` (typed as its number)."""
    options = menu(chat, user)
    if lone_cancel(options) and options[0][1].startswith(data):  # a number would be a value
        return rendered(await chat.feed(button_update(chat, user, options[0][1])))
    for i, (_, option) in enumerate(options, 1):
        if option.startswith(data):
            return await chat.text(user, str(i))
    raise AssertionError(f"no button {data!r} in {options}")


def button_update(chat: Chat, user: dict, data: str) -> dict:
    """A press of a button with `data` (also one no longer shown: pressing it again)."""
    update = chat.request.text_update(user, "\u2063")  # an invisible character: no menu match
    message = update.pop("message")
    message["from"] = chat.request.bot
    update["callback_query"] = {"id": f"{user['id']}-{update['update_id']}", "from": user,
                                "chat_instance": str(user["id"]), "data": data,
                                "message": message}
    return update


def document_update(chat: Chat, user: dict, file_id: str, file_name: str, mime_type: str,
                    size: int = 2048, caption: str | None = None) -> dict:
    """The user sends a file (the bridge has photo_update only)."""
    update = chat.request.photo_update(user, file_id, caption)
    message = update["message"]
    del message["photo"]
    message["document"] = {"file_id": file_id, "file_unique_id": f"u-{file_id}",
                           "file_name": file_name, "mime_type": mime_type, "file_size": size}
    return update


def rendered(outgoing) -> str:
    return "\n".join(o.render() for o in outgoing)


def reports(engine, **where) -> list[m.ProgressReport]:
    with Session(engine) as session:
        query = select(m.ProgressReport).order_by(m.ProgressReport.id)
        for name, value in where.items():
            query = query.where(getattr(m.ProgressReport, name) == value)
        return list(session.exec(query))


def evidence(engine, report_id: int) -> list[m.Evidence]:
    with Session(engine) as session:
        return list(session.exec(select(m.Evidence).where(m.Evidence.report_id == report_id)
                                 .order_by(m.Evidence.id)))


def drafts(engine) -> dict[str, dict]:
    from bot.core import state_store
    from bot.reporting import DRAFT_KIND

    return state_store.all_of(engine, DRAFT_KIND)


def unit_id(engine, name: str) -> int:
    with Session(engine) as session:
        return session.exec(select(m.Unit.id).where(m.Unit.name == name)).one()


def target_id(engine, code: str) -> int:
    with Session(engine) as session:
        return session.exec(select(m.Target.id).where(m.Target.code == code)).one()


def audit(engine, action: str) -> list[m.AuditLog]:
    with Session(engine) as session:
        return list(session.exec(select(m.AuditLog).where(m.AuditLog.action == action)))


async def to_value_step(chat: Chat, user: dict, code: str) -> str:
    """/report <code>: the target card with the value question."""
    out = await chat.text(user, f"/report {code}")
    assert "Nhập" in out or "hoàn thành chưa" in out, out
    return out


async def to_summary(chat: Chat, user: dict, code: str, value: str) -> str:
    out = await chat.text(user, f"/report {code} {value}")
    assert "Kiểm tra lại báo cáo" in out, out
    return out
