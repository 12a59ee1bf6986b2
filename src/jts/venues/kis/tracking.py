"""`OrderTracker`: which KIS order number belongs to which JTS order, and every fill, once.

KIS knows no client order id: it numbers each order (`ODNO`), and numbers a modification or a
cancel as a *new* order pointing at the old one. The adapter keeps the chain here, so that a
notice or a REST row naming any number of the chain finds the client order id.

Fills reach the adapter twice over: as WebSocket notices (one per execution) and, after a drop,
as REST totals per order (`tot_ccld_qty`/`tot_ccld_amt`). Both are booked by *cumulative
quantity per order number*: a fill's id is `<ODNO>:<filled so far on that ODNO>`, a notice
adds its execution, a REST total adds whatever exceeds what is already known. A fill is thus
never counted twice and none is lost, as long as a REST total is read after every notice it
covers has been applied (the venue makes sure of that, see `venue.py`).
Prices int KRW, quantities shares, timestamps int ns UTC.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from jts.core.enums import OrderStatus, OrderType, Side
from jts.core.events import OrderUpdate
from jts.core.models import Fill, OrderRequest
from jts.venues.kis.stream_records import Notice, NoticeKind

__all__ = ["CostModel", "OrderTracker", "TrackedOrder", "status_after"]

CostModel = Callable[[Side, int, int, str], tuple[int, int]]
"""(side, qty, price KRW, symbol) → (commission, tax) in KRW of one fill."""


@dataclass
class TrackedOrder:
    """One JTS order at KIS, across its chain of order numbers."""

    request: OrderRequest
    odno: str
    """The current KIS order number (the latest of the chain)."""
    price: int = 0
    """Working price, KRW (0 for a market-type order)."""
    qty: int = 0
    """Shares ordered in total: filled plus still working (a reduction lowers it)."""
    filled: int = 0
    amount: int = 0
    """KRW traded so far (sum of price × qty of the fills)."""
    status: OrderStatus = OrderStatus.ACCEPTED
    created_ns: int = 0
    updated_ns: int = 0
    filled_by_odno: dict[str, int] = field(default_factory=dict)
    amount_by_odno: dict[str, int] = field(default_factory=dict)

    @property
    def leaves(self) -> int:
        return max(0, self.qty - self.filled)

    @property
    def client_order_id(self) -> str:
        return self.request.client_order_id


class OrderTracker:
    """The account's orders at KIS by client order id and by every order number."""

    def __init__(self, account: str, costs: CostModel) -> None:
        self.account = account
        self._costs = costs
        self._orders: dict[str, TrackedOrder] = {}
        self._by_odno: dict[str, str] = {}
        self.fills: list[Fill] = []
        self._fill_ids: set[str] = set()

    # -- orders -------------------------------------------------------------------------------

    def track(self, request: OrderRequest, odno: str, ts_ns: int) -> TrackedOrder:
        """A new order KIS accepted as `odno`."""
        order = TrackedOrder(
            request=request,
            odno=odno,
            price=request.price or 0,
            qty=request.qty,
            created_ns=ts_ns,
            updated_ns=ts_ns,
        )
        self._orders[request.client_order_id] = order
        self._by_odno[odno] = request.client_order_id
        return order

    def adopt(
        self,
        odno: str,
        *,
        symbol: str,
        side: Side,
        qty: int,
        price: int,
        ts_ns: int,
        order_type: OrderType = OrderType.LIMIT,
    ) -> TrackedOrder:
        """An order this process did not send (placed before a restart, or by hand): it gets
        the client order id `kis-<ODNO>` so that its fills can still be booked."""
        request = OrderRequest(
            client_order_id=f"kis-{odno}",
            account=self.account,
            symbol=symbol,
            side=side,
            qty=max(qty, 1),
            order_type=order_type,
            price=price if order_type.needs_price and price > 0 else None,
            ts_ns=ts_ns,
        )
        return self.track(request, odno, ts_ns)

    def link(self, new_odno: str, old_odno: str) -> TrackedOrder | None:
        """`new_odno` modifies or cancels `old_odno`: same order, same client order id."""
        order = self.get(old_odno)
        if order is not None:
            self._by_odno[new_odno] = order.client_order_id
        return order

    def replaced(
        self, order: TrackedOrder, new_odno: str, *, price: int | None, qty: int | None,
        ts_ns: int,
    ) -> None:  # fmt: skip
        """KIS accepted a modification of `order` as `new_odno`: the new working `price`
        and/or `qty` remaining shares."""
        self._by_odno[new_odno] = order.client_order_id
        order.odno = new_odno
        if price is not None:
            order.price = price
        if qty is not None:
            order.qty = order.filled + qty
        order.updated_ns = ts_ns

    def cancelled(self, order: TrackedOrder, qty: int | None, ts_ns: int) -> None:
        """`qty` shares (None: all) of the remainder were cancelled."""
        if qty is None or qty >= order.leaves:
            order.qty = order.filled
            order.status = OrderStatus.CANCELLED
        else:
            order.qty -= qty
        order.updated_ns = ts_ns

    def alias(self, odno: str, client_order_id: str) -> None:
        """`odno` is another number of the order `client_order_id` (learnt from elsewhere)."""
        self._by_odno[odno] = client_order_id

    def get(self, odno: str) -> TrackedOrder | None:
        cid = self._by_odno.get(odno)
        return self._orders.get(cid) if cid is not None else None

    def by_client_id(self, client_order_id: str) -> TrackedOrder | None:
        return self._orders.get(client_order_id)

    def knows(self, odno: str) -> bool:
        return odno in self._by_odno

    # -- fills --------------------------------------------------------------------------------

    def fill(self, odno: str, qty: int, price: int, ts_ns: int) -> Fill | None:
        """An execution notice: `qty` shares at `price` on order number `odno`."""
        order = self.get(odno)
        if order is None or qty <= 0:
            return None
        return self._book(order, odno, qty, qty * price, ts_ns)

    def catch_up(self, odno: str, total_qty: int, total_amount: int, ts_ns: int) -> Fill | None:
        """A REST total for `odno`: book what it holds beyond the fills already known (at
        the average price of the difference, rounded to the won)."""
        order = self.get(odno)
        if order is None:
            return None
        known = order.filled_by_odno.get(odno, 0)
        missing = total_qty - known
        if missing <= 0:
            return None
        amount = max(0, total_amount - order.amount_by_odno.get(odno, 0))
        return self._book(order, odno, missing, amount, ts_ns)

    def _book(
        self, order: TrackedOrder, odno: str, qty: int, amount: int, ts_ns: int
    ) -> Fill | None:
        cumulative = order.filled_by_odno.get(odno, 0) + qty
        fill_id = f"{odno}:{cumulative}"
        if fill_id in self._fill_ids:
            return None
        price = round(amount / qty) if qty else 0
        order.filled_by_odno[odno] = cumulative
        order.amount_by_odno[odno] = order.amount_by_odno.get(odno, 0) + amount
        order.filled += qty
        order.amount += amount
        order.qty = max(order.qty, order.filled)
        order.updated_ns = max(order.updated_ns, ts_ns)
        if order.leaves == 0:
            order.status = OrderStatus.FILLED
        elif order.status.is_open:
            order.status = OrderStatus.PARTIALLY_FILLED
        request = order.request
        commission, tax = self._costs(request.side, qty, price, request.symbol)
        booked = Fill(
            fill_id=fill_id,
            client_order_id=request.client_order_id,
            account=self.account,
            symbol=request.symbol,
            side=request.side,
            qty=qty,
            price=price,
            ts_ns=ts_ns,
            venue_order_id=odno,
            commission=commission,
            tax=tax,
            leaves_qty=order.leaves,
        )
        self._fill_ids.add(fill_id)
        self.fills.append(booked)
        return booked

    # -- views --------------------------------------------------------------------------------

    def update(
        self, order: TrackedOrder, status: OrderStatus, ts_ns: int, *, code: str = "",
        message: str = "",
    ) -> OrderUpdate:  # fmt: skip
        """The `OrderUpdate` saying `order` is now in `status`."""
        return OrderUpdate(
            venue_order_id=order.odno,
            client_order_id=order.client_order_id,
            account=self.account,
            symbol=order.request.symbol,
            side=order.request.side,
            ts_ns=ts_ns,
            status=status,
            price=order.price,
            qty=order.qty,
            filled_qty=order.filled,
            leaves_qty=order.leaves if status.is_open else 0,
            reject_code=code,
            message=message,
        )


def status_after(order: TrackedOrder, notice: Notice) -> OrderStatus:
    """The order's status as a non-fill notice reports it."""
    if notice.kind is NoticeKind.REJECTED:
        return OrderStatus.REJECTED
    if notice.kind is NoticeKind.CANCELLED and notice.order_qty >= order.leaves:
        return OrderStatus.CANCELLED
    if order.status.is_terminal:
        return order.status
    return OrderStatus.PARTIALLY_FILLED if order.filled else OrderStatus.ACCEPTED
