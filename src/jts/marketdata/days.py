"""What validation needs to know about one KST date, as int ns UTC windows.

Built from `jts.krx` (calendar and session tables) once per date seen in a file: whether KRX
trades that day, the day's sessions (an auction with a random end accepts 30 s past its
scheduled end, KRX.md §6), the continuous session (for gaps), the end of the closing auction
(later prints do not set the close) and the previous trading day (whose close is the base).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Final

import numpy as np

from jts.core.clock import NS_PER_SECOND, to_kst
from jts.core.errors import InvalidInput
from jts.krx import Phase, Session, is_trading_day, previous_trading_day, sessions
from jts.krx.calendar import supported_range

IntArray = np.ndarray[Any, np.dtype[np.int64]]
Mask = np.ndarray[Any, np.dtype[np.bool_]]
RANDOM_END_NS: Final = 30 * NS_PER_SECOND
EPOCH_ORDINAL: Final = dt.date(1970, 1, 1).toordinal()
INT64_MAX: Final = int(np.iinfo(np.int64).max)


@dataclass(frozen=True)
class MarketDay:
    """One KST date as the rules see it; `number` counts days since 1970-01-01."""

    number: int
    date: dt.date
    problem: str = ""  # why nothing trades that day; "" for a trading day
    windows: tuple[tuple[int, int], ...] = ()  # [start, end) of each session, ns UTC
    continuous: tuple[int, int] = (0, 0)
    close_cutoff: int = INT64_MAX  # prints at or after this do not set the day's close
    previous: int | None = None  # `number` of the previous trading day


def _late_end(session: Session) -> int:
    """How long after its scheduled end a session may still print, ns: a random-end
    auction's 30 s, also for the last after-hours round (every call auction ends randomly,
    KRX.md §6)."""
    return RANDOM_END_NS if session.random_end or session.round_minutes else 0


def market_day(number: int) -> MarketDay:
    """The facts of the KST date `number` days after 1970-01-01."""
    day = dt.date.fromordinal(EPOCH_ORDINAL + number)
    first, last = supported_range()
    if not first <= day <= last:
        return MarketDay(number, day, f"{day} is outside the KRX calendar ({first}..{last})")
    if not is_trading_day(day):
        return MarketDay(number, day, f"{day} ({day:%a}) is not a KRX trading day")
    found = sessions(day)
    windows = tuple((s.start_ns(day), s.end_ns(day) + _late_end(s)) for s in found)
    phases = {s.phase: (s.start_ns(day), w[1]) for s, w in zip(found, windows, strict=True)}
    continuous = phases.get(Phase.CONTINUOUS, (0, 0))
    cutoff = phases.get(Phase.CLOSING_AUCTION, (0, INT64_MAX))[1]
    try:
        previous: int | None = previous_trading_day(day).toordinal() - EPOCH_ORDINAL
    except InvalidInput:  # the first day of the calendar
        previous = None
    return MarketDay(number, day, "", windows, continuous, cutoff, previous)


def kst_time(ts_ns: int) -> str:
    """ "HH:MM" (or "HH:MM:SS" when it has seconds) in KST, for messages."""
    at = to_kst(ts_ns)
    return at.strftime("%H:%M:%S" if at.second or at.microsecond else "%H:%M")


def describe_windows(windows: tuple[tuple[int, int], ...]) -> str:
    """Overlapping sessions merged: "08:30-15:30:30, 15:40-18:00"."""
    merged: list[list[int]] = []
    for start, end in sorted(windows):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return ", ".join(f"{kst_time(a)}-{kst_time(b)}" for a, b in merged)


def inside_sessions(ts: IntArray, index: IntArray, days: list[MarketDay]) -> Mask:
    """Per row, whether `ts` lies in a session of `days[index]` (index -1: never)."""
    width = max((len(d.windows) for d in days), default=0)
    bounds = np.zeros((len(days) + 1, max(width, 1), 2), np.int64)  # last row: index -1
    for k, day in enumerate(days):
        for j, window in enumerate(day.windows):
            bounds[k, j] = window
    rows = bounds[index]
    inside = (ts[:, None] >= rows[:, :, 0]) & (ts[:, None] < rows[:, :, 1])
    return np.asarray(inside.any(axis=1), np.bool_)


def outside_message(ts: IntArray, index: IntArray, days: list[MarketDay]) -> Callable[[int], str]:
    def message(i: int) -> str:
        day = days[index[i]]
        at = kst_time(int(ts[i]))
        return f"{at} KST is outside the sessions of {day.date} ({describe_windows(day.windows)})"

    return message
