"""Normalising questions and pulling out their slots (periods, years, phases, codes, areas,
people), against plan 737 and the ward plan."""

from __future__ import annotations

import datetime as dt

from sqlmodel import Session, select

from bot.answers.intents import area_by_words, find_people, phase_in, target_by_code
from bot.answers.normalise import clean, normalise
from bot.answers.snapshot import cite, snapshot
from storage import models as m
from tests.answers_seed import seed_ward

TODAY = dt.date(2025, 5, 10)  # a Saturday in quarter II


def test_plan_slots(plan_engine):
    with Session(plan_engine) as session:
        snap = snapshot(plan_engine, session, session.exec(select(m.Plan)).one())
    assert target_by_code(snap, clean("chi tiêu CQS-1")).code == "CQS-1"
    assert target_by_code(snap, clean("cqs1 là gì")).code == "CQS-1"
    assert target_by_code(snap, clean("tthc 2")).code == "TTHC-2"
    assert target_by_code(snap, clean("cqs-9")) is None
    for typed, code in [("lĩnh vực 3", "TTHC"), ("CQS", "CQS"), ("mảng thể chế", "TC"),
                        ("chính quyền số", "CQS"), ("cải cách tài chính công", "TCC"),
                        ("area 5", "CV"), ("TCBM", "TCBM")]:
        assert area_by_words(snap, normalise(typed), clean(typed)).code == code, typed
    assert phase_in(snap, normalise("giai đoạn 2021-2023")).code == "A"
    assert phase_in(snap, normalise("GĐ 2024-2025")).code == "B"
    assert phase_in(snap, normalise("giai đoạn 2")).code == "B"
    people, _ = find_people(snap, normalise("chị Hoà phụ trách gì"), [])
    assert [p.key for p in people] == ["HOA"]
    people, _ = find_people(snap, normalise("đơn giản hóa TTHC"), [])
    assert people == []  # "hóa" is not Hoà
    people, _ = find_people(snap, normalise("Tuấn An phụ trách gì"), [])
    assert [p.key for p in people] == ["TUAN_AN"]
    people, _ = find_people(snap, normalise("trưởng phòng phụ trách gì"), [])
    assert [p.key for p in people] == ["TRUONG_PHONG"]


def test_citations(plan_engine):
    with Session(plan_engine) as session:
        snap = snapshot(plan_engine, session, session.exec(select(m.Plan)).one())
    assert cite(snap, "Phụ lục B.6; I.3.7", "vi") == \
        "(KH 737, Phụ lục, GĐ 2024-2025, dòng 6; mục I.3.7)"
    assert cite(snap, ["I.3.2", "II.2", "Phụ lục A.1"], "vi") == \
        "(KH 737, mục I.3.2, II.2; Phụ lục, GĐ 2021-2023, dòng 1)"
    assert cite(snap, "IV.3", "en") == "(Plan 737, section IV.3)"
    assert cite(snap, [], "vi") == "(KH 737)"


def test_citations_of_another_plan(engine):
    seed_ward(engine)
    with Session(engine) as session:
        snap = snapshot(engine, session, session.exec(select(m.Plan)).one())
    assert cite(snap, "I.2", "vi") == "(KH 12, mục I.2)"
    assert phase_in(snap, normalise("giai đoạn 2028-2030")).code == "GD2"
    assert phase_in(snap, normalise("gd1")).code == "GD1"
