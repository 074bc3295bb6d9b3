"""Onboarding basics and the fallbacks, in-process through the bridge layer."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.core.catalogue import t
from bot.people.roster import import_roster
from tests.chat import Chat
from tests.conftest import ROOT

APOLOGY = t("error.generic", "vi")


async def test_guest_is_refused_plan_and_told_how_to_join(plan_engine):
    async with Chat(plan_engine) as chat:
        guest = chat.user()
        out = await chat.text(guest, "/plan")
        assert "chưa có trong danh sách" in out and "/start" in out
        assert "Kế hoạch số" not in out


async def test_public_plan_setting_opens_plan_text_to_guests(plan_engine):
    async with Chat(plan_engine, PARBOT_PUBLIC_PLAN=True) as chat:
        out = await chat.text(chat.user(), "/plan")
        assert "Kế hoạch số 737/KH-PGDĐT" in out


async def test_officer_greeting_lists_responsibilities(plan_engine):
    import_roster(plan_engine, ROOT / "data" / "roster.example.csv")
    async with Chat(plan_engine) as chat:
        an = chat.officer("Tuấn An")
        out = await chat.text(an, "/start")
        assert "Xin chào Nguyễn Tuấn An" in out
        assert "chính quyền số" in out.lower() and "1 chỉ tiêu" in out
        english = await chat.text(an, "/lang en")
        assert "Switched to English" in english
        assert "Commands for you" in await chat.text(an, "/help")


async def test_unknown_command_and_stale_button(plan_engine):
    async with Chat(plan_engine, admin_console=True) as chat:
        user = chat.user()
        assert "Lệnh này không có" in await chat.text(user, "/khongco")
        update = chat.request.text_update(user, "x")
        update["callback_query"] = {"id": "1", "from": user, "chat_instance": "1",
                                    "data": "forged:123", "message": update.pop("message")}
        out = await chat.feed(update)
        assert any("hết hiệu lực" in o.text for o in out)


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.text(min_size=1, max_size=300))
async def test_any_text_gets_a_polite_reply(plan_engine, text):
    async with Chat(plan_engine, admin_console=True) as chat:
        out = await chat.say(chat.user(), text)
        if text.strip():
            assert out, "every message gets an answer"
            assert all("Traceback" not in o.text for o in out)
        # the error apology is not a polite reply: a handler that raised fails the test
        assert not chat.errors, repr(chat.errors)
        assert all(APOLOGY not in o.text for o in out)


async def test_a_handler_that_raises_fails_the_test_even_though_the_user_got_an_apology(
        plan_engine):
    """The harness must not count the polite error apology as an answer: random-text tests
    would pass over crashing handlers otherwise."""
    import pytest
    from telegram.ext import CommandHandler

    async def broken(update, context):
        raise RuntimeError("boom")

    async with Chat(plan_engine) as chat:
        chat.app.add_handler(CommandHandler("broken", broken), group=-1)
        guest = chat.user()
        with pytest.raises(AssertionError, match="a handler raised"):
            await chat.say(guest, "/broken")
        assert t("error.generic", "vi") in [o.text for o in chat.request.outbox], "user told"
        assert await chat.text(guest, "/help"), "the chat goes on after the failure"
