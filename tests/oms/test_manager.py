from __future__ import annotations

import pytest

from jts.core import InvalidInput, Order, OrderStatus, Side
from jts.oms import (
    DuplicateOrder,
    InvalidFill,
    InvalidTransition,
    OrderManager,
    PositionBook,
    ShortNotAllowed,
    UnknownOrder,
)
from tests.oms.factories import ACCOUNT, fill, request

S = OrderStatus


def _accepted(manager: OrderManager, coid: str = "o-1", **changes: object) -> Order:
    manager.submit(request(coid, **changes))  # type: ignore[arg-type]
    return manager.on_accepted(coid, f"v-{coid}", 1_500)


def test_submit_records_a_pending_new_order_stamped_with_the_request_time() -> None:
    manager = OrderManager(ACCOUNT)
    order = manager.submit(request())
    assert order.status is S.PENDING_NEW
    assert (order.created_ns, order.updated_ns, order.filled_qty) == (1_000, 1_000, 0)
    assert manager.get("o-1") is order


def test_submit_without_request_time_uses_the_clock() -> None:
    manager = OrderManager(ACCOUNT, clock=lambda: 42)
    assert manager.submit(request(ts_ns=0)).created_ns == 42


def test_submitting_the_identical_request_again_returns_the_existing_order() -> None:
    manager = OrderManager(ACCOUNT)
    seen: list[Order] = []
    manager.subscribe(seen.append)
    first = manager.submit(request())
    manager.on_accepted("o-1", "v-1", 1_500)
    again = manager.submit(request())
    assert again is manager.get("o-1")
    assert again.status is S.ACCEPTED
    assert first.request == again.request
    assert len(manager) == 1
    assert len(seen) == 2


def test_same_client_order_id_with_a_different_request_is_a_duplicate() -> None:
    manager = OrderManager(ACCOUNT)
    manager.submit(request())
    with pytest.raises(DuplicateOrder, match="'o-1' is already used by buy 100 005930"):
        manager.submit(request(qty=101))


def test_submit_refuses_another_account_and_a_non_positive_quantity() -> None:
    manager = OrderManager(ACCOUNT)
    with pytest.raises(InvalidInput, match="account"):
        manager.submit(request(account="other"))
    with pytest.raises(InvalidInput, match="qty"):
        manager.submit(request(qty=0))
    assert len(manager) == 0


def test_acceptance_records_the_venue_id_and_a_repeated_ack_is_ignored() -> None:
    manager = OrderManager(ACCOUNT)
    manager.submit(request())
    order = manager.on_accepted("o-1", "v-1", 1_500)
    assert (order.status, order.venue_order_id, order.updated_ns) == (S.ACCEPTED, "v-1", 1_500)
    assert manager.on_accepted("o-1", "v-1", 1_600) is order
    with pytest.raises(InvalidTransition):
        manager.on_accepted("o-1", "v-other", 1_600)


def test_rejection_keeps_the_reason_and_closes_the_order() -> None:
    manager = OrderManager(ACCOUNT)
    manager.submit(request())
    order = manager.on_rejected("o-1", "[40570000] not enough cash", 1_500)
    assert order.status is S.REJECTED
    assert order.reject_reason == "[40570000] not enough cash"
    assert manager.open_orders() == []
    with pytest.raises(InvalidTransition, match="from rejected to accepted"):
        manager.on_accepted("o-1", "v-1", 1_600)


def test_partial_fills_accumulate_quantity_and_volume_weighted_price() -> None:
    manager = OrderManager(ACCOUNT)
    _accepted(manager)
    order = manager.on_fill(fill(qty=30, price=70_000))
    assert (order.status, order.filled_qty, order.remaining_qty) == (S.PARTIALLY_FILLED, 30, 70)
    order = manager.on_fill(fill(qty=20, price=70_500))
    assert order.status is S.PARTIALLY_FILLED
    assert order.avg_fill_price == pytest.approx((30 * 70_000 + 20 * 70_500) / 50)
    order = manager.on_fill(fill(qty=50, price=69_900))
    assert (order.status, order.filled_qty) == (S.FILLED, 100)
    assert order.avg_fill_price == pytest.approx((30 * 70_000 + 20 * 70_500 + 50 * 69_900) / 100)
    assert manager.open_orders() == []
    assert order.updated_ns == 2_000


def test_a_repeated_fill_id_is_ignored_and_not_booked_twice() -> None:
    manager = OrderManager(ACCOUNT)
    _accepted(manager)
    first = fill(qty=40, fill_id="f-x")
    order = manager.on_fill(first)
    assert manager.on_fill(first) is order
    assert manager.positions.qty("005930") == 40
    assert manager.fills() == [first]


