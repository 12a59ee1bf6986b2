"""The order-number chain and fill bookkeeping: no fill twice, none lost, across both sources."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from jts.core.enums import OrderStatus, Side
from jts.core.models import OrderRequest
from jts.venues.kis.tracking import OrderTracker


def no_costs(side: Side, qty: int, price: int, symbol: str) -> tuple[int, int]:
    return 0, 0


def tracker_with_order(qty: int = 10) -> OrderTracker:
    tracker = OrderTracker("12345678-01", no_costs)
    request = OrderRequest(
        client_order_id="c1", account="12345678-01", symbol="005930", side=Side.BUY, qty=qty,
        price=70_000,
    )  # fmt: skip
    tracker.track(request, "0000000001", 1)
    return tracker


def test_notices_book_fills_with_cumulative_ids() -> None:
    tracker = tracker_with_order()
    first = tracker.fill("0000000001", 4, 70_000, 2)
    second = tracker.fill("0000000001", 6, 70_000, 3)
    assert first is not None
    assert second is not None
    assert (first.fill_id, first.leaves_qty) == ("0000000001:4", 6)
    assert (second.fill_id, second.leaves_qty) == ("0000000001:10", 0)
    order = tracker.by_client_id("c1")
    assert order is not None
    assert order.status is OrderStatus.FILLED


def test_a_rest_total_adds_only_what_the_notices_missed() -> None:
    tracker = tracker_with_order()
    tracker.fill("0000000001", 4, 70_000, 2)
    assert tracker.catch_up("0000000001", 4, 280_000, 5) is None
    gap = tracker.catch_up("0000000001", 7, 4 * 70_000 + 3 * 70_100, 5)
    assert gap is not None
    assert (gap.qty, gap.price, gap.fill_id) == (3, 70_100, "0000000001:7")
    assert tracker.catch_up("0000000001", 7, 0, 6) is None
    assert sum(f.qty for f in tracker.fills) == 7


def test_a_modification_keeps_the_client_order_id_and_its_fills() -> None:
    tracker = tracker_with_order()
    tracker.fill("0000000001", 4, 70_000, 2)
    order = tracker.by_client_id("c1")
    assert order is not None
    tracker.replaced(order, "0000000002", price=69_900, qty=None, ts_ns=3)
    fill = tracker.fill("0000000002", 6, 69_900, 4)
    assert fill is not None
    assert (fill.client_order_id, fill.leaves_qty) == ("c1", 0)
    assert tracker.get("0000000001") is tracker.get("0000000002")


def test_a_reduction_lowers_what_the_next_fill_leaves() -> None:
    tracker = tracker_with_order()
    order = tracker.by_client_id("c1")
    assert order is not None
    tracker.replaced(order, "0000000002", price=None, qty=4, ts_ns=2)
    fill = tracker.fill("0000000002", 1, 70_000, 3)
    assert fill is not None
    assert fill.leaves_qty == 3


def test_a_cancel_of_the_whole_remainder_closes_the_order() -> None:
    tracker = tracker_with_order()
    tracker.fill("0000000001", 4, 70_000, 2)
    order = tracker.by_client_id("c1")
    assert order is not None
    tracker.cancelled(order, 2, 3)
    assert (order.leaves, order.status) == (4, OrderStatus.PARTIALLY_FILLED)
    tracker.cancelled(order, None, 4)
    assert (order.leaves, order.status) == (0, OrderStatus.CANCELLED)


def test_fills_of_an_unknown_order_number_are_not_booked() -> None:
    tracker = tracker_with_order()
    assert tracker.fill("0000000099", 1, 70_000, 2) is None
    assert tracker.catch_up("0000000099", 1, 70_000, 2) is None
    assert tracker.fills == []


@given(st.lists(st.integers(min_value=1, max_value=5), min_size=1, max_size=20), st.data())
def test_any_mix_of_notices_and_totals_books_each_share_once(
    executions: list[int], data: st.DataObject
) -> None:
    tracker = tracker_with_order(qty=sum(executions))
    done = 0
    for qty in executions:
        done += qty
        if data.draw(st.booleans(), label="notice arrives"):
            tracker.fill("0000000001", qty, 70_000, 1)
        if data.draw(st.booleans(), label="rest total read"):
            tracker.catch_up("0000000001", done, done * 70_000, 1)
    tracker.catch_up("0000000001", done, done * 70_000, 1)
    assert sum(f.qty for f in tracker.fills) == done
    assert len({f.fill_id for f in tracker.fills}) == len(tracker.fills)
    assert all(f.price == 70_000 for f in tracker.fills)
