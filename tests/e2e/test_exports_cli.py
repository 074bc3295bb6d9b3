"""`parbot report quarterly`, `parbot export xlsx|evidence`, `parbot plan export|import` as a
user runs them."""

from __future__ import annotations

import asyncio
import io
import os
import sys
import zipfile

import pytest
from docx import Document
from openpyxl import load_workbook
from sqlmodel import Session, select

from storage import models as m
from storage.db import make_engine
from tests.bot_process import prepare_database
from tests.cli_helpers import ROOT, parbot
from tests.exports_helpers import JPG, PDF, officials_workbook, seed_quarter
from tests.fake_telegram import FakeTelegram

AS_OF = {"PARBOT_AS_OF": "2025-10-05T09:00:00"}
# the documents' reads run on both databases in tests/integration/test_exports_*.py
pytestmark = pytest.mark.once("the commands' arguments, files and output")


def _seeded(db_url: str) -> None:
    prepare_database(db_url, roster=None)
    engine = make_engine(db_url)
    try:
        seed_quarter(engine)
    finally:
        engine.dispose()


def test_report_and_workbook_from_the_command_line(db_url, tmp_path):
    _seeded(db_url)
    out = tmp_path / "bc" / "quy3.docx"
    done = parbot("report", "quarterly", "2025-Q3", "--out", str(out), db_url=db_url, env=AS_OF)
    assert done.returncode == 0, done.stderr
    assert f"Wrote {out}: 2025-Q3 (2025-07-01 - 2025-09-30), 25 targets: 2 achieved, " \
           "1 on track, 1 behind, 0 not achieved, 21 without data; 5 reports." in done.stdout
    assert "PARBOT_REPORT_ISSUER" in done.stderr  # unset after the 2025 reorganisation
    text = "\n".join(p.text for p in Document(out).paragraphs)
    assert "CQS-1 — Tỷ lệ cuộc họp trực tuyến: kết quả trong kỳ 71%" in text
    window = parbot("report", "quarterly", "III/2025", "--from", "15/5/2025", "--to",
                    "31/7/2025", "--out", str(out), db_url=db_url, env=AS_OF)
    assert window.returncode == 0 and "(2025-05-15 - 2025-07-31)" in window.stdout
    assert "(Số liệu từ ngày 15/5/2025 đến ngày 31/7/2025)" in \
        [p.text for p in Document(out).paragraphs]
    bad = parbot("report", "quarterly", "Q9/2025", db_url=db_url, env=AS_OF)
    assert bad.returncode == 1 and "cannot read the period 'Q9/2025'" in bad.stderr
    book = tmp_path / "cchc.xlsx"
    done = parbot("export", "xlsx", "--out", str(book), db_url=db_url, env=AS_OF)
    assert done.returncode == 0, done.stderr
    assert "8 reports" in done.stdout and "(rates for 2025-Q4)" in done.stdout
    assert load_workbook(book).sheetnames[1] == "Báo cáo tiến độ"


def test_plan_spreadsheet_round_trip_and_import(db_url, tmp_path):
    prepare_database(db_url, roster=None)
    sheet = tmp_path / "737.xlsx"
    done = parbot("plan", "export", str(sheet), db_url=db_url)
    assert done.returncode == 0 and f"Wrote {sheet}." in done.stdout
    again = parbot("plan", "import", str(sheet), "--yes", db_url=db_url)
    assert again.returncode == 0, again.stderr
    assert "Plan 737-KH-PGDDT-2021 is already loaded; nothing changed." in again.stdout

    officials = tmp_path / "kh45.xlsx"
    officials.write_bytes(officials_workbook())
    declined = parbot("plan", "import", str(officials), db_url=db_url, stdin="n\n")
    assert declined.returncode == 0
    assert "Xem trước kế hoạch từ tệp kh45.xlsx" in declined.stdout
    assert "Nothing imported." in declined.stdout
    accepted = parbot("plan", "import", str(officials), db_url=db_url, stdin="y\n")
    assert accepted.returncode == 0, accepted.stderr
    assert "Imported plan 45-KH-PGDDT-2026: 5 areas, 7 targets, 10 values" in accepted.stdout
    assert "Plan 737-KH-PGDDT-2021 is now superseded (inactive)." in accepted.stdout

    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"this is no spreadsheet")
    refused = parbot("plan", "import", str(broken), "--yes", db_url=db_url)
    assert refused.returncode == 1
    assert "❌ Tệp broken.xlsx có 1 lỗi nên chưa nhập gì." in refused.stderr
    engine = make_engine(db_url)
    try:
        with Session(engine) as session:
            assert list(session.exec(select(m.Plan.code).order_by(m.Plan.id))) == \
                ["737-KH-PGDDT-2021", "45-KH-PGDDT-2026"]
    finally:
        engine.dispose()


async def test_evidence_pack_from_the_command_line(db_url, tmp_path):
    await asyncio.to_thread(_seeded, db_url)
    out = tmp_path / "kiem-chung.zip"
    async with FakeTelegram() as tg:
        tg.add_file("BQACAgI-bienban", PDF, "bien-ban.pdf", "application/pdf")
        tg.add_file("AgACAgI-anh", JPG, None, "image/jpeg", folder="photos")
        env = {k: v for k, v in os.environ.items() if not k.startswith(("PARBOT_", "TELEGRAM_"))}
        env.update({"DATABASE_URL": db_url, "PYTHONPATH": str(ROOT), **AS_OF,
                    "TELEGRAM_BOT_TOKEN": tg.token, "TELEGRAM_API_BASE_URL": tg.root})
        proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot.cli", "export", "evidence", "--period", "2025", "--out",
            str(out), cwd=ROOT, env=env, stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE)
        stdout, stderr = await asyncio.wait_for(proc.communicate(), 60)
    assert proc.returncode == 0, stderr.decode()
    text = stdout.decode()
    assert f"Wrote {out}: 2 files, 2 missing." in text
    assert "missing: report" in text and "so-hop.pdf: Invalid file_id" in text
    assert "bang-tong-hop.xlsx: channel console" in text
    archive = zipfile.ZipFile(io.BytesIO(out.read_bytes()))
    assert sorted(archive.read(n) for n in archive.namelist() if not n.endswith(".xlsx")) == \
        sorted([PDF, JPG])
