"""Streaming boolean helpers: crosses_above, crosses_below, rising, falling.

Unlike the indicators these are positional: they compare consecutive *bars*, and a NaN on any
bar they look at makes them false (NaN compares false with everything, so no test is needed).
"""

from __future__ import annotations

import math

from jts.strategy.indicators.spec import window_length as _n

NAN = math.nan


class CrossesAbove:
    """a > b on this bar and a <= b on the previous bar, all four values defined."""

    __slots__ = ("_a", "_b", "value")

    def __init__(self) -> None:
        self._a = self._b = NAN
        self.value = False

    def update(self, a: float, b: float) -> bool:
        self.value = a > b and self._a <= self._b
        self._a = a
        self._b = b
        return self.value


class CrossesBelow:
    """a < b on this bar and a >= b on the previous bar, all four values defined."""

    __slots__ = ("_a", "_b", "value")

    def __init__(self) -> None:
        self._a = self._b = NAN
        self.value = False

    def update(self, a: float, b: float) -> bool:
        self.value = a < b and self._a >= self._b
        self._a = a
        self._b = b
        return self.value


class Rising:
    """x[t] > x[t-1] > ... > x[t-n]: strictly up on each of the last `n` bars, all defined."""

    __slots__ = ("_n", "_prev", "_run", "value")

    def __init__(self, n: int) -> None:
        self._n = _n("rising", n)
        self._run = 0
        self._prev = NAN
        self.value = False

    def update(self, x: float) -> bool:
        if x > self._prev:
            if self._run < self._n:
                self._run += 1
        else:
            self._run = 0
        self._prev = x
        self.value = self._run >= self._n
        return self.value


class Falling:
    """x[t] < x[t-1] < ... < x[t-n]: strictly down on each of the last `n` bars, all defined."""

    __slots__ = ("_n", "_prev", "_run", "value")

    def __init__(self, n: int) -> None:
        self._n = _n("falling", n)
        self._run = 0
        self._prev = NAN
        self.value = False

    def update(self, x: float) -> bool:
        if x < self._prev:
            if self._run < self._n:
                self._run += 1
        else:
            self._run = 0
        self._prev = x
        self.value = self._run >= self._n
        return self.value
