"""Trades of one synthetic trading day, consistent with that day's minute bars.

Each minute bar is replayed as a few trades: the first at the bar's open, the last at its
close, its high and low somewhere in between, the rest at random valid ticks inside the
bar's range; quantities add up to the bar's volume exactly. So aggregating the trades of a
minute gives back that minute's open, high, low, close and volume. The bar's `value` is not
reproduced (the bar stores an estimate; the trades' price × qty sum differs slightly).

Auction prints are single trades flagged `auction=True` (side 0) stamped at their uncross
instant: the opening print at the continuous session's start plus a random end of up to 30 s
(KRX.md §6), the closing print at the closing call's end plus a random end; a VI print exactly
2 minutes after the VI minute's start (no random end, so the bars stay on the minute grid; a
VI reaching into the closing call prints 1 ms before it). Continuous trades of the minute that
follows an auction come after its print. Bars stamp auction prints at the start of their call
(see `jts.marketdata.synth.intraday`), as `jts.marketdata.bar_grid` does when it is given the
VI halts (`vi_halts`): with them, `aggregate_ticks(tick_stream(...), 60, halts=...)` gives
back the minute bars' open, high, low, close and volume.

`side` is the aggressor by the tick rule (+1 on an uptick, -1 on a downtick, random on an
unchanged price).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, Final

import numpy as np

from jts.core.models import Instrument
from jts.krx.volatility import VI_AUCTION_SECONDS
from jts.marketdata.bar_grid import Halt
from jts.marketdata.frames import TickFrame
from jts.marketdata.synth.daily import DayState, iter_days
from jts.marketdata.synth.grid import Bands
from jts.marketdata.synth.intraday import DayBars, DayLayout, simulate_day
from jts.marketdata.synth.keys import RowStreams, Stream
from jts.marketdata.synth.rows import Rows, resolve_days, select_rows

Array = np.ndarray[Any, Any]

TRADE_VALUE: Final = 3_000_000
"""Typical KRW value of one trade: sets how many trades a bar's volume splits into."""
MAX_TRADES_PER_BAR: Final = 60
RANDOM_END_MAX_SECONDS: Final = 30
"""The opening and closing uncross happen up to this long after the call's scheduled end."""
_NS: Final = 1_000_000_000
_MINUTE_NS: Final = 60 * _NS
_GUARD_NS: Final = 1_000_000
"""Continuous trades start 1 ms after an auction print at the earliest."""


def day_bars(
    universe: Sequence[Instrument], day: date, *, seed: int, symbols: Sequence[str] | None
) -> tuple[Rows, DayState, DayBars]:
    """The rows, daily state and bar slots of one trading day (shared by trades and books)."""
    rows = select_rows(universe, symbols, seed=seed)
    dates = resolve_days(day, day, None)
    state = next(iter_days(rows, dates, seed=seed))
    return rows, state, simulate_day(rows, state, RowStreams(seed, Stream.MINUTE))


def tick_stream(
    universe: Sequence[Instrument],
    day: date,
    *,
    seed: int,
    symbols: Sequence[str] | None = None,
) -> TickFrame:
    """All trades of `symbols` (default: all of `universe`) on trading day `day`, sorted by
    (ts, symbol). Same universe, seed and day as `minute_bars` → the same bars."""
    rows, state, bars = day_bars(universe, day, seed=seed, symbols=symbols)
    slots = _Slots.of(bars)
    trades = _layout_trades(slots)
    draws = _draws(rows, day, slots, trades, seed)
    bands = rows.ladders(day).bands(state.low.astype(np.float64), state.high.astype(np.float64))
    price = _prices(slots, trades, draws, bands)
    qty = _quantities(slots, trades, draws.trade[:, 1])
    ts = _times(slots, trades, draws.trade[:, 3], draws, bars)
    side = _sides(slots, trades, price, draws.trade[:, 2])
    symbol = rows.symbols[slots.row[trades.bar]]
    order = np.lexsort((symbol, ts))
    columns = {
        "symbol": symbol,
        "ts": ts,
        "price": price,
        "qty": qty,
        "side": side,
        "auction": slots.auction[trades.bar],
    }
    return TickFrame({name: values[order] for name, values in columns.items()})


