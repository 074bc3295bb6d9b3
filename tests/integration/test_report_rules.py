"""Who may report on what, and for which school (bot.reporting), without the chat around it."""

from __future__ import annotations

import dataclasses

from bot.core.clock import clock
from bot.people import identity
from bot.reporting import Refusal, check_target, report_units, reportable_targets
from tests.report_helpers import office_fixture  # noqa: F401  (the `office` fixture)


def actor(engine, name: str):
    [(officer_id, _)] = identity.find_officers(engine, name)
    return identity.officer_actor(engine, officer_id)


def test_officers_report_on_their_assignments_only(office):
    today = clock.today()
    an = actor(office, "Tuấn An")
    assert [r.code for r in reportable_targets(office, an, today)] == ["CQS-1"]
    assert check_target(office, an, "cqs 1", today).code == "CQS-1", "codes as typed on phones"
    refused = check_target(office, an, "TC-1", today)
    assert refused == Refusal("not_assigned", "TC-1", ("CQS-1",))
    assert check_target(office, an, "XX-9", today).reason == "unknown_target"
    hoa = actor(office, "Trần Thị Hòa")  # coordinator of TC-* and TTHC-*: assigned too
    assert {"TC-1", "TTHC-1"} <= {r.code for r in reportable_targets(office, hoa, today)}


def test_principals_report_their_schools_figures_for_targets_measured_per_school(office):
    today = clock.today()
    binh = actor(office, "Văn Bình")
    assert sorted(r.code for r in reportable_targets(office, binh, today)) == [
        "CQS-1", "CV-1", "CV-2", "CV-3"]
    cqs1 = check_target(office, binh, "CQS-1", today)
    assert [u.name for u in report_units(office, binh, cqs1.target_id)] == ["Trường THCS Lê Lợi"]
    assert check_target(office, binh, "TC-1", today).reason == "not_per_school"
    homeless = dataclasses.replace(binh, unit_id=None)
    assert reportable_targets(office, homeless, today) == []
    assert check_target(office, homeless, "CQS-1", today).reason == "no_unit"


def test_an_officer_chooses_among_the_schools_office_targets_have_no_choice(office):
    today = clock.today()
    an, anh = actor(office, "Tuấn An"), actor(office, "Diệu Anh")
    cqs1 = check_target(office, an, "CQS-1", today)
    assert [u.name for u in report_units(office, an, cqs1.target_id)] == [
        "Trường THCS Lê Lợi", "Trường Tiểu học Văn Yên"]
    tc1 = check_target(office, anh, "TC-1", today)
    assert report_units(office, anh, tc1.target_id) == []


def test_the_same_rule_would_hold_for_a_leader_with_assignments(office):
    """The role matrix keeps leaders from /report; the domain rule itself is the officers'."""
    leader = actor(office, "Thắng")  # the head of office, responsible for CDDH-1 and CDDH-2
    today = clock.today()
    assert [r.code for r in reportable_targets(office, leader, today)] == ["CDDH-1", "CDDH-2"]
    assert check_target(office, leader, "TC-1", today).reason == "not_assigned"
