"""Progress: reading values as people type them, storing reports once, and the assessment of
each target (figure, requirement in force, state) — the one truth every view reads.

Imports: bot.core and storage only. The package re-exports its modules' public names.
"""

from bot.progress.assessment import (
    DAYS_PER_MONTH,
    SCHOOL_LEVELS,
    Assessment,
    Figure,
    Requirement,
    assess,
    assess_target,
    current_figure,
    meets,
    pooled,
    pooled_figure,
    requirement_in_force,
    requirements,
    school_names,
)
from bot.progress.reports import EvidenceFile, NewReport, period_of, record_report, withdraw_last
from bot.progress.values import ParsedValue, ValueProblem, parse_value
from bot.progress.wording import requirement_text, value_text

__all__ = [
    "ValueProblem",
    "ParsedValue",
    "parse_value",
    "EvidenceFile",
    "NewReport",
    "period_of",
    "record_report",
    "withdraw_last",
    "SCHOOL_LEVELS",
    "DAYS_PER_MONTH",
    "Requirement",
    "requirements",
    "requirement_in_force",
    "meets",
    "Figure",
    "current_figure",
    "pooled",
    "pooled_figure",
    "school_names",
    "Assessment",
    "assess",
    "assess_target",
    "value_text",
    "requirement_text",
]
