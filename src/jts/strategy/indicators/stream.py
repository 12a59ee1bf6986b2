"""Indicators bar by bar: one small state object per indicator per symbol.

The contract every state follows:

* `update(*inputs)` takes this bar's inputs as plain floats, in the order of
  `spec.SPECS[name].inputs`, and returns the first output (a bool for the helpers). Every
  output is also left in an attribute named as in the spec: `value`, or `line` / `signal` /
  `hist` (macd), `upper` / `mid` / `lower` (bollinger), `k` / `d` (stochastic).
* Work per bar is O(1) (window sums are summed afresh once every n valid bars, and the
  highest/lowest deques pop at most what they pushed: amortized O(1)); no container is
  allocated after construction, windows are preallocated lists used as rings.
* The arithmetic is that of `kernels`, operation for operation and in the same order, so a
  state fed a series bar by bar gives the same float bits as the `batch` function over the
  whole series, warm-up and missing data included (policy in `spec`).

`x - x != 0.0` is how the states test for missing data: it is true for NaN and ±inf only.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Protocol

from jts.strategy.indicators.spec import Params, resolve
from jts.strategy.indicators.stream_average import Bollinger, Ema, Macd, Sma, Stdev, Vwap, Wma
from jts.strategy.indicators.stream_change import Obv, Roc, Rsi
from jts.strategy.indicators.stream_range import Atr, Highest, Lowest, Stochastic
from jts.strategy.indicators.stream_signal import CrossesAbove, CrossesBelow, Falling, Rising

__all__ = [
    "STATES",
    "Atr",
    "Bollinger",
    "CrossesAbove",
    "CrossesBelow",
    "Ema",
    "Falling",
    "Highest",
    "Lowest",
    "Macd",
    "Obv",
    "Rising",
    "Roc",
    "Rsi",
    "Sma",
    "State",
    "Stdev",
    "Stochastic",
    "Vwap",
    "Wma",
    "new_state",
]


class State(Protocol):
    """What every streaming state offers: `update(*inputs)` returning its first output."""

    @property
    def update(self) -> Callable[..., float | bool]: ...


STATES: Mapping[str, Callable[..., State]] = {
    "sma": Sma,
    "ema": Ema,
    "wma": Wma,
    "rsi": Rsi,
    "macd": Macd,
    "bollinger": Bollinger,
    "atr": Atr,
    "stochastic": Stochastic,
    "vwap": Vwap,
    "highest": Highest,
    "lowest": Lowest,
    "roc": Roc,
    "stdev": Stdev,
    "obv": Obv,
    "crosses_above": CrossesAbove,
    "crosses_below": CrossesBelow,
    "rising": Rising,
    "falling": Falling,
}


def new_state(name: str, params: Params) -> State:
    """A fresh state for indicator `name`; `params` are checked and completed by `spec.resolve`."""
    return STATES[name](**resolve(name, params))
