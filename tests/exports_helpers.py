"""A seeded quarter for the report and export tests (plan 737, example roster, 2025-Q3), and an
officials' spreadsheet written the way offices write plans."""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass

from openpyxl import Workbook
from sqlmodel import Session, select

from bot.core.clock import clock
from bot.people.roster import import_roster
from bot.progress import EvidenceFile, NewReport, ParsedValue, record_report, withdraw_last
from storage import models as m
from tests.conftest import ROOT

LE_LOI = "Trường THCS Lê Lợi"
VAN_YEN = "Trường Tiểu học Văn Yên"
PDF = b"%PDF-1.4 bien ban hop truc tuyen\n%%EOF"
JPG = b"\xff\xd8\xff\xe0 anh chup so theo doi \xff\xd9"


@dataclass
class Seeded:
    engine: object
    reports: dict[str, int]  # label → report id
    officers: dict[str, int]


def _id(session: Session, model, **where) -> int:
    query = select(model.id)
    for name, value in where.items():
        query = query.where(getattr(model, name) == value)
    return session.exec(query).one()


def seed_quarter(engine) -> Seeded:
    """Reports of 2025-Q3 (and a few around it) on plan 737:

    - CQS-1 (per school, ≥ 85% in 2024-2025): Lê Lợi 11/20 on 01/6 (Q2), 31/50 on 10/7 with a
      note and a PDF; Văn Yên 40/50 on 20/8 with a photo → 71/100 = 71% pooled in Q3.
    - TTHC-1 (≥ 100%): Bích Hậu 100 on 15/9 → achieved.
    - TC-5 (yes/no): Diệu Anh "đạt" on 05/8 → achieved; TC-2: 90 on 06/8, then withdrawn.
    - CDDH-1 (Top 10): rank 12 on 01/9 by the head of office → in progress.
    - TTHC-2: 70 on 02/10 (Q4, outside the quarter).
    """
    import_roster(engine, ROOT / "data" / "roster.example.csv")
    with Session(engine) as session:
        target = {code: _id(session, m.Target, code=code)
                  for code in ("CQS-1", "TTHC-1", "TTHC-2", "TC-5", "TC-2", "CDDH-1")}
        unit = {name: _id(session, m.Unit, name=name) for name in (LE_LOI, VAN_YEN)}
        officer = {o.full_name: o.id for o in session.exec(select(m.Officer))}
    an, hau = officer["Nguyễn Tuấn An"], officer["Lê Thị Bích Hậu"]
    dieu_anh, thang = officer["Nguyễn Thị Diệu Anh"], officer["Phan Văn Thắng"]
    reports: dict[str, int] = {}

    def report(label: str, when: dt.datetime, code: str, officer_id: int, value: ParsedValue,
               unit_id: int | None = None, note: str | None = None,
               evidence: tuple[EvidenceFile, ...] = ()) -> None:
        clock.set(when)
        reports[label], _ = record_report(engine, NewReport(
            target[code], officer_id, value, unit_id, note, evidence))

    report("cqs_q2", dt.datetime(2025, 6, 1, 9), "CQS-1", an, ParsedValue(55.0, 11, 20),
           unit["Trường THCS Lê Lợi"])
    report("cqs_leloi", dt.datetime(2025, 7, 10, 10), "CQS-1", an, ParsedValue(62.0, 31, 50),
           unit[LE_LOI], "Họp giao ban qua Zoom",
           (EvidenceFile("telegram", "BQACAgI-bienban", "u1", "bien-ban.pdf",
                         "application/pdf", len(PDF)),))
    report("cqs_vanyen", dt.datetime(2025, 8, 20, 15), "CQS-1", an, ParsedValue(80.0, 40, 50),
           unit[VAN_YEN], None,
           (EvidenceFile("telegram", "AgACAgI-anh", "u2", None, "image/jpeg", len(JPG)),
            EvidenceFile("telegram", "BQACAgI-gone", "u3", "so-hop.pdf", "application/pdf",
                         99)))
    report("tc5", dt.datetime(2025, 8, 5, 8), "TC-5", dieu_anh, ParsedValue(1.0), None,
           "Đã tham mưu 3 văn bản")
    report("tc2", dt.datetime(2025, 8, 6, 8), "TC-2", dieu_anh, ParsedValue(90.0),
           evidence=(EvidenceFile("telegram", "BQACAgI-withdrawn", "u4", "rut.pdf"),))
    withdraw_last(engine, dieu_anh, dt.timedelta(hours=1))
    report("cddh1", dt.datetime(2025, 9, 1, 9), "CDDH-1", thang, ParsedValue(12.0))
    report("tthc1", dt.datetime(2025, 9, 15, 16), "TTHC-1", hau, ParsedValue(100.0),
           note="Không có hồ sơ trễ hạn",
           evidence=(EvidenceFile("console", "console-file-1", None, "bang-tong-hop.xlsx"),))
    report("tthc2_q4", dt.datetime(2025, 10, 2, 9), "TTHC-2", hau, ParsedValue(70.0))
    clock.set(dt.datetime(2025, 10, 5, 9))
    return Seeded(engine, reports, officer)


