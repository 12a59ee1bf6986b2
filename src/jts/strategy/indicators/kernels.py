"""Numba kernels behind `batch`: one scalar recurrence per indicator, run along each symbol.

Every kernel takes C-contiguous (symbols × bars) float64 arrays — one row per symbol, so a
symbol's bars are adjacent in memory — and writes into preallocated outputs of that layout.
The arithmetic of each bar is written exactly as in the matching `stream` class, operation for
operation and in the same order, so both paths give the same float bits: IEEE-754 +, -, *, /
and sqrt are correctly rounded in CPython and in Numba's compiled code alike, and Numba runs
without `fastmath` (no reassociation, no fused multiply-add). Constants derived from parameters
(`fn = float(n)`, alpha, ...) are computed once in Python by `batch` and passed in.

A bar whose inputs are not all finite is skipped: its output is NaN and the state is untouched
(see `spec`). Window sums are running sums re-anchored (summed afresh from the ring) each time
the ring wraps, every n valid bars: O(1) amortized work per bar, and a sum carries the rounding
of at most n - 1 updates (a huge value passing through spoils at most one window after it).

Compiled code is cached on disk (`cache=True`); where no cache directory is writable the
kernels are compiled in memory instead, once per process.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any, TypeVar

import numba
import numpy as np
import numpy.typing as npt
from numba.core.dispatcher import Dispatcher

F2 = npt.NDArray[np.float64]
B2 = npt.NDArray[np.bool_]
I1 = npt.NDArray[np.int64]
F1 = npt.NDArray[np.float64]

_F = TypeVar("_F", bound=Callable[..., Any])


def _jit(fn: _F) -> Dispatcher[_F]:
    """Compile lazily with an on-disk cache, or without one if no cache directory is writable."""
    try:
        return numba.njit(cache=True, nogil=True, error_model="numpy")(fn)
    except RuntimeError:  # numba: "cannot cache function ...: no locator available"
        return numba.njit(nogil=True, error_model="numpy")(fn)


@_jit
def _ring_sum(ring: F1) -> float:
    s = 0.0
    for r in range(ring.shape[0]):
        s += ring[r]
    return s


@_jit
def _ring_m2(ring: F1, mu: float) -> float:
    m2 = 0.0
    for r in range(ring.shape[0]):
        dev = ring[r] - mu
        m2 += dev * dev
    return m2


@_jit
def _sd(m2: float, fn: float) -> float:
    var = m2 / fn
    if var < 0.0:
        var = 0.0
    return math.sqrt(var)


@_jit
def window_mean(x: F2, n: int, fn: float, mean: F2, sd: F2, with_sd: bool) -> None:
    """sma (and, with `with_sd`, population stdev) over the last n valid values."""
    cols, bars = x.shape
    ring = np.zeros(n)
    for j in range(cols):
        ring[:] = 0.0
        head = 0
        filled = False
        s = 0.0
        m2 = 0.0
        for i in range(bars):
            v = x[j, i]
            if math.isfinite(v):
                old = ring[head]
                ring[head] = v
                head += 1
                if head == n:
                    head = 0
                    filled = True
                    s = _ring_sum(ring)
                    m2 = _ring_m2(ring, s / fn) if with_sd else 0.0
                elif filled:
                    mu_old = s / fn
                    d = v - old
                    s += d
                    m2 += d * ((v - s / fn) + (old - mu_old)) if with_sd else 0.0
            ok = filled and math.isfinite(v)
            mean[j, i] = s / fn if ok else np.nan
            if with_sd:
                sd[j, i] = _sd(m2, fn) if ok else np.nan


@_jit
def wma(x: F2, n: int, fn: float, denom: float, out: F2) -> None:
    """Weighted mean, weights 1..n with the newest heaviest, over the last n valid values."""
    cols, bars = x.shape
    ring = np.zeros(n)
    for j in range(cols):
        ring[:] = 0.0
        head = 0
        filled = False
        s = 0.0
        num = 0.0
        for i in range(bars):
            v = x[j, i]
            if not math.isfinite(v):
                out[j, i] = np.nan
                continue
            old = ring[head]
            ring[head] = v
            head += 1
            if head == n:
                head = 0
                filled = True
                s = 0.0
                num = 0.0
                w = 0.0
                for r in range(n):
                    w += 1.0
                    s += ring[r]
                    num += w * ring[r]
            elif filled:
                num += fn * v - s
                s += v - old
            out[j, i] = num / denom if filled else np.nan


@_jit
def ema(x: F2, n: int, fn: float, alpha: float, out: F2) -> None:
    """Exponential average seeded with the mean of the first n valid values."""
    cols, bars = x.shape
    for j in range(cols):
        k = 0
        s = 0.0
        e = 0.0
        for i in range(bars):
            v = x[j, i]
            if not math.isfinite(v):
                out[j, i] = np.nan
                continue
            if k >= n:
                e = e + alpha * (v - e)
            else:
                s += v
                k += 1
                if k < n:
                    out[j, i] = np.nan
                    continue
                e = s / fn
            out[j, i] = e


@_jit
def rsi(x: F2, n: int, fn: float, fn1: float, out: F2) -> None:
    """Wilder RSI; 100 with no losses, 50 when gains and losses are both zero."""
    cols, bars = x.shape
    for j in range(cols):
        started = False
        prev = 0.0
        k = 0
        ag = 0.0
        al = 0.0
        for i in range(bars):
            v = x[j, i]
            if not math.isfinite(v):
                out[j, i] = np.nan
                continue
            if not started:
                started = True
                prev = v
                out[j, i] = np.nan
                continue
            d = v - prev
            prev = v
            g = d if d > 0.0 else 0.0
            loss = -d if d < 0.0 else 0.0
            if k >= n:
                ag = (ag * fn1 + g) / fn
                al = (al * fn1 + loss) / fn
            else:
                ag += g
                al += loss
                k += 1
                if k < n:
                    out[j, i] = np.nan
                    continue
                ag = ag / fn
                al = al / fn
            if al == 0.0:
                out[j, i] = 50.0 if ag == 0.0 else 100.0
            else:
                out[j, i] = ag / (ag + al) * 100.0


@_jit
def atr(high: F2, low: F2, close: F2, n: int, fn: float, fn1: float, out: F2) -> None:
    """Wilder average of the true range; the first valid bar's range is high - low."""
    cols, bars = close.shape
    for j in range(cols):
        started = False
        pc = 0.0
        k = 0
        a = 0.0
        for i in range(bars):
            h = high[j, i]
            lo = low[j, i]
            c = close[j, i]
            if not (math.isfinite(h) and math.isfinite(lo) and math.isfinite(c)):
                out[j, i] = np.nan
                continue
            tr = h - lo
            if started:
                up = abs(h - pc)
                if up > tr:
                    tr = up
                dn = abs(lo - pc)
                if dn > tr:
                    tr = dn
            started = True
            pc = c
            if k >= n:
                a = (a * fn1 + tr) / fn
            else:
                a += tr
                k += 1
                if k < n:
                    out[j, i] = np.nan
                    continue
                a = a / fn
            out[j, i] = a


