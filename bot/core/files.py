"""Files people sent, as every feature sees them: fetched bytes, or `FileUnavailable`."""

from __future__ import annotations


class FileUnavailable(Exception):
    """A file that cannot be fetched any more (deleted, expired, unknown to this bot)."""
