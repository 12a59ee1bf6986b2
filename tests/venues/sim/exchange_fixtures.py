"""A small market for the exchange-level conformance tests of `SimExchange` (KRX.md §12).

`make_market` builds an exchange on a given day with four listings and wraps it in a `Harness`
that numbers client order ids, moves the clock in KST wall time and keeps every event
the exchange publishes. `continuous` gives one already past the opening uncross.

The listings (base prices in KRW): a KOSPI stock at 50,000 (tick 100 from 50,000, 50 below),
a KOSDAQ stock at 9,980 (the KRX.md §5 lower-limit example: 6,990-12,970), an ETF at 30,000
(ETF ticks: 5) and a KOSPI stock with an alphanumeric code, "0037T0", at 20,000. None is a
KOSPI200 constituent (dynamic VI 6% continuous, 4% closing auction) unless a test says so.

Both markets' circuit-breaker indexes are fed a flat level when the exchange is built, so the
breaker fires only when a test drives `observe_index` (without a feed the exchange would
derive an index from these few symbols, and one stock at its limit would move it by 8%).
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping
from datetime import date, time
from typing import Any, TypeVar

from jts.core.clock import kst_ns
from jts.core.enums import InstrumentKind, Market, OrderStatus, OrderType, Side, TimeInForce
from jts.core.events import ExpectedPrice, MarketStatus, OrderUpdate, SymbolState, SymbolStatus
from jts.core.models import BookUpdate, Fill, Instrument, OrderRequest, Tick
from jts.krx.sessions import Phase
from jts.krx.volatility import ViGroup
from jts.venues.sim.exchange import SimConfig, SimExchange

__all__ = [
    "ALNUM",
    "DAY",
    "ETF",
    "KOSDAQ_STOCK",
    "KOSPI_STOCK",
    "Harness",
    "continuous",
    "instrument",
    "make_market",
]

DAY = date(2026, 3, 10)
"""An ordinary Tuesday under the 2025 KRX timetable (expected prices from 08:50)."""

KOSPI_STOCK, KOSDAQ_STOCK, ETF, ALNUM = "005930", "091990", "069500", "0037T0"

BASE_PRICES: Mapping[str, int] = {
    KOSPI_STOCK: 50_000,
    KOSDAQ_STOCK: 9_980,
    ETF: 30_000,
    ALNUM: 20_000,
}

INDEX_LEVEL = 1_000.0
"""Where the exchange puts both markets' previous index close (its own index scale)."""

E = TypeVar("E")


def instrument(
    symbol: str,
    market: Market = Market.KOSPI,
    kind: InstrumentKind = InstrumentKind.STOCK,
    **extra: Any,
) -> Instrument:
    return Instrument(symbol=symbol, name=f"name {symbol}", market=market, kind=kind, **extra)


def default_instruments() -> list[Instrument]:
    return [
        instrument(KOSPI_STOCK),
        instrument(KOSDAQ_STOCK, Market.KOSDAQ),
        instrument(ETF, kind=InstrumentKind.ETF),
        instrument(ALNUM),
    ]


