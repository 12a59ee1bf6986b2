"""Small, cached synthetic markets and rule checks shared by the synth tests."""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterable, Iterator
from typing import Any, TypedDict

import numpy as np
from hypothesis import strategies as st

from jts.core.clock import kst_date
from jts.core.enums import Market
from jts.core.models import Instrument
from jts.krx import is_valid_price, previous_trading_day, price_limits
from jts.marketdata.frames import BarFrame
from jts.marketdata.synth import daily_bars, make_universe, minute_bars

Array = np.ndarray[Any, Any]
_KST_NS = 9 * 3_600 * 1_000_000_000
_DAY_NS = 86_400 * 1_000_000_000
_EPOCH_ORDINAL = dt.date(1970, 1, 1).toordinal()

# Start days that exercise the calendar: late opens (2026-01-02, CSAT 2026-11-19), the 2023
# tick reform (2023-01-25), the ETF tick change (2023-12-18), pre-2023 tables, a month end.
SPECIAL_STARTS = (
    dt.date(2026, 1, 2),
    dt.date(2026, 11, 17),
    dt.date(2023, 1, 19),
    dt.date(2023, 12, 14),
    dt.date(2018, 3, 5),
    dt.date(2026, 2, 26),
)
starts = st.one_of(
    st.sampled_from(SPECIAL_STARTS),
    st.dates(min_value=dt.date(2017, 1, 2), max_value=dt.date(2027, 6, 30)),
)


class Rules(TypedDict):
    """Keyword arguments that pick a tick table: `is_valid_price(p, **rules)`."""

    etf: bool
    on: dt.date
    market: Market


def rules_of(inst: Instrument, day: dt.date) -> Rules:
    return {"etf": inst.uses_etf_ticks, "on": day, "market": inst.market}


seeds = st.integers(min_value=0, max_value=2**32)
sizes = st.integers(min_value=1, max_value=20)
day_counts = st.integers(min_value=1, max_value=5)


@functools.lru_cache(maxsize=64)
def universe(n: int, seed: int) -> tuple[Instrument, ...]:
    return tuple(make_universe(n, seed=seed))


def minutes(n: int, seed: int, start: dt.date, days: int) -> BarFrame:
    """All minute bars of the range in one frame sorted by (symbol, ts)."""
    frames = list(minute_bars(universe(n, seed), start, days=days, seed=seed))
    return BarFrame.concat(frames).sorted()


def bar_days(frame: BarFrame) -> Array:
    """KST trading day of each bar."""
    ordinals = (frame["ts"] + _KST_NS) // _DAY_NS + _EPOCH_ORDINAL
    return np.array([dt.date.fromordinal(int(o)) for o in ordinals])


def symbol_days(frame: BarFrame) -> Iterator[tuple[str, dt.date, slice]]:
    """(symbol, day, rows) of each symbol-day of a frame sorted by (symbol, ts)."""
    day_index = (frame["ts"] + _KST_NS) // _DAY_NS
    symbols = frame["symbol"]
    change = (symbols[1:] != symbols[:-1]) | (day_index[1:] != day_index[:-1])
    starts = np.flatnonzero(np.concatenate([[True], change])).tolist()
    ends = [*starts[1:], len(symbols)]
    for lo, hi in zip(starts, ends, strict=True):
        day = dt.date.fromordinal(int(day_index[lo]) + _EPOCH_ORDINAL)
        yield str(symbols[lo]), day, slice(lo, hi)


def invalid_prices(frame: BarFrame, instruments: Iterable[Instrument]) -> list[tuple[str, int]]:
    """(symbol, price) of every bar price off its own tick grid on its day."""
    by_symbol = {i.symbol: i for i in instruments}
    days = bar_days(frame)
    bad = []
    checked: set[tuple[str, dt.date, int]] = set()
    for name in ("open", "high", "low", "close"):
        for symbol, day, price in zip(frame["symbol"], days, frame[name].tolist(), strict=True):
            key = (str(symbol), day, price)
            if key in checked:
                continue
            checked.add(key)
            inst = by_symbol[key[0]]
            if not is_valid_price(price, etf=inst.uses_etf_ticks, on=day, market=inst.market):
                bad.append((key[0], price))
    return bad


def limits_by_symbol_day(
    instruments: tuple[Instrument, ...], seed: int, start: dt.date, days: int
) -> dict[tuple[str, dt.date], tuple[int, int]]:
    """Daily limits from the previous close, taken from daily bars that start a day earlier."""
    before = previous_trading_day(start)
    daily = daily_bars(instruments, before, days=days + 1, seed=seed)
    by_symbol = {i.symbol: i for i in instruments}
    limits = {}
    for symbol, rows in daily.by_symbol():
        inst = by_symbol[symbol]
        closes, stamps = rows["close"].tolist(), rows["ts"].tolist()
        for prev_close, ts in zip(closes[:-1], stamps[1:], strict=True):
            day = kst_date(ts)
            limits[(symbol, day)] = price_limits(
                prev_close,
                etf=inst.uses_etf_ticks,
                market=inst.market,
                leverage=inst.leverage,
                on=day,
            )
    return limits
