"""The order manager: every order of one account, its state and its fills, in memory.

`OrderManager` is the single owner of order state. Strategies (through risk) call `submit`;
the venue side reports what happened (`on_accepted`, `on_fill`, `on_cancelled` ...). Every
change goes through the state table of `jts.oms.state`, so an event that makes no sense for an
order raises `InvalidTransition` instead of being applied.

Idempotency, because venues and restarts repeat themselves:

* `submit` of a request *identical* to a known one (same client order id and every field equal)
  returns the existing order: a retry after a timeout is harmless. The same id with any field
  different raises `DuplicateOrder` — two intents must never share an id.
* `on_fill` with a fill id already applied returns the order unchanged (the fill is not booked
  twice). The same fill id with different content raises `InvalidFill`.
* `on_accepted` repeated with the venue id the order already has is ignored.

A fill may arrive before the acknowledgement (KIS and Creon deliver the two on different
channels); it then counts as the acknowledgement too (pending_new → accepted → filled in one
step, one update to listeners).

Fills are also applied to `positions` (a `PositionBook`) before the order is committed, so
orders and positions never disagree: a fill the book refuses (a short sale in a long-only book)
raises and changes neither.

Performance: the backtester pushes hundreds of thousands of orders through here, so state
changes are plain dict and attribute work — no logging, no validation of the request beyond
what is cheap (account, quantity); `OrderRequest.validate()` belongs at the edge. Listeners
cost nothing while there are none.

Extension points for persistence and reconciliation: every change produces a new immutable
`Order` and reaches `subscribe`d listeners after it is committed, in the order it happened;
`subscribe_fills` hands out each new `Fill` as well; `load` adopts what a store kept (restart).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import TypeVar

import msgspec

from jts.core.enums import OrderStatus
from jts.core.errors import InvalidInput, JtsError
from jts.core.models import Fill, Order, OrderRequest
from jts.oms.positions import PositionBook
from jts.oms.state import TRANSITIONS, InvalidTransition

Listener = Callable[[Order], None]
"""Called with each updated order, after the manager has committed the change."""

FillListener = Callable[[Fill], None]
"""Called with each newly applied fill (never a repeated one), after the change is committed."""

_L = TypeVar("_L", Listener, FillListener)
_replace = msgspec.structs.replace
_ALLOWED = dict(TRANSITIONS)  # a plain dict: the read-only proxy costs a little on every event
# Enum members as module constants: on CPython 3.11 `OrderStatus.FILLED` is a slow class
# attribute lookup (~60 ns), and the hot path names a status several times per event.
_PENDING_NEW = OrderStatus.PENDING_NEW
_ACCEPTED = OrderStatus.ACCEPTED
_PARTIALLY_FILLED = OrderStatus.PARTIALLY_FILLED
_FILLED = OrderStatus.FILLED
_PENDING_CANCEL = OrderStatus.PENDING_CANCEL
_PENDING_MODIFY = OrderStatus.PENDING_MODIFY
_CANCELLED = OrderStatus.CANCELLED
_REJECTED = OrderStatus.REJECTED
_EXPIRED = OrderStatus.EXPIRED


class DuplicateOrder(InvalidInput):
    """A client order id is already used by a different request (never retry)."""

    def __init__(self, client_order_id: str, existing: OrderRequest, new: OrderRequest) -> None:
        super().__init__(
            "client_order_id",
            f"{client_order_id!r} is already used by {_describe(existing)}; "
            f"refusing {_describe(new)}",
        )
        self.client_order_id = client_order_id


class UnknownOrder(JtsError, LookupError):
    """No order with this client order id exists in this manager."""

    def __init__(self, client_order_id: str, account: str) -> None:
        super().__init__(f"no order {client_order_id!r} in account {account!r}")
        self.client_order_id = client_order_id


class InvalidFill(InvalidInput):
    """A fill that cannot belong to its order (too large, other symbol/side/account ...)."""

    def __init__(self, fill: Fill, problem: str) -> None:
        super().__init__(
            "fill", f"fill {fill.fill_id!r} of order {fill.client_order_id!r}: {problem}"
        )
        self.fill = fill


class InconsistentState(JtsError):
    """Stored orders and fills disagree, or `load` got a manager already holding state. Never
    retry: the store was written by something else or edited; the message names the culprit."""


class OrderManager:
    """In-memory order book of one account (see the module docstring for the rules)."""

    __slots__ = (
        "_clock",
        "_fill_listeners",
        "_fills",
        "_fills_watched",
        "_listeners",
        "_open",
        "_open_by_symbol",
        "_orders",
        "account",
        "positions",
    )

    def __init__(
        self,
        account: str,
        clock: Callable[[], int] | None = None,
        *,
        positions: PositionBook | None = None,
    ) -> None:
        """`clock` (int ns) stamps events that carry no time of their own (a request with
        ts_ns=0, `request_cancel`); without one they keep the order's last time. `positions`
        defaults to a long-only `PositionBook` for `account`."""
        if positions is not None and positions.account != account:
            raise InvalidInput(
                "positions", f"book of account {positions.account!r}, manager of {account!r}"
            )
        self.account = account
        self.positions = positions if positions is not None else PositionBook(account)
        self._clock = clock
        self._orders: dict[str, Order] = {}
        self._open: dict[str, None] = {}
        self._open_by_symbol: dict[str, dict[str, None]] = {}
        self._fills: dict[str, Fill] = {}
        self._listeners: tuple[Listener, ...] = ()  # replaced on (un)subscribe: no copy to notify
        self._fill_listeners: tuple[FillListener, ...] = ()
        self._fills_watched = False  # any listener of either kind: `on_fill`'s one check

    # -- commands from our side -------------------------------------------------------------

    def submit(self, request: OrderRequest) -> Order:
        """Record `request` as a new order (pending_new) and return it.

        Idempotent for an identical request; `DuplicateOrder` for a different one with the same
        client order id. `InvalidInput` for another account or a quantity below one share.
        """
        coid = request.client_order_id
        if request.account != self.account:
            raise InvalidInput(
                "account", f"order {coid!r} is for {request.account!r}, not {self.account!r}"
            )
        if request.qty <= 0:
            raise InvalidInput("qty", f"order {coid!r}: {request.qty} is not a share count")
        ts = request.ts_ns or self._now(0)
        order = Order(request=request, status=_PENDING_NEW, created_ns=ts, updated_ns=ts)
        existing = self._orders.setdefault(coid, order)  # one probe of a large dict, not two
        if existing is not order:
            if existing.request == request:
                return existing
            raise DuplicateOrder(coid, existing.request, request)
        self._open[coid] = None
        by_symbol = self._open_by_symbol.get(request.symbol)
        if by_symbol is None:
            by_symbol = self._open_by_symbol[request.symbol] = {}
        by_symbol[coid] = None
        if self._listeners:
            self._notify(order)
        return order

    def request_cancel(self, client_order_id: str, ts_ns: int | None = None) -> Order:
        """Mark a working order pending_cancel; the caller then asks the venue."""
        order = self.get(client_order_id)
        return self._move(order, _PENDING_CANCEL, self._stamp(order, ts_ns))

    def request_modify(self, client_order_id: str, ts_ns: int | None = None) -> Order:
        """Mark a working order pending_modify; the caller then asks the venue."""
        order = self.get(client_order_id)
        return self._move(order, _PENDING_MODIFY, self._stamp(order, ts_ns))

    # -- events from the venue --------------------------------------------------------------

    def on_accepted(self, client_order_id: str, venue_order_id: str, ts_ns: int) -> Order:
        """The venue took the order and gave it `venue_order_id`."""
        order = self._orders.get(client_order_id)
        if order is None:
            raise UnknownOrder(client_order_id, self.account)
        status = order.status
        if status is not _PENDING_NEW:
            if order.venue_order_id == venue_order_id:
                return order  # a repeated acknowledgement
            raise InvalidTransition(client_order_id, status, _ACCEPTED)
        order = _replace(order, status=_ACCEPTED, venue_order_id=venue_order_id, updated_ns=ts_ns)
        self._orders[client_order_id] = order  # never terminal: no open-set bookkeeping
        if self._listeners:
            self._notify(order)
        return order

    def on_rejected(self, client_order_id: str, reason: str, ts_ns: int) -> Order:
        """The venue refused the order; `reason` (its code and text) is kept on the order."""
        order = self.get(client_order_id)
        if _REJECTED not in _ALLOWED[order.status]:
            raise InvalidTransition(client_order_id, order.status, _REJECTED)
        return self._commit(
            _replace(order, status=_REJECTED, reject_reason=reason, updated_ns=ts_ns)
        )

    def on_fill(self, fill: Fill) -> Order:
        """Apply one execution: fill progress, average price, status, and `positions`."""
        coid = fill.client_order_id
        known = self._fills.get(fill.fill_id)
        if known is not None:
            if known != fill:
                raise InvalidFill(fill, f"fill id already used by {known!r}")
            return self.get(coid)
        order = self._orders.get(coid)
        if order is None:
            raise UnknownOrder(coid, self.account)
        request = order.request
        filled = order.filled_qty
        remaining = request.qty - filled
        qty = fill.qty
        if not 0 < qty <= remaining:
            raise InvalidFill(fill, f"{qty:,} shares with {remaining:,} remaining")
        if (
            fill.symbol != request.symbol
            or fill.side is not request.side
            or fill.account != self.account
        ):
            raise InvalidFill(
                fill, f"{fill.side} {fill.symbol} in {fill.account!r} on a {_describe(request)}"
            )
        status = order.status
        new_status = _FILLED if qty == remaining else _PARTIALLY_FILLED
        # A fill before the acknowledgement is the acknowledgement (pending_new → accepted).
        if new_status not in _ALLOWED[_ACCEPTED if status is _PENDING_NEW else status]:
            raise InvalidTransition(coid, status, new_status)
        self.positions.apply(fill)  # raises (changing nothing) if the book refuses the fill
        self._fills[fill.fill_id] = fill
        order = _replace(
            order,
            status=new_status,
            filled_qty=filled + qty,
            avg_fill_price=(order.avg_fill_price * filled + fill.price * qty) / (filled + qty),
            venue_order_id=order.venue_order_id or fill.venue_order_id,
            updated_ns=fill.ts_ns,
        )
        self._orders[coid] = order
        if new_status is _FILLED:
            del self._open[coid]
            del self._open_by_symbol[request.symbol][coid]
        if self._fills_watched:
            self._notify_fill(fill, order)
        return order

    def on_cancelled(self, client_order_id: str, ts_ns: int) -> Order:
        """The venue cancelled what was left of the order."""
        order = self.get(client_order_id)
        return self._move(order, _CANCELLED, ts_ns)

    def on_expired(self, client_order_id: str, ts_ns: int) -> Order:
        """The order's time in force ran out (end of day, IOC/FOK remainder)."""
        order = self.get(client_order_id)
        return self._move(order, _EXPIRED, ts_ns)

    def on_cancel_rejected(self, client_order_id: str, ts_ns: int) -> Order:
        """The venue refused our cancel: the order works on (accepted or partially filled)."""
        order = self.get(client_order_id)
        if order.status is not _PENDING_CANCEL:
            raise InvalidTransition(client_order_id, order.status, _working(order))
        return self._move(order, _working(order), ts_ns)

    def on_modified(
        self,
        client_order_id: str,
        ts_ns: int,
        *,
        price: int | None = None,
        qty: int | None = None,
    ) -> Order:
        """The venue applied our modification: new limit `price` and/or total `qty`.

        A total quantity equal to what has filled finishes the order (filled); below that it is
        an error.
        """
        order = self.get(client_order_id)
        if order.status is not _PENDING_MODIFY:
            raise InvalidTransition(client_order_id, order.status, _working(order))
        request = order.request
        new_qty = request.qty if qty is None else qty
        if new_qty < order.filled_qty or new_qty <= 0:
            raise InvalidInput(
                "qty", f"order {client_order_id!r}: {new_qty:,} < {order.filled_qty:,} filled"
            )
        new_request = _replace(
            request, price=request.price if price is None else price, qty=new_qty
        )
        modified = _replace(order, request=new_request)
        status = _FILLED if new_qty == order.filled_qty else _working(modified)
        return self._move(modified, status, ts_ns)

    def on_modify_rejected(self, client_order_id: str, ts_ns: int) -> Order:
        """The venue refused our modification: the order works on unchanged."""
        order = self.get(client_order_id)
        if order.status is not _PENDING_MODIFY:
            raise InvalidTransition(client_order_id, order.status, _working(order))
        return self._move(order, _working(order), ts_ns)

    # -- queries ----------------------------------------------------------------------------

    def get(self, client_order_id: str) -> Order:
        """The current state of an order; `UnknownOrder` if there is none."""
        order = self._orders.get(client_order_id)
        if order is None:
            raise UnknownOrder(client_order_id, self.account)
        return order

    def __contains__(self, client_order_id: object) -> bool:
        return client_order_id in self._orders

    def __len__(self) -> int:
        return len(self._orders)

    def open_orders(self, symbol: str | None = None) -> list[Order]:
        """Orders that may still trade (not terminal), in submission order."""
        orders = self._orders
        if symbol is None:
            return [orders[coid] for coid in self._open]
        by_symbol = self._open_by_symbol.get(symbol)
        return [orders[coid] for coid in by_symbol] if by_symbol else []

    def orders(self) -> Iterator[Order]:
        """Every order ever submitted, in submission order."""
        return iter(self._orders.values())

    def fills(self, client_order_id: str | None = None) -> list[Fill]:
        """Applied fills in arrival order, of one order or of all."""
        if client_order_id is None:
            return list(self._fills.values())
        return [fill for fill in self._fills.values() if fill.client_order_id == client_order_id]

    # -- listeners --------------------------------------------------------------------------

    def subscribe(self, listener: Listener) -> Callable[[], None]:
        """Call `listener` with every updated order; returns a function that unsubscribes.

        Every listener is called even if an earlier one raises; the first error is re-raised
        afterwards (the state change itself is already committed).
        """
        self._listeners = (*self._listeners, listener)
        self._fills_watched = True

        def unsubscribe() -> None:
            self._listeners = _without(self._listeners, listener)
            self._fills_watched = bool(self._listeners or self._fill_listeners)

        return unsubscribe

    def subscribe_fills(self, listener: FillListener) -> Callable[[], None]:
        """Call `listener` with every newly applied fill (before order listeners get the order;
        a repeated fill id reaches nobody); returns a function that unsubscribes. Errors as in
        `subscribe`. Free while unused: `on_fill` checks one flag, as it always did."""
        self._fill_listeners = (*self._fill_listeners, listener)
        self._fills_watched = True

        def unsubscribe() -> None:
            self._fill_listeners = _without(self._fill_listeners, listener)
            self._fills_watched = bool(self._listeners or self._fill_listeners)

        return unsubscribe

    # -- restart ----------------------------------------------------------------------------

    def load(self, orders: Iterable[Order], fills: Iterable[Fill]) -> None:
        """Adopt an earlier run's committed state (`orders` in submission order, `fills` in
        arrival order, as an `OrderStore` kept them) into this new, empty manager and book.

        Orders are taken as stored (the committed truth: no sequence of public calls recreates
        every state, e.g. a pending cancel after a partial fill). Fills are replayed in arrival
        order through `positions.apply`, the book's own arithmetic, so positions, realized P&L
        (rounding depends on fill order), fees, taxes and cash flow come out identical. No
        listener is called. All is checked first (`InconsistentState`); only the book may still
        refuse a fill (`ShortNotAllowed`: shorting fills into a long-only book) — discard it then.
        """
        if self._orders or self._fills or any(self.positions.positions(include_flat=True)):
            raise InconsistentState(f"account {self.account!r}: load needs an empty manager")
        adopted = self._check_orders(orders)
        applied = self._check_fills(adopted, fills)
        for fill in applied.values():
            self.positions.apply(fill)
        self._fills = applied
        for coid, order in adopted.items():
            self._orders[coid] = order
            if not order.status.is_terminal:
                self._open[coid] = None
                self._open_by_symbol.setdefault(order.request.symbol, {})[coid] = None

    def _check_orders(self, orders: Iterable[Order]) -> dict[str, Order]:
        adopted: dict[str, Order] = {}
        for order in orders:
            request = order.request
            coid = request.client_order_id
            if request.account != self.account:
                raise InconsistentState(f"order {coid!r} belongs to {request.account!r}")
            if adopted.setdefault(coid, order) is not order:
                raise InconsistentState(f"order {coid!r} is stored twice")
        return adopted

    def _check_fills(self, orders: dict[str, Order], fills: Iterable[Fill]) -> dict[str, Fill]:
        applied: dict[str, Fill] = {}
        filled = dict.fromkeys(orders, 0)
        for fill in fills:
            order = orders.get(fill.client_order_id)
            if order is None or (fill.symbol, fill.account) != (order.request.symbol, self.account):
                raise InconsistentState(f"fill {fill.fill_id!r} matches no stored order")
            if applied.setdefault(fill.fill_id, fill) is not fill:
                raise InconsistentState(f"fill {fill.fill_id!r} is stored twice")
            filled[fill.client_order_id] += fill.qty
        wrong = next((coid for coid, qty in filled.items() if qty != orders[coid].filled_qty), None)
        if wrong is not None:
            raise InconsistentState(
                f"order {wrong!r}: its fills add up to {filled[wrong]:,} shares"
            )
        return applied

    # -- internals --------------------------------------------------------------------------

    def _move(self, order: Order, status: OrderStatus, ts_ns: int) -> Order:
        if status not in _ALLOWED[order.status]:
            raise InvalidTransition(order.request.client_order_id, order.status, status)
        return self._commit(_replace(order, status=status, updated_ns=ts_ns))

    def _commit(self, order: Order) -> Order:
        coid = order.request.client_order_id
        self._orders[coid] = order
        if order.status in _TERMINAL:
            del self._open[coid]
            del self._open_by_symbol[order.request.symbol][coid]
        if self._listeners:
            self._notify(order)
        return order

    def _notify_fill(self, fill: Fill, order: Order) -> None:
        error: Exception | None = None
        for fill_listener in self._fill_listeners:
            try:
                fill_listener(fill)
            except Exception as exc:
                error = error or exc
        for listener in self._listeners:
            try:
                listener(order)
            except Exception as exc:
                error = error or exc
        if error is not None:
            raise error

    def _notify(self, order: Order) -> None:
        error: Exception | None = None
        for listener in self._listeners:
            try:
                listener(order)
            except Exception as exc:
                error = error or exc
        if error is not None:
            raise error

    def _now(self, fallback: int) -> int:
        return self._clock() if self._clock is not None else fallback

    def _stamp(self, order: Order, ts_ns: int | None) -> int:
        return ts_ns if ts_ns is not None else self._now(order.updated_ns)


_TERMINAL = frozenset(status for status in OrderStatus if status.is_terminal)


def _without(listeners: tuple[_L, ...], listener: _L) -> tuple[_L, ...]:
    """`listeners` less the first occurrence of `listener`."""
    kept = list(listeners)
    if listener in kept:
        kept.remove(listener)
    return tuple(kept)


def _working(order: Order) -> OrderStatus:
    """The status an order returns to when a cancel or modify request goes nowhere."""
    return _PARTIALLY_FILLED if order.filled_qty else _ACCEPTED


def _describe(request: OrderRequest) -> str:
    price = f"{request.price:,} KRW" if request.price is not None else request.order_type.value
    return f"{request.side} {request.qty:,} {request.symbol} @ {price}"
