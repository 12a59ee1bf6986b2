"""Trades that aggregate back to the minute bars, and valid 10-level books around them."""

from __future__ import annotations

import datetime as dt
import itertools

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from jts.core.clock import kst_date
from jts.krx import is_valid_price, next_trading_day, round_to_tick
from jts.marketdata.aggregate import aggregate_ticks
from jts.marketdata.frames import BarFrame
from jts.marketdata.synth import book_snapshots, minute_bars, tick_stream
from jts.marketdata.synth.ticks import vi_halts
from tests.marketdata.synth.helpers import (
    SPECIAL_STARTS,
    limits_by_symbol_day,
    rules_of,
    seeds,
    sizes,
    universe,
)

trading_day = st.one_of(
    st.sampled_from([*SPECIAL_STARTS, dt.date(2026, 11, 19)]),
    st.dates(min_value=dt.date(2017, 1, 2), max_value=dt.date(2027, 6, 30)).map(next_trading_day),
)


@settings(max_examples=20)
@given(sizes, seeds, trading_day)
def test_the_trades_of_a_day_aggregate_back_to_its_minute_bars(
    n: int, seed: int, day: dt.date
) -> None:
    insts = universe(n, seed)
    ticks = tick_stream(insts, day, seed=seed)
    halts = vi_halts(insts, day, seed=seed)
    rebuilt = aggregate_ticks(ticks, 60, halts=halts)
    bars = BarFrame.concat(list(minute_bars(insts, day, days=1, seed=seed)))
    for name in ("symbol", "ts", "open", "high", "low", "close", "volume"):
        assert np.array_equal(rebuilt[name], bars[name]), name


@settings(max_examples=20)
@given(sizes, seeds, trading_day)
def test_trades_are_time_ordered_valid_prints_with_one_auction_print_per_call(
    n: int, seed: int, day: dt.date
) -> None:
    insts = universe(n, seed)
    by_symbol = {i.symbol: i for i in insts}
    ticks = tick_stream(insts, day, seed=seed)
    assert np.all(np.diff(ticks["ts"]) >= 0)
    assert np.all(ticks["qty"] >= 1)
    assert {kst_date(int(t)) for t in ticks["ts"][[0, -1]]} == {day}
    halts = vi_halts(insts, day, seed=seed)
    assert int(ticks["auction"].sum()) == 2 * n + len(halts)
    assert np.all(ticks["side"][ticks["auction"]] == 0)
    assert set(np.unique(ticks["side"][~ticks["auction"]]).tolist()) <= {-1, 1}
    for symbol, price in set(zip(ticks["symbol"].tolist(), ticks["price"].tolist(), strict=True)):
        inst = by_symbol[symbol]
        assert is_valid_price(price, etf=inst.uses_etf_ticks, on=day, market=inst.market)


@settings(max_examples=15)
@given(st.integers(min_value=1, max_value=8), seeds, trading_day)
def test_books_are_uncrossed_ten_level_ladders_of_valid_ticks_inside_the_limits(
    n: int, seed: int, day: dt.date
) -> None:
    insts = universe(n, seed)
    limits = limits_by_symbol_day(insts, seed, day, 1)
    books = list(book_snapshots(insts, day, seed=seed))
    assert books
    assert [b.ts_ns for b in books] == sorted(b.ts_ns for b in books)
    steps: set[tuple[str, int, int, str]] = set()
    for book in books:
        book.validate()
        assert len(book.bids) <= 10
        assert len(book.asks) <= 10
        lower, upper = limits[(book.symbol, day)]
        levels = (*book.bids, *book.asks)
        assert all(lower <= lv.price <= upper and lv.qty > 0 for lv in levels)
        for kind, side in (("level", book.bids), ("level", book.asks)):
            steps.update((book.symbol, a.price, b.price, kind) for a, b in itertools.pairwise(side))
        if book.bids and book.asks:
            steps.add((book.symbol, book.bids[0].price, book.asks[0].price, "spread"))
    by_symbol = {i.symbol: i for i in insts}
    for symbol, near, far, kind in steps:
        inst = by_symbol[symbol]
        rules = rules_of(inst, day)
        assert is_valid_price(near, **rules)
        assert is_valid_price(far, **rules)
        if kind == "spread":
            assert round_to_tick(near + 1, mode="up", **rules) <= far
        elif far < near:  # bids, one tick apart
            assert round_to_tick(near - 1, mode="down", **rules) == far
        else:  # asks, one tick apart
            assert round_to_tick(near + 1, mode="up", **rules) == far


def test_the_last_trade_of_a_minute_is_at_the_touch_of_the_snapshot_after_it() -> None:
    insts = universe(5, 21)
    day = dt.date(2026, 3, 4)
    bars = BarFrame.concat(list(minute_bars(insts, day, days=1, seed=21)))
    closes = {
        (str(s), int(t)): int(c)
        for s, t, c in zip(bars["symbol"], bars["ts"], bars["close"], strict=True)
    }
    for book in book_snapshots(insts, day, seed=21):
        last = closes[(book.symbol, book.ts_ns - 60_000_000_000)]
        assert last in (book.best_bid, book.best_ask)


def test_book_depth_is_larger_near_the_open_and_close_than_at_midday() -> None:
    books = list(book_snapshots(universe(10, 22), dt.date(2026, 3, 4), seed=22))
    depth: dict[int, list[int]] = {}
    for book in books:
        minute = (book.ts_ns - books[0].ts_ns) // 60_000_000_000
        depth.setdefault(minute, []).append(sum(lv.qty for lv in (*book.bids, *book.asks)))
    early = np.mean([np.mean(depth[m]) for m in range(5)])
    midday = np.mean([np.mean(depth[m]) for m in range(150, 230)])
    assert early > 1.5 * midday


def test_the_same_seed_gives_the_same_trades() -> None:
    insts = universe(6, 23)
    first = tick_stream(insts, dt.date(2025, 4, 1), seed=23)
    assert tick_stream(insts, dt.date(2025, 4, 1), seed=23) == first
    assert tick_stream(insts, dt.date(2025, 4, 1), seed=24) != first
