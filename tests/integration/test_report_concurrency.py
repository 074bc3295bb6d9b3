"""Many officers reporting at the same time: nobody waits for anybody, nothing is lost or
doubled (SQLite in WAL mode and PostgreSQL)."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor

from telegram import Update

from bot.progress import NewReport, ParsedValue, record_report
from tests.chat import Chat
from tests.report_helpers import (
    menu,
    office_fixture,  # noqa: F401  (the `office` fixture)
    reports,
    target_id,
)

PEOPLE = {"Diệu Anh": ("TC-1", "40"), "Trần Thị Hòa": ("TC-2", "30"),
          "Bích Hậu": ("TTHC-1", "90"), "Minh Lý": ("TTHC-2", "45"),
          "Kim Sa": ("TTHC-3", "50"), "Ngọc Dũng": ("TCBM-1", "70"),
          "Tuyết Nhung": ("TCC-1", "đạt"), "Văn Bình": ("CQS-1", "31/50"),
          "Trần Thị Mai": ("CQS-1", "20/30")}


def test_concurrent_writes_are_all_stored_and_duplicates_once(office):
    tc1 = target_id(office, "TC-1")

    def write(i: int) -> tuple[int, bool]:
        key = "report:same" if i % 4 == 0 else f"report:w{i}"
        return record_report(office, NewReport(target_id=tc1, officer_id=1,
                                               value=ParsedValue(float(i)), dedupe_key=key))

    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(write, range(24)))
    assert sum(created for _, created in results) == 19  # 18 distinct keys + "same" once
    same = {rid for (rid, _), i in zip(results, range(24), strict=True) if i % 4 == 0}
    assert len(same) == 1
    assert len(reports(office)) == 19


async def _process(chat: Chat, update: dict) -> None:
    """As `parbot run` does: through the update processor (chats in parallel)."""
    parsed = Update.de_json(update, chat.app.bot)
    await chat.app.update_processor.process_update(parsed, chat.app.process_update(parsed))


async def _report(chat: Chat, user: dict, code: str, value: str) -> None:
    await _process(chat, chat.request.text_update(user, f"/report {code} {value}"))
    [number] = [i for i, (_, d) in enumerate(menu(chat, user), 1) if d.startswith("rep:ok:")]
    await _process(chat, chat.request.text_update(user, str(number)))


async def test_officers_reporting_at_once_each_get_their_own_report(office):
    async with Chat(office) as chat:
        users = {name: chat.officer(name) for name in PEOPLE}
        await asyncio.gather(*(_report(chat, users[name], *PEOPLE[name]) for name in PEOPLE))
        texts = {name: [o.text for o in chat.request.outbox
                        if o.chat_id == str(users[name]["id"])] for name in PEOPLE}
    stored = reports(office)
    assert len(stored) == len(PEOPLE)
    assert len({r.officer_id for r in stored}) == len(PEOPLE)
    for name, (code, _) in PEOPLE.items():
        assert any("Đã ghi nhận" in t and code in t for t in texts[name]), (name, texts[name])


async def test_a_busy_chat_does_not_hold_up_another_officer(office):
    async with Chat(office) as chat:
        anh, dung = chat.officer("Diệu Anh"), chat.officer("Ngọc Dũng")
        release = asyncio.Event()

        async def still_working() -> None:  # Diệu Anh's update that takes its time
            await release.wait()

        busy = Update.de_json(chat.request.text_update(anh, "/report TC-1 40"), chat.app.bot)
        held = asyncio.create_task(chat.app.update_processor.process_update(busy,
                                                                          still_working()))
        await asyncio.sleep(0)
        await asyncio.wait_for(_report(chat, dung, "TCBM-1", "70"), timeout=10)
        assert not held.done(), "Diệu Anh's chat is still busy"
        assert [r.target_id for r in reports(office)] == [target_id(office, "TCBM-1")]
        release.set()
        await held
