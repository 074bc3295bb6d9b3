"""Issue 14: hostile input and abuse. One test (at least) per row of the issue's table; each
failed before its fix. Real databases, real PTB, through the in-process chat harness."""

from __future__ import annotations

import asyncio
import datetime as dt
import io
import logging
import threading
import zipfile
from concurrent.futures import ThreadPoolExecutor

import pytest
from docx import Document
from openpyxl import load_workbook
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from bot.core.clock import clock
from bot.paperwork.evidence import evidence_items, evidence_pack
from bot.paperwork.periods import parse_period
from bot.paperwork.quarterly import quarterly_report
from bot.paperwork.workbook import export_workbook
from bot.progress import EvidenceFile, NewReport, ParsedValue, record_report
from storage import models as m
from storage.db import session_scope
from tests.chat import Chat, RecordingRequest
from tests.exports_helpers import seed_quarter
from tests.report_helpers import (
    DOCX,
    ERROR,
    PDF,
    button_update,
    document_update,
    evidence,
    office_fixture,  # noqa: F401  (the `office` fixture)
    press,
    rendered,
    reports,
    to_summary,
)

HOSTILE = "ghi chú\x01 thoát\x1b mã\ufffe cuối\uffff, nul\x00 và \x0b\x0c\x1f hết"


# --- row 1: a stored note with control characters breaks every export -------------------------

async def test_row1_control_characters_in_stored_text_never_break_an_export(plan_engine):
    seeded = seed_quarter(plan_engine)
    with Session(plan_engine) as session:
        target = session.exec(select(m.Target).where(m.Target.code == "TTHC-1")).one()
    clock.set(dt.datetime(2025, 9, 20, 9))
    report_id, _ = record_report(plan_engine, NewReport(
        target.id, seeded.officers["Lê Thị Bích Hậu"], ParsedValue(100.0), None, HOSTILE,
        (EvidenceFile("console", "f-hostile", None, "biên\x01bản\uffff.pdf",
                      "application/pdf", 10),)))
    # text stored before this change (or by another path): every writer must cope with it
    # (PostgreSQL takes any of these characters but NUL)
    with session_scope(plan_engine) as session:
        session.get(m.ProgressReport, report_id).note = HOSTILE.replace("\x00", "")
        for ev in session.exec(select(m.Evidence).where(m.Evidence.report_id == report_id)):
            ev.file_name = "biên\x01bản\uffff.pdf"
    clock.set(dt.datetime(2025, 10, 5, 9))
    period = parse_period("2025-Q3", dt.date(2025, 10, 5))
    workbook = export_workbook(plan_engine, dt.date(2025, 10, 5), period)
    texts = [c for ws in load_workbook(io.BytesIO(workbook.content)).worksheets
             for row in ws.iter_rows(values_only=True) for c in row if isinstance(c, str)]
    assert any("ghi chú thoát mã cuối, nul và  hết" in c for c in texts), texts
    _, docx, _ = quarterly_report(plan_engine, period, dt.date(2025, 10, 5))
    assert Document(io.BytesIO(docx)).paragraphs

    async def fetch(item):
        return b"%PDF-1.4\n%%EOF"

    pack = await evidence_pack(evidence_items(plan_engine, period), fetch)
    with zipfile.ZipFile(io.BytesIO(pack.content)) as archive:
        assert any(name.endswith(".xlsx") for name in archive.namelist())


async def test_row1_typed_control_characters_are_dropped_before_anything_stores_them(office):
    async with Chat(office) as chat:
        anh = chat.officer("Diệu Anh")
        await chat.text(anh, "/report TC-1")
        await chat.text(anh, "62")
        out = await chat.text(anh, HOSTILE)  # the note
        assert ERROR not in out
        await press(chat, anh, "rep:done")
        out = await press(chat, anh, "rep:ok")
        assert ERROR not in out
        stored = reports(office)
        assert len(stored) == 1 and stored[0].note == "ghi chú thoát mã cuối, nul và  hết"


# --- row 6: NUL in a note fails on PostgreSQL; the error log then holds the SQL parameters ----