@_jit
def _deque_push(
    vals: F1, slots: I1, front: int, size: int, head: int, n: int, v: float, top: bool
) -> tuple[int, int]:
    """Monotonic deque step for the max (`top`) or min of the last n values; ties keep the newest.

    The deque holds (value, ring slot) pairs, oldest first; an entry leaves the window when its
    slot is about to be written again, which can only happen to the front one.
    """
    if size > 0 and slots[front] == head:
        front += 1
        if front == n:
            front = 0
        size -= 1
    while size > 0:
        back = front + size - 1
        if back >= n:
            back -= n
        if (vals[back] > v) if top else (vals[back] < v):
            break
        size -= 1
    back = front + size
    if back >= n:
        back -= n
    vals[back] = v
    slots[back] = head
    return front, size + 1


@_jit
def extreme(x: F2, n: int, top: bool, out: F2) -> None:
    """highest (`top`) or lowest of the last n valid values."""
    cols, bars = x.shape
    vals = np.zeros(n)
    slots = np.zeros(n, dtype=np.int64)
    for j in range(cols):
        head = 0
        filled = False
        front = 0
        size = 0
        for i in range(bars):
            v = x[j, i]
            if not math.isfinite(v):
                out[j, i] = np.nan
                continue
            front, size = _deque_push(vals, slots, front, size, head, n, v, top)
            head += 1
            if head == n:
                head = 0
                filled = True
            out[j, i] = vals[front] if filled else np.nan


