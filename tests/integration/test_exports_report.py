"""The quarterly CCHC report draft: periods, the figures of a seeded quarter, and the Word
document in the Nghị định 30/2020 form."""

from __future__ import annotations

import datetime as dt
import io
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.text import WD_COLOR_INDEX
from docx.shared import Pt
from hypothesis import given
from hypothesis import strategies as st
from sqlmodel import Session, select

from bot.core.clock import clock
from bot.paperwork.periods import Period, PeriodError, parse_period
from bot.paperwork.quarterly import (
    Issuing,
    NoPlan,
    quarterly_data,
    quarterly_report,
    verdict_of,
)
from bot.progress import NewReport, ParsedValue, record_report
from storage import models as m
from tests.exports_helpers import seed_quarter

TODAY = dt.date(2025, 10, 5)
AREAS_737 = ("1. Công tác chỉ đạo, điều hành", "2. Cải cách thể chế",
             "3. Cải cách thủ tục hành chính", "4. Cải cách tổ chức bộ máy hành chính nhà nước",
             "5. Cải cách chế độ công vụ", "6. Cải cách tài chính công",
             "7. Xây dựng chính quyền điện tử, chính quyền số")


# --- periods -----------------------------------------------------------------------------------

@pytest.mark.parametrize("text", ["2025-Q3", "Q3/2025", "q3-2025", "III/2025", "iii/2025",
                                  "quý 3/2025", "Quý III năm 2025", "quy 3 nam 2025", "3/2025",
                                  "2025 q3", " 2025-q3 "])
def test_quarter_written_any_usual_way(text):
    period = parse_period(text, TODAY)
    assert (period.code, period.start, period.end, period.roman) == \
        ("2025-Q3", dt.date(2025, 7, 1), dt.date(2025, 9, 30), "III")


def test_default_year_and_quarter_without_year():
    assert parse_period("", dt.date(2025, 11, 3)).code == "2025-Q4"
    assert parse_period(None, dt.date(2025, 2, 28)).end == dt.date(2025, 3, 31)
    assert parse_period("2025", TODAY) == Period.year_of(2025)
    assert parse_period("quý II", TODAY).code == "2025-Q2"
    assert Period.quarter_of(2025, 4).next().code == "2026-Q1"
    assert Period.year_of(2025).next().code == "2026"


@pytest.mark.parametrize("text", ["Q5/2025", "quý 0/2025", "2025-Q", "tuần sau", "13/2025",
                                  "III", "20255"])
def test_unreadable_periods_refused(text):
    with pytest.raises(PeriodError):
        parse_period(text, TODAY)


@given(st.text(max_size=40))
def test_any_text_gives_a_period_or_a_period_error(text):
    try:
        period = parse_period(text, TODAY)
    except PeriodError:
        return
    assert period.start <= period.end
    assert (period.end - period.start).days in range(89, 366)


def test_custom_data_window_keeps_the_quarter():
    period = parse_period("2025-Q3", TODAY).between(dt.date(2025, 6, 15), dt.date(2025, 9, 14))
    assert (period.code, period.quarter, period.start, period.end) == \
        ("2025-Q3", 3, dt.date(2025, 6, 15), dt.date(2025, 9, 14))
    with pytest.raises(PeriodError):
        period.between(dt.date(2025, 9, 1), dt.date(2025, 8, 1))


# --- figures -----------------------------------------------------------------------------------

def _results(data):
    return {r.code: r for a in data.areas for r in a.targets}