def test_row6_sql_errors_never_carry_the_parameters(engine):
    with pytest.raises(IntegrityError) as caught:  # no such officer: the foreign key refuses
        with session_scope(engine) as session:
            session.add(m.Invite(code="gọi 0912345678", officer_id=987654,
                                 created_at=clock.now(), expires_at=clock.now()))
    assert "0912345678" not in str(caught.value)


async def test_row6_a_failing_handler_logs_no_user_text(office, caplog):
    from telegram.ext import MessageHandler, filters

    async def boom(update, context):
        raise ValueError(f"could not read {update.effective_message.text!r}")

    async with Chat(office) as chat:
        chat.raise_errors = False  # this test is about the failure path
        chat.app.add_handler(MessageHandler(filters.Regex("^BOOM"), boom), group=-5)
        user = chat.officer("Diệu Anh")
        with caplog.at_level(logging.INFO):
            out = await chat.text(user, "BOOM số của tôi 0912345678")
        assert ERROR in out  # the apology is still sent
        logged = "\n".join(r.getMessage() + (logging.Formatter().formatException(r.exc_info)
                                             if r.exc_info else "") for r in caplog.records)
        assert "ValueError" in logged and "0912345678" not in logged


# --- row 10: superscript digits at the value step; years like 9999 -----------------------------

@pytest.mark.parametrize(("who", "start"), [("Diệu Anh", "/report"), ("Diệu Anh", "/report TC-1"),
                                           ("Tuấn An", "/report CQS-1")])
async def test_row10_superscript_and_odd_digits_at_every_report_step(office, who, start, caplog):
    async with Chat(office) as chat:
        officer = chat.officer(who)
        for typed in ["²³", "¹", "①", "62²", "٣", "１", "²"]:
            await chat.text(officer, "/cancel")
            await chat.text(officer, start)  # the target, the school or the value question
            with caplog.at_level(logging.ERROR, logger="parbot.errors"):
                out = await chat.text(officer, typed)
            assert out and ERROR not in out and not caplog.records, (start, typed, out)
        assert not reports(office)


@pytest.mark.parametrize("command", ["/quarterly 9999", "/export 9999", "/quarterly Q1/1899",
                                     "/export 2101", "/quarterly 0000"])
async def test_row10_years_outside_2000_2100_get_a_polite_no(office, command, caplog):
    async with Chat(office) as chat:
        leader = chat.officer("Phan Văn Thắng")
        with caplog.at_level(logging.ERROR, logger="parbot.errors"):
            out = await chat.say(leader, command)
        text = "\n".join(o.render() for o in out)
        assert out and ERROR not in text and not caplog.records
        assert "9999" in text or "1899" in text or "2101" in text or "0000" in text, text
        assert all(o.file_bytes is None for o in out)


# --- row 8: a forged rep:ok:<draft id> tells a guest another officer's report value -----------

async def test_row8_a_forged_confirm_shows_nothing_to_anyone_but_the_reporter(office):
    async with Chat(office) as chat:
        anh = chat.officer("Diệu Anh")
        await to_summary(chat, anh, "TC-1", "62")
        await press(chat, anh, "rep:ok")
        (stored,) = reports(office)
        data = "rep:ok:" + stored.dedupe_key.split(":", 1)[1]
        again = rendered(await chat.feed(button_update(chat, anh, data)))
        assert "62" in again  # the reporter pressing Confirm again is told it was stored
        for intruder in (chat.user("Người lạ"), chat.officer("Bích Hậu"),
                         chat.officer("Phan Văn Thắng")):
            out = rendered(await chat.feed(button_update(chat, intruder, data)))
            assert "62" not in out and "TC-1" not in out, out


# --- row 7: eight people redeeming one invite at once: one wins --------------------------------

def test_row7_one_invite_redeemed_by_eight_at_once_links_exactly_one(office):
    from bot.people import identity

    (officer_id, _), = identity.find_officers(office, "Diệu Anh")
    for attempt in range(3):
        (invite,) = identity.create_invites(office, [officer_id], 7)
        barrier = threading.Barrier(8)

        def redeem(i: int, code: str = invite.code, n: int = attempt,
                   gate: threading.Barrier = barrier) -> str:
            gate.wait()
            return identity.redeem_invite(office, "console", f"race-{n}-{i}", code).status

        with ThreadPoolExecutor(max_workers=8) as pool:
            outcomes = list(pool.map(redeem, range(8)))
        assert outcomes.count("linked") == 1, outcomes
        assert outcomes.count("used") == 7, outcomes


