"""Read a plan file (YAML) into a `Plan`, or say everything that is wrong with it.

Every problem is reported as ``file:line: what is wrong``, the line being that of the offending
YAML node, and all problems are listed at once: YAML syntax, schema (missing or unknown fields,
bad types) and the cross-checks the schema cannot express (unique codes, known areas, phases and
people, values in range, dates inside the plan period, owners present).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from bot.core.vocab import Comparison, Unit
from bot.plans.schema import Plan

__all__ = ["PlanError", "load_plan", "load_plan_text", "validate_plan_file"]

Loc = tuple[str | int, ...]

FREQUENCIES = ("monthly", "quarterly", "yearly")
MEASURED_PER = ("office", "school")
_DUE_RULE = re.compile(r"^(last_day|day:([1-9]|[12][0-9]|3[01]))$")


class PlanError(Exception):
    """A plan file that cannot be used; `problems` lists every ``file:line: message``."""

    def __init__(self, problems: list[str]):
        self.problems = list(problems)
        super().__init__("\n".join(self.problems))


class _Loader(yaml.SafeLoader):
    """SafeLoader that keeps dates as text, so pydantic (not the YAML parser) judges them."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def load_plan(path: str | Path) -> Plan:
    """Read and check a plan file; raise `PlanError` listing every problem."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise PlanError([f"{path}:1: cannot read the file: {exc}"]) from exc
    return load_plan_text(text, str(path))


def validate_plan_file(path: str | Path) -> list[str]:
    """Every problem of a plan file as ``file:line: message``; empty when the plan is valid."""
    try:
        load_plan(path)
    except PlanError as exc:
        return exc.problems
    return []


def load_plan_text(text: str, name: str = "<plan>") -> Plan:
    """Check a plan given as YAML text; `name` stands for the file in messages."""
    problems: list[tuple[int, str]] = []
    loader = _Loader(text)
    try:
        root = loader.get_single_node()
        data = loader.construct_document(root) if root is not None else None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else 1
        what = exc.problem or exc.context or "invalid YAML"
        if exc.problem and exc.context and exc.context_mark is not None:
            what += f" ({exc.context} at line {exc.context_mark.line + 1})"
        raise PlanError([f"{name}:{line}: YAML syntax error: {what}"]) from exc
    except yaml.YAMLError as exc:
        raise PlanError([f"{name}:1: YAML syntax error: {exc}"]) from exc
    finally:
        loader.dispose()

    if root is None:
        raise PlanError([f"{name}:1: the file is empty"])
    if not isinstance(data, dict):
        raise PlanError([f"{name}:{_line(root)}: a plan must be a mapping of fields"])

    problems.extend(_duplicate_keys(root))

    plan: Plan | None = None
    try:
        plan = Plan.model_validate(data)
    except ValidationError as exc:
        for err in exc.errors():
            problems.append(_schema_problem(root, data, err))

    def line_of(loc: Loc) -> int:
        return _line(_node_at(root, loc))

    for loc, message in _cross_check(data, line_of):
        problems.append((line_of(loc), message))

    if problems or plan is None:
        unique = sorted(dict.fromkeys(problems), key=lambda p: p[0])
        raise PlanError([f"{name}:{line}: {message}" for line, message in unique])
    return plan


# --- nodes and lines -------------------------------------------------------------------------


def _line(node: yaml.Node) -> int:
    return node.start_mark.line + 1


def _node_at(root: yaml.Node, loc: Loc, *, key: bool = False) -> yaml.Node:
    """The deepest node along `loc` (the key node of the last step when `key`)."""
    node = root
    for i, step in enumerate(loc):
        last = i == len(loc) - 1
        if isinstance(node, yaml.MappingNode):
            found = None
            for k, v in node.value:  # the last duplicate wins, as in the loaded data
                if isinstance(k, yaml.ScalarNode) and k.value == str(step):
                    found = (k, v)
            if found is None:
                return node
            node = found[0] if (key and last) else found[1]
        elif isinstance(node, yaml.SequenceNode) and isinstance(step, int):
            if not 0 <= step < len(node.value):
                return node
            node = node.value[step]
        else:
            return node
    return node


def _duplicate_keys(root: yaml.Node) -> Iterator[tuple[int, str]]:
    stack = [root]
    while stack:
        node = stack.pop()
        if isinstance(node, yaml.MappingNode):
            seen: dict[str, int] = {}
            for k, v in node.value:
                if isinstance(k, yaml.ScalarNode):
                    if k.value in seen:
                        yield _line(k), f"duplicate key '{k.value}' (first at line {seen[k.value]})"
                    else:
                        seen[k.value] = _line(k)
                stack.append(v)
        elif isinstance(node, yaml.SequenceNode):
            stack.extend(node.value)


_ITEM_KINDS = {
    "phases": ("phase", "code"),
    "people": ("person", "key"),
    "areas": ("area", "code"),
    "targets": ("target", "code"),
    "obligations": ("obligation", "code"),
    "reviews": ("review", "code"),
}


def _where(loc: Loc, data: dict) -> str:
    """`loc` for people: ("targets", 3, "values", 0) -> "target CQS-1, values[0]"."""
    out, rest = "", loc
    if len(loc) >= 2 and loc[0] in _ITEM_KINDS and isinstance(loc[1], int):
        kind, attr = _ITEM_KINDS[str(loc[0])]
        items = data.get(str(loc[0]))
        item = items[loc[1]] if isinstance(items, list) and loc[1] < len(items) else None
        out = _label(kind, item if isinstance(item, dict) else {}, loc[1], attr)
        rest = loc[2:]
    path = ""
    for step in rest:
        path += f"[{step}]" if isinstance(step, int) else (f".{step}" if path else str(step))
    return f"{out}, {path}" if out and path else out or path


def _schema_problem(root: yaml.Node, data: dict, err: dict[str, Any]) -> tuple[int, str]:
    loc: Loc = tuple(err["loc"])
    kind = err["type"]
    if kind in ("missing", "extra_forbidden"):
        parent = loc[:-1]
        where = f"{_where(parent, data)}: " if parent else ""
        what = "missing" if kind == "missing" else "unknown"
        node = _node_at(root, parent if kind == "missing" else loc, key=True)
        return _line(node), f"{where}{what} field '{loc[-1]}'"
    message = err["msg"]
    value = err.get("input")
    if isinstance(value, str | int | float | bool) and len(repr(value)) <= 40:
        message += f" (got {value!r})"
    return _line(_node_at(root, loc)), f"{_where(loc, data)}: {message}"


# --- cross-checks on the loaded data -----------------------------------------------------------
# They run on the raw data (not on a validated Plan) so that they can be reported together with
# schema errors; every access is defensive, the schema reports wrong types.


def _items(data: dict, field: str) -> Iterator[tuple[int, dict]]:
    value = data.get(field)
    if isinstance(value, list):
        for i, item in enumerate(value):
            if isinstance(item, dict):
                yield i, item


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value.strip() else None


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _number(value: Any) -> float | None:
    return value if isinstance(value, int | float) and not isinstance(value, bool) else None


def _date(value: Any) -> dt.date | None:
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            return None
    return None


def _label(kind: str, item: dict, index: int, field: str = "code") -> str:
    code = item.get(field)
    return f"{kind} {code}" if isinstance(code, str | int) else f"{kind} #{index + 1}"


def _duplicates(
    data: dict, field: str, kind: str, attr: str, line_of: Callable[[Loc], int]
) -> Iterator[tuple[Loc, str]]:
    first: dict[Any, int] = {}
    for i, item in _items(data, field):
        code = item.get(attr)
        if not isinstance(code, str | int):
            continue
        if code in first:
            first_line = line_of((field, first[code], attr))
            yield (field, i, attr), f"duplicate {kind} {attr} '{code}' (first at line {first_line})"
        else:
            first[code] = i


def _cross_check(data: dict, line_of: Callable[[Loc], int]) -> Iterator[tuple[Loc, str]]:
    start_year, end_year = _int(data.get("period_start")), _int(data.get("period_end"))
    period: tuple[dt.date, dt.date] | None = None
    if start_year is not None and end_year is not None:
        if start_year > end_year:
            yield ("period_end",), f"period_end {end_year} is before period_start {start_year}"
        else:
            period = dt.date(start_year, 1, 1), dt.date(end_year, 12, 31)
    span = f"{start_year}-{end_year}"

    for field, kind, attr in (
        ("phases", "phase", "code"),
        ("people", "person", "key"),
        ("areas", "area", "code"),
        ("areas", "area", "number"),
        ("targets", "target", "code"),
        ("obligations", "obligation", "code"),
        ("reviews", "review", "code"),
    ):
        yield from _duplicates(data, field, kind, attr, line_of)

    phases = {p["code"] for _, p in _items(data, "phases") if isinstance(p.get("code"), str)}
    people = {p["key"] for _, p in _items(data, "people") if isinstance(p.get("key"), str)}
    areas = {a["code"] for _, a in _items(data, "areas") if isinstance(a.get("code"), str)}

    for i, phase in _items(data, "phases"):
        label = _label("phase", phase, i)
        start, end = _date(phase.get("start")), _date(phase.get("end"))
        if start and end and start > end:
            yield ("phases", i, "end"), f"{label}: end {end} is before start {start}"
        for field, day in (("start", start), ("end", end)):
            if day and period and not period[0] <= day <= period[1]:
                yield (
                    ("phases", i, field),
                    f"{label}: {field} {day} is outside the plan period {span}",
                )

    for i, person in _items(data, "people"):
        if not any(_text(person.get(f)) for f in ("name", "title", "department")):
            yield (
                ("people", i),
                f"{_label('person', person, i, 'key')}: give a name, a title or a department",
            )

    def owners(kind: str, field: str, i: int, item: dict) -> Iterator[tuple[Loc, str]]:
        label = _label(kind, item, i)
        for role in ("responsible", "coordinators"):
            keys = item.get(role)
            if not isinstance(keys, list):
                continue
            for j, key in enumerate(keys):
                if isinstance(key, str) and key not in people:
                    yield (field, i, role, j), f"{label}: unknown person '{key}' in {role}"
        responsible = item.get("responsible")
        if not responsible:
            yield (field, i, "responsible"), f"{label}: no responsible owner"

    def known_area(kind: str, field: str, i: int, item: dict) -> Iterator[tuple[Loc, str]]:
        area = item.get("area")
        if isinstance(area, str) and area not in areas:
            yield (field, i, "area"), f"{_label(kind, item, i)}: unknown area '{area}'"

    for i, target in _items(data, "targets"):
        label = _label("target", target, i)
        yield from known_area("target", "targets", i, target)
        yield from owners("target", "targets", i, target)
        per = target.get("measured_per")
        if isinstance(per, str) and per not in MEASURED_PER:
            yield (
                ("targets", i, "measured_per"),
                f"{label}: measured_per must be one of {', '.join(MEASURED_PER)}",
            )
        values = target.get("values")
        if isinstance(values, list) and not values:
            yield ("targets", i, "values"), f"{label}: no values"
        for j, value in _items(target, "values"):
            at: Loc = ("targets", i, "values", j)
            yield from _check_value(
                at, f"{label}, values[{j}]", value, target, phases, period, span
            )

    for i, item in _items(data, "obligations"):
        label = _label("obligation", item, i)
        yield from known_area("obligation", "obligations", i, item)
        yield from owners("obligation", "obligations", i, item)
        frequency = item.get("frequency")
        if isinstance(frequency, str) and frequency not in FREQUENCIES:
            yield (
                ("obligations", i, "frequency"),
                f"{label}: frequency must be one of {', '.join(FREQUENCIES)}",
            )
        rule = item.get("due_rule")
        if isinstance(rule, str) and not _DUE_RULE.match(rule):
            yield ("obligations", i, "due_rule"), f"{label}: due_rule must be 'last_day' or 'day:N'"
        for j, due in _items(item, "due"):
            month, day = _int(due.get("month")), _int(due.get("day"))
            if month is None or day is None:
                continue
            try:
                dt.date(2000, month, day)  # a leap year: 29/2 is a real date
            except ValueError:
                yield (
                    ("obligations", i, "due", j),
                    f"{label}: due[{j}] is not a real date (day {day}, month {month})",
                )

    for i, review in _items(data, "reviews"):
        label = _label("review", review, i)
        phase = review.get("phase")
        if isinstance(phase, str) and phase not in phases:
            yield ("reviews", i, "phase"), f"{label}: unknown phase '{phase}'"
        year, month = _int(review.get("year")), _int(review.get("month"))
        if year is not None and period and not period[0].year <= year <= period[1].year:
            yield ("reviews", i, "year"), f"{label}: year {year} is outside the plan period {span}"
        if month is not None and not 1 <= month <= 12:
            yield ("reviews", i, "month"), f"{label}: month must be 1 to 12"


def _check_value(
    at: Loc,
    label: str,
    value: dict,
    target: dict,
    phases: set[str],
    period: tuple[dt.date, dt.date] | None,
    span: str,
) -> Iterator[tuple[Loc, str]]:
    phase, year = value.get("phase"), value.get("year")
    if phase is None and year is None:
        yield at, f"{label}: give a phase or a year"
    if isinstance(phase, str) and phase not in phases:
        yield at + ("phase",), f"{label}: unknown phase '{phase}'"
    year = _int(year)
    if year is not None and period and not period[0].year <= year <= period[1].year:
        yield at + ("year",), f"{label}: year {year} is outside the plan period {span}"
    deadline = _date(value.get("deadline"))
    if deadline and period and not period[0] <= deadline <= period[1]:
        yield at + ("deadline",), f"{label}: deadline {deadline} is outside the plan period {span}"

    comparison = value.get("comparison")
    low, high = _number(value.get("value")), _number(value.get("value_max"))
    if comparison != Comparison.DONE and isinstance(comparison, str) and value.get("value") is None:
        yield at, f"{label}: missing value (only comparison 'done' goes without one)"
    if target.get("unit") == Unit.BOOLEAN and isinstance(comparison, str) \
            and comparison != Comparison.DONE:
        yield at + ("comparison",), f"{label}: a boolean target takes comparison 'done'"
    if target.get("unit") == Unit.PERCENT:
        for field, number in (("value", low), ("value_max", high)):
            if number is not None and not 0 <= number <= 100:
                yield at + (field,), f"{label}: {field} {number:g}% is outside 0..100"
    if comparison == Comparison.RANGE and value.get("value_max") is None:
        yield at, f"{label}: a range needs value_max"
    if comparison != Comparison.RANGE and value.get("value_max") is not None:
        yield at + ("value_max",), f"{label}: value_max is only for comparison 'range'"
    if low is not None and high is not None and high < low:
        yield at + ("value_max",), f"{label}: value_max {high:g} is below value {low:g}"
