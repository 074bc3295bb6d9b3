"""One home for the words the code passes around: units, comparisons, target states and the
prefixes of button data. StrEnums, so a stored or sent value is the same plain string as before
("percent", "on_track", "rep:ok:…") and a typo is an AttributeError, not a silent mismatch.

Button data already sits in users' chats: the prefixes never change; each prefix's data is built
by `button_data` and taken apart by `parse_button` here, and nowhere else.
"""

from __future__ import annotations

from enum import StrEnum


class Unit(StrEnum):
    PERCENT = "percent"
    RANK = "rank"
    COUNT = "count"
    BOOLEAN = "boolean"


class Comparison(StrEnum):
    AT_LEAST = "at_least"  # ≥ value ("tối thiểu", "đạt")
    MORE_THAN = "more_than"  # > value ("trên")
    AT_MOST = "at_most"  # ≤ value
    RANGE = "range"  # value..value_max ("từ 90 đến 95%")
    TOP = "top"  # rank within the top N ("Top 10")
    DONE = "done"  # yes/no: done or not ("đạt"/"chưa đạt")


class TargetState(StrEnum):
    """How a target stands (rules in docs/states.md), in the order that needs action first."""

    OVERDUE = "overdue"
    BEHIND = "behind"
    NO_DATA = "no_data"
    AT_RISK = "at_risk"
    ON_TRACK = "on_track"
    ACHIEVED = "achieved"


STATE_ORDER = {state: n for n, state in enumerate(TargetState)}


class ButtonPrefix(StrEnum):
    """The first part of a button's callback data: which handler takes the press."""

    REPORT = "rep"  # a step of the /report conversation: rep:<action>[:<arg>]
    REPORT_TARGET = "report"  # start /report on one target: report:<code>
    ASK = "ask"  # a suggested question: ask:<question>
    COMMAND = "cmd"  # run a command: cmd:<name>
    DONE = "done"  # a recurring report was sent: done:<obligation id>:<period>
    SNOOZE = "snooze"  # hold reminders: snooze:<what>
    PLANSHEET = "plansheet"  # confirm a plan spreadsheet: plansheet:yes|no
    DIGEST = "digest"  # the digest's details and chart: digest:details
    UNDO = "undo"  # confirm /undo: undo:<report id> | undo:keep


def button_data(prefix: ButtonPrefix, *parts: object) -> str:
    """"rep:ok:42" from (REPORT, "ok", 42)."""
    return ":".join([prefix.value, *(str(p) for p in parts)])


def parse_button(data: str, prefix: ButtonPrefix, parts: int) -> list[str] | None:
    """The `parts` fields after `prefix` (the last one keeps any ':'), or None when the data is
    not of this prefix or has too few fields."""
    head, _, rest = data.partition(":")
    if head != prefix.value or not rest:
        return None
    fields = rest.split(":", parts - 1)
    return fields if len(fields) == parts else None


def button_pattern(prefix: ButtonPrefix, rest: str = "") -> str:
    """The regular expression a handler takes presses of `prefix` by: "^rep:" (any), or with
    `rest` the fields' own pattern ("^snooze:[0-9]{1,2}$")."""
    return rf"^{prefix.value}:{rest}$" if rest else rf"^{prefix.value}:"


def button_prefix(data: str | None) -> str:
    """The prefix of a press, for the log ("rep", "ask"), whatever follows it."""
    return (data or "").partition(":")[0]


def rep_data(*parts: object) -> str:
    """A step button of the /report conversation: rep:<action>[:<arg>]."""
    return button_data(ButtonPrefix.REPORT, *parts)


def ask_data(plan_id: object, intent: str, argument: object = "") -> str:
    """A suggested question: ask:<plan id>:<intent>:<argument>."""
    return button_data(ButtonPrefix.ASK, plan_id, intent, argument)


def cmd_data(command: str) -> str:
    """A button that runs a command as if typed: cmd:<name>."""
    return button_data(ButtonPrefix.COMMAND, command)
