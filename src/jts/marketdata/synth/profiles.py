"""Per-symbol character of the synthetic market: price level, volatility, tails, liquidity.

An `Instrument` carries no price, so everything numeric about a symbol comes from here,
derived from (seed, universe): one keyed stream per universe, element i for the i-th
instrument. Price anchors are stratified in log space over 1,000-1,000,000 KRW, so every stock
tick band (KRX.md §4) holds about its share of the symbols: with n >= 200 all seven bands are
used. ETFs sit between 1,500 and 60,000 KRW, across both ETF tick bands.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Final

import numpy as np

from jts.core.enums import InstrumentKind, Market
from jts.core.models import Instrument
from jts.krx.ticks import ETF_TICKS, STOCK_TICKS
from jts.marketdata.synth.grid import Ladder
from jts.marketdata.synth.keys import Stream, generator

Array = np.ndarray[Any, Any]

STOCK_PRICE_RANGE: Final = (1_000.0, 1_000_000.0)
ETF_PRICE_RANGE: Final = (1_500.0, 60_000.0)
LOCK_PROBABILITY: Final = 0.002
"""Chance per symbol-day of a limit-up lock, and the same again of a limit-down lock (stocks)."""

_VOL_RANGE: Final = {  # daily sd of log returns, drawn log-uniformly
    Market.KOSPI: (0.012, 0.030),
    Market.KOSDAQ: (0.018, 0.045),
    Market.KONEX: (0.020, 0.050),
}
_ETF_VOL_RANGE: Final = (0.006, 0.015)
_VALUE_RANGE: Final = {  # traded KRW per day, drawn log-uniformly
    "large": (5e9, 3e11),
    "stock": (2e8, 1e10),
    "konex": (5e6, 2e8),
    "etf": (1e8, 5e10),
}
_MIN_ADV: Final = 5_000.0


@dataclass(frozen=True, slots=True)
class Profiles:
    """Arrays indexed like the universe."""

    anchor: Array
    """Price level (KRW, a valid tick) the daily path wanders around; its starting price."""
    vol: Array
    """Daily standard deviation of idiosyncratic log returns."""
    beta: Array
    """Exposure to the common market factor (negative for inverse ETFs)."""
    tail_df: Array
    """Degrees of freedom of the Student-t shocks: lower means fatter tails."""
    adv: Array
    """Average daily volume in shares."""
    lock_probability: Array
    """Chance per day of each of a limit-up and a limit-down lock."""


def profiles(universe: Sequence[Instrument], *, seed: int) -> Profiles:
    """The profile of every instrument of `universe` (deterministic in seed and universe)."""
    n = len(universe)
    rng = generator(seed, Stream.PROFILE, ordinal=n)
    etf = np.array([i.kind in (InstrumentKind.ETF, InstrumentKind.ETN) for i in universe])
    leverage = np.array([i.leverage for i in universe], dtype=np.float64)
    anchor = _anchors(rng, etf)
    vol = np.where(etf, _log_uniform(rng, *_ETF_VOL_RANGE, n) * leverage, _stock_vol(rng, universe))
    inverse = np.array(["인버스" in i.name for i in universe])
    beta = np.where(etf, leverage, rng.uniform(0.5, 1.5, n)) * np.where(inverse, -1.0, 1.0)
    tail_df = np.where(etf, rng.uniform(5.0, 8.0, n), rng.uniform(3.0, 6.0, n))
    value = np.array([_log_uniform(rng, *_VALUE_RANGE[_liquidity(i)], 1)[0] for i in universe])
    adv = np.maximum(value / anchor, _MIN_ADV)
    lock = np.where(etf, 0.0, LOCK_PROBABILITY)
    return Profiles(anchor, vol, beta, tail_df, adv, lock)


def _anchors(rng: np.random.Generator, etf: Array) -> Array:
    """Stratified log-uniform levels, rounded down to a valid tick of their table."""
    n = len(etf)
    slot = (rng.permutation(n) + rng.random(n)) / max(n, 1)
    low, high = np.log(STOCK_PRICE_RANGE)
    stock = np.exp(low + slot * (high - low))
    etf_low, etf_high = np.log(ETF_PRICE_RANGE)
    etf_level = np.exp(etf_low + rng.random(n) * (etf_high - etf_low))
    stock = Ladder.of(STOCK_TICKS).floor(np.floor(stock))
    etf_level = Ladder.of(ETF_TICKS).floor(np.floor(etf_level))
    anchor: Array = np.where(etf, etf_level, stock)
    return anchor


def _stock_vol(rng: np.random.Generator, universe: Sequence[Instrument]) -> Array:
    vol = np.array([_log_uniform(rng, *_VOL_RANGE[i.market], 1)[0] for i in universe])
    large = np.array([i.nxt_eligible for i in universe])
    scaled: Array = vol * np.where(large, 0.8, 1.0)
    return scaled


def _liquidity(inst: Instrument) -> str:
    if inst.kind is not InstrumentKind.STOCK:
        return "etf"
    if inst.market is Market.KONEX:
        return "konex"
    return "large" if inst.nxt_eligible else "stock"


def _log_uniform(rng: np.random.Generator, low: float, high: float, size: int) -> Array:
    values: Array = np.exp(rng.uniform(np.log(low), np.log(high), size))
    return values