# --- row 3: in a group, /officers, /invite and /export post the staff list, a code, the workbook

def _in_group(update: dict, chat_id: int, kind: str = "group") -> dict:
    for key in ("message", "callback_query"):
        if key in update:
            message = update[key] if key == "message" else update[key]["message"]
            message["chat"] = {"id": chat_id, "type": kind, "title": "Tổ văn phòng"}
    return update


async def test_row3_groups_get_one_polite_refusal_a_day_and_no_data(office):
    clock.set(dt.datetime(2025, 5, 10, 9, 0))
    async with Chat(office) as chat:
        admin = chat.officer("Lý Minh Quân")
        leader = chat.officer("Phan Văn Thắng")
        said: list = []
        for user, text in [(admin, "/officers"), (admin, "/invite Diệu Anh"), (leader, "/export"),
                           (leader, "/quarterly"), (admin, "/plan"), (leader, "ai phụ trách TC-1"),
                           (admin, "/help"), (admin, "/start")]:
            said += await chat.feed(_in_group(chat.request.text_update(user, text), -1001))
        said += await chat.feed(_in_group(button_update(chat, admin, "cmd:officers"), -1001))
        supergroup = await chat.feed(_in_group(chat.request.text_update(admin, "/officers"),
                                               -1002, "supergroup"))
        assert len(said) == 1 and len(supergroup) == 1, [o.render() for o in said]
        text = said[0].render()
        assert "riêng" in text and said[0].file_bytes is None
        assert "Diệu Anh" not in text and "Trần Thị Hòa" not in text
        clock.set(dt.datetime(2025, 5, 11, 9, 0))
        tomorrow = await chat.feed(_in_group(chat.request.text_update(admin, "/officers"), -1001))
        assert len(tomorrow) == 1 and "Hòa" not in tomorrow[0].render()
        # the same people in their private chats are served as before
        assert "Trần Thị Hòa" in await chat.text(admin, "/officers")


async def test_row3_channel_posts_are_ignored_after_one_refusal(office):
    async with Chat(office) as chat:
        post = chat.request.text_update(chat.user(), "/officers")
        message = post.pop("message")
        message.pop("from")
        message["chat"] = {"id": -1003, "type": "channel", "title": "Kênh"}
        post["channel_post"] = message
        first = await chat.feed(post)
        second = await chat.feed({**post, "update_id": post["update_id"] + 100000})
        assert len(first) <= 1 and not second


# --- row 4: invoice.exe declared as PDF and setup.pdf.scr as DOCX become evidence -----------------

EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 200
REAL_PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _docx() -> bytes:
    out = io.BytesIO()
    Document().save(out)
    return out.getvalue()


def _zip_without_content_types() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("word/document.xml", "<w:document/>")
    return out.getvalue()


class FilesRequest(RecordingRequest):
    """The bridge with Telegram's getFile and file downloads: `blobs` by file id."""

    def __init__(self) -> None:
        super().__init__()
        self.blobs: dict[str, bytes] = {}

    async def api_getFile(self, params: dict, files: dict) -> dict:
        file_id = str(params["file_id"])
        if file_id not in self.blobs:
            raise KeyError(file_id)
        return {"file_id": file_id, "file_unique_id": f"u-{file_id}", "file_path": file_id,
                "file_size": len(self.blobs[file_id])}

    async def do_request(self, url, method, request_data=None, *args, **kwargs):
        if method == "GET":
            return 200, self.blobs[url.rsplit("/", 1)[-1]]
        return await super().do_request(url, method, request_data, *args, **kwargs)


