"""What the strategy engine exchanges with its drivers: bars in, orders out, fills back.

`jts.strategy.engine` decides; this module holds its inputs and outputs (`BarInput`,
`OrderIntent`, `Execution`), the two hooks a backtest or live runtime plugs in (`FillSource`,
`OrderGate`), and the engine's own fill assumption (`assumed_fills`, `fill_price`) and
limit-price rounding (`limit_on_tick`), which the Python runtime shares.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

from jts.core.models import Instrument
from jts.krx import round_to_tick
from jts.strategy.engine_eval import NAN, Market
from jts.strategy.evaluate.series import day_number

__all__ = [
    "BarInput",
    "Execution",
    "FillSource",
    "OrderGate",
    "OrderIntent",
    "assumed_fills",
    "fill_price",
    "limit_on_tick",
]


@dataclass(frozen=True, slots=True)
class OrderIntent:
    """An order decided at the close of the bar starting at `ts_ns` (see the module doc), or
    by an exit on the tick at `ts_ns` (`trigger` is then the tick's price).

    `reason` is `rule N` (0-based index of the rule), `stop_loss`, `take_profit`,
    `trailing_stop` or `flat`; `limit_price` is None for a market order."""

    ts_ns: int
    symbol: str
    side: str
    qty: int
    order_type: str
    limit_price: int | None
    reason: str
    trigger: float | None = None


@dataclass(frozen=True, slots=True)
class BarInput:
    """One bar of one symbol and the lookup of its market-only expression values.

    `volume` and `base` (the symbol's base price for the day's price limits: the last close
    of an earlier day; NaN when unknown) are read only by fill sources that need them."""

    symbol: str
    open: float
    high: float
    low: float
    close: float
    market: Market
    volume: float = NAN
    base: float = NAN


@dataclass(frozen=True, slots=True)
class Execution:
    """One fill of a pending order: `qty` shares at `price` KRW, paying `commission` and
    `tax` KRW."""

    qty: int
    price: float
    commission: int = 0
    tax: int = 0

    @property
    def cost(self) -> int:
        return self.commission + self.tax


class FillSource(Protocol):
    """Where the pending order of a symbol fills on the symbol's next bar (at timestamp `ts`).

    `cash` and `position` are the engine's at that moment (earlier symbols of the timestamp
    already filled); the executions must fit them: buys paid from `cash` with their costs,
    sells no more than `position`. The default is `assumed_fills`; the backtester plugs in its
    fill models, or the fills a simulated venue made."""

    def __call__(
        self, ts: int, order: OrderIntent, bar: BarInput, cash: float, position: int
    ) -> Sequence[Execution]: ...


OrderGate = Callable[[OrderIntent, BarInput], bool]
"""Called with every order the engine decides and the bar it was decided on; False refuses
it (risk rejected it): the order is not pending and its cash is not reserved. The
backtester's risk checks and order path."""


def fill_price(order: OrderIntent, bar: BarInput) -> float | None:
    """Where `order` fills on `bar` under the engine's assumption (module docstring): a market
    order at the open; a limit order only when the bar touches it, at the better of open and
    limit; None when it does not fill. Shared with `jts.strategy.python_runtime`."""
    if order.limit_price is None:
        return bar.open
    limit = float(order.limit_price)
    if order.side == "buy":
        return min(bar.open, limit) if bar.low <= limit else None
    return max(bar.open, limit) if bar.high >= limit else None


def assumed_fills(
    ts: int, order: OrderIntent, bar: BarInput, cash: float, position: int
) -> Sequence[Execution]:
    """The engine's own fill assumption (module docstring): whole at `fill_price` (a tick
    exit at its trigger price), no costs, a buy cut to the shares `cash` pays for, a sell to
    the shares held."""
    price = fill_price(order, bar) if order.trigger is None else order.trigger
    if price is None:
        return ()
    if order.side == "sell":
        qty = min(order.qty, position)
    else:
        qty = min(order.qty, math.floor(cash / price))
    return (Execution(qty, price),) if qty > 0 else ()


def limit_on_tick(
    price: float, mode: str, ts: int, instrument: Instrument | None = None
) -> int | None:
    """`price` rounded to whole won in direction `mode`, then onto the day's tick grid of
    `instrument` (its market and ETF table; None: a KOSPI stock)."""
    if not math.isfinite(price) or price <= 0:
        return None
    won = {"down": math.floor, "up": math.ceil}.get(mode, lambda p: math.floor(p + 0.5))(price)
    if won <= 0:
        return None
    day = dt.date(1970, 1, 1) + dt.timedelta(days=day_number(ts))
    try:
        if instrument is None:
            return round_to_tick(won, mode=mode, on=day)
        etf, market = instrument.uses_etf_ticks, instrument.market
        return round_to_tick(won, mode=mode, on=day, etf=etf, market=market)
    except ValueError:
        return None
