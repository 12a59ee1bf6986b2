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
    """`RiskContext` of one account in live or paper trading."""

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

    # -- RiskContext ------------------------------------------------------------------------

    def available_cash(self) -> int:
        reserved = 0
        for order in self.manager.open_orders():
            request = order.request
            if request.side is Side.BUY:
                price = request.price or self._limits.get(request.symbol, (0, 0))[1]
                reserved += order.remaining_qty * price
        return self.cash - reserved

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
        total = 0
        for position in self.manager.positions.positions():
            price = self.last.get(position.symbol, int(position.avg_price))
            total += abs(position.qty) * price
        return total

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

    # -- for the node -----------------------------------------------------------------------

    def equity(self) -> int:
        """Cash plus open positions at their last prices, KRW."""
        return self.cash + sum(
            position.qty * self.last.get(position.symbol, int(position.avg_price))
            for position in self.manager.positions.positions()
        )
