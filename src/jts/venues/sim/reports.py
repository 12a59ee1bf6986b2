"""Turns the exchange's internal records into normalized `jts.core` events and hands them on.

One `Reports` object is shared by every symbol of an exchange: it numbers fills, keeps the
listeners, and is the only place that builds `OrderUpdate`, `Fill` and `Tick` messages, so the
matching code never formats anything.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from jts.core.enums import OrderStatus
from jts.core.events import OrderUpdate
from jts.core.models import Fill, Tick
from jts.venues.sim.orders import Execution, RejectCode, WorkingOrder

__all__ = ["Listener", "Reports", "order_status", "reject_message"]

_log = logging.getLogger(__name__)

Listener = Callable[[object], None]
"""Receives every event the exchange publishes, in order; must not raise (errors are logged)."""


class Reports:
    """Builds and publishes the exchange's events; counts what it published."""

    def __init__(self) -> None:
        self.listeners: list[Listener] = []
        self.fills = 0
        self.trades = 0
        self.volume = 0
        self.listener_errors = 0

    def publish(self, event: object) -> None:
        for listener in self.listeners:
            try:
                listener(event)
            except Exception:  # a bad listener must not stop the exchange or the others
                self.listener_errors += 1
                _log.exception("sim exchange listener %r failed on %s", listener, type(event))

    def update(
        self,
        order: WorkingOrder,
        status: OrderStatus,
        ts_ns: int,
        code: RejectCode | str = "",
        message: str = "",
    ) -> OrderUpdate:
        """Publish (and return) an order's new state."""
        event = OrderUpdate(
            venue_order_id=order.order_id,
            client_order_id=order.client_order_id,
            account=order.account,
            symbol=order.symbol,
            side=order.side,
            ts_ns=ts_ns,
            status=status,
            price=0 if order.market else order.price,
            qty=order.qty,
            filled_qty=order.filled,
            leaves_qty=order.leaves,
            reject_code=str(code),
            message=message,
        )
        if self.listeners:
            self.publish(event)
        return event

    def executions(
        self, matches: list[Execution], ts_ns: int, *, auction: bool, cum_volume: int
    ) -> int:
        """Publish a trade print and both sides' fills for each match; returns the volume.

        The book has already applied every match, so an order's `leaves` is its state after
        the last one; each fill reports the leaves right after itself.
        """
        volume = sum(match.qty for match in matches)
        self.trades += len(matches)
        self.volume += volume
        if not self.listeners:
            self.fills += 2 * len(matches)
            return volume
        later: dict[int, int] = {}  # id(order) -> shares of its matches not yet published
        for match in matches:
            for order in (match.buy, match.sell):
                later[id(order)] = later.get(id(order), 0) + match.qty
        running = cum_volume
        for match in matches:
            running += match.qty
            aggressor = None if auction or match.aggressor is None else match.aggressor.side
            self.publish(
                Tick(
                    symbol=match.buy.symbol,
                    ts_ns=ts_ns,
                    price=match.price,
                    qty=match.qty,
                    side=aggressor,
                    cum_volume=running,
                    auction=auction,
                )
            )
            for order in (match.buy, match.sell):
                later[id(order)] -= match.qty
                self.publish(self._fill(order, match, ts_ns, order.leaves + later[id(order)]))
        return volume

    def _fill(self, order: WorkingOrder, match: Execution, ts_ns: int, leaves: int) -> Fill:
        self.fills += 1
        return Fill(
            fill_id=f"F{self.fills}",
            client_order_id=order.client_order_id,
            account=order.account,
            symbol=order.symbol,
            side=order.side,
            qty=match.qty,
            price=match.price,
            ts_ns=ts_ns,
            venue_order_id=order.order_id,
            leaves_qty=leaves,
        )


def order_status(order: WorkingOrder) -> OrderStatus:
    """The status a working order's counts imply."""
    if order.leaves == 0:
        return OrderStatus.FILLED if order.filled else OrderStatus.CANCELLED
    return OrderStatus.PARTIALLY_FILLED if order.filled else OrderStatus.ACCEPTED


def reject_message(code: RejectCode) -> str:
    """A few words for a reject code, for `OrderUpdate.message`."""
    return _MESSAGES.get(code, code.value.replace("_", " "))


_MESSAGES = {
    RejectCode.OFF_TICK: "price is not on the tick grid for its price band",
    RejectCode.OUTSIDE_LIMITS: "price is outside today's price limits",
    RejectCode.WRONG_SESSION: "order type or condition not accepted in this session",
    RejectCode.MARKET_CLOSED: "no session accepts orders now",
    RejectCode.HALTED: "trading in this symbol is halted",
    RejectCode.MARKET_HALTED: "the market is halted (circuit breaker)",
    RejectCode.NO_QUOTE: "no price on the book to peg the order to",
    RejectCode.BAD_QUANTITY: "quantity must be a positive multiple of the lot",
}
