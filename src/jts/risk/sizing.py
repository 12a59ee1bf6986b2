"""Position sizing: how many shares an entry buys, from the price, the equity and volatility.

    sizer = VolatilityTarget(risk_pct=1.0, atr_multiple=2.0, period=14)
    qty = sizer.shares(price=70_000, equity=100_000_000, atr=sizer.atr_of(high, low, close))

Four models, each a frozen value with one method, `shares(price, equity, *, atr, lot)`:

* `FixedShares(qty)`            always `qty` shares
* `FixedValue(krw)`             as many shares as `krw` KRW pays for at `price`
* `PercentOfEquity(pct)`        as many shares as `pct` % of equity pays for at `price`
* `VolatilityTarget(risk_pct, atr_multiple, period)`
                                shares such that a stop `atr_multiple` × ATR away loses about
                                `risk_pct` % of equity: the risk of one trade is capped, so a
                                calm stock gets a bigger position than a wild one

Why pure functions of their inputs: sizing runs in the backtest, paper and live alike, and a
model that reads no state answers the same everywhere. The result is rounded DOWN to whole
`lot`s (a model never buys more than it was asked to), is never negative, and is 0 when the
inputs leave nothing sensible to buy (price or equity not positive, lot below 1). Cash, order
size and position limits are the `RiskEngine`'s job, not the sizer's; the one cap here is
`VolatilityTarget`'s (below), because its formula alone can ask for more than the account has.

Units: `price` in int KRW per share, `equity` in int KRW (cash plus positions at their last
prices), percentages in percent (1.0 = 1 %, as `RiskLimits.fat_finger_pct`), `atr` in KRW
per share, `lot` and the result in int shares. A model built with an invalid field raises
`InvalidInput` naming the field.

`atr` is Wilder's average true range, the same definition as the strategy language's
`atr(n)` (docs/strategy-language.md), so that a size computed here matches an exit distance
`2 * atr(14)` written in a program.
"""

from __future__ import annotations

import math
from fractions import Fraction
from typing import Protocol

import msgspec
import numpy as np
import numpy.typing as npt

from jts.core.errors import InvalidInput

__all__ = [
    "FixedShares",
    "FixedValue",
    "PercentOfEquity",
    "PositionSizer",
    "VolatilityTarget",
    "atr",
    "true_range",
]

FloatArray = npt.NDArray[np.float64]


class PositionSizer(Protocol):
    """What a strategy runner asks of a sizing model: shares to buy at `price` KRW."""

    def shares(self, price: int, equity: int, *, atr: float | None = None, lot: int = 1) -> int:
        """Whole lots of shares (>= 0) for an entry at `price` KRW with `equity` KRW."""
        ...


class FixedShares(msgspec.Struct, frozen=True):
    """Always the same number of shares, whatever the price or the account's size."""

    qty: int
    """Shares per entry (>= 1); rounded down to whole lots when sized."""

    def __post_init__(self) -> None:
        _positive_int("qty", self.qty)

    def shares(self, price: int, equity: int, *, atr: float | None = None, lot: int = 1) -> int:
        """`qty` in whole lots; 0 when price or equity is not positive (`atr` is unused)."""
        if _unusable(price, equity, lot):
            return 0
        return _whole_lots(self.qty, lot)


