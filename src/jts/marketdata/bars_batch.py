"""Batch bar building: a whole `TickFrame` to a `BarFrame` with NumPy, no per-tick Python loop.

The convention is `jts.marketdata.bar_grid`'s, and the result equals what
`jts.marketdata.bars_stream.BarAggregator` emits for the same ticks fed in (symbol-wise) time
order with the same halts (a property test holds the two together). Python loops run only over
distinct KST days, never over ticks.

Differences from the live form, both about input the live form cannot accept: ticks need not be
sorted (they are sorted stably by symbol and time first, so equal timestamps keep their frame
order), and there is no ``late``/``out_of_order`` rejection. Ticks with a non-positive price or
quantity are skipped, as live. The result is sorted by (symbol, ts), and no two of its bars share
(symbol, ts).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np

from jts.core.clock import NS_PER_SECOND
from jts.marketdata.bar_grid import (
    AUCTION,
    DAY_NS,
    DAY_S,
    GRID,
    HALT_PRINT_GRACE_S,
    KST_OFFSET_NS,
    NEVER,
    NO_TIME,
    DayPlan,
    Halt,
    check_interval,
    day_plan,
    resumption_ns,
)
from jts.marketdata.frames import BarFrame, TickFrame

Array = np.ndarray[Any, Any]

_HALT_GRACE_NS = HALT_PRINT_GRACE_S * NS_PER_SECOND
_LEFT_OUT = -1
"""Kind of closing-price trades in intraday bars: in none."""


def aggregate_ticks(
    ticks: TickFrame, interval_s: int, *, halts: Iterable[Halt] | None = None
) -> BarFrame:
    """Bars of `interval_s` seconds (1 .. 86,400; 86,400 = one bar per KST day) from `ticks`.

    `halts`: the VI and trading halts of the period (symbols without ticks are ignored).
    """
    interval_s = check_interval(interval_s)
    valid = (ticks["price"] > 0) & (ticks["qty"] > 0)
    names, code = np.unique(ticks["symbol"][valid], return_inverse=True)
    code = code.astype(np.int64)
    ts, price, qty = ticks["ts"][valid], ticks["price"][valid], ticks["qty"][valid]
    auction = ticks["auction"][valid]
    order = np.lexsort((ts, code))
    code, ts, price, qty, auction = code[order], ts[order], price[order], qty[order], auction[order]
    if interval_s == DAY_S:
        stamp = (ts + KST_OFFSET_NS) // DAY_NS * DAY_NS - KST_OFFSET_NS
        kind = np.full(len(ts), GRID, np.int64)
    else:
        halt_table = _halt_table(halts or (), {str(n): i for i, n in enumerate(names)})
        stamp, kind = _intraday(code, ts, auction, halt_table, interval_s * NS_PER_SECOND)
        kept = kind != _LEFT_OUT
        code, stamp, kind, price, qty = code[kept], stamp[kept], kind[kept], price[kept], qty[kept]
    return _reduce(names, code, stamp, kind, price, qty, interval_s)


def _halt_table(halts: Iterable[Halt], codes: dict[str, int]) -> tuple[Array, Array, Array]:
    """(code, start, end) arrays of the halts of known symbols; an open halt ends `NEVER`."""
    rows = []
    for h in halts:
        if h.symbol in codes:
            end = NEVER if h.end_ns is None else resumption_ns(h.start_ns, h.end_ns)
            rows.append((codes[h.symbol], h.start_ns, end))
    table = np.array(rows, np.int64).reshape(-1, 3)
    return table[:, 0], table[:, 1], table[:, 2]


def _intraday(
    code: Array,
    ts: Array,
    auction: Array,
    halts: tuple[Array, Array, Array],
    interval_ns: int,
) -> tuple[Array, Array]:
    """(stamp, kind) of every tick for an intraday interval, kind `_LEFT_OUT` for closing-price
    trades; ticks sorted by (code, ts)."""
    days, day_index = np.unique((ts + KST_OFFSET_NS) // DAY_NS, return_inverse=True)
    plans = [day_plan(int(day)) for day in days]
    anchor = np.array([p.anchor_ns for p in plans], np.int64)[day_index]
    midnight = np.array([p.midnight_ns for p in plans], np.int64)[day_index]
    bounds = np.array([b for p in plans for b in p.bounds], np.int64)
    floor = bounds[np.searchsorted(bounds, ts, side="right") - 1]

    joined_stamp, joined = _joined(code, ts, auction, midnight, halts, plans)
    loose = auction & ~joined
    h_code, h_start, h_end = halts
    ended = h_end != NEVER
    halt_bounds = _latest_time(
        code,
        ts,
        np.concatenate([h_code, h_code[ended]]),
        np.concatenate([h_start, h_end[ended]]),
        inclusive=True,
    )
    # the segment after an unattributed print at p starts at p + 1
    after_print = _latest_time(code, ts, code[loose], ts[loose], inclusive=False)
    after_print = np.where(after_print == NO_TIME, NO_TIME, after_print + 1)
    floor = np.maximum(floor, np.maximum(halt_bounds, after_print))
    cell = anchor + (ts - anchor) // interval_ns * interval_ns
    grid_stamp = np.maximum(cell, floor)
    # a trade whose bar would start at an unattributed print (its very instant) joins that print
    at_print = _latest_time(code, grid_stamp, code[loose], ts[loose], inclusive=True) == grid_stamp
    stamp = np.where(joined, joined_stamp, np.where(auction, ts, grid_stamp))
    kind = np.where(joined | auction | at_print, AUCTION, GRID).astype(np.int64)
    c_start, c_end = _spans([span for p in plans for span in p.closing_price])
    closing_price = ~auction & (ts < _pick(c_end, _span_index(c_start, ts), NO_TIME))
    return stamp, np.where(closing_price, _LEFT_OUT, kind)


def _joined(
    code: Array,
    ts: Array,
    auction: Array,
    midnight: Array,
    halts: tuple[Array, Array, Array],
    plans: list[DayPlan],
) -> tuple[Array, Array]:
    """Stamps of the ticks that go to a same-day halt's resumption bar or a one-shot call
    session's auction bar (in that order of precedence), and the mask of those ticks.

    Prints join up to the grace after the halt's end or the call's window; trades up to the
    halt's end or the call session's scheduled end."""
    h_code, h_start, h_end = halts
    latest = _latest(code, ts, h_code, h_start, inclusive=True)
    start, end = _pick(h_start, latest, NO_TIME), _pick(h_end, latest, NO_TIME)
    before_end = np.where(auction, ts - _HALT_GRACE_NS <= end, ts < end)
    by_halt = (latest >= 0) & (start >= midnight) & before_end

    windows = [w for p in plans for w in p.windows]
    w_start, w_end = _spans([(w.start_ns, w.end_ns) for w in windows])
    w_until = np.array([w.until_ns for w in windows], np.int64)
    window = _span_index(w_start, ts)
    limit = np.where(auction, _pick(w_until, window, NO_TIME), _pick(w_end, window, NO_TIME))
    by_window = ~by_halt & (ts < limit)
    stamp = np.where(by_halt, start, _pick(w_start, window, NO_TIME))
    return stamp, by_halt | by_window


def _spans(spans: list[tuple[int, int]]) -> tuple[Array, Array]:
    """(starts, ends) arrays of spans given in time order."""
    table = np.array(spans, np.int64).reshape(-1, 2)
    return table[:, 0], table[:, 1]


def _span_index(starts: Array, ts: Array) -> Array:
    """Index of the last span starting at or before each `ts` (-1: none)."""
    return np.searchsorted(starts, ts, side="right") - 1


def _pick(values: Array, index: Array, default: int) -> Array:
    """`values[index]`, `default` where `index` is -1."""
    if not len(values):
        return np.full(len(index), default, np.int64)
    return np.where(index >= 0, values[np.maximum(index, 0)], default)


def _latest(
    q_code: Array, q_time: Array, e_code: Array, e_time: Array, *, inclusive: bool
) -> Array:
    """For each query, the index of the latest event of the same code at or before its time
    (strictly before unless `inclusive`); -1 where there is none. Queries need no order."""
    nq, ne = len(q_time), len(e_time)
    result = np.full(nq, -1, np.int64)
    if not nq or not ne:
        return result
    codes = np.concatenate([e_code, q_code])
    times = np.concatenate([e_time, q_time])
    is_query = np.concatenate([np.zeros(ne, np.bool_), np.ones(nq, np.bool_)])
    # at an equal (code, time) events sort first when inclusive, after the queries when strict
    order = np.lexsort((is_query if inclusive else ~is_query, times, codes))
    marker = np.where(is_query[order], -1, np.arange(len(order)))
    last = np.maximum.accumulate(marker)[is_query[order]]
    query_rows = order[is_query[order]]
    event_rows = order[np.maximum(last, 0)]
    same = (last >= 0) & (codes[event_rows] == codes[query_rows])
    result[query_rows[same] - ne] = event_rows[same]
    return result


def _latest_time(
    q_code: Array, q_time: Array, e_code: Array, e_time: Array, *, inclusive: bool
) -> Array:
    """Like `_latest`, but the event's time (`NO_TIME` where there is none)."""
    return _pick(e_time, _latest(q_code, q_time, e_code, e_time, inclusive=inclusive), NO_TIME)


def _reduce(
    names: Array,
    code: Array,
    stamp: Array,
    kind: Array,
    price: Array,
    qty: Array,
    interval_s: int,
) -> BarFrame:
    """One bar per (code, stamp, kind); rows within a key keep their time order."""
    if not len(code):
        return BarFrame.empty(interval_s)
    order = np.lexsort((kind, stamp, code))
    code, stamp, kind, price, qty = code[order], stamp[order], kind[order], price[order], qty[order]
    change = (code[1:] != code[:-1]) | (stamp[1:] != stamp[:-1]) | (kind[1:] != kind[:-1])
    starts = np.flatnonzero(np.concatenate([[True], change]))
    ends = np.concatenate([starts[1:], [len(code)]])
    columns = {
        "symbol": names[code[starts]],
        "ts": stamp[starts],
        "open": price[starts],
        "high": np.maximum.reduceat(price, starts),
        "low": np.minimum.reduceat(price, starts),
        "close": price[ends - 1],
        "volume": np.add.reduceat(qty, starts),
        "value": np.add.reduceat(price * qty, starts),
    }
    return BarFrame(columns, interval_s)
