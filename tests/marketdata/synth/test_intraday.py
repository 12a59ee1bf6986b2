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
    bounds = np.array([limits[(str(s), d)] for s, d in zip(bars["symbol"], bar_days(bars))])
    assert np.all(bars["low"] >= bounds[:, 0]) and np.all(bars["high"] <= bounds[:, 1])


@settings(max_examples=25)
@given(sizes, seeds, starts, day_counts)
def test_minute_bars_have_consistent_ohlc_volume_and_value(
    n: int, seed: int, start: dt.date, days: int
) -> None:
    bars = minutes(n, seed, start, days)
    o, h, low, c, v = (bars[k] for k in ("open", "high", "low", "close", "volume"))
    assert np.all(low <= np.minimum(o, c)) and np.all(h >= np.maximum(o, c))
    assert np.all(v >= 1)
    assert np.all(bars["value"] >= low * v) and np.all(bars["value"] <= h * v)


@settings(max_examples=25)
@given(sizes, seeds, starts, day_counts)
def test_bars_sit_in_the_session_slots_with_auction_prints_at_the_call_starts(
    n: int, seed: int, start: dt.date, days: int
) -> None:
    bars = minutes(n, seed, start, days)
    assert bars.is_sorted()
    for symbol, rows in bars.by_symbol():
        ts = rows["ts"]
        assert np.all(np.diff(ts) > 0), symbol
        for day in sorted(set(bar_days(rows))):
            opening, grid, closing = _slots(day)
            in_day = rows.take(bar_days(rows) == day)
            stamps = in_day["ts"].tolist()
            assert stamps[0] == opening and stamps[-1] == closing
            assert set(stamps[1:-1]) <= set(grid)
            for k in (0, -1):
                bar = in_day.take(np.array([len(stamps) + k if k else 0]))
                assert bar["open"][0] == bar["high"][0] == bar["low"][0] == bar["close"][0]


@settings(max_examples=20)
@given(sizes, seeds, starts, day_counts)
def test_a_days_minute_bars_aggregate_to_its_daily_bar(
    n: int, seed: int, start: dt.date, days: int
) -> None:
    bars = minutes(n, seed, start, days)
    daily = daily_bars(universe(n, seed), start, days=days, seed=seed)
    expected = {(b.symbol, kst_date(b.ts_ns)): b for b in daily.bars()}
    for symbol, rows in bars.by_symbol():
        for day in sorted(set(bar_days(rows))):
            part = rows.take(bar_days(rows) == day)
            want = expected[(symbol, day)]
            assert part["open"][0] == want.open and part["close"][-1] == want.close
            assert part["high"].max() == want.high and part["low"].min() == want.low
            assert part["volume"].sum() == want.volume
    assert len(expected) == n * days


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
    assert times[0] == dt.time(9, 30) and times[1] == dt.time(10, 0)
    assert times[-2] == dt.time(15, 19) and times[-1] == dt.time(15, 20)
    csat = minutes(2, 7, dt.date(2026, 11, 19), 1).for_symbol(universe(2, 7)[0].symbol)
    times = [dt.datetime.fromtimestamp(t / 1e9, kst).time() for t in csat["ts"].tolist()]
    assert times[0] == dt.time(9, 30) and times[1] == dt.time(10, 0)
    assert times[-2] == dt.time(16, 19) and times[-1] == dt.time(16, 20)


def test_intraday_volume_is_u_shaped() -> None:
    bars = minutes(40, 8, dt.date(2026, 6, 1), 3)
    opening, grid, _ = _slots(dt.date(2026, 6, 1))
    shares: Counter[int] = Counter()
    for symbol, rows in bars.by_symbol():
        day = rows.take(bar_days(rows) == dt.date(2026, 6, 1))
        total = day["volume"].sum()
        for ts, vol in zip(day["ts"].tolist(), day["volume"].tolist(), strict=True):
            if ts in grid:
                shares[(ts - grid[0]) // 60_000_000_000] += vol / total
    first, middle, last = (
        np.mean([shares[m] for m in r]) for r in (range(10), range(150, 250), range(370, 380))
    )
    assert first > 2 * middle and last > 1.5 * middle
    assert opening == kst_ns(dt.date(2026, 6, 1), dt.time(8, 30))