class FixedValue(msgspec.Struct, frozen=True):
    """The same amount of money per entry, so positions are alike in KRW, not in shares."""

    krw: int
    """Money per entry, KRW (>= 1)."""

    def __post_init__(self) -> None:
        _positive_int("krw", self.krw)

    def shares(self, price: int, equity: int, *, atr: float | None = None, lot: int = 1) -> int:
        """The whole lots `krw` KRW pays for at `price` KRW (`atr` is unused)."""
        if _unusable(price, equity, lot):
            return 0
        return _whole_lots(self.krw // price, lot)


class PercentOfEquity(msgspec.Struct, frozen=True):
    """A fixed share of the account per entry: positions grow and shrink with the equity."""

    pct: float
    """Percent of equity per entry, in (0, 100] (10.0 = 10 %)."""

    def __post_init__(self) -> None:
        _percent("pct", self.pct)

    def shares(self, price: int, equity: int, *, atr: float | None = None, lot: int = 1) -> int:
        """The whole lots `pct` % of `equity` KRW pays for at `price` KRW; their value never
        exceeds `equity` × `pct` / 100. Computed exactly with `pct` as written in decimal
        (0.29 is 29/10,000, not the binary float just below it, which would buy one share
        less of 1 KRW at 10,000 KRW of equity), so float rounding moves no share either way."""
        if _unusable(price, equity, lot):
            return 0
        budget = Fraction(equity) * Fraction(repr(float(self.pct))) / 100
        return _whole_lots(math.floor(budget / price), lot)


class VolatilityTarget(msgspec.Struct, frozen=True):
    """Risk a fixed share of equity per trade, measured by the stop `atr_multiple` × ATR away.

    shares ≈ (`risk_pct` / 100 × equity) / (`atr_multiple` × ATR): a stock whose ATR is twice
    as large gets half the shares, so every entry stands to lose about the same KRW at its
    stop. Capped at what `equity` pays for at `price` (a cash account cannot buy more), since
    a very calm stock would otherwise ask for a position larger than the account.
    """

    risk_pct: float
    """Percent of equity lost if the stop is hit, in (0, 100] (1.0 = 1 %)."""
    atr_multiple: float = 2.0
    """Distance of the stop in ATRs (> 0): 2.0 means a stop two average true ranges away."""
    period: int = 14
    """Bars of the ATR this model is meant with (>= 1); `atr_of` uses it."""

    def __post_init__(self) -> None:
        _percent("risk_pct", self.risk_pct)
        multiple = self.atr_multiple
        if isinstance(multiple, bool) or not isinstance(multiple, int | float):
            raise InvalidInput("atr_multiple", f"must be a number, got {multiple!r}")
        if not (math.isfinite(multiple) and multiple > 0):
            raise InvalidInput("atr_multiple", f"must be a positive number, got {multiple!r}")
        _positive_int("period", self.period)

    def atr_of(self, high: npt.ArrayLike, low: npt.ArrayLike, close: npt.ArrayLike) -> float:
        """The ATR of these bars over this model's `period` (NaN with fewer bars), KRW."""
        return atr(high, low, close, self.period)

    def shares(self, price: int, equity: int, *, atr: float | None = None, lot: int = 1) -> int:
        """Whole lots whose loss at the stop is at most `risk_pct` % of `equity` KRW.

        `atr` (KRW per share, over `period` bars) is required: without a volatility there is
        no size, and a silent 0 would hide the caller's mistake, so a missing, NaN or
        non-positive one raises `InvalidInput` naming `atr`."""
        if atr is None or not math.isfinite(atr) or atr <= 0:
            raise InvalidInput(
                "atr",
                f"volatility targeting needs a positive ATR in KRW, got {atr!r} "
                f"(NaN means fewer than {self.period} bars)",
            )
        if _unusable(price, equity, lot):
            return 0
        affordable = equity // price
        per_share = self.atr_multiple * atr  # KRW lost per share at the stop
        quotient = equity * self.risk_pct / 100 / per_share if per_share > 0 else math.inf
        wanted = math.floor(quotient) if quotient < affordable else affordable
        return _whole_lots(wanted, lot)


# -- average true range ---------------------------------------------------------------------


def true_range(high: npt.ArrayLike, low: npt.ArrayLike, close: npt.ArrayLike) -> FloatArray:
    """Each bar's true range, KRW: the largest of high - low, |high - previous close| and
    |low - previous close|, so that a gap between bars counts as movement. The first bar has
    no previous close: its range is high - low. NaN in the inputs stays NaN."""
    h, lo, c = _bars(high, low, close)
    tr = h - lo
    if len(tr) > 1:
        previous = c[:-1]
        gap = np.maximum(np.abs(h[1:] - previous), np.abs(lo[1:] - previous))
        tr[1:] = np.maximum(tr[1:], gap)
    return tr


def atr(high: npt.ArrayLike, low: npt.ArrayLike, close: npt.ArrayLike, period: int) -> float:
    """Wilder's average true range after the last bar, KRW; NaN with fewer than `period` bars.

    The first value (at bar `period`) is the mean of the first `period` true ranges; each
    later bar moves it by 1/`period` of the way to its true range:
    atr = (atr × (period - 1) + tr) / period. Bars are in time order, oldest first."""
    _positive_int("period", period)
    tr = true_range(high, low, close)
    if len(tr) < period:
        return math.nan
    value = float(tr[:period].mean())
    keep = period - 1
    for item in tr[period:].tolist():
        value = (value * keep + item) / period
    return value


def _bars(
    high: npt.ArrayLike, low: npt.ArrayLike, close: npt.ArrayLike
) -> tuple[FloatArray, FloatArray, FloatArray]:
    arrays = []
    for name, values in (("high", high), ("low", low), ("close", close)):
        array = np.asarray(values, dtype=np.float64)
        if array.ndim != 1:
            raise InvalidInput(name, f"must be one series of bars, got shape {array.shape}")
        arrays.append(array)
    h, lo, c = arrays
    if not len(h) == len(lo) == len(c):
        raise InvalidInput(
            "close", f"high, low and close differ in length ({len(h)}, {len(lo)}, {len(c)})"
        )
    return h, lo, c


# -- helpers ----------------------------------------------------------------------------------


def _unusable(price: int, equity: int, lot: int) -> bool:
    """Inputs that leave nothing sensible to buy: no price, no money, no lot."""
    return price <= 0 or equity <= 0 or lot < 1


def _whole_lots(shares: int, lot: int) -> int:
    """`shares` rounded down to a multiple of `lot`, never below 0."""
    return max(0, shares - shares % lot)


def _positive_int(name: str, value: object) -> None:
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidInput(name, f"must be a whole number, got {value!r}")
    if value < 1:
        raise InvalidInput(name, f"must be at least 1, got {value}")


def _percent(name: str, value: object) -> None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InvalidInput(name, f"must be a number of percent, got {value!r}")
    if not (math.isfinite(value) and 0 < value <= 100):
        raise InvalidInput(name, f"must be a percentage in (0, 100], got {value!r}")
