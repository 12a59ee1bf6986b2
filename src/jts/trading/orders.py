"""The live order path of one strategy: its decided orders through risk into the order manager
and out to the venue, and the venue's fills back to the strategy.

The strategy engine (`jts.strategy.engine`) works bar by bar, as in the event-driven backtest:
an order decided at a bar's close is answered at the symbol's next bar with what executed. Here
the answer is real: `gate` checks the order with the `RiskEngine` and records it in the
`OrderManager` (so the journal has it before anything is sent) and queues it; the node sends
the queue once the strategy step is done. Fills arrive as venue events, are booked by the
manager and kept per order; at the symbol's next bar `fills` hands them to the engine and
cancels whatever is still working, so the engine's view (one order at a time per symbol,
answered at the next bar) stays true. Market orders go out as IOC so that nothing of them
rests to fill after the engine has been answered.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from jts.core.enums import OrderType, Side, TimeInForce
from jts.core.ids import ClientOrderIdGenerator
from jts.core.models import Fill, OrderRequest
from jts.oms import OrderManager
from jts.risk import RiskEngine
from jts.strategy.engine import BarInput, Execution, OrderIntent
from jts.trading.context import LiveRiskContext

__all__ = ["LiveOrders", "Refusal"]

Refusal = tuple[str, str, str]
"""(symbol, reason code, message) of an order the risk engine refused."""


class LiveOrders:
    """Risk → OMS → outbox for one strategy's orders; the fills it is owed."""

    def __init__(
        self,
        strategy: str,
        account: str,
        manager: OrderManager,
        risk: RiskEngine,
        context: LiveRiskContext,
        ids: ClientOrderIdGenerator,
    ) -> None:
        self.strategy = strategy
        self.account = account
        self.manager = manager
        self.risk = risk
        self.context = context
        self.ids = ids
        self.outbox: list[OrderRequest] = []
        self.cancels: list[str] = []
        """Client order ids whose remainder the node must cancel at the venue."""
        self.refused: list[Refusal] = []
        self.active = True
        self.warming = False
        self._pending: dict[str, str] = {}  # symbol -> client order id awaiting its next bar
        self._fills: dict[str, list[Fill]] = {}  # client order id -> fills not yet reported
        self._mine: set[str] = set()  # every client order id this strategy sent today
        self.late: Callable[[str, str, Execution], None] | None = None
        """Where a fill that arrives after its order was answered goes (the engine's
        `book_late_fill`), so the strategy's position follows the venue's."""

    def gate(self, intent: OrderIntent, bar: BarInput) -> bool:
        """The engine decided `intent` on `bar`: False when it may not go out."""
        if self.warming:
            return False  # replaying history after a restart: decisions are not orders
        if not self.active:
            self.refused.append((intent.symbol, "strategy_paused", "strategy is paused"))
            return False
        request = self.request_of(intent)
        refusal = self.risk.check(request, self.context)
        if refusal is not None:
            self.refused.append((intent.symbol, refusal.code.value, refusal.message))
            return False
        self.manager.submit(request)
        self._mine.add(request.client_order_id)
        self.outbox.append(request)
        self._pending[intent.symbol] = request.client_order_id
        return True

    def fills(
        self, ts: int, order: OrderIntent, bar: BarInput, cash: float, position: int
    ) -> Sequence[Execution]:
        """At the symbol's next bar: what the order executed; its remainder gets cancelled."""
        coid = self._pending.pop(order.symbol, None)
        if coid is None:
            return ()
        fills = self._fills.pop(coid, [])
        if coid in self.manager and self.manager.get(coid).status.is_open:
            self.cancels.append(coid)
        return [Execution(f.qty, float(f.price), f.commission, f.tax) for f in fills]

    def on_fill(self, fill: Fill) -> None:
        """A fill of one of this strategy's orders arrived (already booked by the manager)."""
        coid = fill.client_order_id
        if self._pending.get(fill.symbol) == coid:
            self._fills.setdefault(coid, []).append(fill)
        elif coid in self._mine and self.late is not None:
            execution = Execution(fill.qty, float(fill.price), fill.commission, fill.tax)
            self.late(fill.symbol, fill.side.value, execution)

    def owns(self, client_order_id: str) -> bool:
        return client_order_id in self._mine

    @property
    def sent(self) -> int:
        """Orders this strategy got past risk today."""
        return len(self._mine)

    def request_of(self, intent: OrderIntent) -> OrderRequest:
        market = intent.limit_price is None
        return OrderRequest(
            client_order_id=self.ids.next_id(),
            account=self.account,
            symbol=intent.symbol,
            side=Side.BUY if intent.side == "buy" else Side.SELL,
            qty=intent.qty,
            order_type=OrderType.MARKET if market else OrderType.LIMIT,
            price=intent.limit_price,
            tif=TimeInForce.IOC if market else TimeInForce.DAY,
            strategy=self.strategy,
            ts_ns=intent.ts_ns,
        )
