"""The answers' figures: the fast path of the one assessment (`bot.progress.book`), so /status,
/due, /target and typed questions assess every target from memory, as the digest does."""

from __future__ import annotations

from bot.progress.book import FigureBook, assessments, book, forget, warm

__all__ = ["FigureBook", "assessments", "book", "forget", "warm"]