async def test_row4_evidence_is_checked_by_its_bytes_and_named_by_them(office, tmp_path):
    files = FilesRequest()
    files.blobs.update({"exe": EXE, "scr": EXE, "pdf": REAL_PDF, "docx": _docx(),
                        "fakezip": _zip_without_content_types()})
    async with Chat(office, request=files, channel="telegram",
                    PARBOT_EVIDENCE_DIR=str(tmp_path / "evidence")) as chat:
        anh = chat.officer("Diệu Anh")
        await chat.text(anh, "/report TC-1")
        await chat.text(anh, "62")  # the note question: files are taken from here on
        for file_id, name, mime in [("exe", "invoice.exe", PDF), ("exe", "hoa-don.pdf", PDF),
                                    ("scr", "setup.pdf.scr", DOCX),
                                    ("fakezip", "bao-cao.docx", DOCX)]:
            out = rendered(await chat.feed(document_update(chat, anh, file_id, name, mime)))
            assert "Không nhận" in out and ERROR not in out, out
        big = document_update(chat, anh, "pdf", "to.pdf", PDF, size=30 * 1024 * 1024)
        assert "không nhận" in rendered(await chat.feed(big))
        for file_id, name, mime in [("pdf", "bien-ban.exe.pdf", PDF),
                                    ("docx", "ke-hoach.scr", DOCX)]:
            out = rendered(await chat.feed(document_update(chat, anh, file_id, name, mime)))
            assert "Không nhận" not in out, out
        await press(chat, anh, "rep:done")
        await press(chat, anh, "rep:ok")
        (stored,) = reports(office)
        kept = evidence(office, stored.id)
        assert [(e.file_name, e.mime_type) for e in kept] == [("bien-ban.pdf", PDF),
                                                              ("ke-hoach.docx", DOCX)]
        assert sorted(p.suffix for p in (tmp_path / "evidence").iterdir()) == [".docx", ".pdf"]


async def test_row4_the_evidence_pack_names_files_by_their_bytes_and_leaves_out_the_rest(
        plan_engine):
    seeded = seed_quarter(plan_engine)
    with Session(plan_engine) as session:
        target = session.exec(select(m.Target).where(m.Target.code == "TTHC-1")).one()
    clock.set(dt.datetime(2025, 9, 20, 9))
    record_report(plan_engine, NewReport(
        target.id, seeded.officers["Lê Thị Bích Hậu"], ParsedValue(100.0), None, None,
        (EvidenceFile("telegram", "exe", "ux", "invoice.pdf", PDF, len(EXE)),
         EvidenceFile("telegram", "scr", "us", "setup.pdf.scr", DOCX, len(EXE)),
         EvidenceFile("telegram", "good", "ug", "bien ban.docx.exe", DOCX, 10))))
    blobs = {"exe": EXE, "scr": EXE, "good": _docx()}

    async def fetch(item):
        return blobs.get(item.file_id, REAL_PDF)

    period = parse_period("2025-Q3", dt.date(2025, 10, 5))
    pack = await evidence_pack(evidence_items(plan_engine, period), fetch)
    with zipfile.ZipFile(io.BytesIO(pack.content)) as archive:
        names = archive.namelist()
    assert not any(n.endswith((".exe", ".scr")) for n in names), names
    assert any(n.endswith("bien ban.docx") for n in names), names
    assert sorted(item.file_id for item, _ in pack.missing) == ["BQACAgI-gone", "exe", "scr"] or \
        {"exe", "scr"} <= {item.file_id for item, _ in pack.missing}


# --- row 5: a 0.66 MB workbook of 400k rows sent as a plan takes 80 s and 1.6 GB -----------------

def _workbook_with_sheet_xml(rows: int, cols: int = 10) -> bytes:
    """A real workbook whose one sheet holds `rows` × `cols` numbers (written as XML directly:
    openpyxl would take minutes to write what it then takes minutes to read)."""
    from openpyxl import Workbook

    small = io.BytesIO()
    Workbook().save(small)
    from openpyxl.utils import get_column_letter

    letters = [get_column_letter(i + 1) for i in range(cols)]
    body = "".join(f'<row r="{r}">' + "".join(f'<c r="{c}{r}"><v>{r}</v></c>' for c in letters)
                   + "</row>" for r in range(1, rows + 1))
    sheet = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
             '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
             f"<sheetData>{body}</sheetData></worksheet>")
    out = io.BytesIO()
    with zipfile.ZipFile(small) as source, \
            zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = sheet.encode() if info.filename == "xl/worksheets/sheet1.xml" \
                else source.read(info.filename)
            target.writestr(info.filename, data)
    return out.getvalue()