def officials_workbook(merge_phase_rows: bool = True) -> bytes:
    """A plan appendix as an office writes it: title lines, upper/lower-case headings without
    accents, a numbering row, phases as group rows, area cells merged down, several targets in
    one cell as bullets, values only inside the text, people as "Đ/c Name (department)"."""
    wb = Workbook()
    ws = wb.active
    ws.title = "Phụ lục"
    ws["A1"] = "PHÒNG GIÁO DỤC VÀ ĐÀO TẠO"
    ws.merge_cells("A1:C1")
    ws["E1"] = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
    ws.merge_cells("E1:G1")
    ws["A3"] = "PHỤ LỤC: LỘ TRÌNH THỰC HIỆN CẢI CÁCH HÀNH CHÍNH GIAI ĐOẠN 2026-2030"
    ws.merge_cells("A3:G3")
    ws["A4"] = "(Kèm theo Kế hoạch số 45/KH-PGDĐT ngày 15/01/2026 của Phòng GD&ĐT)"
    ws.merge_cells("A4:G4")
    ws.append(["STT", "TIÊU CHÍ", "Chỉ tiêu cần đạt", "Thoi gian hoan thanh", "Người thực hiện",
               "nguoi phoi hop", "Ghi chú"])
    ws.append(["(1)", "(2)", "(3)", "(4)", "(5)", "(6)", "(7)"])
    office = "Đ/c Diệu Anh (bộ phận văn phòng)"
    tthc = "Đ/c Bích Hậu (bộ phận chuyên môn cấp học MN); Đ/c Minh Lý (bộ phận chuyên môn " \
           "cấp học TH)"
    rows = [
        ["A", "Giai đoạn 2026-2027"],  # row 7
        ["1", "Cải cách thể chế", "- 100% văn bản được cập nhật trên cổng thông tin\n"
         "- Phấn đấu 80% văn bản QPPL được cụ thể hóa", "31/12/2027", office,
         "Đ/c Hoà (bộ phận văn phòng)"],
        ["2", None, "Mức độ hài lòng SIPAS đạt trên 85%", "năm 2027", office, None],
        ["3", "Cải cách TTHC", "Tỷ lệ hồ sơ trực tuyến tối thiểu 50%", "2027", tthc,
         "Đ/c Hoà (bộ phận văn phòng)"],
        ["4", "Công tác chỉ đạo, điều hành", "Chỉ số CCHC thuộc Top 10 Thành phố", "31/12/2027",
         "Trưởng phòng GDĐT", None],
        ["B", "Giai đoạn 2028-2030"],  # row 12
        ["1", "Cải cách thể chế", "- 100% văn bản được cập nhật trên cổng thông tin\n"
         "- Phấn đấu 100% văn bản QPPL được cụ thể hóa", "31/12/2030", office,
         "Đ/c Hoà (bộ phận văn phòng)"],
        ["2", "Cải cách TTHC", "Tỷ lệ hồ sơ trực tuyến từ 90 đến 95%", "2030", tthc, None],
        ["3", "Tổ chức bộ máy", "Giảm 10% biên chế hưởng lương ngân sách", "Quý IV/2030",
         "Đ/c Ngọc Dũng (bộ phận tổ chức)", "Các tổ chuyên môn: MN; TH; THCS"],
        ["4", "Cải cách tài chính công", "Tuân thủ quy định về tài chính công", "31/12/2030",
         "Đ/c Tuyết Nhung (bộ phận kế toán)", None, "Hằng năm"],
    ]
    for row in rows:
        ws.append(row)
    if merge_phase_rows:
        ws.merge_cells("B7:G7")
        ws.merge_cells("B12:G12")
    ws.merge_cells("B8:B9")
    ws.append([])
    ws.append(["Nơi nhận:"])
    ws.append(["- Sở GDĐT;"])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
