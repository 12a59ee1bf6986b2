"""The trading desk: everything the API offers about one running account, in one place.

The gateway's routes are thin: they validate the request and call a `TradingDesk` method,
which reads the trading node (orders, positions, risk), the quote board (quotes, bars) and the
order database (statements), or acts through `ManualOrders`. Answers are plain JSON-ready
dicts. The desk works on whatever node is plugged in (paper today, a broker later).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from datetime import date
from typing import Any

from jts.core.clock import kst_date
from jts.core.enums import OrderType, Side, TimeInForce
from jts.core.errors import InvalidInput
from jts.core.models import BookLevel, Fill, Order
from jts.risk import RiskLimits
from jts.storage import end_of_day_statement
from jts.trading.equity import EquityHistory
from jts.trading.manual import ManualOrders
from jts.trading.node import TradingNode
from jts.trading.quotes import TIMEFRAMES, QuoteBoard

NodeSource = Callable[[], TradingNode | None]
BookSource = Callable[[str, int], tuple[Sequence[BookLevel], Sequence[BookLevel]]]
"""(symbol, levels) -> (bids, asks), best first: the venue's order book (paper: the exchange's)."""


class TradingDesk:
    def __init__(
        self,
        node: NodeSource,
        board: Callable[[], QuoteBoard | None],
        book: BookSource | None = None,
    ) -> None:
        self._node = node
        self._board = board
        self.book_source = book
        self.equity = EquityHistory()
        """The session's equity marks (recorded by `LiveFeeds` on its pulse)."""

    @property
    def node(self) -> TradingNode:
        node = self._node()
        if node is None:
            raise InvalidInput("trading", "no trading node is running")
        return node

    @property
    def board(self) -> QuoteBoard:
        board = self._board()
        if board is None:
            raise InvalidInput("trading", "no market data is running")
        return board

    def running(self) -> bool:
        return self._node() is not None

    # -- instruments and market data -------------------------------------------------------

    def instruments(self, query: str = "", limit: int = 50) -> list[dict[str, Any]]:
        """Instruments whose code starts with, or whose name contains, `query` (case-blind)."""
        needle = query.strip().casefold()
        found = []
        for symbol, instrument in sorted(self.node.instruments.items()):
            name = instrument.name
            if not needle or symbol.casefold().startswith(needle) or needle in name.casefold():
                found.append(_instrument(instrument))
                if len(found) >= limit:
                    break
        return found

    def instrument(self, symbol: str) -> dict[str, Any]:
        instrument = self.node.instruments.get(symbol)
        if instrument is None:
            raise KeyError(symbol)
        return _instrument(instrument)

    def quote(self, symbol: str) -> dict[str, Any]:
        quote = self.board.quote(symbol)
        if quote is None:
            raise KeyError(symbol)
        return _builtins(quote)

    def quotes(self, symbols: list[str] | None = None) -> list[dict[str, Any]]:
        return [_builtins(quote) for quote in self.board.quotes(symbols)]

    def bars(self, symbol: str, timeframe: str, limit: int) -> list[dict[str, Any]]:
        if symbol not in self.board:
            raise KeyError(symbol)
        if timeframe not in TIMEFRAMES:
            raise InvalidInput("timeframe", f"{timeframe!r} is not one of {', '.join(TIMEFRAMES)}")
        return [_builtins(bar) for bar in self.board.bars(symbol, timeframe, limit)]

    def book(self, symbol: str, levels: int = 10) -> dict[str, Any]:
        """The order book's best `levels` per side (price, qty), best first."""
        if symbol not in self.board:
            raise KeyError(symbol)
        if self.book_source is None:
            raise InvalidInput("book", "this venue publishes no order book")
        bids, asks = self.book_source(symbol, levels)
        return {
            "symbol": symbol,
            "bids": [{"price": level.price, "qty": level.qty} for level in bids],
            "asks": [{"price": level.price, "qty": level.qty} for level in asks],
            "ts_ns": self.node.venue_now(),
        }

    # -- orders -----------------------------------------------------------------------------

    def orders(
        self,
        *,
        status: str | None = None,
        symbol: str | None = None,
        strategy: str | None = None,
        limit: int = 200,
    ) -> list[dict[str, Any]]:
        """Newest first; `status` is a status name, or "open" / "closed"."""
        chosen = []
        for order in reversed(list(self.node.manager.orders())):
            if symbol and order.request.symbol != symbol:
                continue
            if strategy and order.request.strategy != strategy:
                continue
            if status and not _status_matches(order, status):
                continue
            chosen.append(order_dict(order))
            if len(chosen) >= limit:
                break
        return chosen

    def order(self, client_order_id: str) -> dict[str, Any]:
        if client_order_id not in self.node.manager:
            raise KeyError(client_order_id)
        return order_dict(self.node.manager.get(client_order_id))

    def fills(self, *, symbol: str | None = None, limit: int = 200) -> list[dict[str, Any]]:
        fills = [f for f in self.node.manager.fills() if not symbol or f.symbol == symbol]
        return [fill_dict(fill) for fill in reversed(fills[-limit:])]

    async def submit(
        self,
        symbol: str,
        side: Side,
        qty: int,
        order_type: OrderType,
        price: int | None,
        tif: TimeInForce,
    ) -> dict[str, Any]:
        order = await ManualOrders(self.node).submit(symbol, side, qty, order_type, price, tif)
        return order_dict(order)

    async def modify(
        self, client_order_id: str, price: int | None, qty: int | None
    ) -> dict[str, Any]:
        return order_dict(
            await ManualOrders(self.node).modify(client_order_id, price=price, qty=qty)
        )

    async def cancel(self, client_order_id: str) -> dict[str, Any]:
        return order_dict(await ManualOrders(self.node).cancel(client_order_id))

    async def cancel_all(self, symbol: str | None = None) -> dict[str, Any]:
        orders = await ManualOrders(self.node).cancel_all(symbol)
        return {"cancelled": len(orders), "orders": [order_dict(o) for o in orders]}

    # -- portfolio --------------------------------------------------------------------------

    def positions(self) -> list[dict[str, Any]]:
        node = self.node
        answer = []
        for position in node.manager.positions.positions():
            last = node.context.last_price(position.symbol) or round(position.avg_price)
            instrument = node.instruments.get(position.symbol)
            answer.append(
                {
                    "symbol": position.symbol,
                    "name": instrument.name if instrument else "",
                    "qty": position.qty,
                    "avg_price": position.avg_price,
                    "last": last,
                    "market_value": position.market_value(last),
                    "unrealized_pnl": position.unrealized_pnl(last),
                    "realized_pnl": position.realized_pnl,
                    "fees": position.fees,
                    "taxes": position.taxes,
                }
            )
        return answer

    def pnl(self) -> dict[str, Any]:
        node = self.node
        context = node.context
        positions = self.positions()
        return {
            "account": node.account,
            "equity": context.equity(),
            "cash": context.cash,
            "market_value": sum(p["market_value"] for p in positions),
            "unrealized_pnl": sum(p["unrealized_pnl"] for p in positions),
            "realized_pnl": node.manager.positions.realized_pnl(),
            "daily_pnl": context.daily_pnl(),
            "gross_exposure": context.gross_exposure(),
            "positions": len(positions),
            "ts_ns": node.venue_now(),
        }

    def pnl_history(self, since_ns: int | None, limit: int) -> list[dict[str, Any]]:
        return self.equity.points(since_ns, limit)

    def statement(self, day: date | None = None) -> dict[str, Any]:
        node = self.node
        day = day or (kst_date(node.venue_now()) if node.venue_now() else node.context.day)
        marks = {
            p.symbol: node.context.last_price(p.symbol) or round(p.avg_price)
            for p in node.manager.positions.positions()
        }
        return end_of_day_statement(node.manager, day, marks)

    # -- risk -------------------------------------------------------------------------------

    def risk(self) -> dict[str, Any]:
        risk = self.node.risk
        return {
            "state": risk.state.value,
            "reason": risk.state_reason,
            "limits": dataclasses.asdict(risk.limits),
            "killed": self.node.killed,
        }

    def set_limits(self, changes: dict[str, Any]) -> dict[str, Any]:
        """Change some limits (others keep their values); `ConfigError` names a bad one."""
        current = dataclasses.asdict(self.node.risk.limits)
        unknown = sorted(set(changes) - set(current))
        if unknown:
            raise InvalidInput("limits", f"unknown limit(s): {', '.join(unknown)}")
        self.node.risk.set_limits(RiskLimits.from_mapping({**current, **changes}))
        return self.risk()

    async def kill_switch(self, reason: str) -> dict[str, Any]:
        cancelled = await self.node.kill_switch(reason)
        return {"halted": True, "cancelled": cancelled, "reason": reason}

    def resume_trading(self, reason: str) -> dict[str, Any]:
        """Lift a halt (the kill switch or a breach): an admin's decision."""
        node = self.node
        node.risk.resume(reason)
        node.killed = ""
        return self.risk()


