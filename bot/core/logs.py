"""Logging: one JSON object per line, so a log shipper (or grep) can read it.

Records may carry structured `fields` (`log.info("update", extra={"fields": {...}})`). Personal
data stays out of INFO: ids, never names, phone numbers or message text.
"""

from __future__ import annotations

import json
import logging
import sys
import traceback

from bot.core.clock import clock


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {"at": clock.now().isoformat(timespec="seconds"), "level": record.levelname,
                 "logger": record.name, "msg": record.getMessage()}
        entry.update(getattr(record, "fields", {}) or {})
        if record.exc_info:
            entry["error"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


def setup(level: str = "INFO") -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    for noisy in ("httpx", "apscheduler", "telegram.ext.Application", "alembic", "telegram.ext"):
        logging.getLogger(noisy).setLevel(logging.WARNING)


def where(error: BaseException | None) -> str:
    """"ValueError at handlers/x.py:12 in f ← bot/y.py:40 in g": the type and the frames, no
    message (chained causes too, by type)."""
    if error is None:
        return "unknown error"
    frames = traceback.extract_tb(error.__traceback__)
    path = " ← ".join(f"{f.filename.rsplit('/site-packages/', 1)[-1]}:{f.lineno} in {f.name}"
                      for f in reversed(frames[-8:]))
    cause = error.__cause__ or error.__context__
    text = f"{type(error).__module__}.{type(error).__qualname__} at {path or '?'}"
    return text + (f" (from {type(cause).__qualname__})" if cause is not None else "")