def test_a_fill_id_reused_with_other_content_is_refused() -> None:
    manager = OrderManager(ACCOUNT)
    _accepted(manager)
    manager.on_fill(fill(qty=40, fill_id="f-x"))
    with pytest.raises(InvalidFill, match="already used"):
        manager.on_fill(fill(qty=41, fill_id="f-x"))


def test_a_fill_larger_than_the_remainder_is_refused_and_changes_nothing() -> None:
    manager = OrderManager(ACCOUNT)
    _accepted(manager)
    manager.on_fill(fill(qty=60))
    with pytest.raises(InvalidFill, match="50 shares with 40 remaining"):
        manager.on_fill(fill(qty=50))
    assert manager.get("o-1").filled_qty == 60
    assert manager.positions.qty("005930") == 60


@pytest.mark.parametrize(
    "changes", [{"side": Side.SELL}, {"symbol": "000660"}, {"account": "other"}, {"qty": 0}]
)
def test_a_fill_that_does_not_match_its_order_is_refused(changes: dict[str, object]) -> None:
    manager = OrderManager(ACCOUNT)
    _accepted(manager)
    with pytest.raises(InvalidFill):
        manager.on_fill(fill(**changes))  # type: ignore[arg-type]
    assert manager.fills() == []


def test_a_fill_before_the_acknowledgement_counts_as_the_acknowledgement() -> None:
    manager = OrderManager(ACCOUNT)
    manager.submit(request())
    order = manager.on_fill(fill(qty=10, venue_order_id="v-9"))
    assert (order.status, order.venue_order_id) == (S.PARTIALLY_FILLED, "v-9")


def test_a_fill_on_a_finished_order_raises_and_books_nothing() -> None:
    manager = OrderManager(ACCOUNT)
    _accepted(manager)
    manager.on_cancelled("o-1", 1_700)
    with pytest.raises(InvalidTransition, match="from cancelled to filled"):
        manager.on_fill(fill())
    assert manager.positions.qty("005930") == 0
    assert manager.fills() == []


def test_a_fill_the_position_book_refuses_leaves_the_order_unchanged() -> None:
    manager = OrderManager(ACCOUNT)
    _accepted(manager, side=Side.SELL)
    with pytest.raises(ShortNotAllowed):
        manager.on_fill(fill(side=Side.SELL, qty=10))
    assert manager.get("o-1").filled_qty == 0
    assert manager.fills() == []


def test_cancel_round_trip_closes_the_order() -> None:
    manager = OrderManager(ACCOUNT, clock=lambda: 1_600)
    _accepted(manager)
    order = manager.request_cancel("o-1")
    assert (order.status, order.updated_ns) == (S.PENDING_CANCEL, 1_600)
    assert manager.open_orders() == [order]
    order = manager.on_cancelled("o-1", 1_700)
    assert order.status is S.CANCELLED
    assert manager.open_orders() == []


def test_a_fill_racing_the_cancel_is_applied_then_the_cancel_closes_the_rest() -> None:
    manager = OrderManager(ACCOUNT)
    _accepted(manager)
    manager.request_cancel("o-1", 1_600)
    assert manager.on_fill(fill(qty=30)).status is S.PARTIALLY_FILLED
    order = manager.on_cancelled("o-1", 1_700)
    assert (order.status, order.filled_qty) == (S.CANCELLED, 30)


def test_a_fill_completing_the_order_during_a_cancel_finishes_it() -> None:
    manager = OrderManager(ACCOUNT)
    _accepted(manager)
    manager.request_cancel("o-1", 1_600)
    assert manager.on_fill(fill(qty=100)).status is S.FILLED
    with pytest.raises(InvalidTransition):
        manager.on_cancelled("o-1", 1_700)


@pytest.mark.parametrize(("filled", "back_to"), [(0, S.ACCEPTED), (10, S.PARTIALLY_FILLED)])
def test_a_refused_cancel_returns_the_order_to_work(filled: int, back_to: OrderStatus) -> None:
    manager = OrderManager(ACCOUNT)
    _accepted(manager)
    if filled:
        manager.on_fill(fill(qty=filled))
    manager.request_cancel("o-1", 1_600)
    assert manager.on_cancel_rejected("o-1", 1_700).status is back_to
    with pytest.raises(InvalidTransition):
        manager.on_cancel_rejected("o-1", 1_800)


def test_an_unacknowledged_order_cannot_be_cancelled() -> None:
    manager = OrderManager(ACCOUNT)
    manager.submit(request())
    with pytest.raises(InvalidTransition, match="from pending_new to pending_cancel"):
        manager.request_cancel("o-1")