@_jit
def stochastic_raw(high: F2, low: F2, close: F2, n: int, out: F2) -> None:
    """Raw %K: where the close sits in the n-bar high-low range, in percent (50 if no range)."""
    cols, bars = close.shape
    hv = np.zeros(n)
    hs = np.zeros(n, dtype=np.int64)
    lv = np.zeros(n)
    ls = np.zeros(n, dtype=np.int64)
    for j in range(cols):
        head = 0
        filled = False
        hf = hn = lf = ln = 0
        for i in range(bars):
            h = high[j, i]
            lo = low[j, i]
            c = close[j, i]
            if not (math.isfinite(h) and math.isfinite(lo) and math.isfinite(c)):
                out[j, i] = np.nan
                continue
            hf, hn = _deque_push(hv, hs, hf, hn, head, n, h, True)
            lf, ln = _deque_push(lv, ls, lf, ln, head, n, lo, False)
            head += 1
            if head == n:
                head = 0
                filled = True
            if not filled:
                out[j, i] = np.nan
                continue
            span = hv[hf] - lv[lf]
            out[j, i] = 50.0 if span == 0.0 else (c - lv[lf]) / span * 100.0


@_jit
def roc(x: F2, n: int, out: F2) -> None:
    """Percent change against the value n valid bars back; NaN when that value is 0."""
    cols, bars = x.shape
    ring = np.zeros(n)
    for j in range(cols):
        ring[:] = 0.0
        head = 0
        filled = False
        for i in range(bars):
            v = x[j, i]
            if not math.isfinite(v):
                out[j, i] = np.nan
                continue
            old = ring[head]
            ready = filled
            ring[head] = v
            head += 1
            if head == n:
                head = 0
                filled = True
            out[j, i] = (v - old) / old * 100.0 if ready and old != 0.0 else np.nan


@_jit
def obv(close: F2, volume: F2, out: F2) -> None:
    """On-balance volume from 0 at the first valid bar."""
    cols, bars = close.shape
    for j in range(cols):
        started = False
        pc = 0.0
        acc = 0.0
        for i in range(bars):
            c = close[j, i]
            v = volume[j, i]
            if not (math.isfinite(c) and math.isfinite(v)):
                out[j, i] = np.nan
                continue
            if started:
                if c > pc:
                    acc += v
                elif c < pc:
                    acc -= v
            started = True
            pc = c
            out[j, i] = acc


@_jit
def vwap(high: F2, low: F2, close: F2, volume: F2, new_session: B2, out: F2) -> None:
    """Session VWAP of (h+l+c)/3; the sums reset on flagged bars, even when prices are missing."""
    cols, bars = close.shape
    for j in range(cols):
        pv = 0.0
        vv = 0.0
        for i in range(bars):
            if new_session[j, i]:
                pv = 0.0
                vv = 0.0
            h = high[j, i]
            lo = low[j, i]
            c = close[j, i]
            v = volume[j, i]
            finite = math.isfinite(h) and math.isfinite(lo) and math.isfinite(c)
            if not (finite and math.isfinite(v)):
                out[j, i] = np.nan
                continue
            pv += (h + lo + c) / 3.0 * v
            vv += v
            out[j, i] = pv / vv if vv > 0.0 else np.nan


@_jit
def run_length(x: F2, n: int, up: bool, out: B2) -> None:
    """rising (`up`) / falling: strictly monotone over each of the last n bars, all defined."""
    cols, bars = x.shape
    for j in range(cols):
        run = 0
        prev = np.nan
        for i in range(bars):
            v = x[j, i]
            if (v > prev) if up else (v < prev):
                if run < n:
                    run += 1
            else:
                run = 0
            prev = v
            out[j, i] = run >= n
