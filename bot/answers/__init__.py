"""Answers about the plan, in Vietnamese as people type it (and in English): what is due,
targets, owners, status, the plan's facts, and anything else the plan's own text says (quoted
verbatim with its section, or "the plan does not say"). Two answerers — structured over the
plan's data and progress, extractive over its passages — each score themselves and the better
one answers. See `bot.answers.ask` for the entry points."""

from bot.answers.ask import (
    answer,
    due_command,
    press,
    status_command,
    target_command,
    who_command,
)

__all__ = ["answer", "due_command", "press", "status_command", "target_command", "who_command"]
