"""The journal and the in-memory store: what a manager committed comes back whole on restore."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jts.core import Fill, JtsError, Order, OrderRequest, OrderStatus, OrderType, Side
from jts.oms import (
    InconsistentState,
    Journal,
    MemoryStore,
    OrderManager,
    OrderStore,
    PositionBook,
    ShortNotAllowed,
    StoredState,
    restore,
)
from tests.oms.factories import ACCOUNT, fill, request

SYMBOLS = ("005930", "000660", "035720")
KINDS = (
    *("submit",) * 3,
    *("accept",) * 2,
    *("fill",) * 5,
    "refill",
    "cancel_request",
    "cancelled",
    "cancel_rejected",
    "modify_request",
    "modified",
    "modify_rejected",
    "reject",
    "expire",
)

Spec = tuple[bool, int, int]
"""An order to submit: (buy, qty, price code — 0 for a market order)."""
Event = tuple[str, int, int, int]
"""(kind, which submitted order, a, b): one strategy or venue event; a and b are its numbers."""

specs = st.lists(
    st.tuples(
        st.booleans() | st.just(True),  # buys twice as likely: sells need something to sell
        st.integers(min_value=1, max_value=400),
        st.integers(min_value=0, max_value=40),
    ),
    min_size=1,
    max_size=8,
)
events = st.lists(
    st.tuples(
        st.sampled_from(KINDS),
        st.integers(min_value=0, max_value=7),
        st.integers(min_value=1, max_value=400),
        st.integers(min_value=0, max_value=3_000),
    ),
    min_size=1,
    max_size=80,
)


class Flow:
    """Plays `specs` and events against a manager; events it refuses are skipped, as a venue
    adapter would log and drop them. Keeps the venue's side (what was submitted, which fills
    were sent), so a flow can go on against a restored manager. Order n is `<account>-o<n>`."""

    def __init__(self, order_specs: Sequence[Spec]) -> None:
        self.specs = order_specs
        self.submitted = 0
        self.sent: list[Fill] = []

    def run(self, manager: OrderManager, flow: Sequence[Event], first_ts: int = 1) -> None:
        for ts, (kind, n, a, b) in enumerate(flow, start=first_ts):
            try:
                self._step(manager, kind, n, a, b, ts * 1_000)
            except JtsError:
                continue

    def _step(self, manager: OrderManager, kind: str, n: int, a: int, b: int, ts: int) -> None:
        if kind == "submit" or self.submitted == 0:
            self._submit(manager, b, ts)
            return
        coid = f"{manager.account}-o{n % self.submitted}"
        if kind == "fill":
            self._fill(manager, manager.get(coid), a, b, ts)
        elif kind == "refill":
            if self.sent:
                manager.on_fill(self.sent[a % len(self.sent)])  # a venue repeating itself
        else:
            _venue_event(manager, kind, coid, a, b, ts)

    def _submit(self, manager: OrderManager, b: int, ts: int) -> None:
        if self.submitted == len(self.specs):
            return
        buy, qty, code = self.specs[self.submitted]
        n = self.submitted
        self.submitted += 1
        price = 50_000 + 100 * code if code else None
        manager.submit(
            OrderRequest(
                client_order_id=f"{manager.account}-o{n}",
                account=manager.account,
                symbol=SYMBOLS[n % len(SYMBOLS)],
                side=Side.BUY if buy else Side.SELL,
                qty=qty,
                price=price,
                order_type=OrderType.LIMIT if price else OrderType.MARKET,
                strategy="s" if b % 2 else None,
                ts_ns=0 if b % 7 == 0 else ts,  # 0: stamped by the manager's clock
            )
        )

    def _fill(self, manager: OrderManager, order: Order, a: int, b: int, ts: int) -> None:
        request = order.request
        qty = min(a, order.remaining_qty) or 1
        new = fill(
            request.client_order_id,
            qty=qty,
            price=60_000 + b,
            side=request.side,
            symbol=request.symbol,
            fill_id=f"{request.client_order_id}-f{len(self.sent)}",
            account=manager.account,
            ts_ns=ts,
            commission=b % 97,
            tax=b % 13 if request.side is Side.SELL else 0,
            leaves_qty=order.remaining_qty - qty,
            venue_order_id=order.venue_order_id,
        )
        manager.on_fill(new)
        self.sent.append(new)


def run_flow(manager: OrderManager, order_specs: Sequence[Spec], flow: Sequence[Event]) -> Flow:
    """`Flow(order_specs).run(manager, flow)`, returning the flow to go on with."""
    played = Flow(order_specs)
    played.run(manager, flow)
    return played


def _venue_event(manager: OrderManager, kind: str, coid: str, a: int, b: int, ts: int) -> None:
    handlers: dict[str, Callable[[], object]] = {
        "accept": lambda: manager.on_accepted(coid, f"v-{coid}", ts),
        "cancel_request": lambda: manager.request_cancel(coid, ts),
        "cancelled": lambda: manager.on_cancelled(coid, ts),
        "cancel_rejected": lambda: manager.on_cancel_rejected(coid, ts),
        "modify_request": lambda: manager.request_modify(coid, ts),
        "modified": lambda: manager.on_modified(coid, ts, price=50_000 + b, qty=a),
        "modify_rejected": lambda: manager.on_modify_rejected(coid, ts),
        "reject": lambda: manager.on_rejected(coid, f"40310000 reason {b}", ts),
        "expire": lambda: manager.on_expired(coid, ts),
    }
    handlers[kind]()


def assert_same(restored: OrderManager, original: OrderManager) -> None:
    """Orders, fills, open orders and every position figure equal, field for field."""
    assert list(restored.orders()) == list(original.orders())
    assert restored.fills() == original.fills()
    assert restored.open_orders() == original.open_orders()
    for symbol in SYMBOLS:
        assert restored.open_orders(symbol) == original.open_orders(symbol)
        assert restored.positions.cost_basis(symbol) == original.positions.cost_basis(symbol)
    book, expected = restored.positions, original.positions
    assert book.positions(include_flat=True) == expected.positions(include_flat=True)
    assert (book.cash_flow, book.realized, book.gross_cost) == (
        expected.cash_flow,
        expected.realized,
        expected.gross_cost,
    )
    assert (book.fees, book.taxes) == (expected.fees, expected.taxes)


def journaled(store: OrderStore, account: str = ACCOUNT) -> tuple[OrderManager, Journal]:
    manager = OrderManager(account, clock=lambda: 777)
    return manager, Journal(manager, store)


@given(specs, events)
def test_restore_from_a_memory_store_gives_back_orders_fills_and_positions(
    order_specs: list[Spec], flow: list[Event]
) -> None:
    store = MemoryStore()
    manager, journal = journaled(store)
    run_flow(manager, order_specs, flow)
    journal.flush()
    restored = restore(ACCOUNT, store.load(ACCOUNT), clock=lambda: 777)
    assert_same(restored, manager)


@given(specs, events)
def test_a_restored_manager_carries_on_exactly_like_the_original(
    order_specs: list[Spec], flow: list[Event]
) -> None:
    """Half the flow, restart, the other half: the same end state as without a restart."""
    half = len(flow) // 2
    straight = OrderManager(ACCOUNT, clock=lambda: 777)
    run_flow(straight, order_specs, flow)
    store = MemoryStore()
    first, _ = journaled(store)
    played = run_flow(first, order_specs, flow[:half])
    second = restore(ACCOUNT, store.load(ACCOUNT), clock=lambda: 777)
    Journal(second, store)
    played.run(second, flow[half:], first_ts=half + 1)
    assert_same(second, straight)
    assert_same(restore(ACCOUNT, store.load(ACCOUNT), clock=lambda: 777), straight)


def test_the_store_keeps_each_orders_latest_state_once_in_submission_order() -> None:
    store = MemoryStore()
    manager, _ = journaled(store)
    manager.submit(request("o-1"))
    manager.submit(request("o-2"))
    manager.on_accepted("o-1", "v-1", 1_500)
    manager.on_fill(fill("o-1", qty=100))
    state = store.load(ACCOUNT)
    assert [o.request.client_order_id for o in state.orders] == ["o-1", "o-2"]
    assert [o.status for o in state.orders] == [OrderStatus.FILLED, OrderStatus.PENDING_NEW]
    assert state.fills == tuple(manager.fills())


def test_recording_a_fill_twice_keeps_one() -> None:
    store = MemoryStore()
    manager, _ = journaled(store)
    manager.submit(request("o-1"))
    first = fill("o-1", qty=10)
    manager.on_fill(first)
    manager.on_fill(first)  # the manager drops the repeat: no second record
    store.record_fill(first)  # and the store ignores one that reaches it anyway
    assert store.load(ACCOUNT).fills == (first,)


def test_a_store_keeps_accounts_apart() -> None:
    store = MemoryStore()
    one, _ = journaled(store, "acct-1")
    two, _ = journaled(store, "acct-2")
    one.submit(request("o-1"))
    two.submit(request("o-1", account="acct-2"))
    two.on_fill(fill("o-1", qty=5, account="acct-2"))
    assert [o.request.account for o in store.load("acct-1").orders] == ["acct-1"]
    assert store.load("acct-1").fills == ()
    assert len(store.load("acct-2").fills) == 1
    assert store.load("nobody") == StoredState(orders=(), fills=())


def test_closing_a_journal_stops_recording() -> None:
    store = MemoryStore()
    manager, journal = journaled(store)
    manager.submit(request("o-1"))
    journal.close()
    manager.submit(request("o-2"))
    manager.on_fill(fill("o-1", qty=1))
    state = store.load(ACCOUNT)
    assert [o.request.client_order_id for o in state.orders] == ["o-1"]
    assert state.fills == ()


def test_fill_listeners_get_each_new_fill_before_the_order_listeners_get_the_order() -> None:
    manager = OrderManager(ACCOUNT)
    seen: list[object] = []
    manager.subscribe(seen.append)
    stop = manager.subscribe_fills(seen.append)
    manager.submit(request("o-1"))
    first = fill("o-1", qty=10)
    order = manager.on_fill(first)
    manager.on_fill(first)  # a repeat reaches nobody
    assert seen[1:] == [first, order]
    stop()
    manager.on_fill(fill("o-1", qty=10))
    assert len(seen) == 4  # the order listener only


def test_a_failing_fill_listener_does_not_starve_the_order_listeners() -> None:
    manager = OrderManager(ACCOUNT)
    seen: list[object] = []

    def broken(_: Fill) -> None:
        raise RuntimeError("journal down")

    manager.subscribe_fills(broken)
    manager.subscribe(seen.append)
    manager.submit(request("o-1"))
    with pytest.raises(RuntimeError, match="journal down"):
        manager.on_fill(fill("o-1", qty=10))
    assert manager.get("o-1").filled_qty == 10  # committed before anyone was told
    assert seen[-1] == manager.get("o-1")


def test_restore_refuses_a_fill_of_no_stored_order() -> None:
    state = StoredState(orders=(), fills=(fill("o-9", qty=1),))
    with pytest.raises(InconsistentState, match=r"'f-\d+' matches no stored order"):
        restore(ACCOUNT, state)


def test_restore_refuses_fills_that_do_not_add_up_to_the_order() -> None:
    store = MemoryStore()
    manager, _ = journaled(store)
    manager.submit(request("o-1"))
    manager.on_fill(fill("o-1", qty=10))
    state = store.load(ACCOUNT)
    with pytest.raises(InconsistentState, match="'o-1': its fills add up to 0 shares"):
        restore(ACCOUNT, StoredState(orders=state.orders, fills=()))


def test_restore_refuses_another_accounts_orders_and_a_used_manager() -> None:
    store = MemoryStore()
    manager, _ = journaled(store)
    manager.submit(request("o-1"))
    with pytest.raises(InconsistentState, match="belongs to 'acct-1'"):
        restore("acct-2", store.load(ACCOUNT))
    with pytest.raises(InconsistentState, match="needs an empty manager"):
        manager.load(store.load(ACCOUNT).orders, ())


def test_restore_into_a_long_only_book_refuses_a_shorting_history() -> None:
    manager = OrderManager(ACCOUNT, positions=PositionBook(ACCOUNT, allow_short=True))
    store = MemoryStore()
    Journal(manager, store)
    manager.submit(request("o-1", side=Side.SELL))
    manager.on_fill(fill("o-1", qty=10, side=Side.SELL))
    assert restore(ACCOUNT, store.load(ACCOUNT), allow_short=True).positions.qty("005930") == -10
    with pytest.raises(ShortNotAllowed):
        restore(ACCOUNT, store.load(ACCOUNT))
