"""Streaming change indicators: Wilder RSI, rate of change and on-balance volume.

See `stream` for the contract every state here follows.
"""

from __future__ import annotations

import math

from jts.strategy.indicators.spec import window_length as _n

NAN = math.nan


class Rsi:
    """Wilder RSI in percent: 100 with no losses, 0 with no gains, 50 if neither."""

    __slots__ = ("_ag", "_al", "_fn", "_fn1", "_k", "_n", "_prev", "_started", "value")

    def __init__(self, n: int = 14) -> None:
        self._n = _n("rsi", n)
        self._fn = float(self._n)
        self._fn1 = float(self._n - 1)
        self._started = False
        self._prev = 0.0
        self._k = 0
        self._ag = 0.0
        self._al = 0.0
        self.value = NAN

    def update(self, x: float) -> float:
        if x - x != 0.0:
            self.value = NAN
            return NAN
        if not self._started:
            self._started = True
            self._prev = x
            self.value = NAN
            return NAN
        d = x - self._prev
        self._prev = x
        g = d if d > 0.0 else 0.0
        loss = -d if d < 0.0 else 0.0
        if self._k >= self._n:
            ag = (self._ag * self._fn1 + g) / self._fn
            al = (self._al * self._fn1 + loss) / self._fn
        else:
            ag = self._ag + g
            al = self._al + loss
            self._k += 1
            if self._k < self._n:
                self._ag = ag
                self._al = al
                self.value = NAN
                return NAN
            ag = ag / self._fn
            al = al / self._fn
        self._ag = ag
        self._al = al
        if al == 0.0:
            self.value = 50.0 if ag == 0.0 else 100.0
        else:
            self.value = ag / (ag + al) * 100.0
        return self.value


class Roc:
    """Percent change against the value `n` valid bars back; NaN when that value is 0."""

    __slots__ = ("_filled", "_head", "_n", "_ring", "value")

    def __init__(self, n: int) -> None:
        self._n = _n("roc", n)
        self._ring = [0.0] * self._n
        self._head = 0
        self._filled = False
        self.value = NAN

    def update(self, x: float) -> float:
        if x - x != 0.0:
            self.value = NAN
            return NAN
        head = self._head
        old = self._ring[head]
        ready = self._filled
        self._ring[head] = x
        head += 1
        if head == self._n:
            head = 0
            self._filled = True
        self._head = head
        self.value = (x - old) / old * 100.0 if ready and old != 0.0 else NAN
        return self.value


class Obv:
    """On-balance volume: 0 at the first valid bar, then ± volume as the close rises or falls."""

    __slots__ = ("_acc", "_pc", "_started", "value")

    def __init__(self) -> None:
        self._started = False
        self._pc = 0.0
        self._acc = 0.0
        self.value = NAN

    def update(self, close: float, volume: float) -> float:
        if close - close != 0.0 or volume - volume != 0.0:
            self.value = NAN
            return NAN
        if self._started:
            if close > self._pc:
                self._acc += volume
            elif close < self._pc:
                self._acc -= volume
        self._started = True
        self._pc = close
        self.value = self._acc
        return self._acc
