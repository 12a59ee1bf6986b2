"""Tick-grid arithmetic on NumPy arrays: the vector twin of `jts.krx.ticks` and `jts.krx.limits`.

The generator rounds hundreds of millions of prices, so it cannot call the scalar rules once per
price. These helpers take the same dated tick tables from `jts.krx` and apply them to arrays;
tests pin them against the scalar functions. Prices are float64 holding whole KRW (exact below
2**53) or int64 KRW.

`Ladder` is one tick table. `Bands` serves the hot loop: within one symbol-day every price lies
between the day's low and high, which span at most one band boundary (the widest daily range,
a leveraged ETF at ±60%, spans a factor of 4 but the ETF table has a single boundary; stock
ranges span at most 1.86 while stock boundaries are 2.5x apart), so a row needs only the ticks
below and above that one boundary.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

import numpy as np

from jts.krx.ticks import TickTable

Array = np.ndarray[Any, Any]


class Ladder:
    """One tick table as arrays: `bounds` are the band upper bounds, `ticks` one more entry."""

    __slots__ = ("bounds", "smallest", "ticks", "ticks_int")

    def __init__(self, table: TickTable) -> None:
        self.bounds = np.array([upper for upper, _ in table[:-1]], dtype=np.float64)
        self.ticks = np.array([tick for _, tick in table], dtype=np.float64)
        self.ticks_int = self.ticks.astype(np.int64)
        self.smallest = int(table[0][1])

    @staticmethod
    @functools.lru_cache(maxsize=16)
    def of(table: TickTable) -> Ladder:
        """The (cached) ladder of `table`."""
        return Ladder(table)

    def band(self, prices: Array) -> Array:
        """Index of the band of each price (0 = the lowest band)."""
        return np.searchsorted(self.bounds, prices, side="right")

    def tick(self, prices: Array) -> Array:
        """Tick in KRW (float64) of each price."""
        return self.ticks[self.band(prices)]

    def floor(self, prices: Array) -> Array:
        """Largest valid price <= each price (float64)."""
        tick = self.tick(prices)
        return np.floor(prices / tick) * tick

    def ceil(self, prices: Array) -> Array:
        """Smallest valid price >= each price (float64); nested tables keep it on its grid."""
        tick = self.tick(prices)
        return np.ceil(prices / tick) * tick

    def nearest(self, prices: Array) -> Array:
        """Nearest valid price, ties going up (as `round_to_tick(mode="nearest")`)."""
        down, up = self.floor(prices), self.ceil(prices)
        return np.where((down > 0) & (prices - down < up - prices), down, up)

    def next_up(self, prices: Array) -> Array:
        """The valid price one tick above each valid price."""
        return prices + self.tick(prices)

    def next_down(self, prices: Array) -> Array:
        """The valid price one tick below each valid price (its tick is that of price - 1)."""
        return prices - self.tick(prices - 1)

    def limits(self, base: Array, percent: Array) -> tuple[Array, Array]:
        """(lower, upper) int64 daily limits of int64 `base` at ±`percent` % (KRX.md §5)."""
        width = base * percent // 100
        width -= width % self._tick_int(base)
        upper = base + width
        upper -= upper % self._tick_int(upper)
        lower = base - width
        positive = np.maximum(lower, 1)
        lower = np.where(lower > 0, lower - lower % self._tick_int(positive), 0)
        return np.maximum(lower, self.smallest), upper

    def _tick_int(self, prices: Array) -> Array:
        return self.ticks_int[self.band(prices)]


@dataclass(frozen=True, slots=True)
class RowLadders:
    """The ladder of each row on one day: rows fall in a few classes sharing one table.

    `klass[i]` is row i's class, `ladders[k]` the table of class k, `groups[k]` its rows.
    """

    klass: Array
    ladders: tuple[Ladder, ...]
    groups: tuple[Array, ...]

    @classmethod
    def build(cls, klass: Array, ladders: tuple[Ladder, ...]) -> RowLadders:
        groups = tuple(np.flatnonzero(klass == k) for k in range(len(ladders)))
        return cls(klass, ladders, groups)

    def take(self, rows: Array) -> RowLadders:
        return RowLadders.build(self.klass[rows], self.ladders)

    def ladder(self, row: int) -> Ladder:
        return self.ladders[int(self.klass[row])]

    def _pairs(self) -> list[tuple[Ladder, Array]]:
        return [
            (lad, rows) for lad, rows in zip(self.ladders, self.groups, strict=True) if len(rows)
        ]

    def apply(self, method: str, values: Array) -> Array:
        """`Ladder.<method>` on a 1-D float array whose element i belongs to row i."""
        out = np.empty(len(values), dtype=np.float64)
        for ladder, rows in self._pairs():
            out[rows] = getattr(ladder, method)(values[rows])
        return out

    def limits(self, base: Array, percent: Array) -> tuple[Array, Array]:
        """Daily (lower, upper) int64 limits of each row's int64 `base` at its `percent`."""
        lower = np.empty(len(base), dtype=np.int64)
        upper = np.empty(len(base), dtype=np.int64)
        for ladder, rows in self._pairs():
            lower[rows], upper[rows] = ladder.limits(base[rows], percent[rows])
        return lower, upper

    def bands(self, low: Array, high: Array) -> Bands:
        """`Bands` for rows whose prices stay in [low, high] (1-D float arrays)."""
        edge = np.empty(len(low))
        lower_tick = np.empty(len(low))
        upper_tick = np.empty(len(low))
        for ladder, rows in self._pairs():
            band_lo, band_hi = ladder.band(low[rows]), ladder.band(high[rows])
            if np.any(band_hi - band_lo > 1):
                raise AssertionError("a symbol-day spans more than one tick band boundary")
            edge[rows] = np.append(ladder.bounds, np.inf)[band_lo]
            lower_tick[rows] = ladder.ticks[band_lo]
            upper_tick[rows] = ladder.ticks[band_hi]
        return Bands(edge[:, None], lower_tick[:, None], upper_tick[:, None])


@dataclass(frozen=True, slots=True)
class Bands:
    """Per-row tick parameters for prices inside each row's [low, high] (shape (rows, 1)).

    `edge` is the one band boundary inside the row's range (inf when there is none); prices at
    or above it use `upper_tick`, below it `lower_tick`. Arrays broadcast against (rows, n).
    """

    edge: Array
    lower_tick: Array
    upper_tick: Array

    @property
    def uniform(self) -> bool:
        """True when no row crosses a boundary (one tick per row: a cheaper path)."""
        return bool(np.all(self.lower_tick == self.upper_tick))

    def rows(self, index: Array | int) -> Bands:
        """The bands of some rows (an index array or one row, kept 2-D)."""
        pick = np.atleast_1d(index)
        return Bands(self.edge[pick], self.lower_tick[pick], self.upper_tick[pick])

    def tick(self, prices: Array) -> Array:
        if self.uniform:
            return np.broadcast_to(self.lower_tick, prices.shape)
        step: Array = self.lower_tick + (self.upper_tick - self.lower_tick) * (prices >= self.edge)
        return step

    def floor(self, prices: Array) -> Array:
        """Largest valid price <= each price (prices inside the row's range)."""
        tick = self.tick(prices)
        return np.floor(prices / tick) * tick

    def ceil(self, prices: Array) -> Array:
        """Smallest valid price >= each price (prices inside the row's range)."""
        tick = self.tick(prices)
        return np.ceil(prices / tick) * tick