def vi_halts(
    universe: Sequence[Instrument],
    day: date,
    *,
    seed: int,
    symbols: Sequence[str] | None = None,
) -> list[Halt]:
    """The static-VI halts of trading day `day`: from the VI minute's start to the VI print.

    Pass them to `jts.marketdata.aggregate.aggregate_ticks` with the day's `tick_stream` to
    get back the day's minute bars (the aggregator stamps a VI print at its halt's start).
    """
    rows, _, bars = day_bars(universe, day, seed=seed, symbols=symbols)
    row, slot = np.nonzero(bars.vi)
    start = bars.layout.ts[slot]
    end = vi_resumption(start, bars.layout)
    return [
        Halt(symbol=str(rows.symbols[r]), start_ns=int(a), end_ns=int(b))
        for r, a, b in zip(row.tolist(), start.tolist(), end.tolist(), strict=True)
    ]


@dataclass(frozen=True, slots=True)
class _Slots:
    """The day's printed bars, flattened row-major (so each row's bars are contiguous)."""

    row: Array
    slot: Array
    open: Array
    high: Array
    low: Array
    close: Array
    volume: Array
    auction: Array

    @classmethod
    def of(cls, bars: DayBars) -> _Slots:
        row, slot = np.nonzero(bars.present)
        auction = bars.vi.copy()
        auction[:, 0] = auction[:, -1] = True
        prices = (bars.open, bars.high, bars.low, bars.close)
        o, h, lw, c = (p[row, slot] for p in prices)
        return cls(row, slot, o, h, lw, c, bars.volume[row, slot], auction[row, slot])


@dataclass(frozen=True, slots=True)
class _Trades:
    count: Array
    """Trades per bar."""
    start: Array
    """Index of each bar's first trade."""
    bar: Array
    """Bar of each trade."""
    pos: Array
    """Position of each trade inside its bar."""


def _layout_trades(slots: _Slots) -> _Trades:
    """How many trades each bar splits into: enough to print its open, high, low and close."""
    o, h, lw, c = slots.open, slots.high, slots.low, slots.close
    needed = np.where(
        h == lw, 1, 2 + ((h != o) & (h != c)).astype(np.int64) + ((lw != o) & (lw != c))
    )
    typical = slots.volume // np.maximum(TRADE_VALUE // c.astype(np.int64), 1)
    count = np.clip(typical, needed, np.minimum(slots.volume, MAX_TRADES_PER_BAR))
    count = np.maximum(count, needed)
    count[slots.auction] = 1
    start = np.concatenate([[0], np.cumsum(count)[:-1]])
    bar = np.repeat(np.arange(len(count)), count)
    return _Trades(count, start, bar, np.arange(len(bar)) - start[bar])


@dataclass(frozen=True, slots=True)
class _Draws:
    trade: Array
    """(trades, 4): price, quantity weight, side, time."""
    bar: Array
    """(bars, 2): positions of the high and low trades."""
    row: Array
    """(rows, 2): random ends of the opening and closing prints."""


def _draws(rows: Rows, day: date, slots: _Slots, trades: _Trades, seed: int) -> _Draws:
    streams = RowStreams(seed, Stream.TICKS)
    bars_per_row = np.bincount(slots.row, minlength=len(rows))
    trades_per_row = np.bincount(slots.row, weights=trades.count, minlength=len(rows))
    parts: tuple[list[Array], list[Array], list[Array]] = ([], [], [])
    for r, position in enumerate(rows.index.tolist()):
        n_trades, n_bars = int(trades_per_row[r]), int(bars_per_row[r])
        u = streams.uniforms(position, day.toordinal(), 4 * n_trades + 2 * n_bars + 2)
        parts[0].append(u[: 4 * n_trades].reshape(n_trades, 4))
        parts[1].append(u[4 * n_trades : 4 * n_trades + 2 * n_bars].reshape(n_bars, 2))
        parts[2].append(u[-2:])
    return _Draws(np.concatenate(parts[0]), np.concatenate(parts[1]), np.array(parts[2]))


