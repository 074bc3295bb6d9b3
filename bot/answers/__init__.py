"""Answers about the plan, in Vietnamese as people type it (and in English): what is due,
targets, owners, status, the plan's facts. See `bot.answers.ask` for the entry points."""

from bot.answers.ask import (
    answer,
    due_command,
    press,
    status_command,
    target_command,
    who_command,
)

__all__ = ["answer", "due_command", "press", "status_command", "target_command", "who_command"]