def _zip_bomb() -> bytes:
    from openpyxl import Workbook

    small = io.BytesIO()
    Workbook().save(small)
    out = io.BytesIO()
    with zipfile.ZipFile(small) as source, \
            zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            target.writestr(info.filename, source.read(info.filename))
        target.writestr("xl/media/padding.bin", b"\0" * (200 * 1024 * 1024))
    return out.getvalue()


@pytest.mark.parametrize("kind", ["rows", "bomb", "wide"])
def test_row5_spreadsheets_are_bounded_before_they_are_parsed(kind):
    import time

    from bot.paperwork.plan_sheets import read_plan_sheet, render_problems

    data = {"rows": lambda: _workbook_with_sheet_xml(150_000),
            "bomb": _zip_bomb, "wide": lambda: _workbook_with_sheet_xml(5, 5000)}[kind]()
    started = time.perf_counter()
    result = read_plan_sheet(data, "ke-hoach.xlsx")
    elapsed = time.perf_counter() - started
    assert not result.ok and elapsed < 3, (kind, elapsed)
    text = render_problems(result, "vi")
    assert "quá lớn" in text or "quá nhiều" in text, text


# --- row 9: two cancelled drafts leave 8 orphan evidence files; nothing deletes them -------------

async def test_row9_files_of_cancelled_and_expired_drafts_are_deleted(office, tmp_path):
    folder = tmp_path / "evidence"
    files = FilesRequest()
    files.blobs.update({f"p{i}": REAL_PDF + str(i).encode() for i in range(12)})
    async with Chat(office, request=files, channel="telegram",
                    PARBOT_EVIDENCE_DIR=str(folder)) as chat:
        anh = chat.officer("Diệu Anh")

        async def four_files(first: int) -> None:
            await chat.text(anh, "/report TC-1")
            await chat.text(anh, "62")
            for i in range(first, first + 4):
                await chat.feed(document_update(chat, anh, f"p{i}", f"f{i}.pdf", PDF))
            assert len(list(folder.iterdir())) == 4

        await four_files(0)
        await chat.text(anh, "/cancel")  # cancelled
        assert not list(folder.iterdir())
        await four_files(4)
        clock.set(clock.now() + dt.timedelta(hours=2))  # expired: found idle at the next message
        await chat.text(anh, "/report TC-1")
        assert not list(folder.iterdir())
        await chat.text(anh, "/cancel")
        await four_files(8)  # confirmed: the files stay, they are the report's evidence
        await press(chat, anh, "rep:done")
        await press(chat, anh, "rep:ok")
        assert len(list(folder.iterdir())) == 4


async def test_row9_the_daily_sweep_deletes_files_no_row_or_draft_refers_to(office, tmp_path):
    import os
    import time

    from bot.reporting import sweep_evidence

    folder = tmp_path / "evidence"
    files = FilesRequest()
    files.blobs.update({"kept": REAL_PDF, "open": REAL_PDF + b"2"})
    async with Chat(office, request=files, channel="telegram",
                    PARBOT_EVIDENCE_DIR=str(folder)) as chat:
        anh, hau = chat.officer("Diệu Anh"), chat.officer("Bích Hậu")
        await chat.text(anh, "/report TC-1")
        await chat.text(anh, "62")
        await chat.feed(document_update(chat, anh, "kept", "a.pdf", PDF))
        await press(chat, anh, "rep:done")
        await press(chat, anh, "rep:ok")
        await chat.text(hau, "/report TTHC-1")
        await chat.text(hau, "90")
        await chat.feed(document_update(chat, hau, "open", "b.pdf", PDF))  # a draft still open
    orphans = [folder / "crashed-1-x.pdf", folder / "crashed-2-y.jpg"]
    for orphan in orphans:
        orphan.write_bytes(b"left behind by a crash")
    fresh = folder / "being-written.pdf"
    fresh.write_bytes(b"...")
    old = time.time() - 3 * 24 * 3600
    for path in folder.iterdir():
        if path != fresh:
            os.utime(path, (old, old))
    assert sweep_evidence(office, folder) == 2
    left = sorted(p.name for p in folder.iterdir())
    assert len(left) == 3 and fresh.name in left and not any(o.name in left for o in orphans)


