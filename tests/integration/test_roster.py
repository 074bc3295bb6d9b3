"""The roster: reading the CSV, importing it all-or-nothing, linking officers to plan people."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func
from sqlmodel import Session, select

from bot.core.settings import DEFAULT_PLAN
from bot.people.roster import (
    RosterError,
    import_roster,
    infer_level,
    list_officers,
    normalise_phone,
    parse_roster,
    relink,
)
from bot.plans import schema as ps
from bot.plans.store import import_plan, import_plan_file
from storage import models as m
from tests.conftest import ROOT

EXAMPLE = ROOT / "data" / "roster.example.csv"
OFFICE = "PGDDT-HADONG"
HEADER = "full_name,role,unit,department,phone,telegram_id,zalo_id\n"

# every person the appendix of plan 737 names, and who the example roster says they are
APPENDIX = {
    "Diệu Anh": "Nguyễn Thị Diệu Anh",
    "Hoà": "Trần Thị Hòa",
    "Bích Hậu": "Lê Thị Bích Hậu",
    "Minh Lý": "Phạm Thị Minh Lý",
    "Kim Sa": "Hoàng Thị Kim Sa",
    "Ngọc Dũng": "Vũ Ngọc Dũng",
    "Tuyết Nhung": "Đỗ Thị Tuyết Nhung",
    "Tuấn An": "Nguyễn Tuấn An",
}
TABLES = (m.Unit, m.Officer, m.ChannelIdentity, m.Assignment, m.AuditLog)


def counts(engine) -> dict[str, int]:
    with Session(engine) as session:
        return {t.__name__: session.exec(select(func.count()).select_from(t)).one()
                for t in TABLES}


def write(tmp_path, text: str, name: str = "roster.csv", encoding: str = "utf-8"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def officer(session: Session, full_name: str) -> m.Officer:
    return session.exec(select(m.Officer).where(m.Officer.full_name == full_name)).one()


def assigned_codes(session: Session, officer_id: int, kind: str | None = None) -> set[str]:
    query = (select(m.Target.code).join(m.Assignment, m.Assignment.target_id == m.Target.id)
             .where(m.Assignment.officer_id == officer_id))
    if kind:
        query = query.where(m.Assignment.kind == kind)
    return set(session.exec(query))


def small_plan(people: list[dict], code: str = "T-1", issuer: str = OFFICE) -> ps.Plan:
    """A one-target plan in which every person given is responsible."""
    return ps.Plan(
        code=code, number="1/KH", title="Kế hoạch thử", title_en="Test plan",
        issued_on=dt.date(2021, 7, 5), place="Hà Đông",
        issuer=ps.Issuer(unit=issuer, name=f"Đơn vị {issuer}"),
        period_start=2021, period_end=2025,
        phases=[ps.Phase(code="A", name="Giai đoạn A", start=dt.date(2021, 7, 5),
                         end=dt.date(2025, 12, 31))],
        people=[ps.Person(**p) for p in people],
        areas=[ps.Area(code="X", number=1, name="Thử", name_en="Test", source="I")],
        targets=[ps.Target(
            code=f"{code}-X1", area="X", name="Thử", name_en="Test", text="Thử", unit="percent",
            values=[ps.TargetValue(phase="A", value=50, comparison="at_least",
                                   deadline=dt.date(2025, 12, 31), source="I")],
            responsible=[p["key"] for p in people],
        )],
    )


# --- parsing ------------------------------------------------------------------------------------


def test_example_roster_parses_cleanly():
    rows, problems = parse_roster(EXAMPLE)
    assert problems == []
    assert len(rows) == 15
    assert {r.role for r in rows} == {"officer", "leader", "admin", "principal"}
    assert all(r.phone and r.phone.startswith("+84") for r in rows)
    assert [r.telegram_id for r in rows if r.telegram_id] == ["100001"]
    assert rows[0].line == 2 and rows[-1].line == 16


@pytest.mark.parametrize("raw", ["0912 345 678", "+84912345678", "84912345678",
                                 "0912.345.678", "+84 912 345 678", "0084912345678"])
def test_phone_variants_are_one_number(raw):
    assert normalise_phone(raw) == "+84912345678"
    rows, problems = parse_roster(HEADER + f'Nguyễn Văn A,officer,{OFFICE},,"{raw}",,\n')
    assert problems == [] and rows[0].phone == "+84912345678"


@pytest.mark.parametrize("raw", ["123", "0912 345", "phone", "+84 12"])
def test_malformed_phone_is_a_row_error(raw):
    rows, problems = parse_roster(HEADER + f"Nguyễn Văn A,officer,{OFFICE},,{raw},,\n")
    assert rows == []
    assert problems == [f'roster.csv:2: malformed phone "{raw}" (use a Vietnamese number such '
                        "as 0912 345 678 or +84912345678)"]


@pytest.mark.parametrize(("word", "role"), [
    ("officer", "officer"), ("Cán bộ", "officer"), ("chuyên viên", "officer"),
    ("CHUYEN VIEN", "officer"), ("Hiệu trưởng", "principal"), ("hieu truong", "principal"),
    ("Lãnh đạo", "leader"), ("trưởng phòng", "leader"), ("Quản trị", "admin"),
    (" ADMIN ", "admin"), ("Principal", "principal"),
])
def test_vietnamese_role_words(word, role):
    rows, problems = parse_roster(HEADER + f"Nguyễn Văn A,{word},{OFFICE},,,,\n")
    assert problems == []
    assert rows[0].role == role


def test_bom_spaces_and_semicolons_are_tolerated(tmp_path):
    text = ("\ufeff full_name ; role ; unit ; phone \n"
            " Nguyễn Văn A ;  Cán bộ ; PGDDT-HADONG ; 0912 345 678 \n\n")
    rows, problems = parse_roster(write(tmp_path, text))
    assert problems == []
    assert (rows[0].full_name, rows[0].role, rows[0].unit, rows[0].phone) == (
        "Nguyễn Văn A", "officer", OFFICE, "+84912345678")
    assert rows[0].department is None and rows[0].telegram_id is None


def test_header_problems(tmp_path):
    rows, problems = parse_roster(write(tmp_path, "full_name,email,unit\nA,a@b,X\n"))
    assert rows == []
    assert problems == [
        'roster.csv:1: unknown column "email" (columns: full_name, role, unit, department, '
        "phone, telegram_id, zalo_id)",
        'roster.csv:1: missing column "role" (required: full_name, role, unit)',
    ]
    _, problems = parse_roster(write(tmp_path, ""))
    assert problems == ["roster.csv:1: no header row (columns: full_name, role, unit, "
                        "department, phone, telegram_id, zalo_id)"]
    _, problems = parse_roster(write(tmp_path, "full_name,role,unit\nNguyễn Văn A,officer,X\n",
                                     encoding="utf-16"))
    assert problems == ['roster.csv: not UTF-8 text (save it as "CSV UTF-8")']


def test_line_numbers_count_physical_lines(tmp_path):
    text = (HEADER + "\r\n"                                   # 1, 2 blank
            + '"Nguyễn\r\nVăn A",officer,X,,,,\r\n'           # 3-4: a quoted line break
            + "Trần Văn B,sếp,X,,,,\r\n")                      # 5
    rows, problems = parse_roster(write(tmp_path, text))
    assert [(r.line, r.full_name) for r in rows] == [(3, "Nguyễn Văn A")]
    assert problems == ['roster.csv:5: unknown role "sếp" (use officer, principal, leader, admin)']


def test_missing_file(tmp_path):
    with pytest.raises(RosterError) as err:
        import_roster(None, str(tmp_path / "nope.csv"))
    assert err.value.problems[0].startswith("nope.csv: cannot read the file")


@pytest.mark.parametrize(("name", "level"), [
    ("Trường THCS Lê Lợi", "THCS"), ("Trường Trung học cơ sở Văn Yên", "THCS"),
    ("Trường Tiểu học Văn Yên", "TH"), ("TH Kiến Hưng", "TH"),
    ("Trường Mầm non Hoa Sen", "MN"), ("MN Họa Mi", "MN"),
    ("Phòng Giáo dục và Đào tạo", "office"), ("Thanh tra quận", "office"),
])
def test_unit_level_from_name(name, level):
    assert infer_level(name) == level


# --- importing into the plan 737 database --------------------------------------------------------


def test_example_roster_imports_and_links_every_appendix_officer(plan_engine):
    result = import_roster(plan_engine, EXAMPLE)
    assert (result.created, result.updated, result.unchanged) == (15, 0, 0)
    assert result.ambiguous == [] and result.unmatched == []
    for plan_name, full_name in APPENDIX.items():
        assert (plan_name, full_name) in result.links
    assert ("Trưởng phòng GDĐT", "Phan Văn Thắng") in result.links
    assert ("Tổ chuyên môn MN", "Đặng Thị Thu Trang") in result.links
    assert ("Tổ chuyên môn TH", "Ngô Thị Lan Hương") in result.links
    assert ("Tổ chuyên môn THCS", "Trịnh Văn Hùng") in result.links
    assert sorted(result.units_created) == ["TRUONG-THCS-LE-LOI", "TRUONG-TIEU-HOC-VAN-YEN"]

    with Session(plan_engine) as session:
        for full_name in APPENDIX.values():
            row = officer(session, full_name)
            n = session.exec(select(func.count()).select_from(m.Assignment)
                             .where(m.Assignment.officer_id == row.id)).one()
            assert n > 0, full_name
        # Tuấn An is responsible for the online-meetings target of area CQS
        an = officer(session, "Nguyễn Tuấn An")
        cqs = session.exec(select(m.Target).join(m.Area, m.Area.id == m.Target.area_id)
                           .where(m.Area.code == "CQS")).all()
        online = [t for t in cqs if "trực tuyến" in t.text]
        assert online and {t.code for t in online} <= assigned_codes(session, an.id,
                                                                     "responsible")
        # the groups coordinate it
        trang = officer(session, "Đặng Thị Thu Trang")
        assert "CQS-1" in assigned_codes(session, trang.id, "coordinator")
        # Hòa in the roster is the plan's Hoà, coordinator
        hoa = officer(session, "Trần Thị Hòa")
        assert assigned_codes(session, hoa.id, "coordinator")
        assert not assigned_codes(session, hoa.id, "responsible")
        # the head of office has the obligations and targets the plan gives the title
        head = officer(session, "Phan Văn Thắng")
        assert head.role == "leader"
        assert session.exec(select(func.count()).select_from(m.Assignment)
                            .where(m.Assignment.officer_id == head.id)).one() > 0
        # principals are not plan people
        binh = officer(session, "Nguyễn Văn Bình")
        assert binh.role == "principal"
        assert not assigned_codes(session, binh.id)
        le_loi = session.get(m.Unit, binh.unit_id)
        assert (le_loi.name, le_loi.level) == ("Trường THCS Lê Lợi", "THCS")
        van_yen = session.get(m.Unit, officer(session, "Trần Thị Mai").unit_id)
        assert (van_yen.code, van_yen.level) == ("TRUONG-TIEU-HOC-VAN-YEN", "TH")
        assert session.get(m.Unit, an.unit_id).code == OFFICE
        assert an.phone == "+84912345608"
        identity = session.exec(select(m.ChannelIdentity)).one()
        assert (identity.officer_id, identity.channel, identity.external_id) == (
            an.id, "telegram", "100001")
        audits = session.exec(select(m.AuditLog).where(m.AuditLog.action == "officer.create"))
        assert len(audits.all()) == 15


def test_reimport_changes_nothing(plan_engine):
    import_roster(plan_engine, EXAMPLE)
    before = counts(plan_engine)
    result = import_roster(plan_engine, EXAMPLE)
    assert (result.created, result.updated, result.unchanged) == (0, 0, 15)
    assert result.assignments == 0 and result.units_created == []
    assert counts(plan_engine) == before
    assert relink(plan_engine).assignments == 0
    assert counts(plan_engine) == before


def test_changes_are_updates_with_audit(plan_engine, tmp_path):
    import_roster(plan_engine, EXAMPLE)
    text = (HEADER
            # same officer (folded name + unit), new phone and role, the telegram id she now uses
            + "Nguyen Thi Dieu Anh,leader,Phòng Giáo dục và Đào tạo quận Hà Đông,,"
              "0988 000 111,100002,\n"
            # empty cells keep what is stored
            + "Trần Thị Hòa,officer,,,,,\n")
    result = import_roster(plan_engine, write(tmp_path, text))
    assert (result.created, result.updated, result.unchanged) == (0, 1, 1)
    with Session(plan_engine) as session:
        anh = session.exec(select(m.Officer).where(m.Officer.phone == "+84988000111")).one()
        assert anh.full_name == "Nguyen Thi Dieu Anh" and anh.role == "leader"
        assert anh.department == "bộ phận văn phòng"
        assert officer(session, "Trần Thị Hòa").phone == "+84912345602"
        update = session.exec(select(m.AuditLog)
                              .where(m.AuditLog.action == "officer.update")).one()
        assert update.entity_id == anh.id
        assert update.detail["changes"]["role"] == ["officer", "leader"]
        assert update.detail["changes"]["phone"] == ["+84912345601", "+84988000111"]
        assert session.exec(select(m.ChannelIdentity.external_id)
                            .where(m.ChannelIdentity.officer_id == anh.id)).all() == ["100002"]


def test_empty_unit_is_the_plan_issuer(plan_engine):
    result = import_roster(plan_engine, HEADER + "Nguyễn Tuấn An,chuyên viên,,bộ phận CNTT,,,\n")
    assert result.created == 1
    assert ("Tuấn An", "Nguyễn Tuấn An") in result.links
    with Session(plan_engine) as session:
        assert session.get(m.Unit, officer(session, "Nguyễn Tuấn An").unit_id).code == OFFICE


def test_empty_unit_without_a_plan_is_a_problem(engine):
    with pytest.raises(RosterError) as err:
        import_roster(engine, HEADER + "Nguyễn Văn A,officer,,,,,\n")
    assert err.value.problems == [
        "roster.csv:2: no unit given and no active plan to take the issuing unit from"]


def test_ambiguous_and_unmatched_names_are_reported_not_guessed(plan_engine):
    text = (HEADER
            + f"Trần Thị Hòa,officer,{OFFICE},bộ phận văn phòng,,,\n"
            + f"Lê Thị Hoà,officer,{OFFICE},bộ phận văn phòng,,,\n"
            + f"Nguyễn Tuấn An,officer,{OFFICE},bộ phận CNTT,,,\n")
    result = import_roster(plan_engine, text)
    assert result.created == 3
    assert result.links == [("Tuấn An", "Nguyễn Tuấn An")]
    assert len(result.ambiguous) == 1
    assert "Hoà" in result.ambiguous[0]
    assert "Trần Thị Hòa" in result.ambiguous[0] and "Lê Thị Hoà" in result.ambiguous[0]
    unmatched = "\n".join(result.unmatched)
    for name in ("Diệu Anh", "Bích Hậu", "Minh Lý", "Kim Sa", "Ngọc Dũng", "Tuyết Nhung",
                 "Tổ chuyên môn MN", "Trưởng phòng GDĐT"):
        assert f'"{name}"' in unmatched
    assert "Tuấn An" not in unmatched and "Hoà" not in unmatched
    with Session(plan_engine) as session:
        for name in ("Trần Thị Hòa", "Lê Thị Hoà"):
            assert not assigned_codes(session, officer(session, name).id)


def test_namesake_at_a_school_does_not_compete(plan_engine):
    text = (HEADER
            + f"Trần Thị Hòa,officer,{OFFICE},bộ phận văn phòng,,,\n"
            + "Lê Thị Hoà,principal,Trường Mầm non Hoa Sen,,,,\n")
    result = import_roster(plan_engine, text)
    assert ("Hoà", "Trần Thị Hòa") in result.links and result.ambiguous == []


def test_one_officer_matching_two_plan_names_is_ambiguous(engine):
    import_plan(engine, small_plan([{"key": "ANH", "name": "Anh"},
                                    {"key": "DIEU_ANH", "name": "Diệu Anh"},
                                    {"key": "HOA", "name": "Hòa"}]))
    text = (HEADER + f"Nguyễn Thị Diệu Anh,officer,{OFFICE},,,,\n"
            + f"Trần Thị Hoà,officer,{OFFICE},,,,\n")
    result = import_roster(engine, text)
    assert result.links == [("Hòa", "Trần Thị Hoà")]
    assert result.ambiguous == ['Nguyễn Thị Diệu Anh matches 2 names of T-1: "Anh", '
                                '"Diệu Anh" — not assigned']
    with Session(engine) as session:
        assert not assigned_codes(session, officer(session, "Nguyễn Thị Diệu Anh").id)
        assert assigned_codes(session, officer(session, "Trần Thị Hoà").id) == {"T-1-X1"}


def test_same_name_in_two_active_plans_is_one_person(engine):
    import_plan(engine, small_plan([{"key": "HOA", "name": "Hoà"}], code="P-1"))
    import_plan(engine, small_plan([{"key": "HOA", "name": "Hoà"}], code="P-2", issuer="OTHER"))
    result = import_roster(engine, HEADER + f"Trần Thị Hòa,officer,{OFFICE},,,,\n")
    assert result.ambiguous == [] and result.unmatched == []
    assert result.links == [("Hoà", "Trần Thị Hòa")]
    with Session(engine) as session:
        assert assigned_codes(session, officer(session, "Trần Thị Hòa").id) == {"P-1-X1",
                                                                               "P-2-X1"}


def test_bad_file_lists_every_problem_and_writes_nothing(plan_engine, tmp_path):
    import_roster(plan_engine, EXAMPLE)
    before = counts(plan_engine)
    text = (HEADER                                                             # 1
            + f"Nguyễn Văn Một,officer,{OFFICE},,0912 000 001,,\n"             # 2 good
            + f",officer,{OFFICE},,,,\n"                                       # 3
            + f"Trần Văn Bốn,boss,{OFFICE},,,,\n"                              # 4
            + f"Lê Văn Năm,officer,{OFFICE},,12345,,\n"                        # 5
            + f"Phạm Văn Sáu,officer,{OFFICE},,,200001,\n"                     # 6 good
            + f"Đỗ Văn Bảy,officer,{OFFICE},,,200001,\n"                       # 7
            + "Nguyen Van Mot,officer,pgddt-hadong,,,,\n"                      # 8
            + "Vũ Văn Tám,officer,Phòng Giáo dục và Đào tạo quận Hà Đông,,,,z1\n"  # 9 good
            + f"Vũ Văn Tám,officer,{OFFICE},,,,\n"                             # 10
            + f"Hồ Văn Chín,officer,{OFFICE},,,,z1\n"                          # 11
            + f"Ngô Văn Mười,officer,{OFFICE},,,100001,\n"                     # 12
            + "Mai Văn Mới,principal,Trường Mầm non Hoa Sen,,,,\n")           # 13 good
    with pytest.raises(RosterError) as err:
        import_roster(plan_engine, write(tmp_path, text))
    assert err.value.problems == [
        "roster.csv:3: missing full_name",
        'roster.csv:4: unknown role "boss" (use officer, principal, leader, admin)',
        'roster.csv:5: malformed phone "12345" (use a Vietnamese number such as 0912 345 678 '
        "or +84912345678)",
        "roster.csv:7: telegram_id 200001 repeats line 6",
        'roster.csv:8: "Nguyen Van Mot" at "pgddt-hadong" repeats line 2',
        'roster.csv:10: "Vũ Văn Tám" at "Phòng Giáo dục và Đào tạo quận Hà Đông" '
        "repeats line 9",
        "roster.csv:11: zalo_id z1 repeats line 9",
        "roster.csv:12: telegram_id 100001 is already linked to Nguyễn Tuấn An",
    ]
    assert str(err.value).splitlines() == err.value.problems
    assert counts(plan_engine) == before
    with Session(plan_engine) as session:
        assert session.exec(select(m.Unit).where(m.Unit.name == "Trường Mầm non Hoa Sen")
                            ).first() is None


def test_duplicate_telegram_id_against_the_database(engine, tmp_path):
    import_roster(engine, HEADER + f"Nguyễn Tuấn An,officer,{OFFICE},,,100001,zl-1\n")
    before = counts(engine)
    text = HEADER + f"Hồ Văn Mới,officer,{OFFICE},,,100001,\nLê Văn Khác,officer,{OFFICE},,,,zl-1\n"
    with pytest.raises(RosterError) as err:
        import_roster(engine, write(tmp_path, text, "moi.csv"))
    assert err.value.problems == [
        "moi.csv:2: telegram_id 100001 is already linked to Nguyễn Tuấn An",
        "moi.csv:3: zalo_id zl-1 is already linked to Nguyễn Tuấn An",
    ]
    assert counts(engine) == before
    # the same officer keeping the id is fine
    result = import_roster(engine, HEADER + f"Nguyễn Tuấn An,officer,{OFFICE},,,100001,zl-1\n")
    assert (result.created, result.updated, result.unchanged) == (0, 0, 1)


def test_roster_before_plan_then_relink(engine):
    result = import_roster(engine, EXAMPLE)
    assert result.created == 15 and result.links == [] and result.assignments == 0
    import_plan_file(engine, DEFAULT_PLAN)
    links = relink(engine)
    assert links.ambiguous == [] and links.unmatched == []
    assert ("Tuấn An", "Nguyễn Tuấn An") in links.links
    assert links.assignments > 0
    with Session(engine) as session:
        an = officer(session, "Nguyễn Tuấn An")
        assert "CQS-1" in assigned_codes(session, an.id, "responsible")
        # the plan's issuer is the unit the roster named by its code
        plan = session.exec(select(m.Plan)).one()
        assert plan.issuer_unit_id == an.unit_id
    assert relink(engine).assignments == 0


def test_list_officers(plan_engine):
    import_roster(plan_engine, EXAMPLE)
    views = list_officers(plan_engine)
    assert len(views) == 15
    by_name = {v.full_name: v for v in views}
    an = by_name["Nguyễn Tuấn An"]
    assert an.role == "officer" and an.unit == "Phòng Giáo dục và Đào tạo quận Hà Đông"
    assert an.department == "bộ phận CNTT" and an.phone == "+84912345608"
    assert an.channels == ["telegram"] and an.assignments >= 1
    assert by_name["Lý Minh Quân"].role == "admin"
    assert by_name["Lý Minh Quân"].assignments == 0 and by_name["Lý Minh Quân"].channels == []
    assert by_name["Trần Thị Mai"].unit == "Trường Tiểu học Văn Yên"
    assert all(v.active for v in views)
