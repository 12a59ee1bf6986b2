"""Static VI auctions and limit-locked days inside the minute bars."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from jts.core.models import Instrument
from jts.krx import STATIC_VI_RATE, vi_trigger_prices
from jts.marketdata.bar_grid import Halt
from jts.marketdata.frames import BarFrame
from jts.marketdata.synth import minute_bars
from jts.marketdata.synth.daily import iter_days
from jts.marketdata.synth.rows import resolve_days, select_rows
from jts.marketdata.synth.ticks import vi_halts
from tests.marketdata.synth.helpers import symbol_days, universe

MINUTE = 60_000_000_000
VI_SAMPLE = (150, 11, dt.date(2026, 3, 3), 8)


@pytest.fixture(scope="module")
def vi_sample() -> tuple[BarFrame, list[Halt], dict[str, Instrument]]:
    n, seed, start, days = VI_SAMPLE
    insts = universe(n, seed)
    bars = BarFrame.concat(list(minute_bars(insts, start, days=days, seed=seed))).sorted()
    halts = [h for d in resolve_days(start, None, days) for h in vi_halts(insts, d, seed=seed)]
    return bars, halts, {i.symbol: i for i in insts}


def test_the_sample_has_static_vi_auctions(
    vi_sample: tuple[BarFrame, list[Halt], dict[str, Instrument]],
) -> None:
    assert len(vi_sample[1]) >= 3


def test_a_vi_prints_one_auction_bar_at_its_minute_and_halts_the_next(
    vi_sample: tuple[BarFrame, list[Halt], dict[str, Instrument]],
) -> None:
    bars, halts, _ = vi_sample
    index = {
        (str(s), int(t)): k for k, (s, t) in enumerate(zip(bars["symbol"], bars["ts"], strict=True))
    }
    for halt in halts:
        k = index[(halt.symbol, halt.start_ns)]
        assert len({int(bars[name][k]) for name in ("open", "high", "low", "close")}) == 1
        assert (halt.symbol, halt.start_ns + MINUTE) not in index
        assert halt.end_ns is not None
        assert halt.end_ns - halt.start_ns <= 2 * MINUTE


def test_continuous_bars_stay_inside_the_static_vi_triggers_of_their_reference(
    vi_sample: tuple[BarFrame, list[Halt], dict[str, Instrument]],
) -> None:
    bars, halts, insts = vi_sample
    vi_starts = {(h.symbol, h.start_ns) for h in halts}
    vi_symbols = {h.symbol for h in halts}
    checked = 0
    for symbol, day, rows in symbol_days(bars):
        if symbol not in vi_symbols:
            continue
        inst = insts[symbol]
        reference, exempt = int(bars["open"][rows.start]), 0
        for k in range(rows.start + 1, rows.stop - 1):
            down, up = vi_trigger_prices(
                reference, STATIC_VI_RATE, etf=inst.uses_etf_ticks, on=day, market=inst.market
            )
            if (symbol, int(bars["ts"][k])) in vi_starts:
                price = int(bars["close"][k])
                assert price >= up or price <= down
                reference, exempt = price, 2
                continue
            if exempt:
                exempt -= 1
                continue
            assert down < bars["low"][k] <= bars["high"][k] < up
            checked += 1
    assert checked > 1_000


def _locked_days(seed: int) -> list[tuple[str, dt.date, int]]:
    """(symbol, day, limit) of limit-up locked days in a daily sample."""
    insts = universe(200, seed)
    rows = select_rows(insts, None, seed=seed)
    found = []
    for state in iter_days(rows, resolve_days(dt.date(2025, 1, 6), None, 60), seed=seed):
        for r in np.flatnonzero(state.lock_up).tolist():
            found.append((str(rows.symbols[r]), state.day, int(state.upper[r])))
    return found


def test_a_limit_up_day_stays_locked_at_the_limit_with_little_volume() -> None:
    locked = _locked_days(12)
    assert locked
    for symbol, day, limit in locked[:6]:
        frame = BarFrame.concat(
            list(minute_bars(universe(200, 12), day, days=1, seed=12, symbols=[symbol]))
        )
        o, low, c, v = (frame[k][1:-1] for k in ("open", "low", "close", "volume"))
        assert frame["close"][-1] == limit
        assert frame["high"].max() == limit
        reached = int(np.flatnonzero(c == limit)[0])
        after = slice(reached + 1, None)
        assert np.all(o[after] == limit)
        assert np.all(low[after] == limit)
        if reached > 10 and len(v[after]) > 10:
            assert v[after].mean() < v[: reached + 1].mean()