def test_figures_of_the_seeded_quarter(plan_engine):
    seed_quarter(plan_engine)
    data = quarterly_data(plan_engine, Period.quarter_of(2025, 3), TODAY)
    results = _results(data)
    assert [f"{a.number}. {a.name}" for a in data.areas] == list(AREAS_737)
    assert len(results) == 25
    cqs = results["CQS-1"]  # Lê Lợi 31/50 and Văn Yên 40/50, pooled; the Q2 report left out
    assert (cqs.figure.value, cqs.figure.numerator, cqs.figure.denominator) == (71.0, 71, 100)
    assert cqs.requirement.value == 85 and cqs.requirement.label == "Năm 2024 và năm 2025"
    # issue 13: verdicts are the assessment's states (on track / behind / no data), no longer
    # one "đang thực hiện" for every target short of its deadline, data or not
    assert cqs.verdict == "on_track"
    assert [n.text for n in cqs.notes] == ["Họp giao ban qua Zoom"]
    assert results["TTHC-1"].verdict == "achieved" and results["TC-5"].verdict == "achieved"
    assert results["CDDH-1"].figure.value == 12 and results["CDDH-1"].verdict == "behind"
    assert results["TC-2"].figure.value is None  # withdrawn
    assert results["TTHC-2"].figure.value is None  # reported in Q4
    assert (data.reports, data.officers, data.evidence) == (5, 4, 4)
    assert [data.count(v) for v in ("achieved", "on_track", "behind", "not_achieved",
                                     "no_data")] == [2, 1, 1, 0, 21]
    due = {(n.item.kind, n.item.code): n for n in data.next_items}
    assert set(due) >= {("obligation", "BC-CCHC-QUY"), ("obligation", "BC-TTHC-THANG"),
                        ("review", "TONG-KET"), ("target", "CQS-1")}
    assert due[("target", "CQS-1")].requirement == "≥ 85%"
    assert ("target", "TTHC-1") not in due and ("target", "TC-5") not in due  # reached
    assert all(dt.date(2025, 10, 1) <= n.item.last_day <= dt.date(2025, 12, 31)
               for n in data.next_items)
    assert data.signer_title == "Trưởng phòng GDĐT" and data.signer_name == "Phan Văn Thắng"
    # issue 13: Q3/2025 is after the district office was dissolved (01/7/2025): its
    # recipients no longer come from the old plan ("UBND quận Hà Đông"), but from settings
    assert data.recipients == [] and data.missing == ("issuer", "place", "recipients")
    before = quarterly_data(plan_engine, Period.quarter_of(2025, 2), TODAY)
    assert before.recipients == ["UBND quận Hà Đông", "Văn phòng Sở GDĐT Hà Nội"]
    assert before.missing == () and before.issuer == "Phòng Giáo dục và Đào tạo quận Hà Đông"


def test_year_end_report_says_not_achieved(plan_engine):
    seed_quarter(plan_engine)
    data = quarterly_data(plan_engine, Period.quarter_of(2025, 4), dt.date(2026, 1, 6))
    results = _results(data)
    assert results["TTHC-2"].figure.value == 70 and results["TTHC-2"].verdict == "not_achieved"
    # issue 13: the figure is the assessment's — each school's latest value carried forward
    # (71% from Q3), not only the reports made inside Q4 (which gave "no figure")
    assert results["CQS-1"].figure.value == 71 and results["CQS-1"].verdict == "not_achieved"
    assert data.next_items == []  # the plan ends in 2025


def test_a_custom_window_changes_the_figures(plan_engine):
    seed_quarter(plan_engine)
    window = Period.quarter_of(2025, 3).between(dt.date(2025, 5, 15), dt.date(2025, 7, 31))
    cqs = _results(quarterly_data(plan_engine, window, TODAY))["CQS-1"]
    assert (cqs.figure.numerator, cqs.figure.denominator) == (31, 50)  # Lê Lợi's latest only
    assert cqs.figure.units_missing == ["Trường Tiểu học Văn Yên"]


def test_verdict_words():
    assert verdict_of("achieved", None, TODAY) == "achieved"
    assert verdict_of("behind", None, TODAY) == "behind"
    assert verdict_of("at_risk", None, TODAY) == "behind"
    assert verdict_of("on_track", None, TODAY) == "on_track"
    assert verdict_of("no_data", None, TODAY) == "no_data"  # never "đạt" without a figure
    assert verdict_of("overdue", None, TODAY) == "not_achieved"


def test_no_plan(engine):
    with pytest.raises(NoPlan):
        quarterly_data(engine, Period.quarter_of(2025, 3), TODAY)


# --- the document ------------------------------------------------------------------------------

WARD = Issuing(unit="Phòng Văn hóa - Xã hội phường Hà Đông", parent="UBND phường Hà Đông",
               place="Hà Đông", recipients=("UBND phường Hà Đông", "Văn phòng Sở GDĐT Hà Nội"))


def _docx(plan_engine, period="2025-Q3", today=TODAY, issuing=WARD):
    name, content, _ = quarterly_report(plan_engine, parse_period(period, today), today, None,
                                        issuing)
    return name, Document(io.BytesIO(content)), content


