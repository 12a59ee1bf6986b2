"""Orders a person (or a bot through the API) places by hand on a running trading node.

They take the same road as a strategy's: the risk engine's pre-trade check (a refusal raises
`OrderDenied` naming the limit), the order manager and its journal (flushed before the venue
sees anything), then the venue; the venue's answer is applied at once. Manual orders carry
`strategy="manual"` so reports tell them apart. Modifications and cancels go through the order
manager's pending states, so a refused one leaves the order working as it was.
"""

from __future__ import annotations

from jts.core.enums import OrderStatus, OrderType, Side, TimeInForce
from jts.core.errors import InvalidInput, OrderRejected
from jts.core.models import Order, OrderRequest
from jts.trading.node import TradingNode

MANUAL = "manual"


class ManualOrders:
    def __init__(self, node: TradingNode) -> None:
        self.node = node

    async def submit(
        self,
        symbol: str,
        side: Side,
        qty: int,
        order_type: OrderType = OrderType.LIMIT,
        price: int | None = None,
        tif: TimeInForce = TimeInForce.DAY,
    ) -> Order:
        node = self.node
        if symbol not in node.instruments:
            raise InvalidInput("symbol", f"{symbol!r} is not traded by this account")
        request = OrderRequest(
            client_order_id=node.ids.next_id(),
            account=node.account,
            symbol=symbol,
            side=side,
            qty=qty,
            order_type=order_type,
            price=price,
            tif=tif,
            strategy=MANUAL,
            ts_ns=node.venue_now(),
        ).validate()
        refusal = node.risk.check(request, node.context)
        if refusal is not None:
            node.stats.risk_rejects += 1
            raise refusal.to_error()
        node.manager.submit(request)
        node.persist()
        update = await node.venue.submit(request)
        node.stats.orders += 1
        await node.handle(update)
        return node.manager.get(request.client_order_id)

    async def modify(
        self, client_order_id: str, *, price: int | None = None, qty: int | None = None
    ) -> Order:
        """New limit `price` and/or new total `qty` (not below what has filled)."""
        node = self.node
        order = self._working(client_order_id)
        if price is None and qty is None:
            raise InvalidInput("price", "give a new price, a new qty, or both")
        if qty is not None and not order.filled_qty < qty:
            raise InvalidInput("qty", f"must exceed the {order.filled_qty:,} shares filled")
        if price is not None and not order.request.order_type.needs_price:
            raise InvalidInput("price", f"a {order.request.order_type} order has no price")
        ts = node.venue_now()
        node.manager.request_modify(client_order_id, ts)
        leaves = None if qty is None else qty - order.filled_qty
        assert order.venue_order_id is not None
        update = await node.venue.modify(order.venue_order_id, price=price, qty=leaves)
        if update.reject_code or update.status is OrderStatus.REJECTED:
            node.manager.on_modify_rejected(client_order_id, update.ts_ns)
            node.persist()
            raise OrderRejected(update.reject_code or "rejected", update.message or "refused")
        current = node.manager.get(client_order_id)
        if current.status is OrderStatus.PENDING_MODIFY:
            node.manager.on_modified(client_order_id, update.ts_ns, price=price, qty=qty)
        node.persist()
        return node.manager.get(client_order_id)

    async def cancel(self, client_order_id: str) -> Order:
        node = self.node
        order = self._working(client_order_id)
        node.manager.request_cancel(client_order_id, node.venue_now())
        assert order.venue_order_id is not None
        update = await node.venue.cancel(order.venue_order_id)
        current = node.manager.get(client_order_id)
        if update.reject_code and current.status is OrderStatus.PENDING_CANCEL:
            node.manager.on_cancel_rejected(client_order_id, update.ts_ns)
            node.persist()
            raise OrderRejected(update.reject_code, update.message or "cancel refused")
        if update.status is OrderStatus.CANCELLED and current.status.is_open:
            node.manager.on_cancelled(client_order_id, update.ts_ns)
        node.persist()
        return node.manager.get(client_order_id)

    async def cancel_all(self, symbol: str | None = None) -> list[Order]:
        """Cancel every working order (of `symbol`); returns the orders asked to cancel."""
        cancelled = []
        for order in self.node.manager.open_orders(symbol):
            if order.venue_order_id and order.status in _CANCELLABLE:
                cancelled.append(await self.cancel(order.request.client_order_id))
        return cancelled

    def _working(self, client_order_id: str) -> Order:
        if client_order_id not in self.node.manager:
            raise KeyError(client_order_id)
        order = self.node.manager.get(client_order_id)
        if order.status not in _CANCELLABLE or order.venue_order_id is None:
            raise InvalidInput(
                "client_order_id", f"order {client_order_id!r} is {order.status}, not working"
            )
        return order


_CANCELLABLE = frozenset({OrderStatus.ACCEPTED, OrderStatus.PARTIALLY_FILLED})
