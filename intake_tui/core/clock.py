"""The one clock: every "now" and "today" in the app comes from an injected `Clock`.

Tests and the demo freeze it, so plans, deadlines and screenshots do not drift with the calendar.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Protocol


class Clock(Protocol):
    """Tells the time; the only way code in this project learns it."""

    def now(self) -> dt.datetime: ...

    def today(self) -> dt.date: ...


class SystemClock:
    """The real time, in the machine's local time zone (dates on screen are local)."""

    def now(self) -> dt.datetime:
        return dt.datetime.now().astimezone()

    def today(self) -> dt.date:
        return self.now().date()


@dataclass
class FrozenClock:
    """A clock that stands still (tests, the demo); `advance()` moves it on purpose."""

    moment: dt.datetime

    @classmethod
    def on(cls, day: dt.date | str) -> FrozenClock:
        date = dt.date.fromisoformat(day) if isinstance(day, str) else day
        return cls(dt.datetime(date.year, date.month, date.day, 9, 0, tzinfo=dt.UTC))

    def now(self) -> dt.datetime:
        return self.moment

    def today(self) -> dt.date:
        return self.moment.date()

    def advance(self, delta: dt.timedelta) -> None:
        self.moment += delta
