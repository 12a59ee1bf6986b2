"""The market and time series of the language: bar fields and the KST calendar of each bar.

Definitions shared by both evaluators (a bar's `ts` is its start, int ns UTC):

* `open` .. `value`: the bar's field as a float.
* `time`: minutes since KST midnight of the bar's start (09:05 is 545), as a float.
* `first_bar_of_day`: the symbol's first bar of a KST date (its very first bar included);
  `bar_of_day` counts the symbol's bars of that date from 0 (bars, not minutes: a missing
  minute does not advance it).
* `last_bar_of_day`: decided from the calendar, so that a streaming run knows it on the bar
  itself: the bar whose end (`ts` + bar length) is after the start of the day's KRX closing
  auction (15:20 on ordinary days, as moved by late opens; 15:20 when the day is not
  modelled). On 1-minute bars that is the 15:20 closing-auction print; a symbol without a bar
  there has no last bar that day. On daily bars every bar is both first and last.
* `day_of_week`: 1 (Monday) .. 7 (Sunday) of the KST date.
* `days_to_year_end`: KRX trading days after the KST date up to Dec 31 of its year (0 on the
  year's last trading day); NaN for a date outside the calendar's range.
"""

from __future__ import annotations

import datetime as dt
import functools
from typing import Any, Final

import numpy as np
import numpy.typing as npt

from jts.core.clock import NS_PER_SECOND, kst_ns
from jts.core.errors import InvalidInput
from jts.krx import Phase, sessions
from jts.krx.calendar import trading_days
from jts.strategy.evaluate.split import STATE_SERIES
from jts.strategy.lang.builtins import SERIES

KST_OFFSET_NS: Final = 9 * 3_600 * NS_PER_SECOND
DAY_NS: Final = 86_400 * NS_PER_SECOND
MINUTE_NS: Final = 60 * NS_PER_SECOND
BAR_FIELDS: Final = ("open", "high", "low", "close", "volume", "value")
MARKET_SERIES: Final = frozenset(name for name in SERIES if name not in STATE_SERIES)
_EPOCH: Final = dt.date(1970, 1, 1)
_CLOSE: Final = dt.time(15, 20)

Array = npt.NDArray[Any]


def day_number(ts: int) -> int:
    """The KST date of an instant as days since 1970-01-01."""
    return (ts + KST_OFFSET_NS) // DAY_NS


def minute_of_day(ts: int) -> float:
    return float((ts + KST_OFFSET_NS) % DAY_NS // MINUTE_NS)


def day_of_week(day: int) -> float:
    return float((day + 3) % 7 + 1)


@functools.lru_cache(maxsize=8_192)
def closing_auction_ns(day: int) -> int:
    """Start of the KRX closing auction on KST day `day` (15:20 KST when not modelled)."""
    date = _EPOCH + dt.timedelta(days=day)
    try:
        table = sessions(date)
    except InvalidInput:
        table = []
    for session in table:
        if session.phase is Phase.CLOSING_AUCTION:
            return session.start_ns(date)
    return kst_ns(date, _CLOSE)


@functools.lru_cache(maxsize=8_192)
def days_to_year_end(day: int) -> float:
    date = _EPOCH + dt.timedelta(days=day)
    if (date.month, date.day) == (12, 31):
        return 0.0
    try:
        return float(len(trading_days(date + dt.timedelta(days=1), dt.date(date.year, 12, 31))))
    except InvalidInput:
        return float("nan")


def is_last_bar(ts: int, day: int, bar_ns: int | None) -> bool:
    """`last_bar_of_day` of a bar starting at `ts` (`bar_ns` None: daily bars)."""
    return bar_ns is None or ts + bar_ns > closing_auction_ns(day)


def bar_ns(bar_minutes: int | None) -> int | None:
    return None if bar_minutes is None else bar_minutes * MINUTE_NS


def _per_day(days: Array, f: functools._lru_cache_wrapper[Any]) -> Array:
    unique, inverse = np.unique(days, return_inverse=True)
    table = np.array([f(int(d)) for d in unique], dtype=np.float64)
    return table[inverse.reshape(days.shape)]


def market_series(
    name: str, ts: Array, starts: Array, bar_minutes: int | None, fields: dict[str, Array]
) -> Array:
    """Series `name` over rows sorted by (symbol, ts); `starts` flags each symbol's first row.

    Numbers come back as float64, conditions as bool, one value per row.
    """
    if name in BAR_FIELDS:
        return np.asarray(fields[name], dtype=np.float64)
    ts = np.asarray(ts, dtype=np.int64)
    days = (ts + KST_OFFSET_NS) // DAY_NS
    if name == "time":
        return ((ts + KST_OFFSET_NS) % DAY_NS // MINUTE_NS).astype(np.float64)
    if name == "day_of_week":
        return ((days + 3) % 7 + 1).astype(np.float64)
    if name == "days_to_year_end":
        return _per_day(days, days_to_year_end) if len(days) else np.empty(0)
    if name == "last_bar_of_day":
        step = bar_ns(bar_minutes)
        if step is None or not len(days):
            return np.ones(len(ts), dtype=np.bool_)
        return ts + step > _per_day(days, closing_auction_ns).astype(np.int64)
    first = np.asarray(starts, dtype=np.bool_).copy()
    first[1:] |= days[1:] != days[:-1]
    if name == "first_bar_of_day":
        return first
    if name == "bar_of_day":
        rows = np.arange(len(ts), dtype=np.int64)
        begin = np.maximum.accumulate(np.where(first, rows, 0)) if len(ts) else rows
        return (rows - begin).astype(np.float64)
    raise KeyError(f"not a market series: {name}")


class DayTracker:
    """The calendar series of one symbol, bar by bar (same definitions as `market_series`)."""

    __slots__ = ("bar_ns", "bar_of_day", "day", "first", "last")

    def __init__(self, bar_minutes: int | None) -> None:
        self.bar_ns = bar_ns(bar_minutes)
        self.day = -(2**62)
        self.bar_of_day = 0.0
        self.first = False
        self.last = False

    def update(self, ts: int) -> None:
        day = (ts + KST_OFFSET_NS) // DAY_NS
        self.first = day != self.day
        self.bar_of_day = 0.0 if self.first else self.bar_of_day + 1.0
        self.day = day
        self.last = is_last_bar(ts, day, self.bar_ns)

    def value(self, name: str, ts: int) -> float | bool:
        """Series `name` (not a bar field) on the bar last passed to `update`."""
        if name == "first_bar_of_day":
            return self.first
        if name == "last_bar_of_day":
            return self.last
        if name == "bar_of_day":
            return self.bar_of_day
        if name == "time":
            return minute_of_day(ts)
        if name == "day_of_week":
            return day_of_week(self.day)
        if name == "days_to_year_end":
            return days_to_year_end(self.day)
        raise KeyError(f"not a market series: {name}")
