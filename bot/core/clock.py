"""The one clock: every "now" in parbot comes from here.

Tests set it (`clock.set(...)`), demos start it at `PARBOT_AS_OF` and let it run on in real time,
production leaves it alone. Everything is shown in the plan's time zone, Asia/Ho_Chi_Minh.
"""

from __future__ import annotations

import datetime as dt
import time
from zoneinfo import ZoneInfo

DEFAULT_TZ = "Asia/Ho_Chi_Minh"


class Clock:
    def __init__(self, tz: str = DEFAULT_TZ) -> None:
        self.tz = ZoneInfo(tz)
        self._offset = 0.0  # seconds added to real time
        self._frozen: dt.datetime | None = None

    def configure(self, tz: str | None = None, as_of: dt.datetime | None = None) -> None:
        if tz:
            self.tz = ZoneInfo(tz)
        if as_of is not None:
            self.start_at(as_of)

    def localize(self, moment: dt.datetime) -> dt.datetime:
        """A naive time is local (Hanoi) time; an aware one is converted to it."""
        if moment.tzinfo is None:
            return moment.replace(tzinfo=self.tz)
        return moment.astimezone(self.tz)

    def start_at(self, moment: dt.datetime) -> None:
        """Run on in real time from `moment` (PARBOT_AS_OF)."""
        self._frozen = None
        self._offset = self.localize(moment).timestamp() - time.time()

    def set(self, moment: dt.datetime) -> None:
        """Freeze at `moment` (tests); `advance` moves it."""
        self._frozen = self.localize(moment)

    def advance(self, **delta: float) -> None:
        if self._frozen is not None:
            self._frozen += dt.timedelta(**delta)
        else:
            self._offset += dt.timedelta(**delta).total_seconds()

    def reset(self) -> None:
        self._frozen, self._offset = None, 0.0

    def now(self) -> dt.datetime:
        if self._frozen is not None:
            return self._frozen
        return dt.datetime.fromtimestamp(time.time() + self._offset, self.tz)

    def today(self) -> dt.date:
        return self.now().date()

    def local(self, moment: dt.datetime | None) -> dt.datetime | None:
        """A stored (UTC) time shown in local time."""
        if moment is None:
            return None
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=dt.UTC)
        return moment.astimezone(self.tz)


clock = Clock()
