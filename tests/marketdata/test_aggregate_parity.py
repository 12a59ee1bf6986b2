"""On any tick stream the live and the batch aggregator give identical bars, and no two bars of
either share (symbol, ts) (hypothesis)."""

from __future__ import annotations

import datetime as dt

from hypothesis import given, settings
from hypothesis import strategies as st

from jts.core.clock import kst_ns
from jts.core.models import Tick
from jts.marketdata.aggregate import Halt
from tests.marketdata.bar_cases import (
    CSAT,
    ORDINARY,
    assert_unique_keys,
    batch,
    closing_price_trade,
    live,
    row,
)

SECOND = 1_000_000_000
MINUTE = 60 * SECOND
SYMBOLS = ("005930", "000660", "0037T0")
DAYS = (ORDINARY, CSAT, dt.date(2026, 3, 14))  # an ordinary day, a late open, a Saturday
INTERVALS = (1, 60, 300, 420, 3_600, 86_400)
# session edges of both kinds of day, and the ends of the auction-print windows
EDGE_TIMES = (
    "08:30", "08:40", "09:00", "09:00:30", "09:00:40", "09:30", "09:40", "10:00", "10:00:40",
    "15:20", "15:30", "15:30:40", "15:40", "16:00", "16:10", "16:20", "16:30", "16:30:40",
    "16:40", "17:00", "18:00",
)  # fmt: skip
EDGES = [dt.time.fromisoformat(t) for t in EDGE_TIMES]
DELTAS_NS = (-SECOND, -1, 0, 1, 5_000_000, SECOND, 30 * SECOND)


@st.composite
def instants(draw: st.DrawFn, day: dt.date) -> int:
    """A time of `day` from 07:00 to 19:00 KST: near a session edge, near a whole minute (a grid
    cell start for every interval up to an hour), or anywhere."""
    how = draw(st.sampled_from(("edge", "minute", "anywhere")))
    if how == "edge":
        edge = kst_ns(day, draw(st.sampled_from(EDGES)))
        return edge + draw(st.sampled_from(DELTAS_NS))
    start = kst_ns(day, dt.time(7))
    if how == "minute":
        return start + draw(st.integers(0, 12 * 60)) * MINUTE + draw(st.sampled_from(DELTAS_NS))
    return start + draw(st.integers(0, 12 * 3_600 * SECOND))


@st.composite
def halts_of(draw: st.DrawFn, symbol: str, day: dt.date) -> list[Halt]:
    """0-2 non-overlapping halts of `symbol` (some of no length, some starting at a session edge
    or on the grid); the last may be open."""
    result: list[Halt] = []
    cursor = kst_ns(day, dt.time(7))
    for _ in range(draw(st.integers(0, 2))):
        start = max(cursor, draw(instants(day)))
        length = draw(st.sampled_from((0, 1)) | st.integers(1, 300 * SECOND))
        result.append(Halt(symbol=symbol, start_ns=start, end_ns=start + length))
        cursor = start + max(length, 1)  # the next halt may start where this one ends
    if draw(st.booleans()) and result:
        result[-1] = Halt(symbol=symbol, start_ns=result[-1].start_ns)
    return result


@st.composite
def markets(draw: st.DrawFn) -> tuple[list[Tick], list[Halt]]:
    """Ticks of 1-3 symbols over 1-2 days: trades and auction prints in every session, prints at
    the halts' edges, and trades and prints sharing an instant or 1 ns apart."""
    days = draw(st.lists(st.sampled_from(DAYS), min_size=1, max_size=2, unique=True))
    symbols = draw(st.lists(st.sampled_from(SYMBOLS), min_size=1, max_size=3, unique=True))
    halts = [h for s in symbols for d in days for h in draw(halts_of(s, d))]
    times: list[tuple[str, int]] = []
    for _ in range(draw(st.integers(0, 60))):
        times.append((draw(st.sampled_from(symbols)), draw(instants(draw(st.sampled_from(days))))))
    for h in halts:
        edges = [h.start_ns] if h.end_ns is None else [h.start_ns, h.end_ns]
        for delta in draw(st.lists(st.sampled_from(DELTAS_NS), max_size=3)):
            times.append((h.symbol, draw(st.sampled_from(edges)) + delta))
    if times:  # more ticks at the instants drawn so far, or 1 ns after them
        for _ in range(draw(st.integers(0, 10))):
            symbol, ts = draw(st.sampled_from(times))
            times.append((symbol, ts + draw(st.sampled_from((0, 0, 1)))))
    ticks = [
        Tick(
            symbol=symbol,
            ts_ns=ts,
            price=draw(st.integers(1, 2_000)),
            qty=draw(st.integers(0, 50)),  # 0: skipped by both forms
            auction=draw(st.booleans()),
        )
        for symbol, ts in times
    ]
    ticks.sort(key=lambda t: t.ts_ns)  # stable: equal instants keep their drawn order
    return ticks, halts


@settings(max_examples=200)
@given(market=markets(), interval_s=st.sampled_from(INTERVALS), data=st.data())
def test_live_and_batch_bars_are_identical_and_keyed_uniquely(
    market: tuple[list[Tick], list[Halt]], interval_s: int, data: st.DataObject
) -> None:
    ticks, halts = market
    flush_at = data.draw(st.lists(st.sampled_from([t.ts_ns for t in ticks] or [0]), max_size=5))
    live_bars = live(ticks, interval_s, halts, flush_at=flush_at)
    batch_bars = batch(ticks, interval_s, halts)
    assert_unique_keys(live_bars)
    assert_unique_keys(batch_bars)
    assert sorted(row(b) for b in live_bars) == [row(b) for b in batch_bars]


@settings(max_examples=100)
@given(market=markets(), interval_s=st.sampled_from(INTERVALS))
def test_every_tick_is_counted_once_closing_price_trades_only_daily(
    market: tuple[list[Tick], list[Halt]], interval_s: int
) -> None:
    ticks, halts = market
    valid = [t for t in ticks if t.price > 0 and t.qty > 0]
    counted = valid if interval_s == 86_400 else [t for t in valid if not closing_price_trade(t)]
    bars = batch(ticks, interval_s, halts)
    assert sum(b.volume for b in bars) == sum(t.qty for t in counted)
    assert sum(b.value for b in bars) == sum(t.price * t.qty for t in counted)
