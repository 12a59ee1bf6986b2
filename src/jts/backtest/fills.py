"""Fill models: where and how much of an order fills on the bar after it was decided.

No look-ahead by construction: an order decided at the close of bar t can only fill on the
symbol's next bar t+1, never on t. The model picks the price within bar t+1:

`next_open` (default)
    A market order fills at the open of t+1. A limit buy fills when the bar's low reaches the
    limit, at the better of open and limit; a limit sell when its high reaches it, at the
    better of open and limit. Whole quantity.
`close`
    As `next_open`, priced at the close of t+1 instead of its open (a resting limit order that
    the bar touched fills at the better of close and limit).
`limit_touch`
    `next_open` prices, but no order takes more than `participation` (default 10%) of the
    bar's volume: the rest of the order expires unfilled (a partial fill). Use it for
    illiquid symbols and big orders.

For every model:

* slippage: `slippage_ticks` KRX ticks against the order (buys pay up, sells receive less);
  a limit order still never fills beyond its limit;
* daily price limits (from the day's base price, `jts.krx.price_limits` with the symbol's
  market, ETF table and leverage): a fill price is clamped into the band; a bar locked at
  the upper limit (high = low = upper) fills buys only up to the participation share of its
  volume (default 10%, none with zero volume), and a bar locked at the lower limit likewise
  for sells: the queue at a locked limit is long and a backtest must not assume a place in it;
* cash: a buy is cut to the shares the cash pays for *with* its commission; a sell to the
  shares held;
* costs: the `CostModel` (`jts.backtest.costs`) prices each fill in whole KRW.

Prices are whole KRW (bars are on the tick grid; a float from a file is rounded to the won).
An unfilled remainder is not carried: an order lives for exactly one bar, like the strategy
engine's own assumption (`jts.strategy.engine`). An exit sent on a tick (event-driven runs
with ticks) fills at the tick's price, with the same slippage, limits and costs.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final, Protocol

from jts.backtest.costs import CostModel
from jts.core.enums import Market
from jts.core.errors import InvalidInput
from jts.core.models import Instrument
from jts.krx import price_limits, tick_size

__all__ = [
    "FILL_MODELS",
    "BarPrices",
    "FillModel",
    "Match",
    "Matcher",
    "default_instrument",
    "kst_day",
]

FILL_MODELS: Final = ("next_open", "close", "limit_touch")
DEFAULT_PARTICIPATION: Final = 0.1
_DAY_NS: Final = 86_400_000_000_000
_KST_NS: Final = 9 * 3_600_000_000_000
_EPOCH: Final = dt.date(1970, 1, 1)


@dataclass(frozen=True, slots=True)
class FillModel:
    """Which model, how much slippage, what volume share (module docstring)."""

    kind: str = "next_open"
    slippage_ticks: int = 0
    participation: float | None = None
    """Largest share of a bar's volume one order takes; None: no cap, except `limit_touch`
    (10%) and bars locked at a limit (10%)."""

    def __post_init__(self) -> None:
        if self.kind not in FILL_MODELS:
            raise InvalidInput("fill", f"{self.kind!r} is not one of {', '.join(FILL_MODELS)}")
        if self.slippage_ticks < 0:
            raise InvalidInput("slippage_ticks", f"{self.slippage_ticks} is negative")
        if self.participation is not None and not 0 < self.participation <= 1:
            raise InvalidInput("participation", f"{self.participation} is not in (0, 1]")

    @property
    def cap(self) -> float | None:
        """The volume share every fill obeys (None: none)."""
        if self.participation is not None:
            return self.participation
        return DEFAULT_PARTICIPATION if self.kind == "limit_touch" else None


@dataclass(frozen=True, slots=True)
class Match:
    """One fill: `qty` shares at `price` KRW costing `commission` and `tax` KRW."""

    qty: int
    price: int
    commission: int
    tax: int


def kst_day(ts_ns: int) -> dt.date:
    """The KST calendar date of an instant."""
    return _EPOCH + dt.timedelta(days=(ts_ns + _KST_NS) // _DAY_NS)


def default_instrument(symbol: str) -> Instrument:
    """What a symbol without an instrument record is taken to be: a KOSPI stock."""
    return Instrument(symbol=symbol, name=symbol, market=Market.KOSPI)


class Matcher:
    """Applies a `FillModel` and a `CostModel` to one order on one bar.

    Shared by the vectorized runner (through the strategy engine's fill source) and the
    event-driven runner's simulated venue, so the two fill alike by construction."""

    def __init__(
        self,
        model: FillModel,
        costs: CostModel,
        instruments: Mapping[str, Instrument] | None = None,
    ) -> None:
        self.model = model
        self.costs = costs
        self.instruments = dict(instruments or {})
        self._cap = model.cap
        self._days: dict[int, dt.date] = {}
        self._limits: dict[tuple[int, str, dt.date], tuple[int, int] | None] = {}

    def instrument(self, symbol: str) -> Instrument:
        found = self.instruments.get(symbol)
        if found is None:
            found = self.instruments[symbol] = default_instrument(symbol)
        return found

    def day(self, ts_ns: int) -> dt.date:
        key = (ts_ns + _KST_NS) // _DAY_NS
        day = self._days.get(key)
        if day is None:
            day = self._days[key] = _EPOCH + dt.timedelta(days=key)
        return day

    def limits(self, symbol: str, base: float, day: dt.date) -> tuple[int, int] | None:
        """(lower, upper) of `symbol` on `day` for base price `base`; None when unknown."""
        if not base > 0 or not math.isfinite(base):
            return None
        key = (round(base), symbol, day)
        band = self._limits.get(key, ())
        if band == ():
            ins = self.instrument(symbol)
            band = price_limits(
                key[0], etf=ins.uses_etf_ticks, market=ins.market, leverage=ins.leverage, on=day
            )
            self._limits[key] = band
        return band  # type: ignore[return-value]

    def match(
        self,
        ts_ns: int,
        side: str,
        qty: int,
        limit_price: int | None,
        bar: BarPrices,
        cash: float,
        position: int,
        trigger: float | None = None,
    ) -> Match | None:
        """The fill of an order (module docstring) on `bar`, starting at `ts_ns`; None: none.
        `trigger`: the order was sent on a print at that price inside `bar` (a tick exit),
        and fills there rather than at the model's price."""
        buy = side == "buy"
        if limit_price is not None:
            touched = bar.low <= limit_price if buy else bar.high >= limit_price
            if not touched:
                return None
        day = self.day(ts_ns)
        band = self.limits(bar.symbol, bar.base, day)
        ins = self.instrument(bar.symbol)
        price = self._price(buy, limit_price, bar, band, day, ins, trigger)
        qty = self._volume_cap(buy, qty, bar, band)
        if not buy:
            qty = min(qty, position)
        if qty <= 0 or price <= 0:
            return None
        if not buy:
            commission, tax = self.costs.costs(side, qty, price, day, ins)
            return Match(qty, price, commission, tax)
        qty = min(qty, math.floor(cash / price))
        while qty > 0:
            commission, tax = self.costs.costs(side, qty, price, day, ins)
            if qty * price + commission + tax <= cash:
                return Match(qty, price, commission, tax)
            qty -= 1
        return None

    def _price(
        self,
        buy: bool,
        limit_price: int | None,
        bar: BarPrices,
        band: tuple[int, int] | None,
        day: dt.date,
        ins: Instrument,
        trigger: float | None,
    ) -> int:
        ref = bar.close if self.model.kind == "close" else bar.open
        if trigger is not None:
            ref = trigger
        price = self._slipped(round(ref), buy, day, ins.uses_etf_ticks)
        if band is not None:
            price = min(max(price, band[0]), band[1])
        if limit_price is not None:
            price = min(price, limit_price) if buy else max(price, limit_price)
        return price

    def _volume_cap(self, buy: bool, qty: int, bar: BarPrices, band: tuple[int, int] | None) -> int:
        cap = self._cap
        locked = band is not None and bar.high == bar.low
        if locked and band is not None and (bar.low >= band[1] if buy else bar.high <= band[0]):
            cap = DEFAULT_PARTICIPATION if cap is None else cap
        if cap is None:
            return qty
        volume = bar.volume if math.isfinite(bar.volume) else 0.0
        return min(qty, math.floor(cap * volume))

    def _slipped(self, price: int, buy: bool, day: dt.date, etf: bool) -> int:
        for _ in range(self.model.slippage_ticks):
            if buy:
                price += tick_size(price, etf=etf, on=day)
            else:
                price -= tick_size(max(price - 1, 1), etf=etf, on=day)
        return max(price, 1)


class BarPrices(Protocol):
    """What a fill model reads of a bar (the strategy engine's `BarInput` satisfies it)."""

    @property
    def symbol(self) -> str: ...
    @property
    def open(self) -> float: ...
    @property
    def high(self) -> float: ...
    @property
    def low(self) -> float: ...
    @property
    def close(self) -> float: ...
    @property
    def volume(self) -> float: ...
    @property
    def base(self) -> float: ...
