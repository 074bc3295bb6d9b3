"""Normalising questions and pulling out their slots (periods, years, phases, codes, areas,
people), against plan 737 and the ward plan."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.answers.normalise import normalise
from bot.answers.slots import (
    explicit_year,
    parse_due_argument,
    parse_period,
    this_quarter,
)

TODAY = dt.date(2025, 5, 10)  # a Saturday in quarter II


@pytest.mark.parametrize(("typed", "expected"), [
    ("Quý này có gì đến hạn?", "quy nay co gi den han"),
    ("QUÝ NÀY CÓ GÌ ĐẾN HẠN", "quy nay co gi den han"),
    ("quy nay co gi den han", "quy nay co gi den han"),
    ("Hoà", "hoa"), ("Hòa", "hoa"),  # either tone-mark placement
    ("Qu\u0079\u0301 này", "quy nay"),  # decomposed (NFD) input
    ("Đ/c Hoà", "dong chi hoa"),
    ("CB-CC-VC", "can bo cong chuc vien chuc"),
    ("cbccvc", "can bo cong chuc vien chuc"),
    ("TTHC", "thu tuc hanh chinh"),
    ("DVCTT", "dich vu cong truc tuyen"),
    ("văn bản QPPL", "van ban quy pham phap luat"),
    ("VBQPPL", "van ban quy pham phap luat"),
    ("ĐVSN", "don vi su nghiep"),
    ("GD&ĐT", "giao duc dao tao"),
    ("trường MN", "truong mam non"),
    ("kĩ năng số", "ky nang so"), ("kỹ năng số", "ky nang so"),
    ("tỉ lệ", "ty le"), ("quí 3", "quy 3"),
    ("hop truc tuyen bn %", "hop truc tuyen bao nhieu %"),
    ("thg nay co bc gi ko", "thang nay co bao cao gi khong"),
    ("giai đoạn 2021-2023", "giai doan 2021-2023"),
    ("ngày 01/6/2025", "ngay 01/6/2025"),
])
def test_normalise(typed, expected):
    assert normalise(typed) == expected


def test_abbreviations_keep_word_boundaries():
    assert normalise("thcs") == "trung hoc co so"
    assert "tieu hoc" not in normalise("thực hiện")  # "th" only as a word
    assert normalise("PAR Index").startswith("par index chi so cai cach hanh chinh")


@pytest.mark.parametrize(("typed", "kind", "start", "end"), [
    ("quý này có gì đến hạn", "quarter", dt.date(2025, 4, 1), dt.date(2025, 6, 30)),
    ("quy nay", "quarter", dt.date(2025, 4, 1), dt.date(2025, 6, 30)),
    ("quý II", "quarter", dt.date(2025, 4, 1), dt.date(2025, 6, 30)),
    ("quý 3", "quarter", dt.date(2025, 7, 1), dt.date(2025, 9, 30)),
    ("q3", "quarter", dt.date(2025, 7, 1), dt.date(2025, 9, 30)),
    ("Q4/2024", "quarter", dt.date(2024, 10, 1), dt.date(2024, 12, 31)),
    ("quý IV năm 2026", "quarter", dt.date(2026, 10, 1), dt.date(2026, 12, 31)),
    ("quý sau", "quarter", dt.date(2025, 7, 1), dt.date(2025, 9, 30)),
    ("quý trước", "quarter", dt.date(2025, 1, 1), dt.date(2025, 3, 31)),
    ("3rd quarter", "quarter", dt.date(2025, 7, 1), dt.date(2025, 9, 30)),
    ("tháng này", "month", dt.date(2025, 5, 1), dt.date(2025, 5, 31)),
    ("tháng sau", "month", dt.date(2025, 6, 1), dt.date(2025, 6, 30)),
    ("tháng 12/2025", "month", dt.date(2025, 12, 1), dt.date(2025, 12, 31)),
    ("next month", "month", dt.date(2025, 6, 1), dt.date(2025, 6, 30)),
    ("tuần này", "week", dt.date(2025, 5, 5), dt.date(2025, 5, 11)),
    ("this week", "week", dt.date(2025, 5, 5), dt.date(2025, 5, 11)),
    ("tuần sau", "week", dt.date(2025, 5, 12), dt.date(2025, 5, 18)),
    ("năm nay", "year", dt.date(2025, 1, 1), dt.date(2025, 12, 31)),
    ("năm sau", "year", dt.date(2026, 1, 1), dt.date(2026, 12, 31)),
    ("2024", "year", dt.date(2024, 1, 1), dt.date(2024, 12, 31)),
    ("14 ngày tới", "days", dt.date(2025, 5, 10), dt.date(2025, 5, 24)),
])
def test_periods(typed, kind, start, end):
    period = parse_period(normalise(typed), TODAY)
    assert (period.kind, period.start, period.end) == (kind, start, end)


@pytest.mark.parametrize("typed", ["chỉ tiêu SIPAS", "giai đoạn 2021-2023", "mấy lĩnh vực",
                                   "ngày 01/6/2025", "quy trình", "cqs-1"])
def test_no_period(typed):
    assert parse_period(normalise(typed), TODAY) is None


@pytest.mark.parametrize(("argument", "start"), [
    ("tuần", dt.date(2025, 5, 5)), ("tháng", dt.date(2025, 5, 1)),
    ("quý", dt.date(2025, 4, 1)), ("năm", dt.date(2025, 1, 1)),
    ("II/2025", dt.date(2025, 4, 1)), ("3/2025", dt.date(2025, 7, 1)),
    ("IV 2024", dt.date(2024, 10, 1)), ("q1", dt.date(2025, 1, 1)), ("2", dt.date(2025, 4, 1)),
])
def test_due_argument(argument, start):
    assert parse_due_argument(normalise(argument), TODAY).start == start


def test_due_argument_defaults_and_nonsense():
    assert parse_due_argument("", TODAY) is None
    assert parse_due_argument(normalise("blah"), TODAY) is None
    assert this_quarter(dt.date(2025, 12, 31)).number == 4


def test_years_not_taken_from_ranges_or_dates():
    assert explicit_year(normalise("sipas năm 2025")) == 2025
    assert explicit_year(normalise("giai đoạn 2021-2023")) is None
    assert explicit_year(normalise("trước 01/6/2025")) is None


def test_until_the_end_of_a_period_runs_from_today():
    import datetime as dt

    from bot.answers.slots import parse_period

    today = dt.date(2025, 5, 10)
    june = parse_period(normalise("từ giờ tới hết tháng 6 có gì phải nộp"), today)
    assert (june.start, june.end) == (today, dt.date(2025, 6, 30))
    q3 = parse_period(normalise("until the end of September"), today)
    assert (q3.start, q3.end) == (today, dt.date(2025, 9, 30))
    # a period already begun is that period
    assert parse_period(normalise("tới cuối tháng này"), today).kind == "month"


def test_mn_at_the_end_addresses_everyone():
    assert normalise("chỉ tiêu bn vậy mn") == "chi tieu bao nhieu vay"
    assert normalise("có hạn nào ko mn") == "co han nao khong"
    assert "mam non" in normalise("trường mn phải làm gì")


def test_the_toned_expansions_are_the_abbreviations_with_their_tones():
    """Two lists of one idea must not drift: each acronym's toned words fold to its expansion."""
    from bot.answers.normalise import ABBREVIATIONS, TONED_EXPANSIONS
    from bot.core.text import fold

    assert {k: v for k, v in TONED_EXPANSIONS.items()
            if fold(v).replace("đ", "d") != ABBREVIATIONS.get(k)} == {}


def test_the_asker_naming_themself_is_dropped_only_when_it_is_their_name():
    from bot.answers.plain import _without_self

    assert _without_self("thay Binh day, truong minh bc chua", "Nguyễn Văn Bình") == \
        "truong minh bc chua"
    assert _without_self("ừ anh Dũng đây năm nay bao nhiêu", "Vũ Ngọc Dũng") == "năm nay bao nhiêu"
    assert _without_self("Em là Mai TH Văn Yên, trường em đạt chưa", "Trần Thị Mai") == \
        "trường em đạt chưa"
    # someone else's name, or nothing after it, stays
    assert _without_self("co Mai day, truong co da bao cao chua", "Phan Văn Thắng") == \
        "co Mai day, truong co da bao cao chua"
    assert _without_self("em là người phụ trách, em cần nộp gì", "Trần Thị Hòa") == \
        "em là người phụ trách, em cần nộp gì"
    assert _without_self("c Sa nè", "Hoàng Thị Kim Sa") == "c Sa nè"
