"""The Excel workbook (targets, reports, reporting rates, overdue items) and the evidence pack
fetched through the Bot API (the fake Telegram server)."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from pathlib import Path

import pytest
from openpyxl import load_workbook

from bot.channels.telegram_files import telegram_fetcher
from bot.core.files import FileUnavailable
from bot.core.settings import Settings
from bot.paperwork.evidence import INDEX_NAME, evidence_items, evidence_pack, with_local_copies
from bot.paperwork.periods import Period
from bot.paperwork.quarterly import NoPlan
from bot.paperwork.workbook import export_workbook
from tests.exports_helpers import JPG, PDF, seed_quarter
from tests.fake_telegram import FakeTelegram

TODAY = dt.date(2025, 10, 5)
Q3 = Period.quarter_of(2025, 3)
SHEETS = ["Chỉ tiêu", "Báo cáo tiến độ", "Tỷ lệ báo cáo - cán bộ", "Tỷ lệ báo cáo - đơn vị",
          "Quá hạn"]


def _book(engine, today=TODAY, period=Q3):
    result = export_workbook(engine, today, period)
    return result, load_workbook(io.BytesIO(result.content))


def _table(ws) -> list[dict]:
    header = [c.value for c in ws[1]]
    return [dict(zip(header, (c for c in row), strict=True)) for row in ws.iter_rows(min_row=2)]


def test_sheets_headers_frozen_and_filtered(plan_engine):
    seed_quarter(plan_engine)
    result, book = _book(plan_engine)
    assert book.sheetnames == SHEETS
    for ws in book.worksheets:
        assert ws.freeze_panes == "A2"
        assert ws.auto_filter.ref and ws.auto_filter.ref.startswith("A1:")
        assert all(c.font.bold for c in ws[1])
    assert [c.value for c in book["Chỉ tiêu"][1]] == [
        "Lĩnh vực", "Mã chỉ tiêu", "Chỉ tiêu", "Giai đoạn/Năm", "Yêu cầu", "Mức yêu cầu",
        "Thời hạn", "Phụ trách", "Phối hợp", "Giá trị mới nhất", "Ngày cập nhật", "Trạng thái",
        "Nguồn (mục KH)"]
    # issue 13: every officer with an assignment (12, as the digest counts), not only the 8
    # responsible for a target
    assert result.rows == {"targets": 40, "reports": 8, "rate_officers": 12, "rate_units": 3,
                           "overdue": 0}


def test_targets_sheet_values_and_types(plan_engine):
    seed_quarter(plan_engine)
    _, book = _book(plan_engine)
    rows = _table(book["Chỉ tiêu"])
    cqs = [r for r in rows if r["Mã chỉ tiêu"].value == "CQS-1"]
    assert [r["Giai đoạn/Năm"].value for r in cqs] == ["Giai đoạn 2021-2023",
                                                       "Năm 2024 và năm 2025"]
    phase_b = cqs[1]
    # issue 13: one form in the target's own unit (85 for ≥ 85%, 10 for Top 10, 1 for a
    # yes/no target), no longer 0.85 as a percentage beside 10 for a rank
    assert phase_b["Mức yêu cầu"].value == 85
    assert "%" not in phase_b["Mức yêu cầu"].number_format
    assert phase_b["Thời hạn"].value == dt.datetime(2025, 12, 31)
    assert phase_b["Thời hạn"].number_format == "dd/mm/yyyy"
    assert phase_b["Giá trị mới nhất"].value == pytest.approx(71)  # 71/100 pooled, same form
    assert "%" not in phase_b["Giá trị mới nhất"].number_format
    assert phase_b["Ngày cập nhật"].value == dt.datetime(2025, 8, 20)
    assert phase_b["Trạng thái"].value == "Đúng tiến độ"  # 55% (01/6) → 71% (20/8): pace enough
    assert phase_b["Phụ trách"].value == "Nguyễn Tuấn An"
    assert phase_b["Phối hợp"].value.split("\n") == ["Đặng Thị Thu Trang", "Ngô Thị Lan Hương",
                                                     "Trịnh Văn Hùng"]
    assert cqs[0]["Trạng thái"].value == "Quá hạn"  # 2021-2023: nothing reported by then
    by_code = {r["Mã chỉ tiêu"].value: r for r in rows}
    assert by_code["CDDH-1"]["Mức yêu cầu"].value == 10
    assert by_code["CDDH-1"]["Giá trị mới nhất"].value == 12  # a rank, not a percentage
    assert "%" not in by_code["CDDH-1"]["Giá trị mới nhất"].number_format
    assert by_code["CDDH-1"]["Yêu cầu"].value == "Top 10"
    assert by_code["TC-5"]["Giá trị mới nhất"].value == 1  # done
    assert by_code["TC-5"]["Mức yêu cầu"].value == 1
    required = [r["Mức yêu cầu"].value for r in rows]
    assert all(isinstance(v, int | float) for v in required)
    assert len({r["Mức yêu cầu"].number_format for r in rows}) == 1
    assert by_code["TTHC-1"]["Trạng thái"].value == "Đã đạt"


def test_reports_sheet_lists_every_report(plan_engine):
    seeded = seed_quarter(plan_engine)
    _, book = _book(plan_engine)
    rows = _table(book["Báo cáo tiến độ"])
    in_time_order = ["cqs_q2", "cqs_leloi", "tc5", "tc2", "cqs_vanyen", "cddh1", "tthc1",
                     "tthc2_q4"]
    assert [r["Số báo cáo"].value for r in rows] == [seeded.reports[k] for k in in_time_order]
    leloi = next(r for r in rows if r["Số báo cáo"].value == seeded.reports["cqs_leloi"])
    assert leloi["Thời gian báo cáo"].value == dt.datetime(2025, 7, 10, 10, 0)
    assert leloi["Thời gian báo cáo"].number_format == "dd/mm/yyyy hh:mm"
    assert (leloi["Kỳ"].value, leloi["Đơn vị"].value, leloi["Cán bộ"].value) == \
        ("2025-Q3", "Trường THCS Lê Lợi", "Nguyễn Tuấn An")
    assert leloi["Giá trị"].value == pytest.approx(0.62) and "%" in leloi["Giá trị"].number_format
    assert (leloi["Tử số"].value, leloi["Mẫu số"].value) == (31, 50)
    assert (leloi["Ghi chú"].value, leloi["Số tệp minh chứng"].value) == \
        ("Họp giao ban qua Zoom", 1)
    withdrawn = next(r for r in rows if r["Số báo cáo"].value == seeded.reports["tc2"])
    assert withdrawn["Rút lại lúc"].value == dt.datetime(2025, 8, 6, 8, 0)
    assert all(r["Rút lại lúc"].value is None for r in rows if r is not withdrawn)
    tc5 = next(r for r in rows if r["Số báo cáo"].value == seeded.reports["tc5"])
    assert tc5["Đơn vị"].value == "Phòng Giáo dục và Đào tạo quận Hà Đông"  # the officer's


def test_reporting_rates_per_officer_and_unit(plan_engine):
    seed_quarter(plan_engine)
    _, book = _book(plan_engine)
    officers = {r["Cán bộ"].value: r for r in _table(book["Tỷ lệ báo cáo - cán bộ"])}
    an = officers["Nguyễn Tuấn An"]
    assert (an["Chỉ tiêu được giao"].value, an["Đã báo cáo trong kỳ"].value,
            an["Tỷ lệ"].value) == (1, 1, 1.0)
    assert an["Tỷ lệ"].number_format == "0.0%"
    hau = officers["Lê Thị Bích Hậu"]  # TTHC-1..5; TTHC-2 reported in Q4
    assert (hau["Chỉ tiêu được giao"].value, hau["Đã báo cáo trong kỳ"].value,
            hau["Tỷ lệ"].value) == (5, 1, pytest.approx(0.2))
    assert hau["Báo cáo gần nhất"].value == dt.datetime(2025, 9, 15, 16, 0)
    dieu_anh = officers["Nguyễn Thị Diệu Anh"]  # TC-2 was withdrawn: only TC-5 counts
    assert (dieu_anh["Chỉ tiêu được giao"].value, dieu_anh["Đã báo cáo trong kỳ"].value) == (6, 1)
    assert officers["Vũ Ngọc Dũng"]["Đã báo cáo trong kỳ"].value == 0
    assert len(officers) == 12  # issue 13: also those with only recurring reports or a role
    trang = officers["Đặng Thị Thu Trang"]  # coordinates CQS-1: listed, no target of her own
    assert (trang["Chỉ tiêu được giao"].value, trang["Tỷ lệ"].value) == (0, None)
    assert officers["Hoàng Thị Kim Sa"]["Báo cáo định kỳ phụ trách"].value == 1
    units = {r["Đơn vị"].value: r for r in _table(book["Tỷ lệ báo cáo - đơn vị"])}
    assert list(units) == ["Phòng Giáo dục và Đào tạo quận Hà Đông", "Trường THCS Lê Lợi",
                           "Trường Tiểu học Văn Yên"]
    office = units["Phòng Giáo dục và Đào tạo quận Hà Đông"]
    assigned = sum(r["Chỉ tiêu được giao"].value for r in officers.values())
    reported = sum(r["Đã báo cáo trong kỳ"].value for r in officers.values())
    assert (office["Số cán bộ"].value, office["Chỉ tiêu được giao"].value,
            office["Đã báo cáo trong kỳ"].value) == (12, assigned, reported)
    assert office["Số cán bộ đã báo cáo"].value == 4
    assert office["Tỷ lệ"].value == pytest.approx(reported / assigned, abs=1e-4)
    # schools: the 4 targets measured per school (CV-1..3, CQS-1); each reported CQS-1
    for school in ("Trường THCS Lê Lợi", "Trường Tiểu học Văn Yên"):
        row = units[school]
        assert (row["Số cán bộ"].value, row["Chỉ tiêu được giao"].value,
                row["Đã báo cáo trong kỳ"].value) == (0, 4, 1)
        assert row["Tỷ lệ"].value == pytest.approx(0.25)


def test_overdue_items_after_the_deadline(plan_engine):
    seed_quarter(plan_engine)
    _, book = _book(plan_engine, dt.date(2026, 1, 15), Period.quarter_of(2025, 4))
    rows = {r["Mã chỉ tiêu"].value: r for r in _table(book["Quá hạn"])}
    assert "TTHC-1" not in rows and "TC-5" not in rows  # reached
    assert len(rows) == 23
    cqs = rows["CQS-1"]
    assert cqs["Thời hạn"].value == dt.datetime(2025, 12, 31)
    assert cqs["Số ngày quá hạn"].value == 15
    assert cqs["Giá trị mới nhất"].value == pytest.approx(71)  # the target's unit, as above
    assert cqs["Phụ trách"].value == "Nguyễn Tuấn An"
    assert rows["TTHC-3"]["Giá trị mới nhất"].value is None


def test_no_plan_no_workbook(engine):
    with pytest.raises(NoPlan):
        export_workbook(engine, TODAY)


# --- the evidence pack -------------------------------------------------------------------------

async def test_evidence_pack_fetched_through_the_bot_api(plan_engine, tmp_path):
    seeded = seed_quarter(plan_engine)
    items = evidence_items(plan_engine, Q3)
    # the withdrawn report's file is not evidence; the Q2 report had none
    assert sorted(i.file_id for i in items) == ["AgACAgI-anh", "BQACAgI-bienban",
                                                "BQACAgI-gone", "console-file-1"]
    async with FakeTelegram() as tg:
        tg.add_file("BQACAgI-bienban", PDF, "bien-ban.pdf", "application/pdf")
        tg.add_file("AgACAgI-anh", JPG, None, "image/jpeg", folder="photos")
        settings = Settings(TELEGRAM_BOT_TOKEN=tg.token, TELEGRAM_API_BASE_URL=tg.root)
        async with telegram_fetcher(settings) as fetch:
            pack = await evidence_pack(items, with_local_copies(fetch))
        assert len(tg.calls_to("getFile")) == 3  # the console file is not asked for
        assert len(tg.downloads) == 2
    archive = zipfile.ZipFile(io.BytesIO(pack.content))
    area = "07. Xây dựng chính quyền điện tử, chính quyền số/CQS-1"
    leloi, vanyen = seeded.reports["cqs_leloi"], seeded.reports["cqs_vanyen"]
    names = sorted(archive.namelist())
    pdf_name = next(n for n in names if n.endswith("-bien-ban.pdf"))
    jpg_name = next(n for n in names if n.endswith(".jpg"))
    assert pdf_name.startswith(f"{area}/Trường THCS Lê Lợi/{leloi}-")
    assert jpg_name.startswith(f"{area}/Trường Tiểu học Văn Yên/{vanyen}-")
    assert names == sorted([pdf_name, jpg_name, INDEX_NAME])
    assert archive.read(pdf_name) == PDF and archive.read(jpg_name) == JPG
    assert archive.getinfo(pdf_name).date_time[:3] == (2025, 7, 10)
    missing = {item.file_id: reason for item, reason in pack.missing}
    assert set(missing) == {"BQACAgI-gone", "console-file-1"}
    assert "invalid file_id" in missing["BQACAgI-gone"].lower()

    index = load_workbook(io.BytesIO(archive.read(INDEX_NAME)))["Danh mục"]
    rows = _table(index)
    assert [c.value for c in index[1]][:4] == ["TT", "Tệp trong gói", "Tên tệp gốc", "Tình trạng"]
    assert len(rows) == 4
    by_file = {r["Tệp trong gói"].value: r for r in rows}
    pdf = by_file[pdf_name]
    assert (pdf["Tình trạng"].value, pdf["Số báo cáo"].value, pdf["Cán bộ"].value,
            pdf["Mã chỉ tiêu"].value) == ("Đã tải", leloi, "Nguyễn Tuấn An", "CQS-1")
    assert pdf["Thời gian báo cáo"].value == dt.datetime(2025, 7, 10, 10, 0)
    gone = [r for r in rows if r["Tệp trong gói"].value is None]
    assert sorted(r["Tên tệp gốc"].value for r in gone) == ["bang-tong-hop.xlsx", "so-hop.pdf"]
    assert all(r["Tình trạng"].value.startswith("THIẾU - không tải được") for r in gone)
    assert {r["Cán bộ"].value for r in gone} == {"Nguyễn Tuấn An", "Lê Thị Bích Hậu"}


async def test_local_copies_are_used_and_no_token_means_missing(plan_engine, tmp_path):
    seed_quarter(plan_engine)
    items = evidence_items(plan_engine, Period.year_of(2025))
    copy = tmp_path / "bien-ban.pdf"
    copy.write_bytes(b"local copy")
    items = [i if i.file_id != "BQACAgI-bienban" else
             type(i)(**{**i.__dict__, "local_path": str(copy)}) for i in items]
    async with telegram_fetcher(Settings()) as fetch:  # no TELEGRAM_BOT_TOKEN
        pack = await evidence_pack(items, with_local_copies(fetch))
    assert [path for path, _ in pack.stored] and len(pack.stored) == 1
    archive = zipfile.ZipFile(io.BytesIO(pack.content))
    assert archive.read(pack.stored[0][0]) == b"local copy"
    assert len(pack.missing) == 3
    assert all("TELEGRAM_BOT_TOKEN" in reason or reason == "console"
               for _, reason in pack.missing)


async def test_fetch_errors_become_missing_not_crashes(plan_engine):
    seed_quarter(plan_engine)
    items = evidence_items(plan_engine, Q3)

    async def broken(item):
        raise FileUnavailable("gone")

    pack = await evidence_pack(items, broken)
    assert pack.stored == [] and len(pack.missing) == 4
    assert zipfile.ZipFile(io.BytesIO(pack.content)).namelist() == [INDEX_NAME]


def test_unsafe_names_stay_inside_their_folder(plan_engine):
    from bot.paperwork.evidence import zip_path

    seed_quarter(plan_engine)
    item = next(i for i in evidence_items(plan_engine, Q3) if i.target_code == "CQS-1")
    evil = type(item)(**{**item.__dict__, "file_name": "../../etc/passwd",
                         "unit_name": "a/b\\c"})
    path = zip_path(evil)
    parts = path.split("/")
    assert len(parts) == 4 and ".." not in parts and parts[2] == "a_b_c"
    assert Path(path).parts[0].startswith("07.")
