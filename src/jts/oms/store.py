"""Persistence of orders and fills: the store contract, the in-memory store, the journal.

ARCHITECTURE principle 6, "nothing is lost": every order intent is written before it is sent
and every fill before it is acknowledged. The order manager stays a pure in-memory core; a
`Journal` subscribes to it and hands each committed change to an `OrderStore`, which buffers
it. The caller decides when the buffer must be durable and calls `flush` — before sending an
order to the venue, before acknowledging a fill — so many orders can share one commit (group
commit: one fsync for a batch instead of one per row). The sequence per order is therefore

    submit → (journal records) → flush → send;   fill → (journal records) → flush → ack

On restart, `restore` rebuilds the manager and its positions from what the store kept, and
reconciliation with the venue (a later step) settles what happened while we were down.

Backends: `MemoryStore` here (backtests and tests: nothing to wait for), `SqlOrderStore` in
`jts.storage.orders` (SQLite WAL embedded, PostgreSQL on servers). Both satisfy `OrderStore`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

import msgspec

from jts.core.models import Fill, Order
from jts.oms.manager import OrderManager
from jts.oms.positions import PositionBook


class StoredState(msgspec.Struct, frozen=True):
    """What a store holds for one account: each order's latest state in submission order, and
    every fill in arrival order (the order the book must replay them in)."""

    orders: tuple[Order, ...]
    fills: tuple[Fill, ...]


class OrderStore(Protocol):
    """Where the journal writes; every method is called from the trading thread.

    `record_*` only buffer (they sit on the order path and must be cheap); `flush` makes
    everything recorded so far durable at once, in one transaction, and raises if it could not,
    keeping the buffer so that a retried `flush` writes it again.
    """

    def record_order(self, order: Order) -> None:
        """Upsert `order`'s latest state, keyed by account + client order id (buffered)."""
        ...

    def record_fill(self, fill: Fill) -> None:
        """Append `fill`; a fill id already recorded is ignored (buffered)."""
        ...

    def flush(self) -> None:
        """Return only once everything recorded so far is durable (one commit)."""
        ...

    def load(self, account: str) -> StoredState:
        """What is durable for `account` (not what is still buffered)."""
        ...

    def close(self) -> None:
        """Flush what is buffered and release the store's resources."""
        ...


class MemoryStore:
    """An `OrderStore` in dicts: what backtests use, where durability means nothing.

    `flush` has nothing to do, so whatever was recorded is also what `load` returns. Orders are
    kept in the order they were first recorded (submission order: the journal records an order
    when it is submitted); fills in arrival order, once per fill id.
    """

    __slots__ = ("_accounts", "_fills")

    def __init__(self) -> None:
        self._accounts: dict[str, dict[str, Order]] = {}
        """Orders by account, then client order id (cheaper than a tuple key per record)."""
        self._fills: dict[str, Fill] = {}

    def record_order(self, order: Order) -> None:
        request = order.request
        orders = self._accounts.get(request.account)
        if orders is None:
            orders = self._accounts[request.account] = {}
        orders[request.client_order_id] = order

    def record_fill(self, fill: Fill) -> None:
        fills = self._fills
        if fill.fill_id not in fills:
            fills[fill.fill_id] = fill

    def flush(self) -> None:
        """Nothing to do: memory is as durable as this store gets."""

    def load(self, account: str) -> StoredState:
        return StoredState(
            orders=tuple(self._accounts.get(account, {}).values()),
            fills=tuple(fill for fill in self._fills.values() if fill.account == account),
        )

    def close(self) -> None:
        """Nothing to release; the data stays readable."""


class Journal:
    """Connects an `OrderManager` to an `OrderStore`: every committed change is recorded.

    The store's own `record_order` and `record_fill` are subscribed directly (no wrapper call on
    the order path); fills come from the manager's fill listener, so a journal never searches
    for the fill that changed an order. `flush` is the caller's "make it durable now".
    """

    __slots__ = ("_detach", "flush", "store")

    flush: Callable[[], None]
    """Everything the manager committed so far is durable when this returns: the store's own
    `flush`, bound directly (one call less, twice per order on the durable path)."""

    def __init__(self, manager: OrderManager, store: OrderStore) -> None:
        self.store = store
        self.flush = store.flush
        self._detach = (
            manager.subscribe_fills(store.record_fill),
            manager.subscribe(store.record_order),
        )

    def close(self) -> None:
        """Stop recording (the store stays open: its owner closes it)."""
        for unsubscribe in self._detach:
            unsubscribe()


def restore(
    account: str,
    state: StoredState,
    *,
    clock: Callable[[], int] | None = None,
    allow_short: bool = False,
) -> OrderManager:
    """A new `OrderManager` (and `PositionBook`) of `account` holding what `state` stored.

    Orders are adopted as stored and fills replayed in arrival order through the book's own
    arithmetic (`OrderManager.load` says why), so orders, statuses, fill progress and
    positions — quantities, average prices, realized P&L, fees, taxes, cash flow — equal those
    of the manager that was journaled. `clock` (int ns) as for `OrderManager`; `allow_short`
    must match the original book's setting.
    """
    manager = OrderManager(account, clock, positions=PositionBook(account, allow_short=allow_short))
    manager.load(state.orders, state.fills)
    return manager
