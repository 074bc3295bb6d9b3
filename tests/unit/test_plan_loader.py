"""The plan loader: a valid second plan loads, and broken files say what and where."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.plans.loader import PlanError, load_plan, load_plan_text, validate_plan_file
from bot.plans.schema import Comparison, Unit

WARD = Path(__file__).parent.parent / "data" / "plan-2026-ward.yaml"
WARD_TEXT = WARD.read_text(encoding="utf-8")


def mutate(old: str, new: str, text: str = WARD_TEXT) -> str:
    assert text.count(old) == 1, f"{old!r} must occur once in the fixture"
    return text.replace(old, new)


def line_of(text: str, needle: str, occurrence: int = 1) -> int:
    """1-based line of the `occurrence`-th line containing `needle`."""
    hits = [n for n, line in enumerate(text.splitlines(), start=1) if needle in line]
    assert len(hits) >= occurrence, f"{needle!r} not found {occurrence} time(s)"
    return hits[occurrence - 1]


def problems_of(tmp_path: Path, text: str, name: str = "plan.yaml") -> tuple[str, list[str]]:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path), validate_plan_file(path)


# --- the valid second plan ---------------------------------------------------------------------


def test_ward_plan_loads():
    assert validate_plan_file(WARD) == []
    plan = load_plan(WARD)
    assert plan.issuer.name == "UBND phường Hà Đông"
    assert plan.issuer.level == "ward"
    assert (plan.period_start, plan.period_end) == (2026, 2030)
    assert [(p.code, p.start.year, p.end.year) for p in plan.phases] == [
        ("GD1", 2026, 2027),
        ("GD2", 2028, 2030),
    ]
    assert [a.code for a in plan.areas] == ["CDDH", "TTHC", "CQS"]
    assert len(plan.targets) == 5
    assert [o.frequency for o in plan.obligations] == ["quarterly"]
    assert [d.period for d in plan.obligations[0].due] == ["Q1", "Q2", "Q3", "Q4"]
    assert [(r.code, r.year, r.month) for r in plan.reviews] == [("SO-KET", 2027, 12)]
    range_value = next(t for t in plan.targets if t.code == "TTHC-2").values[0]
    assert (range_value.comparison, range_value.value, range_value.value_max) == (
        Comparison.RANGE,
        80,
        90,
    )
    assert next(t for t in plan.targets if t.code == "CQS-1").unit is Unit.RANK


def test_load_plan_text_uses_the_given_name():
    plan = load_plan_text(WARD_TEXT, "ward.yaml")
    assert plan.code == "KH-CCHC-PHUONG-HADONG-2026"
    with pytest.raises(PlanError) as info:
        load_plan_text(mutate("value: 95", "value: 120"), "ward.yaml")
    assert info.value.problems == [
        f"ward.yaml:{line_of(WARD_TEXT, 'value: 95')}: "
        "target CDDH-1, values[1]: value 120% is outside 0..100"
    ]
    assert str(info.value) == info.value.problems[0]


def test_load_plan_raises_plan_error(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text(mutate("area: CQS\n    name: Số hóa", "area: ABC\n    name: Số hóa"))
    with pytest.raises(PlanError) as info:
        load_plan(path)
    assert len(info.value.problems) == 1
    assert info.value.problems[0].startswith(f"{path}:")


# --- one problem at a time ---------------------------------------------------------------------

# (id, old text, new text, needle on the reported line (occurrence), expected message)
CASES = [
    (
        "unknown area",
        "area: CQS\n    name: Số hóa",
        "area: ABC\n    name: Số hóa",
        ("area: ABC", 1),
        "target CQS-2: unknown area 'ABC'",
    ),
    (
        "percent out of range",
        "value: 95",
        "value: 120",
        ("value: 120", 1),
        "target CDDH-1, values[1]: value 120% is outside 0..100",
    ),
    (
        "negative percent",
        "value: 90\n        comparison: at_least",
        "value: -5\n        comparison: at_least",
        ("value: -5", 1),
        "target CDDH-1, values[0]: value -5% is outside 0..100",
    ),
    (
        "deadline outside the period",
        "deadline: 2028-12-31",
        "deadline: 2031-01-31",
        ("deadline: 2031-01-31", 1),
        "target CQS-1, values[0]: deadline 2031-01-31 is outside the plan period 2026-2030",
    ),
    (
        "year outside the period",
        "year: 2028",
        "year: 2032",
        ("year: 2032", 1),
        "target CQS-1, values[0]: year 2032 is outside the plan period 2026-2030",
    ),
    (
        "phase outside the period",
        "    end: 2030-12-31",
        "    end: 2031-12-31",
        ("end: 2031-12-31", 1),
        "phase GD2: end 2031-12-31 is outside the plan period 2026-2030",
    ),
    (
        "duplicate target code",
        "code: CQS-2",
        "code: CQS-1",
        ("code: CQS-1", 2),
        "duplicate target code 'CQS-1' (first at line {first})",
    ),
    (
        "owner missing",
        "    responsible: [THU_HA]\n  - code: TTHC-2",
        "  - code: TTHC-2",
        ("- code: TTHC-1", 1),
        "target TTHC-1: no responsible owner",
    ),
    (
        "owner not in people",
        "    responsible: [CHU_TICH]\n    coordinators: [VAN_PHONG]\n  - code: TTHC-1",
        "    responsible: [CHU_TICH]\n    coordinators: [VAN_PHONG, BOGUS]\n  - code: TTHC-1",
        ("BOGUS", 1),
        "target CDDH-1: unknown person 'BOGUS' in coordinators",
    ),
    (
        "unknown key",
        "    measured_per: office",
        "    measured_per: office\n    colour: red",
        ("colour: red", 1),
        "target CQS-2: unknown field 'colour'",
    ),
    (
        "missing field",
        "    name_en: Procedure records digitised\n",
        "",
        ("- code: CQS-2", 1),
        "target CQS-2: missing field 'name_en'",
    ),
    (
        "bad enum value",
        "unit: rank",
        "unit: ranking",
        ("unit: ranking", 1),
        "target CQS-1, unit: Input should be 'percent', 'rank', 'count' or 'boolean' "
        "(got 'ranking')",
    ),
    (
        "bad date",
        "issued_on: 2026-03-02",
        "issued_on: 2026-02-30",
        ("issued_on:", 1),
        "issued_on: Input should be a valid date or datetime, "
        "day value is outside expected range (got '2026-02-30')",
    ),
    (
        "unknown phase",
        "phase: GD2\n        value: 95",
        "phase: GD3\n        value: 95",
        ("phase: GD3", 1),
        "target CDDH-1, values[1]: unknown phase 'GD3'",
    ),
    (
        "neither phase nor year",
        "      - phase: GD1\n        comparison: done",
        "      - comparison: done",
        ("- comparison: done", 1),
        "target CQS-2, values[0]: give a phase or a year",
    ),
    (
        "value_max below value",
        "value_max: 90",
        "value_max: 70",
        ("value_max: 70", 1),
        "target TTHC-2, values[0]: value_max 70 is below value 80",
    ),
    (
        "range without value_max",
        "        value_max: 90\n",
        "",
        ("- year: 2030", 1),
        "target TTHC-2, values[0]: a range needs value_max",
    ),
    (
        "person with nothing to link",
        "  - key: VAN_PHONG\n    department: Văn phòng HĐND và UBND phường\n",
        "  - key: VAN_PHONG\n",
        ("- key: VAN_PHONG", 1),
        "person VAN_PHONG: give a name, a title or a department",
    ),
    (
        "review with unknown phase",
        "phase: GD1\n    year: 2027",
        "phase: GD9\n    year: 2027",
        ("phase: GD9", 1),
        "review SO-KET: unknown phase 'GD9'",
    ),
    (
        "due date that does not exist",
        "month: 6, day: 15",
        "month: 6, day: 31",
        ("month: 6, day: 31", 1),
        "obligation BC-CCHC-QUY: due[1] is not a real date (day 31, month 6)",
    ),
    (
        "duplicate YAML key",
        "  unit: UBND-PHUONG-HADONG\n",
        "  unit: UBND-PHUONG-HADONG\n  unit: UBND-PHUONG-HADONG\n",
        ("unit: UBND-PHUONG-HADONG", 2),
        "duplicate key 'unit' (first at line {first})",
    ),
]


@pytest.mark.parametrize(
    ("old", "new", "needle", "message"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_one_problem(tmp_path, old, new, needle, message):
    text = mutate(old, new)
    first = line_of(text, needle[0])
    path, problems = problems_of(tmp_path, text)
    line = line_of(text, *needle)
    assert problems == [f"{path}:{line}: {message.format(first=first)}"]


def test_yaml_syntax_error(tmp_path):
    text = "code: X\nnumber: 1\n  title: bad\n"
    path, problems = problems_of(tmp_path, text)
    assert problems == [f"{path}:3: YAML syntax error: mapping values are not allowed here"]


def test_yaml_syntax_error_inside_the_plan(tmp_path):
    text = mutate("  - code: GD2\n", "  - code: GD2\n    name: [Giai đoạn 2028-2030\n")
    path, problems = problems_of(tmp_path, text)
    assert len(problems) == 1
    line = line_of(text, "name: [Giai đoạn 2028-2030") + 1
    assert problems[0].startswith(f"{path}:{line}: YAML syntax error: ")
    assert "flow sequence at line" in problems[0]


def test_empty_and_non_mapping_files(tmp_path):
    path, problems = problems_of(tmp_path, "# nothing yet\n", "empty.yaml")
    assert problems == [f"{path}:1: the file is empty"]
    path, problems = problems_of(tmp_path, "- a\n- b\n", "list.yaml")
    assert problems == [f"{path}:1: a plan must be a mapping of fields"]


def test_missing_file(tmp_path):
    problems = validate_plan_file(tmp_path / "nope.yaml")
    assert len(problems) == 1
    assert problems[0].startswith(f"{tmp_path / 'nope.yaml'}:1: cannot read the file")


def test_several_problems_are_all_listed_in_line_order(tmp_path):
    text = WARD_TEXT
    text = mutate("area: CQS\n    name: Số hóa", "area: ABC\n    name: Số hóa", text)
    text = mutate("value: 95", "value: 120", text)
    text = mutate("deadline: 2028-12-31", "deadline: 2031-01-31", text)
    text = mutate("    measured_per: office", "    measured_per: office\n    colour: red", text)
    text = mutate("    responsible: [THU_HA]\n  - code: TTHC-2", "  - code: TTHC-2", text)
    text = mutate("period_end: 2030", "period_end: twenty", text)
    text = mutate("code: SO-KET", "code: SO-KET\n    when: soon", text)
    path, problems = problems_of(tmp_path, text)
    expected = [
        (line_of(text, "period_end: twenty"), "period_end: Input should be a valid integer"),
        (line_of(text, "value: 120"), "target CDDH-1, values[1]: value 120% is outside 0..100"),
        (line_of(text, "- code: TTHC-1"), "target TTHC-1: no responsible owner"),
        (line_of(text, "area: ABC"), "target CQS-2: unknown area 'ABC'"),
        (line_of(text, "colour: red"), "target CQS-2: unknown field 'colour'"),
        (line_of(text, "when: soon"), "review SO-KET: unknown field 'when'"),
    ]
    assert len(problems) == len(expected), problems
    for problem, (line, message) in zip(problems, expected, strict=True):
        assert problem.startswith(f"{path}:{line}: {message}"), problem
    # with period_end unreadable the period check is skipped, not reported wrongly
    assert not any("2031-01-31" in p for p in problems)


def test_several_problems_with_a_valid_period(tmp_path):
    text = WARD_TEXT
    text = mutate("deadline: 2028-12-31", "deadline: 2031-01-31", text)
    text = mutate("code: CQS-2", "code: CQS-1", text)
    text = mutate("phase: GD2\n        value: 95", "phase: GD3\n        value: 95", text)
    path, problems = problems_of(tmp_path, text)
    assert problems == [
        f"{path}:{line_of(text, 'phase: GD3')}: target CDDH-1, values[1]: unknown phase 'GD3'",
        f"{path}:{line_of(text, 'deadline: 2031-01-31')}: target CQS-1, values[0]: "
        "deadline 2031-01-31 is outside the plan period 2026-2030",
        f"{path}:{line_of(text, 'code: CQS-1', 2)}: duplicate target code 'CQS-1' "
        f"(first at line {line_of(text, 'code: CQS-1')})",
    ]
