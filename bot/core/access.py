"""Who may do what: the role matrix, checked in one place for every command.

Roles: officer (reports on own assignments), principal (reads own school and the plan), leader
(reads everything, receives digests), admin (manages plans, roster, assignments). A user who is not
on the roster is a guest.
"""

from __future__ import annotations

from dataclasses import dataclass

ROLES = ("officer", "principal", "leader", "admin")
GUEST = "guest"
MEMBERS = frozenset(ROLES)
EVERYONE = frozenset((*ROLES, GUEST))

# command -> roles allowed. "plan_public" is added for guests when PARBOT_PUBLIC_PLAN is on.
PERMISSIONS: dict[str, frozenset[str]] = {
    "start": EVERYONE,
    "help": EVERYONE,
    "lang": EVERYONE,
    "cancel": EVERYONE,
    "plan": MEMBERS,
    "target": MEMBERS,
    "who": MEMBERS,
    "due": MEMBERS,
    "status": MEMBERS,
    "dashboard": MEMBERS,  # the page shows each role its own scope (bot.dashboard.view)
    "ask": MEMBERS,
    "report": frozenset({"officer", "principal", "leader"}),  # leaders own CDDH-1/2
    "history": MEMBERS,
    "undo": frozenset({"officer", "principal", "leader"}),
    "digest": frozenset({"leader", "admin", "principal"}),  # a principal's: their school
    "sent": frozenset({"leader", "admin"}),  # mark a recurring report sent for its owner
    "digestday": frozenset({"leader"}),
    "quarterly": frozenset({"leader", "admin"}),
    "export": frozenset({"leader", "admin"}),
    "plan_import": frozenset({"admin"}),  # an .xlsx plan sent as a document
    "assign": frozenset({"admin"}),
    "unassign": frozenset({"admin"}),
    "officers": frozenset({"admin"}),
    "invite": frozenset({"admin"}),
    "snooze": MEMBERS,
    "quiet": MEMBERS,
    "remind": MEMBERS,
}
# Reading the plan's own public text (targets, deadlines, owners) — not progress.
PUBLIC_PLAN_COMMANDS = frozenset({"plan", "target", "who", "ask"})


@dataclass(frozen=True)
class Actor:
    """The person behind a message, as the domain sees them (no chat types)."""

    officer_id: int | None
    name: str
    role: str
    unit_id: int | None = None
    language: str = "vi"

    @property
    def is_member(self) -> bool:
        return self.role in MEMBERS


def allowed(role: str, command: str, public_plan: bool = False) -> bool:
    if role in PERMISSIONS.get(command, frozenset()):
        return True
    return public_plan and role == GUEST and command in PUBLIC_PLAN_COMMANDS