# --- row 2: one stranger sending 500 /plan slows everyone; no per-user limit ----------------------

async def test_row2_a_flooding_stranger_gets_one_slow_down_then_silence(office):
    limits = {"PARBOT_STRANGER_RATE_PER_MINUTE": 120, "PARBOT_STRANGER_RATE_BURST": 3,
              "PARBOT_RATE_PER_MINUTE": 60, "PARBOT_RATE_BURST": 10}
    async with Chat(office, **limits) as chat:
        stranger, anh = chat.user("Người lạ"), chat.officer("Diệu Anh")
        answers = [await chat.say(stranger, "/plan") for _ in range(40)]
        said = [o.render() for out in answers for o in out]
        assert len(said) == 4, said  # three answers, then one "slow down", then nothing
        assert "chậm lại" in said[3] and all("chậm lại" not in s for s in said[:3])
        assert "Các lệnh" in await chat.text(anh, "/help")  # others are not held up
        await asyncio.sleep(0.6)  # the bucket refills (2 a second): answered again
        assert "chậm lại" not in await chat.text(stranger, "/plan")
        # an officer has more room than a stranger
        officer_said = [await chat.text(anh, "/help") for _ in range(9)]
        assert all("Các lệnh" in s for s in officer_said)


async def test_fuzz_findings_forged_huge_ids_in_buttons_get_a_polite_answer(office):
    async with Chat(office) as chat:
        anh = chat.officer("Diệu Anh")
        for data in ("ask:" + "9" * 30 + ":report:behind", "done:" + "9" * 30 + ":2025-05",
                     "snooze:٣٤", "done:٣:2025", "ask:²:due:", "rep:u:" + "9" * 40):
            out = await chat.feed(button_update(chat, anh, data))
            assert not chat.errors, (data, chat.errors)
            assert ERROR not in rendered(out)


# --- what held (issue 14): kept so ----------------------------------------------------------------

async def test_held_a_typed_formula_stays_text_in_the_workbook(office):
    async with Chat(office) as chat:
        anh = chat.officer("Diệu Anh")
        await chat.text(anh, "/report TC-1")
        await chat.text(anh, "62")
        await chat.text(anh, '=HYPERLINK("http://evil.example","bấm")')
        await press(chat, anh, "rep:done")
        await press(chat, anh, "rep:ok")
    workbook = export_workbook(office, dt.date(2025, 5, 10))
    cells = [c for ws in load_workbook(io.BytesIO(workbook.content)).worksheets
             for row in ws.iter_rows() for c in row if str(c.value or "").startswith("=HYPER")]
    assert cells and all(c.data_type == "s" for c in cells)


def test_held_yaml_is_only_ever_safe_loaded():
    import re

    from tests.conftest import ROOT

    sources = [p for folder in ("bot", "handlers", "storage")
               for p in (ROOT / folder).rglob("*.py")]
    # an unsafe call, a Loader= argument, or any loader class but the safe ones (SafeLoader,
    # libyaml's CSafeLoader, which bot/core/catalogue.py builds itself)
    unsafe = [str(p) for p in sources
              if re.search(r"yaml\.(load|full_load|unsafe_load)\(|Loader=|"
                           r"yaml\.C?(?:Full|Unsafe|Base)?Loader\b", p.read_text())]
    assert not unsafe
    loaders = {name for p in sources for name in re.findall(r"yaml\.(\w*Loader)\b", p.read_text())}
    assert loaders <= {"SafeLoader", "CSafeLoader"}, loaders


async def test_row3_the_bot_removed_from_a_group_logs_no_error(office):
    """my_chat_member: the bot was removed; the refusal cannot be sent — no error for that."""
    from bot.channels.bridge import BridgeRequest

    class Removed(RecordingRequest):
        async def api_sendMessage(self, params, files):
            if str(params["chat_id"]).startswith("-"):
                raise KeyError("Forbidden: bot was kicked from the group chat")
            return await super().api_sendMessage(params, files)

    assert issubclass(Removed, BridgeRequest)
    async with Chat(office, request=Removed()) as chat:
        admin = chat.officer("Lý Minh Quân")
        await chat.feed(_in_group(chat.request.text_update(admin, "/officers"), -1009))
        assert not chat.errors, chat.errors