class Harness:
    """A `SimExchange` under test: orders with fresh client ids, KST time, captured events."""

    def __init__(self, exchange: SimExchange) -> None:
        self.ex = exchange
        self.day = exchange.day
        self.events: list[object] = []
        self._ids = itertools.count(1)
        exchange.add_listener(self.events.append)

    # -- time ---------------------------------------------------------------------------------

    def kst(self, hour: int, minute: int = 0, second: int = 0) -> int:
        """That KST wall time on the exchange's day, int ns UTC."""
        return kst_ns(self.day, time(hour, minute, second))

    def at(self, hour: int, minute: int = 0, second: int = 0) -> None:
        """Move the clock to that KST time, running everything due on the way."""
        self.ex.advance_to(self.kst(hour, minute, second))

    def wait(self, seconds: float) -> None:
        self.ex.advance_to(self.ex.now_ns() + round(seconds * 1e9))

    # -- orders -------------------------------------------------------------------------------

    def submit(
        self,
        symbol: str,
        side: Side,
        qty: int,
        price: int | None = None,
        *,
        kind: OrderType | None = None,
        tif: TimeInForce = TimeInForce.DAY,
        account: str = "A1",
        program: bool = False,
    ) -> OrderUpdate:
        """A new order with a unique client id; LIMIT when priced, else MARKET by default."""
        if kind is None:
            kind = OrderType.LIMIT if price is not None else OrderType.MARKET
        request = OrderRequest(
            client_order_id=f"c{next(self._ids)}",
            account=account,
            symbol=symbol,
            side=side,
            qty=qty,
            order_type=kind,
            price=price,
            tif=tif,
        )
        return self.ex.submit(request, program=program)

    def buy(self, symbol: str, qty: int, price: int | None = None, **kw: Any) -> OrderUpdate:
        return self.submit(symbol, Side.BUY, qty, price, **kw)

    def sell(self, symbol: str, qty: int, price: int | None = None, **kw: Any) -> OrderUpdate:
        return self.submit(symbol, Side.SELL, qty, price, **kw)

    def accepted(self, update: OrderUpdate) -> str:
        """The venue order id of an acknowledged order (fails the test on a reject)."""
        assert update.status is not OrderStatus.REJECTED, update
        return update.venue_order_id

    # -- events -------------------------------------------------------------------------------

    def of(self, kind: type[E]) -> list[E]:
        return [e for e in self.events if isinstance(e, kind)]

    def fills(self, order_id: str | None = None) -> list[Fill]:
        return [f for f in self.of(Fill) if order_id is None or f.venue_order_id == order_id]

    def filled(self, order_id: str) -> list[tuple[int, int]]:
        """(qty, price) of each fill of one order, in order."""
        return [(f.qty, f.price) for f in self.fills(order_id)]

    def ticks(self, symbol: str | None = None) -> list[Tick]:
        return [t for t in self.of(Tick) if symbol is None or t.symbol == symbol]

    def prints(self, symbol: str) -> list[tuple[int, int]]:
        """(price, qty) of each trade print of `symbol`."""
        return [(t.price, t.qty) for t in self.ticks(symbol)]

    def updates(self, order_id: str) -> list[OrderUpdate]:
        return [u for u in self.of(OrderUpdate) if u.venue_order_id == order_id]

    def statuses(self, symbol: str) -> list[SymbolStatus]:
        return [s for s in self.of(SymbolStatus) if s.symbol == symbol]

    def states(self, symbol: str) -> list[SymbolState]:
        return [s.state for s in self.statuses(symbol)]

    def market_statuses(self) -> list[MarketStatus]:
        return [s for s in self.of(MarketStatus) if s.control.value != "phase"]

    def expected(self, symbol: str) -> list[ExpectedPrice]:
        return [e for e in self.of(ExpectedPrice) if e.symbol == symbol]

    def books(self, symbol: str) -> list[BookUpdate]:
        return [b for b in self.of(BookUpdate) if b.symbol == symbol]

    def phase(self) -> Phase:
        """The exchange's main session phase now."""
        return self.ex.phase

    def state(self, symbol: str) -> SymbolState:
        return self.ex.market(symbol).state

    def clear(self) -> None:
        self.events.clear()


def make_market(
    day: date = DAY,
    *,
    extra: Iterable[Instrument] = (),
    base_prices: Mapping[str, int] | None = None,
    vi_groups: Mapping[str, ViGroup] | None = None,
    ipo_offer_prices: Mapping[str, int] | None = None,
    expiry_day_symbols: Iterable[str] = (),
    index_closes: Mapping[Market, float] | None = None,
    seed: int = 0,
    feed_index: bool = True,
    **config: Any,
) -> Harness:
    """An exchange on `day` (clock at midnight KST) with the default listings plus `extra`.

    `base_prices` adds to or overrides `BASE_PRICES`; `config` goes to `SimConfig`
    (`book_interval_ms` defaults to 0: every book change is published at once).
    """
    listings = [*default_instruments(), *extra]
    bases = {**BASE_PRICES, **(base_prices or {})}
    for listing in listings:
        bases.setdefault(listing.symbol, 10_000)
    optional: dict[str, Any] = {}
    if expiry_day_symbols:
        optional["expiry_day_symbols"] = frozenset(expiry_day_symbols)
    if index_closes:
        optional["index_closes"] = index_closes
    exchange = SimExchange(
        listings,
        day,
        base_prices=bases,
        config=SimConfig(seed=seed, **config),
        vi_groups=vi_groups,
        ipo_offer_prices=ipo_offer_prices,
        **optional,
    )
    if feed_index:
        for market in (Market.KOSPI, Market.KOSDAQ):
            exchange.observe_index(market, (index_closes or {}).get(market, INDEX_LEVEL))
    return Harness(exchange)


def continuous(day: date = DAY, **kw: Any) -> Harness:
    """`make_market` moved to 09:01 KST: the open has uncrossed, continuous trading runs."""
    market = make_market(day, **kw)
    market.at(9, 1)
    market.clear()
    return market
