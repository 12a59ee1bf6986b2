"""Live views of a running trading node for the API: the quote board, the desk, and the hooks
the gateway's push channels and alerts hang on.

`TradingViews` starts after the paper-trading service (the node exists by then): it builds the
`QuoteBoard` from the node's instruments, attaches it to the node's observers, and forwards
every order change and fill of the order manager to `on_order` / `on_fill` listeners.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from jts.core.lifecycle import Service
from jts.core.models import Fill, Order
from jts.trading.desk import BookSource, TradingDesk
from jts.trading.node import TradingNode
from jts.trading.quotes import QuoteBoard

NodeSource = Callable[[], TradingNode | None]


class TradingViews(Service):
    def __init__(self, node: NodeSource, book: BookSource | None = None) -> None:
        super().__init__("views")
        self._node = node
        self.board: QuoteBoard | None = None
        self.desk = TradingDesk(node, lambda: self.board, book)
        self.observers: list[Callable[[object], None]] = []
        """Also see every node event (after the board did)."""
        self.order_listeners: list[Callable[[Order], None]] = []
        self.fill_listeners: list[Callable[[Fill], None]] = []
        self._detach: list[Callable[[], None]] = []

    async def _on_start(self) -> None:
        node = self._node()
        if node is None:
            return  # the server runs without trading (jts run --no-paper)
        board = QuoteBoard(node.instruments, node.base_prices, node.context.price_limits)
        self.board = board
        node.observers.append(board.observe)
        node.observers.append(self._observe)
        self._detach = [
            node.manager.subscribe(self._on_order),
            node.manager.subscribe_fills(self._on_fill),
        ]

    async def _on_stop(self) -> None:
        for detach in self._detach:
            detach()
        self._detach = []
        node = self._node()
        if node is not None and self.board is not None:
            node.observers[:] = [
                o for o in node.observers if o not in (self.board.observe, self._observe)
            ]

    def _observe(self, event: object) -> None:
        for observer in self.observers:
            observer(event)

    def _on_order(self, order: Order) -> None:
        for listener in self.order_listeners:
            listener(order)

    def _on_fill(self, fill: Fill) -> None:
        for listener in self.fill_listeners:
            listener(fill)

    def _is_healthy(self) -> bool:
        return True

    def _health_details(self) -> dict[str, Any]:
        board = self.board
        return {"symbols": len(board.quotes()) if board is not None else 0}