def test_expiry_closes_the_order() -> None:
    manager = OrderManager(ACCOUNT)
    _accepted(manager)
    manager.on_fill(fill(qty=10))
    order = manager.on_expired("o-1", 9_000)
    assert (order.status, order.filled_qty, order.updated_ns) == (S.EXPIRED, 10, 9_000)
    assert manager.open_orders() == []


def test_modification_changes_price_and_quantity_and_returns_to_work() -> None:
    manager = OrderManager(ACCOUNT)
    _accepted(manager)
    manager.on_fill(fill(qty=10))
    assert manager.request_modify("o-1", 1_600).status is S.PENDING_MODIFY
    order = manager.on_modified("o-1", 1_700, price=69_900, qty=50)
    assert (order.status, order.request.price, order.request.qty) == (
        S.PARTIALLY_FILLED,
        69_900,
        50,
    )


def test_modifying_the_quantity_down_to_what_filled_finishes_the_order() -> None:
    manager = OrderManager(ACCOUNT)
    _accepted(manager)
    manager.on_fill(fill(qty=10))
    manager.request_modify("o-1", 1_600)
    with pytest.raises(InvalidInput, match="9 < 10 filled"):
        manager.on_modified("o-1", 1_700, qty=9)
    order = manager.on_modified("o-1", 1_700, qty=10)
    assert order.status is S.FILLED
    assert manager.open_orders() == []


def test_a_refused_modification_leaves_the_order_unchanged() -> None:
    manager = OrderManager(ACCOUNT)
    _accepted(manager)
    manager.request_modify("o-1", 1_600)
    order = manager.on_modify_rejected("o-1", 1_700)
    assert (order.status, order.request.price) == (S.ACCEPTED, 70_000)
    with pytest.raises(InvalidTransition):
        manager.on_modified("o-1", 1_800, price=1)


@pytest.mark.parametrize(
    "call",
    [
        lambda m: m.get("nope"),
        lambda m: m.on_accepted("nope", "v", 0),
        lambda m: m.on_rejected("nope", "r", 0),
        lambda m: m.on_fill(fill("nope")),
        lambda m: m.request_cancel("nope"),
        lambda m: m.on_cancelled("nope", 0),
        lambda m: m.on_expired("nope", 0),
    ],
)
def test_an_unknown_client_order_id_is_named(call: object) -> None:
    manager = OrderManager(ACCOUNT)
    with pytest.raises(UnknownOrder, match="no order 'nope' in account 'acct-1'"):
        call(manager)  # type: ignore[operator]


def test_queries_keep_submission_order_and_filter_open_orders_by_symbol() -> None:
    manager = OrderManager(ACCOUNT)
    _accepted(manager, "a")
    _accepted(manager, "b", symbol="000660")
    _accepted(manager, "c")
    manager.on_fill(fill("a", qty=100))
    assert [o.request.client_order_id for o in manager.orders()] == ["a", "b", "c"]
    assert [o.request.client_order_id for o in manager.open_orders()] == ["b", "c"]
    assert [o.request.client_order_id for o in manager.open_orders("005930")] == ["c"]
    assert manager.open_orders("035720") == []
    assert "a" in manager
    assert "z" not in manager
    f = fill("c", qty=5)
    manager.on_fill(f)
    assert manager.fills("c") == [f]
    assert len(manager.fills()) == 2


def test_listeners_see_every_update_until_they_unsubscribe() -> None:
    manager = OrderManager(ACCOUNT)
    seen: list[OrderStatus] = []
    unsubscribe = manager.subscribe(lambda order: seen.append(order.status))
    _accepted(manager)
    manager.on_fill(fill(qty=100))
    unsubscribe()
    unsubscribe()  # harmless twice
    _accepted(manager, "o-2")
    assert seen == [S.PENDING_NEW, S.ACCEPTED, S.FILLED]


def test_a_failing_listener_does_not_starve_the_others_and_its_error_surfaces() -> None:
    manager = OrderManager(ACCOUNT)
    seen: list[Order] = []

    def broken(order: Order) -> None:
        raise RuntimeError("listener bug")

    manager.subscribe(broken)
    manager.subscribe(seen.append)
    with pytest.raises(RuntimeError, match="listener bug"):
        manager.submit(request())
    assert len(seen) == 1
    assert manager.get("o-1").status is S.PENDING_NEW


def test_the_position_book_must_belong_to_the_same_account() -> None:
    with pytest.raises(InvalidInput, match="positions"):
        OrderManager(ACCOUNT, positions=PositionBook("other"))


def test_fills_update_the_position_book() -> None:
    book = PositionBook(ACCOUNT)
    manager = OrderManager(ACCOUNT, positions=book)
    _accepted(manager)
    manager.on_fill(fill(qty=100, price=70_000, commission=10))
    assert book.position("005930").qty == 100
    assert book.cash_flow == -7_000_010
