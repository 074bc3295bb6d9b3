"""The "Đã nộp" button under a reminder marks a recurring report sent. The facts and rules live in
bot.reporting.submissions (the /report conversation and the answers read them too)."""

from bot.reporting.submissions import (
    DoneOutcome,
    done_key,
    done_keys,
    mark_obligation_done,
    outstanding,
)

__all__ = ["DoneOutcome", "done_key", "done_keys", "mark_obligation_done", "outstanding"]
