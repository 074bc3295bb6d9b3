"""The bundled plan, Kế hoạch 737/KH-PGDĐT, checked against the numbers of the seed document."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import pytest

from bot.plans.loader import load_plan, validate_plan_file
from bot.plans.schema import Comparison, Plan, Target, TargetValue, Unit

ROOT = Path(__file__).resolve().parents[2]
PLAN_FILE = ROOT / "data" / "plans" / "737-KH-PGDDT-2021.yaml"
SEED = Path("/work/shared/seed/ke-hoach-737-KH-PGDDT-2021.md")

END_A = dt.date(2023, 12, 31)
END_B = dt.date(2025, 12, 31)

AT_LEAST, MORE_THAN, RANGE, TOP, DONE = (
    Comparison.AT_LEAST,
    Comparison.MORE_THAN,
    Comparison.RANGE,
    Comparison.TOP,
    Comparison.DONE,
)


@pytest.fixture(scope="module")
def plan() -> Plan:
    return load_plan(PLAN_FILE)


def test_bundled_plan_is_valid():
    assert validate_plan_file(PLAN_FILE) == []


def test_metadata(plan):
    assert plan.code == "737-KH-PGDDT-2021"
    assert plan.number == "737/KH-PGDĐT"
    assert plan.issued_on == dt.date(2021, 7, 5)
    assert plan.place == "Hà Đông"
    assert plan.issuer.unit == "PGDDT-HADONG"
    assert plan.issuer.name == "Phòng Giáo dục và Đào tạo quận Hà Đông"
    assert plan.issuer.dissolved_on == dt.date(2025, 7, 1)
    for ward in ("Hà Đông", "Dương Nội", "Yên Nghĩa", "Phú Lương", "Kiến Hưng"):
        assert ward in plan.issuer.dissolved_note
    assert (plan.period_start, plan.period_end) == (2021, 2025)
    bases = " | ".join(plan.legal_bases)
    for cited in (
        "2387/KH-SGDĐT ngày 30/6/2021",
        "206/KH-UBND ngày 28/6/2021",
        "97/2019/QH14",
        "32/2021/NĐ-CP",
        "100/KH-UBND",
        "59/2019/NĐ-CP",
    ):
        assert cited in bases
    assert len(plan.purposes) == 4
    assert len(plan.requirements) == 4


def test_phases(plan):
    assert [(p.code, p.name, p.start, p.end) for p in plan.phases] == [
        ("A", "Giai đoạn 2021-2023", dt.date(2021, 1, 1), END_A),
        ("B", "Năm 2024 và năm 2025", dt.date(2024, 1, 1), END_B),
    ]
    assert any("Giai đoạn 2023-2025" in note for note in plan.notes)


def test_seven_areas_with_their_section_two_tasks(plan):
    assert [(a.number, a.code, a.name) for a in plan.areas] == [
        (1, "CDDH", "Công tác chỉ đạo, điều hành"),
        (2, "TC", "Cải cách thể chế"),
        (3, "TTHC", "Cải cách thủ tục hành chính"),
        (4, "TCBM", "Cải cách tổ chức bộ máy hành chính nhà nước"),
        (5, "CV", "Cải cách chế độ công vụ"),
        (6, "TCC", "Cải cách tài chính công"),
        (7, "CQS", "Xây dựng chính quyền điện tử, chính quyền số"),
    ]
    tasks = {a.code: a.tasks for a in plan.areas}
    # number of bullets in each part of section II, and one phrase of each part
    assert {code: len(t) for code, t in tasks.items()} == {
        "CDDH": 4,
        "TC": 2,
        "TTHC": 7,
        "TCBM": 4,
        "CV": 1,
        "TCC": 3,
        "CQS": 6,
    }
    phrases = {
        "CDDH": "siết chặt kỷ luật, kỷ cương hành chính",
        "TC": "100% văn bản hành chính được ban hành đúng thể thức, thẩm quyền.",
        "TTHC": "báo cáo hàng tháng kết quả giải quyết TTHC",
        "TCBM": "giảm đầu mối tổ chức trung gian, giảm cấp phó",
        "CV": "kỹ năng tham mưu, kỹ năng xử lý tình huống.",
        "TCC": "Siết chặt kỷ luật, kỷ cương tài chính",
        "CQS": "TCVN ISO 9001:2015",
    }
    for code, phrase in phrases.items():
        assert any(phrase in task for task in tasks[code]), (code, phrase)
    # the stamp text that the OCR dropped into II.3 is not a task
    assert not any("T.P" in task or "HỌC" in task for task in tasks["TTHC"])


@pytest.mark.parametrize(
    ("typed", "area"),
    [
        ("thể chế", "TC"),
        ("thủ tục hành chính", "TTHC"),
        ("bộ máy", "TCBM"),
        ("công vụ", "CV"),
        ("tài chính", "TCC"),
        ("chính quyền số", "CQS"),
        ("chuyển đổi số", "CQS"),
        ("cntt", "CQS"),
        ("chỉ đạo điều hành", "CDDH"),
    ],
)
def test_area_aliases(plan, typed, area):
    owners = [a.code for a in plan.areas if typed in [x.lower() for x in a.aliases]]
    assert owners == [area]


# --- every number of the seed ------------------------------------------------------------------

# (value, value_max, comparison, phase, year, area, deadline, source fragment, words of the plan)
SEED_NUMBERS = [
    # I.3.1
    (10, None, TOP, None, 2025, "CDDH", END_B, "I.3.1", "PAR INDEX"),
    (85, None, MORE_THAN, None, 2023, "CDDH", END_A, "I.3.1", "SIPAS"),
    (90, 95, RANGE, None, 2025, "CDDH", END_B, "I.3.1", "từ 90 đến 95%"),
    # I.3.2 and Phụ lục A.1 / B.1
    (100, None, AT_LEAST, None, 2025, "TC", END_B, "I.3.2", "phải được rà soát"),
    (100, None, AT_LEAST, "A", None, "TC", END_A, "Phụ lục A.1", "cập nhật trên cổng thông tin"),
    (100, None, AT_LEAST, "B", None, "TC", END_B, "Phụ lục B.1", "cập nhật trên cổng thông tin"),
    (100, None, AT_LEAST, "B", None, "TC", END_B, "I.3.2", "cập nhật"),
    (100, None, AT_LEAST, "A", None, "TC", END_A, "Phụ lục A.1", "phòng chống tham nhũng"),
    (100, None, AT_LEAST, "B", None, "TC", END_B, "Phụ lục B.1", "phòng chống tham nhũng"),
    (100, None, AT_LEAST, "B", None, "TC", END_B, "I.3.2", "tham nhũng"),
    (80, None, AT_LEAST, "A", None, "TC", END_A, "Phụ lục A.1", "được cụ thể hóa"),
    (100, None, AT_LEAST, "B", None, "TC", END_B, "Phụ lục B.1", "được cụ thể hóa"),
    # II.2
    (100, None, AT_LEAST, None, 2025, "TC", END_B, "II.2", "đúng thể thức"),
    # I.3.3, II.3 and Phụ lục A.2 / B.2
    (100, None, AT_LEAST, "A", None, "TTHC", END_A, "Phụ lục A.2", "trả đúng và trước hạn"),
    (100, None, AT_LEAST, "B", None, "TTHC", END_B, "Phụ lục B.2", "trả đúng hạn"),
    (100, None, AT_LEAST, "B", None, "TTHC", END_B, "I.3.3", "đúng hạn"),
    (40, None, AT_LEAST, "A", None, "TTHC", END_A, "Phụ lục A.2", "được đơn giản hóa"),
    (80, None, AT_LEAST, "B", None, "TTHC", END_B, "Phụ lục B.2", "được đơn giản hóa"),
    (100, None, AT_LEAST, None, 2025, "TTHC", END_B, "I.3.3", "rà soát 100% các TTHC"),
    (50, None, AT_LEAST, None, 2025, "TTHC", END_B, "I.3.3", "DVCTT"),
    (100, None, AT_LEAST, None, 2025, "TTHC", END_B, "II.3", "mức độ 3, mức độ 4"),
    # I.3.4 and Phụ lục A.3 / B.3
    (10, None, AT_LEAST, None, 2025, "TCBM", END_B, "I.3.4", "biên chế"),
    (5, None, AT_LEAST, "B", None, "TCBM", END_B, "Phụ lục B.3", "biên chế"),
    (20, None, AT_LEAST, None, 2025, "TCBM", END_B, "I.3.4", "tự chủ tài chính so với năm 2015"),
    (4, None, AT_LEAST, "A", None, "TCBM", END_A, "Phụ lục A.3", "tự chủ tài chính"),
    (10, None, AT_LEAST, "B", None, "TCBM", END_B, "Phụ lục B.3", "tự chủ tài chính"),
    (20, None, AT_LEAST, None, 2025, "TCBM", END_B, "I.3.4", "đầu mối"),
    # I.3.5 and Phụ lục A.4 / B.4
    (100, None, AT_LEAST, "A", None, "CV", END_A, "Phụ lục A.4", "đạo đức nghề nghiệp"),
    (100, None, AT_LEAST, "B", None, "CV", END_B, "Phụ lục B.4", "đạo đức nghề nghiệp"),
    (30, None, AT_LEAST, "A", None, "CV", END_A, "I.3.5", "tập huấn"),
    (30, None, AT_LEAST, "A", None, "CV", END_A, "Phụ lục A.4", "kĩ năng số"),
    (50, None, AT_LEAST, "B", None, "CV", END_B, "Phụ lục B.4", "kỹ năng số"),
    (100, None, AT_LEAST, None, 2025, "CV", END_B, "I.3.5", "chuyển đổi vị trí công tác"),
    # I.3.7 and Phụ lục A.6 / B.6
    (40, None, AT_LEAST, "A", None, "CQS", END_A, "Phụ lục A.6", "hệ thống trực tuyến"),
    (85, None, AT_LEAST, "B", None, "CQS", END_B, "Phụ lục B.6", "hệ thống trực tuyến"),
    (85, None, AT_LEAST, "B", None, "CQS", END_B, "I.3.7", "cuộc họp"),
]

# Targets without a number: (phase, year, area, deadline, source fragment, words of the plan)
SEED_DONE = [
    ("A", None, "TC", END_A, "Phụ lục A.1", "Tham mưu triển khai kịp thời các văn bản QPPL"),
    ("B", None, "TC", END_B, "Phụ lục B.1", "Tham mưu triển khai kịp thời các văn bản QPPL"),
    (None, 2025, "TCC", END_B, "I.3.6", "Tuân thủ đúng nguyên tắc"),
    (None, 2025, "TCC", END_B, "I.3.6", "thực hiện đúng kế hoạch của quận"),
    (None, 2025, "TCC", END_B, "I.3.6", "tiết kiệm chi tiêu thường xuyên"),
    ("A", None, "TCC", END_A, "Phụ lục A.5", "chính sách tài chính- ngân sách đặc thù"),
    ("B", None, "TCC", END_B, "Phụ lục B.5", "chính sách tài chính- ngân sách đặc thù"),
    ("A", None, "TCC", END_A, "Phụ lục A.5", "mức chi tài chính hợp lý"),
    ("B", None, "TCC", END_B, "Phụ lục B.5", "mức chi tài chính hợp lý"),
]


def _matches(plan: Plan, area: str, source: str, words: str):
    for target in plan.targets:
        if target.area != area:
            continue
        for value in target.values:
            if source in value.source and (words in (value.text or "") or words in target.text):
                yield target, value


def _when(value: TargetValue) -> tuple[str | None, int | None]:
    return value.phase, value.year


@pytest.mark.parametrize(
    ("number", "number_max", "comparison", "phase", "year", "area", "deadline", "source", "words"),
    SEED_NUMBERS,
    ids=[f"{r[5]}-{r[0]}-{r[3] or r[4]}-{r[7]}" for r in SEED_NUMBERS],
)
def test_seed_number_is_encoded(
    plan, number, number_max, comparison, phase, year, area, deadline, source, words
):
    found = [
        (t.code, v)
        for t, v in _matches(plan, area, source, words)
        if v.value == number
        and v.value_max == number_max
        and v.comparison is comparison
        and _when(v) == (phase, year)
        and v.deadline == deadline
    ]
    assert found, f"no {comparison} {number} for {phase or year} in {area} ({source}: {words})"


@pytest.mark.parametrize(
    ("phase", "year", "area", "deadline", "source", "words"),
    SEED_DONE,
    ids=[f"{r[2]}-{r[0] or r[1]}-{r[5][:20]}" for r in SEED_DONE],
)
def test_seed_yes_no_target_is_encoded(plan, phase, year, area, deadline, source, words):
    found = [
        t.code
        for t, v in _matches(plan, area, source, words)
        if t.unit is Unit.BOOLEAN
        and v.comparison is DONE
        and v.value is None
        and _when(v) == (phase, year)
        and v.deadline == deadline
    ]
    assert found, f"no yes/no target for {phase or year} in {area} ({source}: {words})"


def _target(plan: Plan, code: str) -> Target:
    return next(t for t in plan.targets if t.code == code)


def test_merged_targets_keep_every_figure(plan):
    def figures(code):
        return [(v.phase, v.year, v.value, v.value_max) for v in _target(plan, code).values]

    assert figures("CDDH-1") == [(None, 2025, 10, None)]
    assert figures("CDDH-2") == [(None, 2023, 85, None), (None, 2025, 90, 95)]
    assert figures("CQS-1") == [("A", None, 40, None), ("B", None, 85, None)]
    assert figures("TTHC-1") == [("A", None, 100, None), ("B", None, 100, None)]
    assert figures("TTHC-2") == [("A", None, 40, None), ("B", None, 80, None)]
    assert figures("TCBM-1") == [("B", None, 5, None), (None, 2025, 10, None)]
    assert figures("TCBM-2") == [
        ("A", None, 4, None),
        ("B", None, 10, None),
        (None, 2025, 20, None),
    ]
    assert figures("CV-2") == [("A", None, 30, None), ("B", None, 50, None)]
    assert _target(plan, "TCBM-1").baseline_year == 2021
    assert _target(plan, "TCBM-2").baseline_year == 2015
    assert _target(plan, "TCBM-3").baseline_year == 2015
    assert "inconsistent" in _target(plan, "TCBM-2").note


def test_target_codes_follow_their_area(plan):
    for target in plan.targets:
        area, _, n = target.code.rpartition("-")
        assert area == target.area and n.isdigit(), target.code
    per_area = {a.code: [t.code for t in plan.targets if t.area == a.code] for a in plan.areas}
    for codes in per_area.values():
        assert codes == [f"{c.rpartition('-')[0]}-{i}" for i, c in enumerate(codes, start=1)]
    assert "TTHC-1" in per_area["TTHC"] and "CQS-1" in per_area["CQS"]


def test_every_target_has_owner_keywords_and_values(plan):
    people = {p.key for p in plan.people}
    for target in plan.targets:
        assert target.responsible and set(target.responsible) <= people, target.code
        assert set(target.coordinators) <= people, target.code
        assert target.keywords, target.code
        assert target.values, target.code
        for value in target.values:
            assert value.text and value.source, target.code
            end = {"A": END_A, "B": END_B}.get(value.phase)
            assert value.deadline == (end or dt.date(value.year, 12, 31)), target.code


def test_keywords_users_type(plan):
    def codes(word):
        return {t.code for t in plan.targets if word in t.keywords}

    assert codes("sipas") == {"CDDH-2"}
    assert "CDDH-2" in codes("hài lòng")
    assert "CQS-1" in codes("họp trực tuyến")
    assert "TTHC-4" in codes("dvctt")
    assert "TCBM-1" in codes("biên chế")
    assert "TCBM-2" in codes("tự chủ")


def test_schools_measure_their_own_shares(plan):
    per_school = {t.code for t in plan.targets if t.measured_per == "school"}
    assert {"CQS-1", "CV-1", "CV-2"} <= per_school
    assert "TTHC-1" not in per_school


# --- people -------------------------------------------------------------------------------------

APPENDIX_OFFICERS = {
    "Diệu Anh": "bộ phận văn phòng",
    "Hoà": "bộ phận văn phòng",
    "Bích Hậu": "bộ phận chuyên môn cấp học MN",
    "Minh Lý": "bộ phận chuyên môn cấp học TH",
    "Kim Sa": "bộ phận chuyên môn cấp học THCS",
    "Ngọc Dũng": "bộ phận tổ chức",
    "Tuyết Nhung": "bộ phận kế toán",
    "Tuấn An": "bộ phận CNTT",
}


def test_every_appendix_officer_is_a_person(plan):
    named = {p.name: p.department for p in plan.people if p.name}
    assert named == APPENDIX_OFFICERS
    groups = {p.key: p.department for p in plan.people if not p.name and not p.title}
    assert groups == {
        "TO_MN": "Tổ chuyên môn MN",
        "TO_TH": "Tổ chuyên môn TH",
        "TO_THCS": "Tổ chuyên môn THCS",
    }
    head = next(p for p in plan.people if p.key == "TRUONG_PHONG")
    assert (head.name, head.title, head.department) == (
        None,
        "Trưởng phòng GDĐT",
        "lãnh đạo phòng",
    )
    for person in plan.people:
        assert re.fullmatch(r"[A-Z][A-Z_]*", person.key), person.key


def test_owners_follow_the_appendix_rows(plan):
    groups = ["TO_MN", "TO_TH", "TO_THCS"]
    rows = {
        "CDDH": (["TRUONG_PHONG"], []),
        "TC": (["DIEU_ANH"], ["HOA"]),
        "TTHC": (["BICH_HAU", "MINH_LY", "KIM_SA"], ["HOA"]),
        "TCBM": (["NGOC_DUNG"], ["TUYET_NHUNG"]),
        "CV": (["NGOC_DUNG"], groups),
        "TCC": (["TUYET_NHUNG"], groups),
        "CQS": (["TUAN_AN"], groups),
    }
    for target in plan.targets:
        assert (target.responsible, target.coordinators) == rows[target.area], target.code
    assert "IV.1" in _target(plan, "CDDH-1").note


# --- obligations and reviews -------------------------------------------------------------------


def test_obligations(plan):
    by_code = {o.code: o for o in plan.obligations}
    monthly = by_code["BC-TTHC-THANG"]
    assert (monthly.frequency, monthly.due_rule, monthly.area) == ("monthly", "last_day", "TTHC")
    assert monthly.recipient.startswith("UBND quận")
    assert monthly.responsible == ["BICH_HAU", "MINH_LY", "KIM_SA"]
    assert monthly.coordinators == ["HOA"]
    assert monthly.source == "II.3"
    assert monthly.note

    quarterly = by_code["BC-CCHC-QUY"]
    assert quarterly.frequency == "quarterly"
    assert quarterly.recipient.startswith("Văn phòng Sở")
    assert [(d.period, d.day, d.month, d.before) for d in quarterly.due] == [
        ("Q1", 1, 3, True),
        ("Q2", 1, 6, True),
        ("Q3", 1, 12, True),
    ]
    assert quarterly.responsible == ["DIEU_ANH"]
    assert quarterly.coordinators == ["TRUONG_PHONG"]
    assert quarterly.source == "IV.3"
    assert "hàng năm" in quarterly.note and "quý IV" in quarterly.note


def test_reviews(plan):
    assert [(r.code, r.phase, r.month, r.year, r.source) for r in plan.reviews] == [
        ("SO-KET", "A", 11, 2023, "III.1"),
        ("TONG-KET", "B", 11, 2025, "III.2"),
    ]


# --- OCR corrections ---------------------------------------------------------------------------


def _encoded_strings(value, skip=("notes", "note", "ocr_fixes", "dissolved_note")):
    """Every string of the plan's content (our own notes left out)."""
    if isinstance(value, dict):
        for key, item in value.items():
            if key not in skip:
                yield from _encoded_strings(item, skip)
    elif isinstance(value, list):
        for item in value:
            yield from _encoded_strings(item, skip)
    elif isinstance(value, str):
        yield value


