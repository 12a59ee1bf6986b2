"""Ten-level order-book snapshots of one synthetic trading day, around the minute bars.

One snapshot per symbol at the end of every continuous minute (ts = the minute's start + 60 s,
int ns UTC), taken after that minute's last trade: the last trade price is the best ask when
the minute closed up (buyers lifted the offer), the best bid otherwise; the spread is 1 tick,
sometimes 2. Levels step one tick at a time along the symbol's tick ladder (crossing band
boundaries correctly) and stop at the daily limits, so a book locked at the upper limit has
no asks. Resting quantity grows away from the touch and follows the day's U shape: deep after
the open and into the close. Minutes halted by VI and auction prints get no snapshot.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import date
from typing import Any, Final

import numpy as np

from jts.core.models import BOOK_DEPTH, BookLevel, BookUpdate, Instrument
from jts.marketdata.synth.grid import RowLadders
from jts.marketdata.synth.keys import RowStreams, Stream
from jts.marketdata.synth.paths import u_shape
from jts.marketdata.synth.ticks import day_bars

Array = np.ndarray[Any, Any]

WIDE_SPREAD_SHARE: Final = 0.25
"""Share of snapshots with a 2-tick spread (the rest have 1 tick)."""
_MINUTE_NS: Final = 60_000_000_000


def book_snapshots(
    universe: Sequence[Instrument],
    day: date,
    *,
    seed: int,
    symbols: Sequence[str] | None = None,
) -> Iterator[BookUpdate]:
    """Snapshots of `symbols` (default: all) on trading day `day`, in (ts, symbol) order."""
    rows, state, bars = day_bars(universe, day, seed=seed, symbols=symbols)
    continuous = bars.present & ~bars.vi
    continuous[:, 0] = continuous[:, -1] = False
    row, slot = np.nonzero(continuous)
    u = _draws(rows.index, day, np.bincount(row, minlength=len(rows)), seed)
    last = bars.close[row, slot]
    rising = bars.close[row, slot] > bars.open[row, slot]
    ladders = rows.ladders(day).take(row)
    spread = 1 + (u[:, 0] < WIDE_SPREAD_SHARE)
    bid = np.where(rising, _walk(ladders, last, -spread), last)
    ask = np.where(rising, last, _walk(ladders, last, spread))
    bids, asks = _levels(ladders, bid, "next_down"), _levels(ladders, ask, "next_up")
    depth = rows.pick("adv")[row] / 400.0 * u_shape(bars.layout.minutes)[slot - 1]
    growth = 1.0 + 0.25 * np.arange(BOOK_DEPTH)
    noise = 0.5 + u[:, 1 : 1 + 2 * BOOK_DEPTH].reshape(-1, 2, BOOK_DEPTH)
    qty = np.maximum(depth[:, None, None] * growth * noise, 1.0).astype(np.int64)
    lower, upper = state.lower[row], state.upper[row]
    ts = bars.layout.ts[slot] + _MINUTE_NS
    order = np.lexsort((row, ts))
    for i in order.tolist():
        yield BookUpdate(
            symbol=str(rows.symbols[row[i]]),
            ts_ns=int(ts[i]),
            bids=_side(bids[i], qty[i, 0], bids[i] >= lower[i]),
            asks=_side(asks[i], qty[i, 1], asks[i] <= upper[i]),
        )


def _draws(index: Array, day: date, per_row: Array, seed: int) -> Array:
    """(snapshots, 1 + 2 × depth) uniforms: spread, then level quantities."""
    streams = RowStreams(seed, Stream.BOOKS)
    width = 1 + 2 * BOOK_DEPTH
    parts = [
        streams.uniforms(position, day.toordinal(), width * int(count)).reshape(-1, width)
        for position, count in zip(index.tolist(), per_row.tolist(), strict=True)
    ]
    return np.concatenate(parts) if parts else np.empty((0, width))


def _walk(ladders: RowLadders, prices: Array, steps: Array) -> Array:
    """Each price moved by its number of ticks (negative: down) along its ladder."""
    moved = prices.copy()
    for k in range(int(np.abs(steps).max(initial=0))):
        up, down = steps > k, steps < -k
        moved = np.where(up, ladders.apply("next_up", moved), moved)
        moved = np.where(down, ladders.apply("next_down", moved), moved)
    return moved


def _levels(ladders: RowLadders, best: Array, step: str) -> Array:
    """(snapshots, depth) prices from the best level outwards, one tick apart."""
    levels = np.empty((len(best), BOOK_DEPTH))
    levels[:, 0] = best
    for k in range(1, BOOK_DEPTH):
        levels[:, k] = ladders.apply(step, levels[:, k - 1])
    return levels


def _side(prices: Array, qty: Array, keep: Array) -> tuple[BookLevel, ...]:
    """The kept levels (a prefix: prices only move away from the touch)."""
    count = int(np.count_nonzero(keep))
    return tuple(
        BookLevel(int(p), int(q)) for p, q in zip(prices[:count], qty[:count], strict=True)
    )
