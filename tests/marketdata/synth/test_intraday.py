"""Minute bars: KRX rules, the session layout, auction print bars, aggregation, determinism."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any

import numpy as np
from hypothesis import given, settings

from jts.core.clock import kst_date, kst_ns
from jts.krx import Phase, sessions
from jts.marketdata.frames import BarFrame
from jts.marketdata.synth import BATCH_SYMBOLS, daily_bars, minute_bars
from tests.marketdata.synth.helpers import (
    bar_days,
    day_counts,
    invalid_prices,
    limits_by_symbol_day,
    minutes,
    seeds,
    sizes,
    starts,
    symbol_days,
    universe,
)

Array = np.ndarray[Any, Any]


def _slots(day: dt.date) -> tuple[int, list[int], int]:
    """(opening auction start, continuous minute starts, closing auction start) of `day`."""
    by_phase = {s.phase: s for s in sessions(day)}
    cont = by_phase[Phase.CONTINUOUS]
    first, last = cont.start_ns(day), cont.end_ns(day)
    grid = list(range(first, last, 60_000_000_000))
    return (
        by_phase[Phase.OPENING_AUCTION].start_ns(day),
        grid,
        by_phase[Phase.CLOSING_AUCTION].start_ns(day),
    )


@settings(max_examples=25)
@given(sizes, seeds, starts, day_counts)
def test_minute_prices_are_valid_ticks_inside_the_daily_limits(
    n: int, seed: int, start: dt.date, days: int
) -> None:
    insts = universe(n, seed)
    bars = minutes(n, seed, start, days)
    assert not invalid_prices(bars, insts)
    limits = limits_by_symbol_day(insts, seed, start, days)
    bounds = np.array(
        [limits[(str(s), d)] for s, d in zip(bars["symbol"], bar_days(bars), strict=True)]
    )
    assert np.all(bars["low"] >= bounds[:, 0])
    assert np.all(bars["high"] <= bounds[:, 1])


@settings(max_examples=25)
@given(sizes, seeds, starts, day_counts)
def test_minute_bars_have_consistent_ohlc_volume_and_value(
    n: int, seed: int, start: dt.date, days: int
) -> None:
    bars = minutes(n, seed, start, days)
    o, h, low, c, v = (bars[k] for k in ("open", "high", "low", "close", "volume"))
    assert np.all(low <= np.minimum(o, c))
    assert np.all(h >= np.maximum(o, c))
    assert np.all(v >= 1)
    assert np.all(bars["value"] >= low * v)
    assert np.all(bars["value"] <= h * v)


@settings(max_examples=25)
@given(sizes, seeds, starts, day_counts)
def test_bars_sit_in_the_session_slots_with_auction_prints_at_the_call_starts(
    n: int, seed: int, start: dt.date, days: int
) -> None:
    bars = minutes(n, seed, start, days)
    for symbol, day, rows in symbol_days(bars):
        opening, grid, closing = _slots(day)
        stamps = bars["ts"][rows].tolist()
        assert stamps[0] == opening, symbol
        assert stamps[-1] == closing, symbol
        assert set(stamps[1:-1]) <= set(grid)
        assert stamps == sorted(set(stamps))
        for k in (rows.start, rows.stop - 1):
            prices = {int(bars[name][k]) for name in ("open", "high", "low", "close")}
            assert len(prices) == 1


@settings(max_examples=20)
@given(sizes, seeds, starts, day_counts)
def test_a_days_minute_bars_aggregate_to_its_daily_bar(
    n: int, seed: int, start: dt.date, days: int
) -> None:
    bars = minutes(n, seed, start, days)
    daily = daily_bars(universe(n, seed), start, days=days, seed=seed)
    expected = {(b.symbol, kst_date(b.ts_ns)): b for b in daily.bars()}
    seen = 0
    for symbol, day, rows in symbol_days(bars):
        want = expected[(symbol, day)]
        assert bars["open"][rows][0] == want.open
        assert bars["close"][rows][-1] == want.close
        assert bars["high"][rows].max() == want.high
        assert bars["low"][rows].min() == want.low
        assert bars["volume"][rows].sum() == want.volume
        seen += 1
    assert seen == len(expected) == n * days


def test_the_same_seed_gives_identical_frames_and_another_seed_other_frames() -> None:
    insts = universe(12, 3)
    first = list(minute_bars(insts, dt.date(2026, 4, 28), days=4, seed=3))
    again = list(minute_bars(insts, dt.date(2026, 4, 28), days=4, seed=3))
    other = list(minute_bars(insts, dt.date(2026, 4, 28), days=4, seed=4))
    assert len(first) == len(again) == 2
    assert all(a == b for a, b in zip(first, again, strict=True))
    assert all(a != b for a, b in zip(first, other, strict=True))


def test_a_symbol_subset_gets_the_same_bars_as_in_the_whole_universe() -> None:
    insts = universe(15, 5)
    whole = BarFrame.concat(list(minute_bars(insts, dt.date(2025, 9, 1), days=2, seed=5)))
    pick = [insts[3].symbol, insts[11].symbol]
    part = BarFrame.concat(
        list(minute_bars(insts, dt.date(2025, 9, 1), days=2, seed=5, symbols=pick))
    )
    assert part == BarFrame.concat([whole.for_symbol(s) for s in sorted(pick)])


def test_chunks_hold_one_month_of_at_most_256_symbols_sorted_by_symbol_and_time() -> None:
    insts = universe(300, 6)
    frames = list(minute_bars(insts, dt.date(2026, 2, 27), days=2, seed=6))
    assert len(frames) == 4  # (Feb, Mar) x (256 + 44 symbols); Mar 2 is a holiday
    months = [{kst_date(int(t)).month for t in f["ts"][[0, -1]]} for f in frames]
    assert months == [{2}, {2}, {3}, {3}]
    assert [len(f.symbols()) for f in frames] == [BATCH_SYMBOLS, 44, BATCH_SYMBOLS, 44]
    assert all(f.is_sorted() and f.interval_s == 60 for f in frames)
    assert frames[0].symbols()[-1] < frames[1].symbols()[0]


def test_late_open_days_shift_the_session_bars() -> None:
    new_year = minutes(2, 7, dt.date(2026, 1, 2), 1).for_symbol(universe(2, 7)[0].symbol)
    kst = dt.timezone(dt.timedelta(hours=9))
    times = [dt.datetime.fromtimestamp(t / 1e9, kst).time() for t in new_year["ts"].tolist()]
    assert times[0] == dt.time(9, 30)
    assert times[1] == dt.time(10, 0)
    assert times[-2] == dt.time(15, 19)
    assert times[-1] == dt.time(15, 20)
    csat = minutes(2, 7, dt.date(2026, 11, 19), 1).for_symbol(universe(2, 7)[0].symbol)
    times = [dt.datetime.fromtimestamp(t / 1e9, kst).time() for t in csat["ts"].tolist()]
    assert times[0] == dt.time(9, 30)
    assert times[1] == dt.time(10, 0)
    assert times[-2] == dt.time(16, 19)
    assert times[-1] == dt.time(16, 20)


def test_intraday_volume_is_u_shaped() -> None:
    bars = minutes(40, 8, dt.date(2026, 6, 1), 3)
    opening, grid, _ = _slots(dt.date(2026, 6, 1))
    shares: Counter[int] = Counter()
    for _, day, rows in symbol_days(bars):
        if day != dt.date(2026, 6, 1):
            continue
        total = bars["volume"][rows].sum()
        for ts, vol in zip(bars["ts"][rows].tolist(), bars["volume"][rows].tolist(), strict=True):
            if ts in grid:
                shares[(ts - grid[0]) // 60_000_000_000] += vol / total
    first, middle, last = (
        np.mean([shares[m] for m in r]) for r in (range(10), range(150, 250), range(370, 380))
    )
    assert first > 2 * middle
    assert last > 1.5 * middle
    assert opening == kst_ns(dt.date(2026, 6, 1), dt.time(8, 30))
