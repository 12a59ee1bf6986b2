"""The daily skeleton: KRX limits and ticks, range independence, lock days, fat tails."""

from __future__ import annotations

import datetime as dt
import itertools

import numpy as np
import pytest
from hypothesis import given, settings

from jts.core.clock import kst_date, kst_ns
from jts.core.errors import InvalidInput
from jts.krx import previous_trading_day, trading_days
from jts.marketdata.synth import daily_bars
from jts.marketdata.synth.daily import iter_days
from jts.marketdata.synth.rows import resolve_days, select_rows
from tests.marketdata.synth.helpers import (
    day_counts,
    invalid_prices,
    limits_by_symbol_day,
    seeds,
    sizes,
    starts,
    universe,
)


@settings(max_examples=25)
@given(sizes, seeds, starts, day_counts)
def test_daily_prices_are_valid_ticks_inside_the_limits_of_the_previous_close(
    n: int, seed: int, start: dt.date, days: int
) -> None:
    insts = universe(n, seed)
    bars = daily_bars(insts, start, days=days, seed=seed)
    assert len(bars) == n * days
    assert bars.interval_s == 86_400
    assert not invalid_prices(bars, insts)
    limits = limits_by_symbol_day(insts, seed, start, days)
    for bar in bars.bars():
        lower, upper = limits[(bar.symbol, kst_date(bar.ts_ns))]
        assert lower <= bar.low <= min(bar.open, bar.close)
        assert max(bar.open, bar.close) <= bar.high <= upper
        assert bar.volume > 0
        assert bar.low * bar.volume <= bar.value <= bar.high * bar.volume


@settings(max_examples=15)
@given(sizes, seeds, starts)
def test_a_day_is_the_same_whatever_range_it_is_cut_from(n: int, seed: int, start: dt.date) -> None:
    insts = universe(n, seed)
    long = daily_bars(insts, previous_trading_day(start), days=6, seed=seed)
    short = daily_bars(insts, start, days=2, seed=seed, symbols=[insts[-1].symbol])
    tail = long.for_symbol(insts[-1].symbol)
    assert short == tail.take(np.arange(1, 3))


def test_daily_bars_are_stamped_at_midnight_kst_of_each_trading_day() -> None:
    bars = daily_bars(universe(3, 1), dt.date(2026, 9, 21), days=5, seed=1)
    expected = [
        kst_ns(d, dt.time(0)) for d in trading_days(dt.date(2026, 9, 21), dt.date(2026, 10, 2))
    ]
    assert bars.for_symbol(universe(3, 1)[0].symbol)["ts"].tolist() == expected[:5]
    assert bars.is_sorted()


def test_the_same_seed_gives_the_same_bars_and_another_seed_other_bars() -> None:
    insts = universe(10, 2)
    first = daily_bars(insts, dt.date(2025, 5, 2), days=4, seed=9)
    assert daily_bars(insts, dt.date(2025, 5, 2), days=4, seed=9) == first
    assert daily_bars(insts, dt.date(2025, 5, 2), days=4, seed=10) != first


def test_limit_locked_days_happen_on_about_0_2_percent_of_symbol_days_each_way() -> None:
    insts = universe(300, 3)
    rows = select_rows(insts, None, seed=3)
    states = list(iter_days(rows, resolve_days(dt.date(2025, 6, 2), None, 250), seed=3))
    up = np.mean([s.lock_up.mean() for s in states])
    down = np.mean([s.lock_down.mean() for s in states])
    assert 0.0005 < up < 0.006
    assert 0.0005 < down < 0.006
    for s in states:
        assert np.all(s.close[s.lock_up] == s.upper[s.lock_up])
        assert np.all(s.close[s.lock_down] == s.lower[s.lock_down])
        assert np.all(s.lower <= s.low)
        assert np.all(s.high <= s.upper)


def test_daily_returns_have_fat_tails_and_next_base_is_the_close() -> None:
    rows = select_rows(universe(300, 4), None, seed=4)
    states = list(iter_days(rows, resolve_days(dt.date(2025, 6, 2), None, 120), seed=4))
    returns = np.concatenate([np.log(s.close / s.base) for s in states])
    kurtosis = np.mean((returns - returns.mean()) ** 4) / returns.var() ** 2
    assert kurtosis > 5
    for before, after in itertools.pairwise(states):
        assert np.array_equal(after.base, before.close)


def test_exactly_one_of_end_and_days_must_be_given() -> None:
    insts = universe(2, 1)
    with pytest.raises(InvalidInput):
        daily_bars(insts, dt.date(2026, 3, 3), seed=1)
    with pytest.raises(InvalidInput):
        daily_bars(insts, dt.date(2026, 3, 3), end=dt.date(2026, 3, 4), days=2, seed=1)
    with pytest.raises(InvalidInput):
        daily_bars(insts, dt.date(2026, 3, 3), days=1, seed=1, symbols=["999999"])


def test_an_end_date_selects_the_trading_days_up_to_it() -> None:
    bars = daily_bars(universe(2, 1), dt.date(2026, 2, 13), end=dt.date(2026, 2, 20), seed=1)
    days = sorted({kst_date(ts) for ts in bars["ts"].tolist()})
    assert days == trading_days(dt.date(2026, 2, 13), dt.date(2026, 2, 20))
