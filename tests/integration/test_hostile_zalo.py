"""Issue 14, row 13: Zalo duplicates are per sender; photo links are fetched only from the
platform's media hosts, never the Bot API, and redirects are not followed (fake Zalo, in-process,
real database)."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.core.clock import clock
from bot.people import identity
from bot.people.roster import import_roster
from tests.conftest import ROOT
from tests.fake_zalo import FakeZalo, tiny_png
from tests.integration.test_zalo import zalo_bot


@pytest.fixture
def office(plan_engine):
    import_roster(plan_engine, ROOT / "data" / "roster.example.csv")
    clock.set(dt.datetime(2025, 5, 10, 9, 0))
    return plan_engine


async def test_row13_two_people_with_the_same_message_id_are_both_answered(office):
    async with FakeZalo() as zl, zalo_bot(zl, office):
        zl.send_text("u-1", "/help", message_id="m-same")
        await zl.wait_for_message("u-1", "Các lệnh")
        zl.send_text("u-2", "/help", message_id="m-same")
        await zl.wait_for_message("u-2", "Các lệnh")
        zl.send_text("u-2", "/help", message_id="m-same")  # the same event again: once
        await zl.wait_idle()
        assert sum("Các lệnh" in t for t in zl.texts("u-2")) == 1


async def test_row13_photos_only_from_media_hosts_without_redirects(office, tmp_path):
    async with FakeZalo() as zl, zalo_bot(zl, office, ZALO_MEDIA_HOSTS=zl.root,
                                          PARBOT_EVIDENCE_DIR=str(tmp_path)) as channel:
        number, _ = channel.request.ids.number("u-an")
        [(an, _)] = identity.find_officers(office, "Diệu Anh")
        identity.link_account(office, an, "zalo", number)
        zl.send_text("u-an", "/report TC-1")
        await zl.wait_for_message("u-an", "Nhập")
        zl.send_text("u-an", "62")
        await zl.wait_for_message("u-an", "ghi chú")
        api = f"{zl.root}/bot{zl.token}/getMe"
        for hostile in (api, zl.moved_url("x", api), "http://169.254.169.254/latest/meta-data",
                        "file:///etc/passwd"):
            before = len([c for c in zl.calls if c.method == "getMe"])
            zl.send_image("u-an", hostile)
            reply = await zl.wait_for_message("u-an", "Chưa tải được")
            assert "getMe" not in reply["text"]
            assert len([c for c in zl.calls if c.method == "getMe"]) == before, hostile
        zl.send_image("u-an", zl.media_url("bien-ban.png", tiny_png()))
        await zl.wait_for_message("u-an", "Đã nhận 1 tệp")
