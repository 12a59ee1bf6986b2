"""What the risk engine sees in live trading: the `jts.risk.RiskContext` over the order
manager, the venue's cash and the feed's last prices.

Every answer is a lookup (the risk engine asks several per order): last prices are kept as
ticks arrive, limits come with the instruments' base prices, cash is the venue's orderable
cash refreshed on each account change, less what the account's open buy orders reserve.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import date

from jts.core.enums import Side
from jts.core.models import Instrument, Order
from jts.krx import is_valid_price, price_limits
from jts.oms import OrderManager

__all__ = ["LiveRiskContext"]


class LiveRiskContext:
    """`RiskContext` of one account in live or paper trading.

    Every answer is O(1): the risk engine asks several per order, and a bar may decide an
    order for each of 1,800 symbols before any is sent. So the context keeps running totals —
    cash reserved by open buys (kept by an order-manager listener), and the value and gross
    exposure of the positions (moved by `on_price` as ticks arrive and by `on_position` after
    fills) — instead of summing over orders or positions per question.
    """

    def __init__(
        self,
        manager: OrderManager,
        instruments: Mapping[str, Instrument],
        base_prices: Mapping[str, int],
        day: date,
        *,
        session_open: Callable[[str], bool] = lambda _symbol: True,
    ) -> None:
        self.manager = manager
        self.instruments = instruments
        self.day = day
        self.cash = 0
        """Cash at the venue including unsettled amounts (T+2), KRW: what a Korean broker
        lets one buy with; the node refreshes it from `Venue.account` after each fill."""
        self.last: dict[str, int] = {}
        self.start_equity: int | None = None
        self._session_open = session_open
        self._limits = {
            symbol: price_limits(
                base,
                etf=instruments[symbol].uses_etf_ticks,
                market=instruments[symbol].market,
                leverage=instruments[symbol].leverage,
                on=day,
            )
            for symbol, base in base_prices.items()
            if symbol in instruments
        }
        self._reserved = 0
        self._reserving: dict[str, int] = {}  # client order id -> KRW its open buy reserves
        self._held: dict[str, tuple[int, int]] = {}  # symbol -> (shares, mark KRW)
        self._value = 0  # Σ shares × mark
        self._gross = 0  # Σ |shares| × mark
        manager.subscribe(self._on_order)
        for position in manager.positions.positions():
            self.on_position(position.symbol)

    # -- RiskContext ------------------------------------------------------------------------

    def available_cash(self) -> int:
        return self.cash - self._reserved

    def position(self, symbol: str) -> int:
        return self.manager.positions.qty(symbol)

    def last_price(self, symbol: str) -> int | None:
        return self.last.get(symbol)

    def price_limits(self, symbol: str) -> tuple[int, int] | None:
        return self._limits.get(symbol)

    def tick_valid(self, symbol: str, price: int) -> bool:
        instrument = self.instruments.get(symbol)
        if instrument is None:
            return False
        return is_valid_price(
            price, etf=instrument.uses_etf_ticks, market=instrument.market, on=self.day
        )

    def gross_exposure(self) -> int:
        return self._gross

    def daily_pnl(self) -> int:
        """Equity now less equity at the first check of the day (realized and unrealized)."""
        equity = self.equity()
        if self.start_equity is None:
            self.start_equity = equity
        return equity - self.start_equity

    def open_orders(self, symbol: str) -> Sequence[Order]:
        return self.manager.open_orders(symbol)

    def session_open(self, symbol: str) -> bool:
        return self._session_open(symbol)

    # -- kept up to date by the node --------------------------------------------------------

    def equity(self) -> int:
        """Cash plus open positions at their last prices (average price before a tick), KRW."""
        return self.cash + self._value

    def on_price(self, symbol: str, price: int) -> None:
        """A trade printed at `price`: the new last price and mark of a held symbol."""
        self.last[symbol] = price
        held = self._held.get(symbol)
        if held is not None:
            shares, mark = held
            self._value += shares * (price - mark)
            self._gross += abs(shares) * (price - mark)
            self._held[symbol] = (shares, price)

    def on_position(self, symbol: str) -> None:
        """`symbol`'s position changed (a fill): re-mark its contribution."""
        shares, mark = self._held.pop(symbol, (0, 0))
        self._value -= shares * mark
        self._gross -= abs(shares) * mark
        position = self.manager.positions.position(symbol)
        if position.qty:
            mark = self.last.get(symbol, round(position.avg_price))
            self._held[symbol] = (position.qty, mark)
            self._value += position.qty * mark
            self._gross += abs(position.qty) * mark

    def _on_order(self, order: Order) -> None:
        """Order-manager listener: what an open buy reserves, as it opens, fills and ends."""
        request = order.request
        if request.side is not Side.BUY:
            return
        coid = request.client_order_id
        before = self._reserving.pop(coid, 0)
        now = 0
        if order.status.is_open:
            price = request.price or self._limits.get(request.symbol, (0, 0))[1]
            now = order.remaining_qty * price
            self._reserving[coid] = now
        self._reserved += now - before
