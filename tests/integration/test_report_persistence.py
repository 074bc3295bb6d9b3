"""Nothing lost across a restart: the SQL persistence of python-telegram-bot and the report
draft, in-process (the kill -9 over the wire is in test_report_e2e.py)."""

from __future__ import annotations

from sqlmodel import Session, select

from bot.channels.persistence import SQLPersistence
from bot.core import state_store
from bot.reporting import DRAFT_KIND
from storage import models as m
from tests.chat import Chat
from tests.report_helpers import (
    button_update,
    drafts,
    menu,
    office_fixture,  # noqa: F401  (the `office` fixture)
    press,
    rendered,
    reports,
    to_summary,
    to_value_step,
)


def conversation_rows(engine) -> dict[str, dict]:
    return state_store.all_of(engine, "conv:report")


async def test_a_new_application_over_the_same_database_resumes_mid_report(office):
    async with Chat(office) as first:
        anh = first.officer("Diệu Anh")
        await to_value_step(first, anh, "TC-1")
    # the first application is gone; what it knew is in the database
    assert list(conversation_rows(office).values()) == [{"state": "active"}]
    [draft] = drafts(office).values()
    assert draft["step"] == "value" and draft["code"] == "TC-1"
    async with Chat(office) as second:
        second.request.user(anh["id"], anh["first_name"])  # the same person writes again
        out = await second.text(anh, "62")
        assert "Thêm ghi chú" in out
        await press(second, anh, "rep:skip")
        await press(second, anh, "rep:done")
        out = await press(second, anh, "rep:ok:")
        assert "Đã ghi nhận 62% cho TC-1" in out
    [report] = reports(office)
    assert report.value == 62 and report.dedupe_key == f"report:{draft['id']}"
    assert conversation_rows(office) == {} and drafts(office) == {}


async def test_resumes_from_the_draft_when_the_conversation_state_was_not_written(office):
    async with Chat(office) as first:
        anh = first.officer("Diệu Anh")
        await to_value_step(first, anh, "TC-1")
        await first.text(anh, "62")
    # a kill -9 before PTB's next write: the conversation state is missing, the draft is there
    for key in conversation_rows(office):
        state_store.delete(office, "conv:report", key)
    async with Chat(office) as second:
        second.request.user(anh["id"], anh["first_name"])
        out = await second.text(anh, "ghi chú sau khi khởi động lại")
        assert "Gửi ảnh hoặc tệp minh chứng" in out
        out = await press(second, anh, "rep:done")
        assert "Ghi chú: ghi chú sau khi khởi động lại" in out
        await press(second, anh, "rep:ok:")
    assert [r.note for r in reports(office)] == ["ghi chú sau khi khởi động lại"]


async def test_a_report_confirmed_just_before_a_crash_is_stored_once(office):
    async with Chat(office) as first:
        anh = first.officer("Diệu Anh")
        await to_summary(first, anh, "TC-1", "70")
        [confirm] = [d for _, d in menu(first, anh) if d.startswith("rep:ok:")]
        [(key, before)] = drafts(office).items()
        await press(first, anh, "rep:ok:")
    # the process died after storing the report and before dropping the draft
    state_store.put(office, DRAFT_KIND, key, before)
    async with Chat(office) as second:
        second.request.user(anh["id"], anh["first_name"])
        out = rendered(await second.feed(button_update(second, anh, confirm)))  # pressed again
        assert "đã được ghi nhận lúc" in out and "Không lưu thêm" in out
    assert len(reports(office)) == 1 and drafts(office) == {}


async def test_user_chat_and_conversation_data_round_trip(engine):
    first = SQLPersistence(engine, namespace="telegram")
    await first.update_user_data(42, {"lang": "en", "when": object()})  # not JSON: left out
    await first.update_chat_data(-100, {"topic": "CCHC"})
    await first.update_conversation("report", (42, 42), "active")
    await first.update_conversation("other", (7, 7), 3)
    other_channel = SQLPersistence(engine, namespace="console")
    await other_channel.update_user_data(42, {"lang": "vi"})

    again = SQLPersistence(engine, namespace="telegram")
    assert await again.get_user_data() == {42: {"lang": "en"}}
    assert await again.get_chat_data() == {-100: {"topic": "CCHC"}}
    assert await again.get_conversations("report") == {(42, 42): "active"}
    assert await again.get_conversations("other") == {(7, 7): 3}
    assert await again.get_bot_data() == {} and await again.get_callback_data() is None
    assert await SQLPersistence(engine, namespace="console").get_user_data() == {
        42: {"lang": "vi"}}, "channels do not see each other's state"

    await again.update_conversation("report", (42, 42), None)  # ended
    await again.drop_chat_data(-100)
    await again.update_user_data(42, {})  # emptied
    fresh = SQLPersistence(engine, namespace="telegram")
    assert await fresh.get_conversations("report") == {}
    assert await fresh.get_chat_data() == {} and await fresh.get_user_data() == {}
    assert fresh.update_interval == 1.0, "PTB hands changes over every second"


async def test_unchanged_data_is_not_written_again(engine):
    persistence = SQLPersistence(engine, namespace="telegram")
    await persistence.update_user_data(1, {"lang": "en"})

    def stamp():
        with Session(engine) as session:
            return session.exec(select(m.BotState.updated_at)
                                .where(m.BotState.kind == "user_data")).one()

    from bot.core.clock import clock

    first = stamp()
    clock.advance(minutes=5)
    await persistence.update_user_data(1, {"lang": "en"})
    assert stamp() == first
    await persistence.update_user_data(1, {"lang": "vi"})
    assert stamp() > first
