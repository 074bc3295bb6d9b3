"""Sending at Telegram's pace without one 429 stalling everyone.

`PacedLimiter` is python-telegram-bot's rate limiter for the Telegram Application: requests
evenly spaced at PARBOT_SEND_RATE per second (no bursts), never more in a sliding second.
Unlike PTB's AIORateLimiter, a 429 pauses only the request that got it (for its
`retry_after`), not every other chat. A request that failed without being delivered (429, 5xx,
refused connection) gives its place back, so failures do not slow the others down.

Delivery (`bot.channels.delivery`) takes its places itself (`slot`, before it marks a send as
in flight) and handles 429s and 5xxs per recipient: it passes `rate_limit_args={"paced": True}`.

`NotDelivered` is what the request layer raises when a request certainly did not take effect:
the connection was refused, or the server answered 5xx.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import logging
from collections.abc import Callable, Coroutine
from typing import Any

from telegram.error import NetworkError, RetryAfter
from telegram.ext import BaseRateLimiter

log = logging.getLogger("parbot.pacing")


def retry_seconds(exc: RetryAfter) -> float:
    """How long Telegram asked to wait (without PTB's deprecated int attribute)."""
    value = getattr(exc, "_retry_after", None)
    if value is None:
        value = exc.retry_after
    return float(value.total_seconds() if hasattr(value, "total_seconds") else value)


class NotDelivered(NetworkError):
    """Refused connection or a 5xx answer: the request did not take effect; safe to send again."""


class PacedLimiter(BaseRateLimiter[dict]):
    """Requests evenly spaced at `rate` per second, and never more than round(rate) in any
    WINDOW seconds (Telegram counts the messages it delivered in a sliding second). A request
    that was not delivered gives its place back (`refund`): the window forgets it, and the next
    request may go without waiting for its turn, so failures cost the others no time."""

    WINDOW = 1.02  # a second, and a margin for the requests' travel time

    def __init__(self, rate: float, max_retries: int = 3) -> None:
        rate = max(rate, 0.1)
        self.limit = max(1, int(rate + 0.5))  # 29.5 -> 30 in a sliding 1.02 s
        self.gap = 1.0 / rate
        self.max_retries = max_retries
        self._times: collections.deque[float] = collections.deque()
        self._last = -1e9
        self._credits = 0  # places given back, to be taken without waiting for the turn

    async def initialize(self) -> None:
        return None

    async def shutdown(self) -> None:
        return None

    async def slot(self, again: bool = False) -> float:
        """Wait for a place; returns its ticket (for `refund`). A request tried `again` (it
        waited its retry_after already) does not wait for its turn, only for the window."""
        loop = asyncio.get_running_loop()
        while True:
            now = loop.time()
            while self._times and self._times[0] <= now - self.WINDOW:
                self._times.popleft()
            at = self._last + (0.0 if self._credits or again else self.gap)
            if len(self._times) >= self.limit:
                at = max(at, self._times[0] + self.WINDOW)
            if at <= now:
                if self._credits and not again and now < self._last + self.gap:
                    self._credits -= 1
                self._times.append(now)
                self._last = now
                return now
            await asyncio.sleep(at - now)

    def refund(self, ticket: float) -> None:
        """A request that was not delivered gives its place back."""
        with contextlib.suppress(ValueError):
            self._times.remove(ticket)
            self._credits += 1

    async def process_request(
        self, callback: Callable[..., Coroutine[Any, Any, bool | dict | list]],
        args: Any, kwargs: dict[str, Any], endpoint: str, data: dict[str, Any],
        rate_limit_args: dict | None,
    ) -> bool | dict | list:
        if rate_limit_args and rate_limit_args.get("paced"):
            return await callback(*args, **kwargs)
        for attempt in range(self.max_retries + 1):
            ticket = await self.slot()
            try:
                return await callback(*args, **kwargs)
            except RetryAfter as exc:
                self.refund(ticket)
                if attempt == self.max_retries:
                    raise
                delay = retry_seconds(exc)
                log.info("429: this request waits", extra={"fields": {
                    "method": endpoint, "retry_after": delay}})
                await asyncio.sleep(delay + 0.05)  # only this request waits
        raise AssertionError("unreachable")