def _paragraphs(document) -> list[str]:
    return [p.text for p in document.paragraphs]


def test_document_has_the_administrative_form(plan_engine):
    seed_quarter(plan_engine)
    name, document, _ = _docx(plan_engine)
    assert name == "bao-cao-cchc-2025-Q3.docx"
    header = document.tables[0]
    left, right = (cell.text for cell in header.rows[0].cells)
    # issue 13: after the 2025 reorganisation the issuing unit comes from settings
    assert "PHÒNG VĂN HÓA - XÃ HỘI PHƯỜNG HÀ ĐÔNG" in left and "UBND PHƯỜNG HÀ ĐÔNG" in left
    assert "QUẬN" not in left and "/BC-PGDĐT" in left
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in right
    assert "Độc lập - Tự do - Hạnh phúc" in right
    assert "Hà Đông, ngày 05 tháng 10 năm 2025" in right
    text = _paragraphs(document)
    assert "BÁO CÁO" in text
    assert "Kết quả thực hiện công tác cải cách hành chính quý III năm 2025" in text
    assert "(Số liệu từ ngày 01/7/2025 đến ngày 30/9/2025)" in text
    for heading in ("I. CÔNG TÁC CHỈ ĐẠO, ĐIỀU HÀNH", "II. KẾT QUẢ THỰC HIỆN THEO TỪNG LĨNH VỰC",
                    "III. ĐÁNH GIÁ CHUNG", "IV. PHƯƠNG HƯỚNG, NHIỆM VỤ KỲ TỚI",
                    "V. KIẾN NGHỊ, ĐỀ XUẤT", *AREAS_737, "1. Ưu điểm", "2. Tồn tại, hạn chế"):
        assert heading in text, heading
    closing = document.tables[1].rows[0].cells
    assert closing[0].text.startswith("Nơi nhận:") and "- Văn phòng Sở GDĐT Hà Nội;" in \
        closing[0].text and "- Lưu: VT." in closing[0].text
    assert "- UBND phường Hà Đông;" in closing[0].text and "quận" not in closing[0].text
    assert "TRƯỞNG PHÒNG GDĐT" in closing[1].text and "Phan Văn Thắng" in closing[1].text


def test_document_figures_notes_and_next_quarter(plan_engine):
    seed_quarter(plan_engine)
    _, document, _ = _docx(plan_engine)
    text = "\n".join(_paragraphs(document))
    assert ("CQS-1 — Tỷ lệ cuộc họp trực tuyến: kết quả trong kỳ 71%; chỉ tiêu Năm 2024 và "
            "năm 2025: ≥ 85% (hạn 31/12/2025); đánh giá: Đúng tiến độ.") in text
    assert "TTHC-1 — Hồ sơ TTHC giải quyết đúng hạn, trước hạn: kết quả trong kỳ 100%" in text
    assert "TC-5 — Tham mưu triển khai kịp thời văn bản QPPL: kết quả trong kỳ đạt" in text
    assert "CDDH-1 — Chỉ số CCHC (PAR INDEX) thuộc Top 10 Thành phố: kết quả trong kỳ hạng 12;" \
           " chỉ tiêu năm 2025: Top 10" in text
    assert "TTHC-2 — TTHC được đơn giản hóa: kết quả trong kỳ chưa có số liệu" in text
    assert "Ghi chú của cán bộ: Nguyễn Tuấn An (10/7): Họp giao ban qua Zoom" in text
    assert "ghi nhận 5 lượt báo cáo tiến độ của 4 cán bộ, kèm 4 tài liệu kiểm chứng" in text
    assert ("Tổng hợp 25 chỉ tiêu: 2 đạt, 1 đúng tiến độ, 1 chậm tiến độ, 0 chưa đạt, "
            "21 chưa có số liệu.") in text
    assert "Các việc đến hạn trong quý IV năm 2025 (từ 01/10/2025 đến 31/12/2025):" in text
    assert "- Báo cáo CCHC định kỳ về Văn phòng Sở (Quý III/2025): trước 01/12/2025." in text
    assert "- Báo cáo kết quả giải quyết TTHC hàng tháng (tháng 10/2025): hạn 31/10/2025." in text
    assert "- Tổng kết Kế hoạch CCHC giai đoạn 2021-2025: hạn 30/11/2025." in text
    # issue 13: section IV says where each target stands (the assessment), never
    # "Hoàn thành chỉ tiêu" for all of them, with data or not
    assert ("- Chỉ tiêu CQS-1 — Tỷ lệ cuộc họp trực tuyến: ≥ 85% (hạn 31/12/2025); hiện nay: "
            "71%, đúng tiến độ.") in text
    assert ("- Chỉ tiêu TC-1 — Rà soát văn bản hướng dẫn, thi hành lĩnh vực GDĐT: ≥ 100% "
            "(hạn 31/12/2025); hiện nay: chưa có số liệu.") in text
    assert "Hoàn thành chỉ tiêu" not in text
    assert "chỉ tiêu TTHC-1" not in text  # already reached