def _instrument(instrument: Any) -> dict[str, Any]:
    return {
        "symbol": instrument.symbol,
        "name": instrument.name,
        "market": str(instrument.market),
        "kind": str(instrument.kind),
        "lot_size": instrument.lot_size,
    }


def _status_matches(order: Order, wanted: str) -> bool:
    if wanted == "open":
        return order.status.is_open
    if wanted == "closed":
        return order.status.is_terminal
    return order.status.value == wanted


def order_dict(order: Order) -> dict[str, Any]:
    request = order.request
    return {
        "client_order_id": request.client_order_id,
        "account": request.account,
        "symbol": request.symbol,
        "side": request.side.value,
        "qty": request.qty,
        "order_type": request.order_type.value,
        "price": request.price,
        "tif": request.tif.value,
        "strategy": request.strategy,
        "status": order.status.value,
        "venue_order_id": order.venue_order_id,
        "filled_qty": order.filled_qty,
        "remaining_qty": order.remaining_qty,
        "avg_fill_price": order.avg_fill_price,
        "reject_reason": order.reject_reason,
        "created_ns": order.created_ns,
        "updated_ns": order.updated_ns,
    }


def fill_dict(fill: Fill) -> dict[str, Any]:
    return {
        "fill_id": fill.fill_id,
        "client_order_id": fill.client_order_id,
        "symbol": fill.symbol,
        "side": fill.side.value,
        "qty": fill.qty,
        "price": fill.price,
        "commission": fill.commission,
        "tax": fill.tax,
        "ts_ns": fill.ts_ns,
    }


def _builtins(value: Any) -> dict[str, Any]:
    import msgspec

    result: dict[str, Any] = msgspec.to_builtins(value)
    return result
