"""Time: one `Clock` interface for live trading and simulation, plus KST conversion helpers.

Everything inside JTS carries int nanoseconds since the epoch in UTC. Exchange rules speak KST
(Asia/Seoul, UTC+9, no daylight saving), so conversions happen here and only at the edges.
A backtest or the simulated exchange drives a `SimulatedClock`; live services read `LiveClock`.
Code that needs "now" takes a `Clock`, never calls `time.time()` itself.
"""

from __future__ import annotations

import datetime as dt
import time
from typing import Protocol, runtime_checkable
from zoneinfo import ZoneInfo

from jts.core.errors import InvalidInput

KST = ZoneInfo("Asia/Seoul")
NS_PER_SECOND = 1_000_000_000
_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


@runtime_checkable
class Clock(Protocol):
    def now_ns(self) -> int:
        """Current time, int ns since the epoch (UTC)."""
        ...


class LiveClock:
    """The machine's wall clock."""

    def now_ns(self) -> int:
        return time.time_ns()


class SimulatedClock:
    """A clock that moves only when told to; time never goes backwards.

    `set` and `advance` are called by whatever drives the simulation (a bar replay, the simulated
    exchange's scheduler); everything else only reads it.
    """

    def __init__(self, start_ns: int = 0) -> None:
        self._now = start_ns

    def now_ns(self) -> int:
        return self._now

    def set(self, ts_ns: int) -> None:
        if ts_ns < self._now:
            raise InvalidInput("ts_ns", f"simulated time cannot go back ({ts_ns} < {self._now})")
        self._now = ts_ns

    def advance(self, seconds: float = 0.0, *, ns: int = 0) -> int:
        """Move forward by `seconds` plus `ns`; returns the new time."""
        step = round(seconds * NS_PER_SECOND) + ns
        if step < 0:
            raise InvalidInput("seconds", "cannot advance by a negative amount")
        self._now += step
        return self._now


class FollowingClock:
    """The wall clock shifted to a venue's time, learnt from the event times it stamps.

    A broker's feed runs on the exchange's clock, which is the wall clock give or take the
    network; a rehearsal simulator (`jts sim kis --start-time 09:00`) runs its market at
    another hour or day. Bars close on the venue's minutes either way: `now_ns` is the wall
    clock plus the largest lead of an event time over the wall clock at its arrival (never
    less: a late, older event does not move the clock back). `synced` says whether any event
    set the offset yet.
    """

    def __init__(self, wall: Clock | None = None) -> None:
        self._wall = wall or LiveClock()
        self._offset: int | None = None

    @property
    def synced(self) -> bool:
        return self._offset is not None

    def observe(self, ts_ns: int) -> None:
        lead = ts_ns - self._wall.now_ns()
        if self._offset is None or lead > self._offset:
            self._offset = lead

    def now_ns(self) -> int:
        return self._wall.now_ns() + (self._offset or 0)


def to_ns(ts: dt.datetime) -> int:
    """Aware datetime → int ns UTC. Naive datetimes are taken as KST (the market's zone)."""
    if ts.tzinfo is None:
        ts = ts.replace(tzinfo=KST)
    delta = ts - _EPOCH
    return (delta.days * 86_400 + delta.seconds) * NS_PER_SECOND + delta.microseconds * 1_000


def from_ns(ts_ns: int, tz: dt.tzinfo = dt.UTC) -> dt.datetime:
    """int ns UTC → aware datetime in `tz` (microsecond precision)."""
    seconds, rest = divmod(ts_ns, NS_PER_SECOND)
    utc = _EPOCH + dt.timedelta(seconds=seconds, microseconds=rest // 1_000)
    return utc.astimezone(tz)


def to_kst(ts_ns: int) -> dt.datetime:
    """int ns UTC → aware KST datetime."""
    return from_ns(ts_ns, KST)


def kst_ns(day: dt.date, at: dt.time) -> int:
    """The instant `at` (KST wall time) on `day`, as int ns UTC."""
    return to_ns(dt.datetime.combine(day, at.replace(tzinfo=None), tzinfo=KST))


def kst_date(ts_ns: int) -> dt.date:
    """The KST calendar date of an instant: the trading day a timestamp belongs to."""
    return to_kst(ts_ns).date()


def kst_today(clock: Clock | None = None) -> dt.date:
    return kst_date((clock or LiveClock()).now_ns())