def test_ocr_fixes_are_applied(plan):
    assert len(plan.ocr_fixes) >= 20
    everything = json.dumps(plan.model_dump(mode="json", exclude={"ocr_fixes"}), ensure_ascii=False)
    encoded = list(_encoded_strings(plan.model_dump(mode="json")))
    for fix in plan.ocr_fixes:
        assert fix.seen != fix.fixed and fix.where
        assert fix.fixed in everything, f"fixed text {fix.fixed!r} is not used anywhere"
        slipped = [s for s in encoded if fix.seen in s]
        assert not slipped, f"OCR slip {fix.seen!r} is still in {slipped[0]!r}"


@pytest.mark.parametrize(
    "slip",
    [
        "thẻ chép",
        "Phản đầu",
        "Phản ánh",
        "TTTHC",
        "cấp nhật",
        "công thông tin",
        "dẽ",
        "GĐĐT",
        "luồng từ",
        "ngang sáu",
        "công tư chủ",
        "ché độ",
        "bộ phân ",
        "CÀI CÁCH",
        "PGDDT ",
        "Suth",
        "NG - T.P",
    ],
)
def test_no_known_slip_in_the_content(plan, slip):
    for text in _encoded_strings(plan.model_dump(mode="json")):
        assert slip not in text, text


def test_the_fixes_named_in_the_brief_are_recorded(plan):
    pairs = {(f.seen, f.fixed) for f in plan.ocr_fixes}
    for pair in [
        ("thẻ chép", "thể chế"),
        ("TTTHC", "TTHC"),
        ("cấp nhật", "cập nhật"),
        ("trên công thông tin", "trên cổng thông tin"),
        ("dẽ", "dễ"),
        ("GĐĐT", "GDĐT"),
        ("luồng từ ngang sáu nhà nước", "lương từ ngân sách nhà nước"),
        ("công tư chủ", "công lập tự chủ"),
        ("ché độ", "chế độ"),
        ("bộ phân kế toán", "bộ phận kế toán"),
    ]:
        assert pair in pairs
    # every "Phản đầu"/"Phản ánh" before a target in the appendix became "Phấn đấu"
    assert sum(f.fixed.startswith("Phấn đấu") for f in plan.ocr_fixes) == 6
    notes = " ".join(plan.notes)
    assert "*Suth*" in notes and "NG - T.P" in notes


# --- the seed itself, when it is at hand --------------------------------------------------------


@pytest.mark.skipif(not SEED.exists(), reason="the seed document is not on this machine")
def test_every_percentage_of_the_seed_is_a_value(plan):
    seed = SEED.read_text(encoding="utf-8")
    body = seed[seed.index("3. Các chỉ tiêu cụ thể") :]
    body = body.replace("ISO 9001:2015", "")
    in_seed = {float(n) for n in re.findall(r"(\d+)\s*%", body)}
    in_seed |= {float(n) for n in re.findall(r"từ (\d+) đến \d+\s*%", body)}
    in_data = {
        number
        for t in plan.targets
        for v in t.values
        for number in (v.value, v.value_max)
        if number is not None and t.unit is Unit.PERCENT
    }
    assert in_seed <= in_data, sorted(in_seed - in_data)
    assert "Top 10" in seed and any(
        v.comparison is TOP and v.value == 10 for t in plan.targets for v in t.values
    )
