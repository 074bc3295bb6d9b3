"""/report as a conversation (named states, one routing table), its steps, /history and /undo."""

from handlers.report.conversation import COMMANDS, register

__all__ = ["COMMANDS", "register"]
