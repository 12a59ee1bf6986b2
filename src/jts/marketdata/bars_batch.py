"""Batch bar building: a whole `TickFrame` to a `BarFrame` with NumPy, no per-tick Python loop.

The convention is `jts.marketdata.bar_grid`'s, and the result equals what
`jts.marketdata.bars_stream.BarAggregator` emits for the same ticks fed in (symbol-wise) time
order with the same halts (a property test holds the two together). Python loops run only over
distinct KST days, never over ticks.

Differences from the live form, both about input the live form cannot accept: ticks need not be
sorted (they are sorted stably by symbol and time first, so equal timestamps keep their frame
order), and there is no ``late``/``out_of_order`` rejection. Ticks with a non-positive price or
quantity are skipped, as live. The result is sorted by (symbol, ts), the auction bar first where
an auction bar and a trade bar share a start.
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
)
from jts.marketdata.frames import BarFrame, TickFrame

Array = np.ndarray[Any, Any]

_HALT_GRACE_NS = HALT_PRINT_GRACE_S * NS_PER_SECOND


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
    return _reduce(names, code, stamp, kind, price, qty, interval_s)


def _halt_table(halts: Iterable[Halt], codes: dict[str, int]) -> tuple[Array, Array, Array]:
    """(code, start, end) arrays of the halts of known symbols; an open halt ends `NEVER`."""
    rows = [
        (codes[h.symbol], h.start_ns, NEVER if h.end_ns is None else h.end_ns)
        for h in halts
        if h.symbol in codes
    ]
    table = np.array(rows, np.int64).reshape(-1, 3)
    return table[:, 0], table[:, 1], table[:, 2]


def _intraday(
    code: Array,
    ts: Array,
    auction: Array,
    halts: tuple[Array, Array, Array],
    interval_ns: int,
) -> tuple[Array, Array]:
    """(stamp, kind) of every tick for an intraday interval; ticks sorted by (code, ts)."""
    days, day_index = np.unique((ts + KST_OFFSET_NS) // DAY_NS, return_inverse=True)
    plans = [day_plan(int(day)) for day in days]
    anchor = np.array([p.anchor_ns for p in plans], np.int64)[day_index]
    midnight = np.array([p.midnight_ns for p in plans], np.int64)[day_index]
    bounds = np.array([b for p in plans for b in p.bounds], np.int64)
    floor = bounds[np.searchsorted(bounds, ts, side="right") - 1]

    print_stamp, loose = _print_stamps(code, ts, auction, midnight, halts, plans)
    h_code, h_start, h_end = halts
    ended = h_end != NEVER
    halt_bounds = _latest_time(
        code,
        ts,
        np.concatenate([h_code, h_code[ended]]),
        np.concatenate([h_start, h_end[ended]]),
        inclusive=True,
    )
    loose_bounds = _latest_time(code, ts, code[loose], ts[loose], inclusive=False)
    floor = np.maximum(floor, np.maximum(halt_bounds, loose_bounds))
    cell = anchor + (ts - anchor) // interval_ns * interval_ns
    stamp = np.where(auction, print_stamp, np.maximum(cell, floor))
    kind = np.where(auction, AUCTION, GRID).astype(np.int64)
    return stamp, kind


def _print_stamps(
    code: Array,
    ts: Array,
    auction: Array,
    midnight: Array,
    halts: tuple[Array, Array, Array],
    plans: list[DayPlan],
) -> tuple[Array, Array]:
    """Stamps of auction prints (other rows get their own ts) and the mask of unattributed
    prints: a same-day halt's resumption first, then the one-shot call-session windows."""
    h_code, h_start, h_end = halts
    latest = _latest(code, ts, h_code, h_start, inclusive=True)
    start, end = _pick(h_start, latest, NO_TIME), _pick(h_end, latest, NO_TIME)
    by_halt = auction & (latest >= 0) & (start >= midnight) & (ts - _HALT_GRACE_NS <= end)

    w_start = np.array([w.start_ns for p in plans for w in p.windows], np.int64)
    w_until = np.array([w.until_ns for p in plans for w in p.windows], np.int64)
    window = np.searchsorted(w_start, ts, side="right") - 1
    by_window = auction & ~by_halt & (ts < _pick(w_until, window, NO_TIME))
    loose = auction & ~by_halt & ~by_window
    stamp = np.where(by_halt, start, np.where(by_window, _pick(w_start, window, NO_TIME), ts))
    return stamp, loose


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
