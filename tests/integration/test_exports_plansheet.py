"""Plans as spreadsheets: export → import gives back the same plan, officials' sheets are read
(merged cells, headings in any case or without accents, values inside the text), broken sheets
are refused with their rows and columns, and nothing is imported before a confirmation."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook, load_workbook
from sqlmodel import Session, func, select

from bot.core.settings import DEFAULT_PLAN
from bot.paperwork.plan_sheets import (
    SheetDefaults,
    confirm_staged,
    export_plan_sheet,
    import_plan_sheet,
    read_plan_sheet,
    render_preview,
    sheet_defaults,
    stage,
    unstage,
)
from bot.plans import schema as ps
from bot.plans.loader import load_plan
from bot.plans.sheets.layout import write_plan_workbook
from bot.plans.sheets.words import (
    MAIN_FIELDS,
    PersonText,
    guess_requirement,
    heading_key,
    match_headings,
    parse_deadline,
    parse_person,
    split_people,
)
from storage import models as m
from tests.conftest import DATA
from tests.exports_helpers import officials_workbook

HADONG = SheetDefaults("PGDDT-HADONG", "Phòng Giáo dục và Đào tạo quận Hà Đông", "office",
                       "Hà Đông")
# Fields a spreadsheet cannot carry: none. Every field of plan 737 (and the ward plan) has a
# column or a sheet, so the comparison below is on the whole model_dump.
NOT_CARRIED: set[str] = set()


def _dump(plan: ps.Plan) -> dict:
    return {k: v for k, v in plan.model_dump().items() if k not in NOT_CARRIED}


# --- round trip --------------------------------------------------------------------------------

@pytest.mark.parametrize("path", [DEFAULT_PLAN, DATA / "plan-2026-ward.yaml"],
                         ids=["737", "ward-2026"])
def test_export_then_import_gives_the_same_plan(path):
    plan = load_plan(path)
    result = read_plan_sheet(write_plan_workbook(plan), "plan.xlsx")
    assert result.problems == []
    assert _dump(result.plan) == _dump(plan)
    assert result.skipped == [] and result.guessed == {}


def test_exported_737_reads_like_the_appendix(plan_engine):
    name, content = export_plan_sheet(plan_engine)
    assert name == "737-KH-PGDDT-2021.xlsx"
    book = load_workbook(io.BytesIO(content))
    assert book.sheetnames[0] == "Chỉ tiêu"
    ws = book["Chỉ tiêu"]
    headings = [c.value for c in ws[1]]
    for heading in ("TT", "Lĩnh vực", "Chỉ tiêu cần đạt", "Giá trị", "Đơn vị tính", "Thời hạn",
                    "Giai đoạn", "Người thực hiện", "Người phối hợp"):
        assert heading in headings
    col = {h: i + 1 for i, h in enumerate(headings)}
    rows = [[c.value for c in row] for row in ws.iter_rows(min_row=2)]
    cqs = [r for r in rows if r[col["Giá trị"] - 1] in (40, 85) and
           r[col["Giai đoạn"] - 1] and "trực tuyến" in (r[col["Chỉ tiêu cần đạt"] - 1] or "")]
    assert [r[col["Giai đoạn"] - 1] for r in cqs] == ["Giai đoạn 2021-2023",
                                                      "Năm 2024 và năm 2025"]
    assert cqs[0][col["Thời hạn"] - 1] == dt.datetime(2023, 12, 31)
    merged = {str(r) for r in ws.merged_cells.ranges}
    assert any(r.startswith("B") for r in merged)  # area cells merged over their targets
    people = {r[col["Người thực hiện"] - 1] for r in rows}
    assert "Diệu Anh (bộ phận văn phòng)" in people
    assert "Trưởng phòng GDĐT (lãnh đạo phòng)" in people
    assert "Bích Hậu (bộ phận chuyên môn cấp học MN)\nMinh Lý (bộ phận chuyên môn cấp học TH)" \
        "\nKim Sa (bộ phận chuyên môn cấp học THCS)" in people


def test_import_of_an_exported_plan_is_the_same_plan_in_the_database(plan_engine):
    _, content = export_plan_sheet(plan_engine)

    def yes(result):
        return True

    result, imported = import_plan_sheet(plan_engine, content, "737.xlsx", yes)
    assert result.ok and imported is not None
    assert imported.created is False  # the very same document: nothing changed


# --- officials' sheets -------------------------------------------------------------------------

def test_officials_sheet_is_understood():
    result = read_plan_sheet(officials_workbook(), "kh45.xlsx", "vi", HADONG)
    assert result.problems == [], [p.render("vi") for p in result.problems]
    plan = result.plan
    assert (plan.code, plan.number, plan.issued_on) == ("45-KH-PGDDT-2026", "45/KH-PGDĐT",
                                                        dt.date(2026, 1, 15))
    assert (plan.period_start, plan.period_end) == (2026, 2030)
    assert plan.issuer.unit == "PGDDT-HADONG"  # the same office as the plan in force
    assert [(p.code, p.name, p.start, p.end) for p in plan.phases] == [
        ("A", "Giai đoạn 2026-2027", dt.date(2026, 1, 1), dt.date(2027, 12, 31)),
        ("B", "Giai đoạn 2028-2030", dt.date(2028, 1, 1), dt.date(2030, 12, 31))]
    assert [a.name for a in plan.areas] == ["Cải cách thể chế", "Cải cách TTHC",
                                            "Công tác chỉ đạo, điều hành", "Tổ chức bộ máy",
                                            "Cải cách tài chính công"]
    targets = {t.text: t for t in plan.targets}
    assert len(plan.targets) == 7

    def values(text):
        return [(v.phase, v.comparison.value, v.value, v.value_max, v.deadline)
                for v in targets[text].values]

    # one bullet of a merged cell, in both phases
    assert values("Phấn đấu 80% văn bản QPPL được cụ thể hóa") == [
        ("A", "at_least", 80, None, dt.date(2027, 12, 31)),
        ("B", "at_least", 100, None, dt.date(2030, 12, 31))]
    assert values("Mức độ hài lòng SIPAS đạt trên 85%") == [
        ("A", "more_than", 85, None, dt.date(2027, 12, 31))]
    assert values("Tỷ lệ hồ sơ trực tuyến tối thiểu 50%") == [
        ("A", "at_least", 50, None, dt.date(2027, 12, 31)),
        ("B", "range", 90, 95, dt.date(2030, 12, 31))]
    top = targets["Chỉ số CCHC thuộc Top 10 Thành phố"]
    assert (top.unit.value, values(top.text)) == ("rank", [("A", "top", 10, None,
                                                            dt.date(2027, 12, 31))])
    assert values("Giảm 10% biên chế hưởng lương ngân sách") == [
        ("B", "at_least", 10, None, dt.date(2030, 12, 31))]  # "Quý IV/2030"
    finance = targets["Tuân thủ quy định về tài chính công"]
    assert (finance.unit.value, finance.values[0].comparison.value, finance.note) == \
        ("boolean", "done", "Hằng năm")
    people = {p.key: p for p in plan.people}
    assert people["DIEU_ANH"] == ps.Person(key="DIEU_ANH", name="Diệu Anh",
                                           department="bộ phận văn phòng")
    assert targets["Tỷ lệ hồ sơ trực tuyến tối thiểu 50%"].responsible == ["BICH_HAU", "MINH_LY"]
    assert [people[k].department for k in
            targets["Giảm 10% biên chế hưởng lương ngân sách"].coordinators] == [
        "Tổ chuyên môn MN", "Tổ chuyên môn TH", "Tổ chuyên môn THCS"]
    assert people[top.responsible[0]].title == "Trưởng phòng GDĐT"
    assert len({t.code for t in plan.targets}) == 7


def test_officials_sheet_preview_says_what_was_read_and_skipped():
    result = read_plan_sheet(officials_workbook(), "kh45.xlsx", "vi", HADONG)
    text = render_preview(result, "vi")
    assert "Kế hoạch số 45/KH-PGDĐT ngày 15/1/2026" in text
    assert "5 lĩnh vực · 7 chỉ tiêu (10 mức yêu cầu)" in text
    assert '> 85% (Giai đoạn 2026-2027, hạn 31/12/2027) — đọc từ chữ "trên 85%"' in text
    assert 'đọc từ chữ "tối thiểu 50%; từ 90 đến 95%"' in text
    assert 'đọc từ chữ "Giảm 10%"' in text
    assert 'dòng 18: "Nơi nhận:" — bỏ qua' in text
    assert "không thấy con số — hiểu là chỉ tiêu hoàn thành" in text
    assert 'Bảng không có cột "Mã chỉ tiêu"' in text
    assert "lấy theo kế hoạch đang thực hiện: Phòng Giáo dục và Đào tạo quận Hà Đông" in text
    english = render_preview(read_plan_sheet(officials_workbook(), "kh45.xlsx", "en", HADONG),
                             "en")
    assert "Understood:" in english and "skipped" in english


def test_officials_sheet_without_merged_group_rows():
    result = read_plan_sheet(officials_workbook(merge_phase_rows=False), "kh45.xlsx", "vi",
                             HADONG)
    assert result.ok and [p.code for p in result.plan.phases] == ["A", "B"]


def test_issuer_from_the_title_lines_when_no_plan_is_in_force():
    result = read_plan_sheet(officials_workbook(), "kh45.xlsx", "vi", SheetDefaults())
    assert result.ok
    assert (result.plan.issuer.name, result.plan.issuer.unit) == \
        ("Phòng giáo dục và đào tạo", "PHONG-GIAO-DUC-VA-DAO-TAO")


def test_import_after_confirmation_only(plan_engine):
    data = officials_workbook()
    asked = []

    def no(result):
        asked.append(result)
        return False

    result, imported = import_plan_sheet(plan_engine, data, "kh45.xlsx", no)
    assert len(asked) == 1 and imported is None
    with Session(plan_engine) as s:
        assert s.exec(select(func.count(m.Plan.id))).one() == 1
    result, imported = import_plan_sheet(plan_engine, data, "kh45.xlsx", lambda r: True)
    assert imported.created and imported.plan_code == "45-KH-PGDDT-2026"
    assert imported.superseded == ["737-KH-PGDDT-2021"]  # same office, newer plan
    assert sheet_defaults(plan_engine).issuer_unit == "PGDDT-HADONG"


def test_staged_preview_confirmed_once(plan_engine):
    result = read_plan_sheet(officials_workbook(), "kh45.xlsx", "vi", HADONG)
    stage(plan_engine, "telegram:1", result)
    assert confirm_staged(plan_engine, "telegram:1").status == "imported"
    assert confirm_staged(plan_engine, "telegram:1").status == "expired"  # a double tap
    stage(plan_engine, "telegram:1", result)
    assert confirm_staged(plan_engine, "telegram:1").status == "unchanged"
    stage(plan_engine, "telegram:2", result)
    assert unstage(plan_engine, "telegram:2")[0].code == "45-KH-PGDDT-2026"
    assert unstage(plan_engine, "telegram:2") is None


# --- broken sheets -----------------------------------------------------------------------------

def _sheet(rows: list[list], title: str = "Kế hoạch") -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = title
    for row in rows:
        ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


HEADER = ["TT", "Lĩnh vực", "Chỉ tiêu cần đạt", "Giá trị", "Đơn vị tính", "Thời hạn",
          "Người thực hiện", "Giai đoạn"]
TITLE = ["Kèm theo Kế hoạch số 9/KH-UBND ngày 01/02/2026 của UBND phường"]


def _problems(data: bytes, lang: str = "vi") -> list[str]:
    result = read_plan_sheet(data, "x.xlsx", lang, HADONG)
    assert result.plan is None and not result.ok
    return [p.render(lang) for p in result.problems]


def test_broken_cells_are_listed_by_row_and_column(plan_engine):
    data = _sheet([TITLE, HEADER,
                   ["1", None, "Văn bản cập nhật", 100, "%", "31/12/2027", "Đ/c An"],
                   ["2", "Thể chế", "Văn bản rà soát", "abc", "%", "31/12/2027", "Đ/c An"],
                   ["3", "Thể chế", "Hồ sơ đúng hạn", 90, "%", "31/13/2027", "Đ/c An"],
                   ["4", "Thể chế", "Hồ sơ trực tuyến", 120, "%", "2027", "Đ/c An"],
                   ["5", "Thể chế", "Họp trực tuyến", 50, "%", "2027", None],
                   ["6", "Thể chế", "Hội nghị", 2, "cuộc", "2027", "Đ/c An", "Giai đoạn đầu"]])
    problems = _problems(data)
    expected = [
        'Trang "Kế hoạch", dòng 3, cột "Chỉ tiêu cần đạt" (C3): không biết chỉ tiêu này thuộc',
        'Trang "Kế hoạch", dòng 4, cột "Giá trị" (D4): "abc" không phải là số',
        'Trang "Kế hoạch", dòng 5, cột "Thời hạn" (F5): "31/13/2027" không đọc được là ngày',
        'Trang "Kế hoạch", dòng 6, cột "Giá trị" (D6): ',
        'Trang "Kế hoạch", dòng 7, cột "Người thực hiện" (G7): ',
        'Trang "Kế hoạch", dòng 8, cột "Giai đoạn" (H8): giai đoạn "Giai đoạn đầu" không ghi năm',
    ]
    for start in expected:
        assert any(p.startswith(start) for p in problems), (start, problems)
    assert any("D6" in p and "120% is outside 0..100" in p for p in problems)
    assert any("G7" in p and "no responsible owner" in p for p in problems)
    result, imported = import_plan_sheet(plan_engine, data, "x.xlsx", lambda r: True)
    assert imported is None
    with Session(plan_engine) as s:
        assert s.exec(select(func.count(m.Plan.id))).one() == 1


def test_a_sheet_without_a_table_of_targets():
    problems = _problems(_sheet([["TT", "Lĩnh vực", "Thời hạn"], ["1", "Thể chế", "2027"]]))
    assert problems == ['Tệp: không tìm thấy bảng chỉ tiêu: cần một dòng tiêu đề có cột '
                        '"Chỉ tiêu cần đạt" (hoặc "Nội dung chỉ tiêu") và cột "Người thực hiện".']


def test_missing_metadata_and_people_column():
    problems = _problems(_sheet([["TT", "Lĩnh vực", "Chỉ tiêu cần đạt", "Thời hạn"],
                                 ["1", "Thể chế", "100% văn bản", "2027"]]))
    assert any('thiếu cột "Người thực hiện"' in p for p in problems)
    assert any("thiếu số kế hoạch" in p for p in problems)
    assert any("thiếu ngày ban hành" in p for p in problems)


def test_not_an_excel_file():
    result = read_plan_sheet(b"PK\x03\x04 not really a zip", "x.xlsx", "en")
    assert not result.ok
    assert result.problems[0].render("en").startswith("File: cannot open the Excel file")
    assert read_plan_sheet(b"", "x.xlsx").plan is None


def test_broken_auxiliary_sheets_of_an_export():
    plan = load_plan(DEFAULT_PLAN)
    book = load_workbook(io.BytesIO(write_plan_workbook(plan)))
    book["Giai đoạn"]["C2"] = "ngày đầu năm"
    book["Báo cáo định kỳ"]["D2"] = "thỉnh thoảng"
    book["Chỉ tiêu"]["L5"] = "2O25"  # the year column, with a letter O
    out = io.BytesIO()
    book.save(out)
    problems = _problems(out.getvalue())
    assert any(p.startswith('Trang "Giai đoạn", dòng 2, cột "Từ ngày" (C2)') for p in problems)
    assert any(p.startswith('Trang "Báo cáo định kỳ", dòng 2, cột "Tần suất" (D2)')
               for p in problems)
    assert any(p.startswith('Trang "Chỉ tiêu", dòng 5, cột "Năm" (L5)') for p in problems)


# --- reading words -----------------------------------------------------------------------------

@pytest.mark.parametrize(("text", "unit", "comparison", "value", "value_max"), [
    ("tối thiểu 50%", "percent", "at_least", 50, None),
    ("trên 85%", "percent", "more_than", 85, None),
    ("từ 90 đến 95%", "percent", "range", 90, 95),
    ("đạt tối thiểu từ 90 đến 95%", "percent", "range", 90, 95),
    ("giảm 10%", "percent", "at_least", 10, None),
    ("Top 10", "rank", "top", 10, None),
    ("thuộc nhóm 10 đơn vị dẫn đầu", "rank", "top", 10, None),
    ("TREN 85 %", "percent", "more_than", 85, None),
    ("không quá 5% hồ sơ trễ hạn", "percent", "at_most", 5, None),
    ("không dưới 70%", "percent", "at_least", 70, None),
    ("Đến năm 2025, tinh giản tối thiểu 10% biên chế so với năm 2021", "percent", "at_least",
     10, None),
    ("Tổ chức 4 hội nghị trực tuyến", "count", "at_least", 4, None),
    ("Tuân thủ quy định", "boolean", "done", None, None),
    ("Giai đoạn 2021-2025 thực hiện đúng kế hoạch", "boolean", "done", None, None),
])
def test_requirements_read_from_text(text, unit, comparison, value, value_max):
    guess = guess_requirement(text)
    assert (guess.unit, guess.comparison, guess.value, guess.value_max) == \
        (unit, comparison, value, value_max)


@given(st.text(max_size=120))
def test_any_text_gives_a_requirement(text):
    guess = guess_requirement(text)
    assert guess.comparison in {c.value for c in ps.Comparison}
    assert (guess.value is None) == (guess.comparison == "done")
    assert guess.words in text


@given(number=st.integers(0, 100), words=st.sampled_from(
    ["tối thiểu", "toi thieu", "ít nhất", "đạt", "Phấn đấu đạt", "giảm"]))
def test_at_least_phrases(number, words):
    guess = guess_requirement(f"{words} {number}% số hồ sơ")
    assert (guess.comparison, guess.value) == ("at_least", number)


def _variants():
    headings = ["Chỉ tiêu cần đạt", "Người thực hiện", "Người phối hợp", "Thời hạn", "Giai đoạn",
                "Đơn vị tính", "Lĩnh vực", "Giá trị"]
    return st.sampled_from(headings).flatmap(lambda h: st.tuples(st.just(h), st.sampled_from([
        h, h.upper(), h.lower(), heading_key(h), heading_key(h).upper(), f"{h}:", f" {h} ",
        h.replace("ư", "u"), f"{h} (*)"])))


@given(_variants())
def test_headings_in_any_case_or_accents(pair):
    original, variant = pair
    expected = match_headings([original], MAIN_FIELDS)[0]
    assert match_headings([variant], MAIN_FIELDS) == {0: expected}


def test_headings_officials_write():
    found = match_headings(["STT", "Tiêu chí", "Nội dung", "Thời gian hoàn thành",
                            "Đơn vị chủ trì", "Đơn vị phối hợp", "ĐVT", "Ghi chú",
                            "Kinh phí"], MAIN_FIELDS)
    assert found == {0: "tt", 1: "area", 2: "target", 3: "deadline", 4: "responsible",
                     5: "coordinators", 6: "unit", 7: "note"}
    assert match_headings(["Nguoi thuc hein"], MAIN_FIELDS) == {0: "responsible"}  # a typo


@pytest.mark.parametrize(("value", "day"), [
    ("31/12/2025", dt.date(2025, 12, 31)), ("1-6-2025", dt.date(2025, 6, 1)),
    ("2025-12-31", dt.date(2025, 12, 31)), ("năm 2025", dt.date(2025, 12, 31)),
    ("Quý IV/2030", dt.date(2030, 12, 31)), ("quý 2 năm 2026", dt.date(2026, 6, 30)),
    ("tháng 11/2023", dt.date(2023, 11, 30)), ("2/2024", dt.date(2024, 2, 29)),
    ("2021-2023", dt.date(2023, 12, 31)), ("Năm 2024 và năm 2025", dt.date(2025, 12, 31)),
    (2027, dt.date(2027, 12, 31)), (dt.datetime(2026, 3, 2), dt.date(2026, 3, 2)),
    ("31/13/2025", None), ("sớm", None), ("", None), (3.5, None),
])
def test_deadlines_written_any_usual_way(value, day):
    assert parse_deadline(value) == day


def test_people_cells():
    assert split_people("Đ/c Bích Hậu (bộ phận MN); Đ/c Minh Lý (bộ phận TH)") == [
        "Đ/c Bích Hậu (bộ phận MN)", "Đ/c Minh Lý (bộ phận TH)"]
    assert split_people("Đ/c A (x, y), Đ/c B") == ["Đ/c A (x, y)", "Đ/c B"]
    assert split_people("Các tổ chuyên môn: MN; TH; THCS") == [
        "Tổ chuyên môn MN", "Tổ chuyên môn TH", "Tổ chuyên môn THCS"]
    assert split_people("Trưởng phòng\nKế toán trưởng") == ["Trưởng phòng", "Kế toán trưởng"]
    assert parse_person("D/c Hoà (bộ phận văn phòng)") == \
        PersonText("Hoà", None, "bộ phận văn phòng")
    assert parse_person("Trưởng phòng GDĐT") == PersonText(None, "Trưởng phòng GDĐT", None)
    assert parse_person("Bộ phận một cửa") == PersonText(None, None, "Bộ phận một cửa")
    assert parse_person("Thu Hà") == PersonText("Thu Hà", None, None)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.lists(st.one_of(st.none(), st.text(st.characters(
    blacklist_categories=("Cc", "Cs")), max_size=30), st.integers(-5, 3000),
                                   st.floats(allow_nan=False, allow_infinity=False)),
                         min_size=8, max_size=8), max_size=6))
def test_any_cells_give_a_plan_or_problems(rows):
    cells = [[("'" + c) if isinstance(c, str) and c.startswith("=") else c for c in row]
             for row in rows]
    data = _sheet([TITLE, HEADER, *cells])
    result = read_plan_sheet(data, "x.xlsx", "vi", HADONG)
    assert result.ok == (result.plan is not None)
    assert result.ok or result.problems
