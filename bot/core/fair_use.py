"""Fair use: a token bucket per person, so one person's flood never slows anyone else.

Each person gets `burst` messages at once and `rate_per_minute` after that (aiolimiter's leaky
bucket: capacity `burst`, drained at the rate). Past the bucket the first message gets one polite
"slow down" (`Verdict.WARN`), the rest are dropped in silence (`Verdict.DROP`) until the bucket
has room again. People not on the roster get a stricter bucket than officers. A rate or burst of
0 switches the limit off.
"""

from __future__ import annotations

from enum import StrEnum

from aiolimiter import AsyncLimiter

PRUNE_AT = 5_000  # buckets kept before the full (idle) ones are forgotten


class Verdict(StrEnum):
    OK = "ok"
    WARN = "warn"  # over the limit: say "slow down" once
    DROP = "drop"  # over the limit, told already: silence


class FairUse:
    def __init__(self, rate_per_minute: float, burst: int, stranger_rate_per_minute: float,
                 stranger_burst: int) -> None:
        self.limits = {True: (float(rate_per_minute), int(burst)),
                       False: (float(stranger_rate_per_minute), int(stranger_burst))}
        self._buckets: dict[tuple[object, bool], AsyncLimiter] = {}
        self._warned: set[object] = set()

    def active(self, member: bool) -> bool:
        rate, burst = self.limits[member]
        return rate > 0 and burst > 0

    def _bucket(self, who: object, member: bool) -> AsyncLimiter:
        key = (who, member)
        bucket = self._buckets.get(key)
        if bucket is None:
            if len(self._buckets) >= PRUNE_AT:
                self._prune()
            rate, burst = self.limits[member]
            bucket = self._buckets[key] = AsyncLimiter(burst, burst * 60.0 / rate)
        return bucket

    def _prune(self) -> None:
        for key, bucket in list(self._buckets.items()):
            if bucket.has_capacity(bucket.max_rate):  # full again: nothing to remember
                del self._buckets[key]
                self._warned.discard(key[0])

    async def check(self, who: object, member: bool) -> Verdict:
        """Take one token for `who`'s message, or say why not."""
        if not self.active(member):
            return Verdict.OK
        bucket = self._bucket(who, member)
        if bucket.has_capacity():
            await bucket.acquire()  # there is room: returns at once
            self._warned.discard(who)
            return Verdict.OK
        if who in self._warned:
            return Verdict.DROP
        self._warned.add(who)
        return Verdict.WARN
