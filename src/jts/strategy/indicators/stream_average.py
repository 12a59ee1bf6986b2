"""Streaming averages: sma, stdev, bollinger, wma, ema, macd and the session vwap.

See `stream` for the contract every state here follows.
"""

from __future__ import annotations

import math

from jts.strategy.indicators.spec import checked
from jts.strategy.indicators.spec import window_length as _n

NAN = math.nan


class Sma:
    """Mean of the last `n` valid values."""

    __slots__ = ("_filled", "_fn", "_head", "_n", "_ring", "_s", "value")

    def __init__(self, n: int) -> None:
        self._n = _n("sma", n)
        self._fn = float(self._n)
        self._ring = [0.0] * self._n
        self._head = 0
        self._filled = False
        self._s = 0.0
        self.value = NAN

    def update(self, x: float) -> float:
        if x - x != 0.0:
            self.value = NAN
            return NAN
        ring = self._ring
        head = self._head
        old = ring[head]
        ring[head] = x
        head += 1
        if head == self._n:
            head = 0
            self._filled = True
            s = 0.0
            for v in ring:
                s += v
            self._s = s
        elif self._filled:
            self._s += x - old
        self._head = head
        self.value = self._s / self._fn if self._filled else NAN
        return self.value


class Stdev:
    """Population standard deviation of the last `n` valid values; `mean` is their sma."""

    __slots__ = ("_filled", "_fn", "_head", "_m2", "_n", "_ring", "_s", "mean", "value")

    def __init__(self, n: int) -> None:
        self._n = _n("stdev", n)
        self._fn = float(self._n)
        self._ring = [0.0] * self._n
        self._head = 0
        self._filled = False
        self._s = 0.0
        self._m2 = 0.0
        self.mean = NAN
        self.value = NAN

    def update(self, x: float) -> float:
        if x - x != 0.0:
            self.mean = self.value = NAN
            return NAN
        ring = self._ring
        head = self._head
        fn = self._fn
        old = ring[head]
        ring[head] = x
        head += 1
        if head == self._n:
            head = 0
            self._filled = True
            s = 0.0
            for v in ring:
                s += v
            mu = s / fn
            m2 = 0.0
            for v in ring:
                dev = v - mu
                m2 += dev * dev
            self._s = s
            self._m2 = m2
        elif self._filled:
            mu_old = self._s / fn
            d = x - old
            self._s += d
            self._m2 += d * ((x - self._s / fn) + (old - mu_old))
        self._head = head
        if not self._filled:
            self.mean = self.value = NAN
            return NAN
        self.mean = self._s / fn
        var = self._m2 / fn
        if var < 0.0:
            var = 0.0
        self.value = math.sqrt(var)
        return self.value


class Bollinger:
    """mid = sma(x, n); upper / lower = mid ± k × population stdev. Returns upper (the first)."""

    __slots__ = ("_k", "_sd", "lower", "mid", "upper")

    def __init__(self, n: int = 20, k: float = 2.0) -> None:
        p = checked("bollinger", n=n, k=k)
        self._sd = Stdev(int(p["n"]))
        self._k = float(p["k"])
        self.upper = self.mid = self.lower = NAN

    def update(self, x: float) -> float:
        sd = self._sd
        width = self._k * sd.update(x)
        mid = sd.mean
        upper = mid + width
        self.upper = upper
        self.mid = mid
        self.lower = mid - width
        return upper


class Wma:
    """Linearly weighted mean of the last `n` valid values, weights 1..n, newest heaviest."""

    __slots__ = ("_denom", "_filled", "_fn", "_head", "_n", "_num", "_ring", "_s", "value")

    def __init__(self, n: int) -> None:
        self._n = _n("wma", n)
        self._fn = float(self._n)
        self._denom = float(self._n * (self._n + 1) // 2)
        self._ring = [0.0] * self._n
        self._head = 0
        self._filled = False
        self._s = 0.0
        self._num = 0.0
        self.value = NAN

    def update(self, x: float) -> float:
        if x - x != 0.0:
            self.value = NAN
            return NAN
        ring = self._ring
        head = self._head
        old = ring[head]
        ring[head] = x
        head += 1
        if head == self._n:
            head = 0
            self._filled = True
            s = num = w = 0.0
            for v in ring:
                w += 1.0
                s += v
                num += w * v
            self._s = s
            self._num = num
        elif self._filled:
            self._num += self._fn * x - self._s
            self._s += x - old
        self._head = head
        self.value = self._num / self._denom if self._filled else NAN
        return self.value


class Ema:
    """Exponential average, alpha = 2/(n+1), seeded with the mean of the first `n` values."""

    __slots__ = ("_alpha", "_e", "_fn", "_k", "_n", "_s", "value")

    def __init__(self, n: int) -> None:
        self._n = _n("ema", n)
        self._fn = float(self._n)
        self._alpha = 2.0 / (self._n + 1)
        self._k = 0
        self._s = 0.0
        self._e = 0.0
        self.value = NAN

    def update(self, x: float) -> float:
        if x - x != 0.0:
            self.value = NAN
            return NAN
        if self._k >= self._n:
            e = self._e
            e = e + self._alpha * (x - e)
        else:
            self._s += x
            self._k += 1
            if self._k < self._n:
                self.value = NAN
                return NAN
            e = self._s / self._fn
        self._e = e
        self.value = e
        return e


class Macd:
    """line = ema(fast) - ema(slow); signal = ema(line, signal); hist = line - signal."""

    __slots__ = ("_fast", "_signal", "_slow", "hist", "line", "signal")

    def __init__(self, fast: int = 12, slow: int = 26, signal: int = 9) -> None:
        p = checked("macd", fast=fast, slow=slow, signal=signal)
        self._fast = Ema(int(p["fast"]))
        self._slow = Ema(int(p["slow"]))
        self._signal = Ema(int(p["signal"]))
        self.line = self.signal = self.hist = NAN

    def update(self, x: float) -> float:
        line = self._fast.update(x) - self._slow.update(x)
        signal = self._signal.update(line)
        self.line = line
        self.signal = signal
        self.hist = line - signal
        return line


class Vwap:
    """Session VWAP of (h+l+c)/3 weighted by volume; `new_session` resets it on its bar."""

    __slots__ = ("_pv", "_vv", "value")

    def __init__(self) -> None:
        self._pv = 0.0
        self._vv = 0.0
        self.value = NAN

    def update(
        self, high: float, low: float, close: float, volume: float, new_session: bool
    ) -> float:
        if new_session:
            self._pv = 0.0
            self._vv = 0.0
        if high - high != 0.0 or low - low != 0.0 or close - close != 0.0 or volume - volume != 0.0:
            self.value = NAN
            return NAN
        self._pv += (high + low + close) / 3.0 * volume
        self._vv += volume
        self.value = self._pv / self._vv if self._vv > 0.0 else NAN
        return self.value