def _prices(slots: _Slots, trades: _Trades, draws: _Draws, bands: Bands) -> Array:
    """Open first, close last, the extremes at random inner positions, the rest random."""
    bar, count = trades.bar, trades.count
    low, high = slots.low[bar], slots.high[bar]
    row_bands = bands.rows(slots.row[bar])
    price = row_bands.floor((low + draws.trade[:, 0] * (high - low))[:, None])[:, 0]
    inner = np.maximum(count - 2, 1)
    first = 1 + np.floor(draws.bar[:, 0] * inner).astype(np.int64)
    second = (
        1 + (first + np.floor(draws.bar[:, 1] * np.maximum(count - 3, 1)).astype(np.int64)) % inner
    )
    o, h, lw, c = slots.open, slots.high, slots.low, slots.close
    need_high = (h != o) & (h != c)
    need_low = (lw != o) & (lw != c)
    low_slot = np.where(need_high, second, first)
    price[(trades.start + first)[need_high]] = h[need_high]
    price[(trades.start + low_slot)[need_low]] = lw[need_low]
    price[trades.start] = o
    price[trades.start + count - 1] = c
    return price.astype(np.int64)


def _quantities(slots: _Slots, trades: _Trades, weight: Array) -> Array:
    """Split each bar's volume over its trades: at least 1 share each, exact sum."""
    bar, start, count = trades.bar, trades.start, trades.count
    weight = 0.2 + weight
    running = np.cumsum(weight)
    before = np.concatenate([[0.0], running])[start]
    total = running[start + count - 1] - before
    share = (running - before[bar]) / total[bar]
    free = slots.volume - count
    allotted = np.minimum(np.floor(share * free[bar]), free[bar]).astype(np.int64)
    last = start + count - 1
    allotted[last] = free
    previous = np.concatenate([[0], allotted[:-1]])
    previous[start] = 0
    qty: Array = 1 + allotted - previous
    return qty


def _times(slots: _Slots, trades: _Trades, jitter: Array, draws: _Draws, bars: DayBars) -> Array:
    """Trade times (int ns UTC): stratified inside each minute, after any auction print."""
    lay = bars.layout
    bar_ts = lay.ts[slots.slot]
    at = _print_times(slots, draws, bars)
    earliest = _after_prints(slots, at, bar_ts)
    bar, count = trades.bar, trades.count
    span = (_MINUTE_NS - earliest[bar]).astype(np.float64)
    offset = earliest[bar] + np.floor(span * (trades.pos + jitter) / count[bar]).astype(np.int64)
    times: Array = np.where(slots.auction[bar], at[bar], bar_ts[bar] + offset)
    return times


def _print_times(slots: _Slots, draws: _Draws, bars: DayBars) -> Array:
    """Uncross instant of each auction print (int ns); other bars get their start."""
    lay = bars.layout
    at = lay.ts[slots.slot].copy()
    end_ns = RANDOM_END_MAX_SECONDS * _NS
    opening, closing = slots.slot == 0, slots.slot == len(lay.ts) - 1
    vi = slots.auction & ~opening & ~closing
    row_end = (draws.row * end_ns).astype(np.int64)
    at[opening] = lay.open_uncross_ns + row_end[slots.row[opening], 0]
    at[closing] = lay.close_uncross_ns + row_end[slots.row[closing], 1]
    at[vi] = vi_resumption(at[vi], lay)
    return at


def vi_resumption(start_ns: Array, lay: DayLayout) -> Array:
    """When VI auctions starting at `start_ns` uncross: 2 minutes later, with no random end
    (so bars stay on the minute grid), but before the closing call starts."""
    end: Array = np.minimum(start_ns + VI_AUCTION_SECONDS * _NS, lay.ts[-1] - _GUARD_NS)
    return end


def _after_prints(slots: _Slots, at: Array, bar_ts: Array) -> Array:
    """Per bar, the earliest offset (ns) into its minute that a continuous trade may take:
    after the print of an auction bar just before it in the same row."""
    earliest = np.zeros(len(at), dtype=np.int64)
    same_row = slots.row[1:] == slots.row[:-1]
    printed = np.flatnonzero(slots.auction[:-1] & ~slots.auction[1:] & same_row)
    following = printed + 1
    delay = at[printed] + _GUARD_NS - bar_ts[following]
    earliest[following] = np.clip(delay, 0, _MINUTE_NS - _GUARD_NS)
    return earliest


def _sides(slots: _Slots, trades: _Trades, price: Array, coin: Array) -> Array:
    """Tick rule within each symbol's day; auction prints get 0."""
    change = np.sign(np.diff(price, prepend=price[:1]))
    first_of_row = np.concatenate([[True], slots.row[trades.bar][1:] != slots.row[trades.bar][:-1]])
    change[first_of_row] = 0
    side = np.where(change != 0, change, np.where(coin < 0.5, -1, 1))
    side[slots.auction[trades.bar]] = 0
    return side.astype(np.int8)
