"""Streaming range indicators: highest, lowest, stochastic and the average true range.

See `stream` for the contract every state here follows. Highest and lowest keep a monotonic
deque over the window (amortized O(1) per bar); of equal values the newest is reported, which
only shows for 0.0 against -0.0.
"""

from __future__ import annotations

import math

from jts.strategy.indicators.spec import checked
from jts.strategy.indicators.spec import window_length as _n
from jts.strategy.indicators.stream_average import Sma

NAN = math.nan


class _Deque:
    """Maximum (`top`) or minimum of the last n values pushed, as (value, ring slot) pairs.

    The entry pushed n values ago sits in the slot about to be reused, and only the front entry
    can be that old: it leaves before the new value comes in.
    """

    __slots__ = ("_front", "_n", "_size", "_slots", "_top", "_vals")

    def __init__(self, n: int, top: bool) -> None:
        self._n = n
        self._top = top
        self._vals = [0.0] * n
        self._slots = [0] * n
        self._front = 0
        self._size = 0

    def push(self, v: float, head: int) -> float:
        """Enter `v` into ring slot `head`; return the extreme of the window, `v` included."""
        n = self._n
        vals = self._vals
        slots = self._slots
        front = self._front
        size = self._size
        if size and slots[front] == head:
            front += 1
            if front == n:
                front = 0
            size -= 1
        top = self._top
        while size:
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
        self._front = front
        self._size = size + 1
        return vals[front]


class _Extreme:
    __slots__ = ("_deque", "_filled", "_head", "_n", "value")

    def __init__(self, indicator: str, n: int, top: bool) -> None:
        self._n = _n(indicator, n)
        self._deque = _Deque(self._n, top)
        self._head = 0
        self._filled = False
        self.value = NAN

    def update(self, x: float) -> float:
        if x - x != 0.0:
            self.value = NAN
            return NAN
        best = self._deque.push(x, self._head)
        head = self._head + 1
        if head == self._n:
            head = 0
            self._filled = True
        self._head = head
        self.value = best if self._filled else NAN
        return self.value


class Highest(_Extreme):
    """Largest of the last `n` valid values."""

    __slots__ = ()

    def __init__(self, n: int) -> None:
        super().__init__("highest", n, True)


class Lowest(_Extreme):
    """Smallest of the last `n` valid values."""

    __slots__ = ()

    def __init__(self, n: int) -> None:
        super().__init__("lowest", n, False)


class Stochastic:
    """%K = sma(raw, smooth) with raw = (c - LL)/(HH - LL)*100 over `n` bars (50 if HH == LL);
    %D = sma(%K, d). Returns %K."""

    __slots__ = ("_d", "_filled", "_head", "_high", "_k", "_low", "_n", "d", "k")

    def __init__(self, n: int = 14, smooth: int = 3, d: int = 3) -> None:
        p = checked("stochastic", n=n, smooth=smooth, d=d)
        self._n = int(p["n"])
        self._high = _Deque(self._n, True)
        self._low = _Deque(self._n, False)
        self._k = Sma(int(p["smooth"]))
        self._d = Sma(int(p["d"]))
        self._head = 0
        self._filled = False
        self.k = self.d = NAN

    def update(self, high: float, low: float, close: float) -> float:
        if high - high != 0.0 or low - low != 0.0 or close - close != 0.0:
            self.k = self.d = NAN
            return NAN
        head = self._head
        hh = self._high.push(high, head)
        ll = self._low.push(low, head)
        head += 1
        if head == self._n:
            head = 0
            self._filled = True
        self._head = head
        if self._filled:
            span = hh - ll
            raw = 50.0 if span == 0.0 else (close - ll) / span * 100.0
        else:
            raw = NAN
        k = self._k.update(raw)
        self.k = k
        self.d = self._d.update(k)
        return k


class Atr:
    """Wilder average of the true range; the first valid bar's range is high - low."""

    __slots__ = ("_a", "_fn", "_fn1", "_k", "_n", "_pc", "_started", "value")

    def __init__(self, n: int = 14) -> None:
        self._n = _n("atr", n)
        self._fn = float(self._n)
        self._fn1 = float(self._n - 1)
        self._started = False
        self._pc = 0.0
        self._k = 0
        self._a = 0.0
        self.value = NAN

    def update(self, high: float, low: float, close: float) -> float:
        if high - high != 0.0 or low - low != 0.0 or close - close != 0.0:
            self.value = NAN
            return NAN
        tr = high - low
        if self._started:
            pc = self._pc
            up = abs(high - pc)
            if up > tr:
                tr = up
            dn = abs(low - pc)
            if dn > tr:
                tr = dn
        self._started = True
        self._pc = close
        if self._k >= self._n:
            a = (self._a * self._fn1 + tr) / self._fn
        else:
            a = self._a + tr
            self._k += 1
            if self._k < self._n:
                self._a = a
                self.value = NAN
                return NAN
            a = a / self._fn
        self._a = a
        self.value = a
        return a