def test_placeholders_are_highlighted_for_a_person_to_write(plan_engine):
    seed_quarter(plan_engine)
    _, document, _ = _docx(plan_engine)
    marked = [r.text for p in document.paragraphs for r in p.runs
              if r.font.highlight_color == WD_COLOR_INDEX.YELLOW]
    assert marked.count("[Cần bổ sung]") == 4  # ưu điểm, tồn tại, nguyên nhân, kiến nghị
    assert len([m for m in marked if m.startswith("[Cần bổ sung:")]) == 1 + 7 + 1


def test_appendix_table_holds_every_target(plan_engine):
    seed_quarter(plan_engine)
    _, document, _ = _docx(plan_engine)
    assert "PHỤ LỤC: SỐ LIỆU CÁC CHỈ TIÊU QUÝ III NĂM 2025" in _paragraphs(document)
    table = document.tables[2]
    rows = [[c.text for c in row.cells] for row in table.rows]
    assert rows[0] == ["TT", "Mã", "Chỉ tiêu", "Yêu cầu", "Thời hạn", "Kết quả trong kỳ",
                       "Đánh giá", "Số báo cáo", "Cập nhật"]
    assert len(rows) == 26
    by_code = {r[1]: r for r in rows[1:]}
    assert by_code["CQS-1"][3:] == ["≥ 85% (Năm 2024 và năm 2025)", "31/12/2025", "71%",
                                    "Đúng tiến độ", "2", "20/8/2025"]
    assert by_code["TC-1"][6] == "Chưa có số liệu"
    widths = [c.width for c in table.rows[0].cells]
    assert widths[2] == max(widths), "the target's name is the widest column"
    appendix = document.sections[-1]
    assert appendix.orientation == WD_ORIENT.LANDSCAPE and appendix.page_width > \
        appendix.page_height
    assert document.sections[0].orientation == WD_ORIENT.PORTRAIT
    assert by_code["TTHC-1"][5:7] == ["100%", "Đạt"]
    assert by_code["CDDH-2"][3] == "90–95% (năm 2025)"  # issue 13: one wording, one dash


def test_typography_and_page(plan_engine):
    seed_quarter(plan_engine)
    _, document, _ = _docx(plan_engine)
    assert document.styles["Normal"].font.name == "Times New Roman"
    runs = [r for p in document.paragraphs for r in p.runs if r.text.strip()]
    runs += [r for t in document.tables for row in t.rows for c in row.cells
             for p in c.paragraphs for r in p.runs if r.text.strip()]
    assert runs and all(r.font.name == "Times New Roman" for r in runs)
    body = [r for p in document.paragraphs for r in p.runs if r.text.strip()]
    assert {r.font.size for r in body} <= {Pt(12), Pt(13), Pt(14)}
    assert {r.font.size for r in body if r.text in ("BÁO CÁO",)} == {Pt(14)}
    section = document.sections[0]
    assert [round(x.mm) for x in (section.page_width, section.page_height, section.left_margin,
                                  section.right_margin)] == [210, 297, 30, 15]


def test_year_report_and_empty_quarter(plan_engine):
    _, document, _ = _docx(plan_engine, "2024", dt.date(2025, 1, 10))
    text = _paragraphs(document)
    assert "Kết quả thực hiện công tác cải cách hành chính năm 2024" in text
    assert "ghi nhận 0 lượt báo cáo tiến độ của 0 cán bộ, kèm 0 tài liệu kiểm chứng." in \
        "\n".join(text)


def _pdf(content: bytes, tmp_path) -> Path:
    """The document as LibreOffice lays it out (skips where LibreOffice or poppler is missing;
    .ci/run installs libreoffice-writer-nogui and poppler-utils)."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None or shutil.which("pdftotext") is None or shutil.which("pdfinfo") is None:
        pytest.skip("LibreOffice (soffice) or poppler (pdftotext, pdfinfo) is not installed; "
                    "the DOCX is checked with python-docx above")
    source = tmp_path / "report.docx"
    source.write_bytes(content)
    subprocess.run([soffice, "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path),
                    str(source)], check=True, timeout=180, capture_output=True,
                   env={**os.environ, "HOME": str(tmp_path)})
    return tmp_path / "report.pdf"


def _pages(pdf: Path) -> list[tuple[float, float]]:
    info = subprocess.run(["pdfinfo", "-f", "1", "-l", "999", str(pdf)], check=True,
                          capture_output=True, text=True).stdout
    return [(float(w), float(h)) for w, h in
            re.findall(r"Page\s+\d+ size:\s+([\d.]+) x ([\d.]+)", info)]


def test_the_draft_renders_with_libreoffice(plan_engine, tmp_path):
    """The render check: converted to PDF, the Q3/2025 draft is a few pages, its appendix on
    landscape pages, and in the appendix (read with `pdftotext -layout`) every code and date
    stays whole and each target's name starts on its row's line, not a word a line."""
    seed_quarter(plan_engine)
    _, document, content = _docx(plan_engine)
    pdf = _pdf(content, tmp_path)
    pages = _pages(pdf)
    assert 4 <= len(pages) <= 9, pages  # was 11 with the appendix on portrait pages
    landscape = [n for n, (w, h) in enumerate(pages, 1) if w > h]
    assert landscape and landscape == list(range(landscape[0], len(pages) + 1))
    assert landscape[0] > 1 and all(w < h for w, h in pages[:landscape[0] - 1])
    text = subprocess.run(["pdftotext", "-layout", "-f", str(landscape[0]), "-l",
                           str(len(pages)), str(pdf), "-"], check=True, capture_output=True,
                          text=True).stdout
    lines = text.splitlines()
    table = document.tables[2]
    for row in list(table.rows)[1:]:
        code, name, deadline = row.cells[1].text, row.cells[2].text, row.cells[4].text
        [line] = [ln for ln in lines if re.search(rf"\s{re.escape(code)}\s", f" {ln} ")]
        first_words = " ".join(name.split()[:4])
        assert first_words in line, (code, line)  # the narrowest useful width: 4 words
        assert deadline in line, (code, line)


def test_notes_typed_without_diacritics_are_quoted(plan_engine):
    seed_quarter(plan_engine)
    with Session(plan_engine) as session:
        target = session.exec(select(m.Target).where(m.Target.code == "TTHC-1")).one()
        hau = session.exec(select(m.Officer).where(m.Officer.full_name == "Lê Thị Bích Hậu")).one()
    clock.set(dt.datetime(2025, 9, 20, 9))
    record_report(plan_engine, NewReport(target.id, hau.id, ParsedValue(100.0),
                                         note="da xu ly het ho so ton"))
    clock.set(dt.datetime(2025, 10, 5, 9))
    _, document, _ = _docx(plan_engine)
    text = "\n".join(_paragraphs(document))
    assert "Lê Thị Bích Hậu (20/9) ghi (nguyên văn): “da xu ly het ho so ton”" in text
    assert "Nguyễn Tuấn An (10/7): Họp giao ban qua Zoom" in text  # typed with marks: as is


def test_unset_issuing_facts_are_highlighted_placeholders(plan_engine):
    seed_quarter(plan_engine)
    _, document, _ = _docx(plan_engine, issuing=None)
    left, right = document.tables[0].rows[0].cells
    closing = document.tables[1].rows[0].cells[0]
    marked = [r.text for cell in (left, right, closing) for p in cell.paragraphs
              for r in p.runs if r.font.highlight_color == WD_COLOR_INDEX.YELLOW]
    assert marked == ["[Cần bổ sung: đơn vị ban hành sau sắp xếp ngày 01/7/2025]",
                      "[Cần bổ sung: địa danh sau sắp xếp ngày 01/7/2025]",
                      "[Cần bổ sung: nơi nhận sau sắp xếp ngày 01/7/2025]"]
    assert "quận" not in left.text.lower() and "quận" not in closing.text.lower()
