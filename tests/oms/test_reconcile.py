"""Restart reconciliation on hand-built venue snapshots: one rule per test."""

from __future__ import annotations

from typing import Any

from jts.core import Fill, Order, OrderStatus, Position, Side
from jts.oms import (
    NOT_AT_VENUE,
    Discrepancy,
    DiscrepancyKind,
    OrderManager,
    ReconcileReport,
    VenueSnapshot,
    reconcile,
)
from tests.oms.factories import ACCOUNT, SYMBOL, fill, request

K = DiscrepancyKind
NOW = 5_000
OTHER = "000660"


def snapshot(
    open_orders: tuple[Order, ...] = (),
    positions: dict[str, int] | None = None,
    fills: tuple[Fill, ...] = (),
    since_ns: int = 0,
    taken_ns: int = 10_000,
) -> VenueSnapshot:
    return VenueSnapshot(
        open_orders=open_orders,
        positions=tuple(
            Position(account=ACCOUNT, symbol=symbol, qty=qty)
            for symbol, qty in (positions or {}).items()
        ),
        fills=fills,
        since_ns=since_ns,
        taken_ns=taken_ns,
    )


def working(coid: str = "o-1", vid: str = "v-1", filled: int = 0, **changes: Any) -> Order:
    """An order as the venue lists it among its open orders."""
    status = OrderStatus.PARTIALLY_FILLED if filled else OrderStatus.ACCEPTED
    return Order(
        request=request(coid, **changes),
        status=status,
        venue_order_id=vid,
        filled_qty=filled,
        created_ns=1_500,
        updated_ns=1_500,
    )


def accepted(manager: OrderManager, coid: str = "o-1", vid: str = "v-1", **changes: Any) -> None:
    manager.submit(request(coid, **changes))
    manager.on_accepted(coid, vid, 1_100)


def kinds(report: ReconcileReport) -> list[tuple[DiscrepancyKind, str, bool]]:
    return [(d.kind, d.client_order_id, d.repaired) for d in report.discrepancies]


def state(manager: OrderManager) -> tuple[object, ...]:
    """Everything reconcile may change, as comparable values."""
    return (
        list(manager.orders()),
        manager.fills(),
        manager.positions.positions(include_flat=True),
    )


# -- agreement ---------------------------------------------------------------------------------


def test_a_manager_that_agrees_with_the_venue_gets_a_clean_report() -> None:
    manager = OrderManager(ACCOUNT)
    accepted(manager)
    first = fill(qty=30, fill_id="f-a")
    manager.on_fill(first)
    report = reconcile(
        manager,
        snapshot((working(filled=30),), {SYMBOL: 30}, (first,)),
        now_ns=NOW,
    )
    assert report.clean
    assert report == ReconcileReport()
    assert manager.get("o-1").filled_qty == 30


# -- rule 2: missed fills ----------------------------------------------------------------------


def test_missed_fills_are_applied_in_order_and_known_ones_skipped() -> None:
    manager = OrderManager(ACCOUNT)
    accepted(manager)
    known = fill(qty=30, fill_id="f-a", price=70_000)
    manager.on_fill(known)
    missed = fill(qty=20, fill_id="f-b", price=69_900, ts_ns=3_000)
    report = reconcile(
        manager, snapshot((working(filled=50),), {SYMBOL: 50}, (known, missed)), now_ns=NOW
    )
    assert kinds(report) == [(K.MISSED_FILL, "o-1", True)]
    assert report.applied_fills == 1
    order = manager.get("o-1")
    assert (order.status, order.filled_qty) == (OrderStatus.PARTIALLY_FILLED, 50)
    assert [f.fill_id for f in manager.fills()] == ["f-a", "f-b"]
    assert report.positions_match


def test_missed_fills_that_complete_an_order_fill_it_and_close_nothing() -> None:
    manager = OrderManager(ACCOUNT)
    accepted(manager)
    fills = (fill(qty=60, fill_id="f-a"), fill(qty=40, fill_id="f-b"))
    report = reconcile(manager, snapshot((), {SYMBOL: 100}, fills), now_ns=NOW)
    assert kinds(report) == [(K.MISSED_FILL, "o-1", True)] * 2
    assert manager.get("o-1").status is OrderStatus.FILLED
    assert report.closed == 0


def test_a_missed_fill_of_a_pending_order_counts_as_its_acknowledgement() -> None:
    manager = OrderManager(ACCOUNT)
    manager.submit(request())
    done = fill(qty=100, fill_id="f-a", venue_order_id="v-7")
    report = reconcile(manager, snapshot((), {SYMBOL: 100}, (done,)), now_ns=NOW)
    assert kinds(report) == [(K.MISSED_FILL, "o-1", True)]
    order = manager.get("o-1")
    assert (order.status, order.venue_order_id) == (OrderStatus.FILLED, "v-7")


def test_a_fill_with_the_same_id_but_other_content_is_reported_and_left() -> None:
    manager = OrderManager(ACCOUNT)
    accepted(manager)
    manager.on_fill(fill(qty=30, fill_id="f-a", commission=10))
    theirs = fill(qty=30, fill_id="f-a", commission=12)
    report = reconcile(
        manager, snapshot((working(filled=30),), {SYMBOL: 30}, (theirs,)), now_ns=NOW
    )
    assert kinds(report) == [(K.FILL_MISMATCH, "o-1", False)]
    assert "commission" in report.discrepancies[0].detail
    assert manager.fills()[0].commission == 10


def test_a_fill_the_manager_refuses_is_reported_and_the_rest_still_repaired() -> None:
    manager = OrderManager(ACCOUNT)  # long-only, holds nothing
    manager.submit(request("s-1", side=Side.SELL))
    accepted(manager, "b-1", "v-2")
    short = fill("s-1", side=Side.SELL, qty=100, fill_id="f-s")
    buy = fill("b-1", qty=100, fill_id="f-b")
    report = reconcile(manager, snapshot((), {}, (short, buy)), now_ns=NOW)
    assert kinds(report)[:2] == [(K.MISSED_FILL, "s-1", False), (K.MISSED_FILL, "b-1", True)]
    assert "ShortNotAllowed" in report.discrepancies[0].detail
    assert report.applied_fills == 1
    assert not report.positions_match  # the venue's net is 0, ours 100


# -- rule 1: adoption --------------------------------------------------------------------------


def test_an_unknown_working_order_is_adopted_with_the_venue_id_and_its_fills() -> None:
    manager = OrderManager(ACCOUNT)
    hand = working("hand-1", "v-9", filled=10, qty=50, price=69_000)
    part = fill("hand-1", qty=10, fill_id="f-h", venue_order_id="v-9", leaves_qty=40)
    report = reconcile(manager, snapshot((hand,), {SYMBOL: 10}, (part,)), now_ns=NOW)
    assert kinds(report) == [
        (K.UNKNOWN_VENUE_ORDER, "hand-1", True),
        (K.MISSED_FILL, "hand-1", True),
    ]
    assert (report.adopted, report.applied_fills) == (1, 1)
    order = manager.get("hand-1")
    assert order.request == hand.request
    assert (order.status, order.venue_order_id, order.filled_qty) == (
        OrderStatus.PARTIALLY_FILLED,
        "v-9",
        10,
    )
    assert manager.open_orders() == [order]


def test_an_order_known_only_from_its_fills_is_adopted_from_them() -> None:
    manager = OrderManager(ACCOUNT)
    fills = (
        fill("lost-1", qty=30, price=70_100, fill_id="f-1", venue_order_id="v-3", leaves_qty=20),
        fill("lost-1", qty=20, price=70_200, fill_id="f-2", venue_order_id="v-3"),
    )
    report = reconcile(manager, snapshot((), {SYMBOL: 50}, fills), now_ns=NOW)
    assert kinds(report) == [
        (K.UNKNOWN_VENUE_ORDER, "lost-1", True),
        (K.MISSED_FILL, "lost-1", True),
        (K.MISSED_FILL, "lost-1", True),
    ]
    order = manager.get("lost-1")
    assert (order.request.qty, order.request.price, order.request.side) == (50, 70_200, Side.BUY)
    assert (order.status, order.venue_order_id) == (OrderStatus.FILLED, "v-3")


def test_a_partly_filled_order_known_only_from_fills_has_its_remainder_closed() -> None:
    manager = OrderManager(ACCOUNT)
    part = fill("lost-1", side=Side.BUY, qty=30, fill_id="f-1", leaves_qty=70)
    report = reconcile(manager, snapshot((), {SYMBOL: 30}, (part,)), now_ns=NOW)
    assert kinds(report) == [
        (K.UNKNOWN_VENUE_ORDER, "lost-1", True),
        (K.MISSED_FILL, "lost-1", True),
        (K.MISSING_AT_VENUE, "lost-1", True),
    ]
    order = manager.get("lost-1")
    assert (order.request.qty, order.filled_qty, order.status) == (100, 30, OrderStatus.EXPIRED)
    assert (report.adopted, report.closed) == (1, 1)


def test_orders_and_fills_without_a_client_id_are_named_after_their_venue_id() -> None:
    manager = OrderManager(ACCOUNT)
    hand = working("", "v-9", filled=10)
    part = fill("", qty=10, fill_id="f-h", venue_order_id="v-9", leaves_qty=90)
    venue = snapshot((hand,), {SYMBOL: 10}, (part,))
    report = reconcile(manager, venue, now_ns=NOW)
    assert kinds(report) == [
        (K.UNKNOWN_VENUE_ORDER, "venue:v-9", True),
        (K.MISSED_FILL, "venue:v-9", True),
    ]
    assert manager.get("venue:v-9").filled_qty == 10
    assert reconcile(manager, venue, now_ns=NOW).clean


# -- rule 3: orders working at the venue -------------------------------------------------------


def test_a_pending_order_the_venue_works_missed_its_acknowledgement() -> None:
    manager = OrderManager(ACCOUNT)
    manager.submit(request())
    report = reconcile(manager, snapshot((working(vid="v-5"),)), now_ns=NOW)
    assert kinds(report) == [(K.STATUS_MISMATCH, "o-1", True)]
    order = manager.get("o-1")
    assert (order.status, order.venue_order_id) == (OrderStatus.ACCEPTED, "v-5")


def test_a_cancel_the_venue_did_not_apply_returns_the_order_to_working() -> None:
    manager = OrderManager(ACCOUNT)
    accepted(manager)
    manager.on_fill(fill(qty=10, fill_id="f-a"))
    manager.request_cancel("o-1")
    venue = snapshot((working(filled=10),), {SYMBOL: 10}, tuple(manager.fills()))
    report = reconcile(manager, venue, now_ns=NOW)
    assert kinds(report) == [(K.STATUS_MISMATCH, "o-1", True)]
    assert manager.get("o-1").status is OrderStatus.PARTIALLY_FILLED


def test_a_pending_modification_takes_the_venue_terms_when_they_changed() -> None:
    manager = OrderManager(ACCOUNT)
    accepted(manager)
    manager.request_modify("o-1")
    report = reconcile(manager, snapshot((working(qty=60, price=69_500),)), now_ns=NOW)
    assert kinds(report) == [(K.STATUS_MISMATCH, "o-1", True)]
    order = manager.get("o-1")
    assert (order.status, order.request.qty, order.request.price) == (
        OrderStatus.ACCEPTED,
        60,
        69_500,
    )


def test_a_pending_modification_the_venue_did_not_apply_leaves_the_order_unchanged() -> None:
    manager = OrderManager(ACCOUNT)
    accepted(manager)
    manager.request_modify("o-1")
    report = reconcile(manager, snapshot((working(),)), now_ns=NOW)
    assert kinds(report) == [(K.STATUS_MISMATCH, "o-1", True)]
    assert manager.get("o-1").status is OrderStatus.ACCEPTED
    assert manager.get("o-1").request == request()


def test_filled_quantity_the_fills_do_not_explain_is_reported_not_fixed() -> None:
    manager = OrderManager(ACCOUNT)
    accepted(manager)
    report = reconcile(manager, snapshot((working(filled=30),), {SYMBOL: 30}), now_ns=NOW)
    assert kinds(report) == [(K.QTY_MISMATCH, "o-1", False), (K.POSITION_MISMATCH, "", False)]
    assert "filled 0 of 100 here, 30 of 100 at the venue" in report.discrepancies[0].detail
    assert manager.get("o-1").filled_qty == 0


def test_a_different_price_or_venue_id_is_reported_not_fixed() -> None:
    manager = OrderManager(ACCOUNT)
    accepted(manager, vid="v-1")
    report = reconcile(manager, snapshot((working(vid="v-2", price=69_000),)), now_ns=NOW)
    assert kinds(report) == [
        (K.VENUE_ID_MISMATCH, "o-1", False),
        (K.PRICE_MISMATCH, "o-1", False),
    ]
    assert manager.get("o-1").request.price == 70_000


def test_an_order_finished_here_but_working_at_the_venue_is_reported() -> None:
    manager = OrderManager(ACCOUNT)
    accepted(manager)
    manager.on_cancelled("o-1", 1_200)
    report = reconcile(manager, snapshot((working(),)), now_ns=NOW)
    assert kinds(report) == [(K.STATUS_MISMATCH, "o-1", False)]
    assert manager.get("o-1").status is OrderStatus.CANCELLED


# -- rule 4: orders the venue no longer works --------------------------------------------------


def test_a_pending_order_the_venue_never_had_is_rejected_as_never_sent() -> None:
    manager = OrderManager(ACCOUNT)
    manager.submit(request())
    report = reconcile(manager, snapshot(), now_ns=NOW)
    assert kinds(report) == [(K.NEVER_SENT, "o-1", True)]
    order = manager.get("o-1")
    assert (order.status, order.reject_reason, order.updated_ns) == (
        OrderStatus.REJECTED,
        NOT_AT_VENUE,
        NOW,
    )
    assert report.closed == 1


def test_a_working_order_gone_from_the_venue_expires_with_its_remainder() -> None:
    manager = OrderManager(ACCOUNT)
    accepted(manager)
    part = fill(qty=40, fill_id="f-a")
    manager.on_fill(part)
    report = reconcile(manager, snapshot((), {SYMBOL: 40}, (part,)), now_ns=NOW)
    assert kinds(report) == [(K.MISSING_AT_VENUE, "o-1", True)]
    assert "60 of 100 left" in report.discrepancies[0].detail
    order = manager.get("o-1")
    assert (order.status, order.filled_qty) == (OrderStatus.EXPIRED, 40)
    assert manager.open_orders() == []


def test_an_order_gone_while_its_cancel_was_pending_is_cancelled() -> None:
    manager = OrderManager(ACCOUNT)
    accepted(manager)
    manager.request_cancel("o-1")
    report = reconcile(manager, snapshot(), now_ns=NOW)
    assert kinds(report) == [(K.MISSING_AT_VENUE, "o-1", True)]
    assert manager.get("o-1").status is OrderStatus.CANCELLED


# -- rules 5 and 6: fills and positions only we have ---------------------------------------------


def test_a_booked_fill_the_venue_does_not_list_is_reported_within_the_window_only() -> None:
    manager = OrderManager(ACCOUNT)
    accepted(manager)
    manager.on_fill(fill(qty=10, fill_id="f-old", ts_ns=500))
    manager.on_fill(fill(qty=10, fill_id="f-new", ts_ns=2_000))
    venue = snapshot((working(filled=20),), {SYMBOL: 20}, since_ns=1_000)
    report = reconcile(manager, venue, now_ns=NOW)
    assert kinds(report) == [(K.FILL_NOT_AT_VENUE, "o-1", False)]
    assert "f-new" in report.discrepancies[0].detail


def test_every_symbol_whose_holding_differs_is_a_position_mismatch() -> None:
    manager = OrderManager(ACCOUNT)
    accepted(manager)
    done = fill(qty=100, fill_id="f-a")
    manager.on_fill(done)
    venue = snapshot((), {SYMBOL: 90, OTHER: 5}, (done,))
    report = reconcile(manager, venue, now_ns=NOW)
    assert [(d.kind, d.symbol, d.repaired) for d in report.discrepancies] == [
        (K.POSITION_MISMATCH, SYMBOL, False),
        (K.POSITION_MISMATCH, OTHER, False),
    ]
    assert not report.positions_match
    assert report.discrepancies[0].detail == "100 shares here, 90 at the venue; not repaired: " + (
        "positions change only by fills"
    )


# -- idempotence, listeners, rendering -----------------------------------------------------------


def _crashed() -> tuple[OrderManager, VenueSnapshot]:
    """A manager behind its venue in every repairable way at once."""
    manager = OrderManager(ACCOUNT)
    accepted(manager, "a-1", "v-1")  # its last fill was not persisted
    manager.submit(request("p-1", qty=10))  # sent, acknowledgement lost
    manager.submit(request("p-2", qty=10))  # never sent
    accepted(manager, "c-1", "v-4", symbol=OTHER)  # expired while we were down
    venue = snapshot(
        (working("p-1", "v-2", qty=10), working("hand-1", "v-3", qty=5)),
        {SYMBOL: 100},
        (fill("a-1", qty=100, fill_id="f-1", venue_order_id="v-1"),),
    )
    return manager, venue


def test_reconciling_twice_changes_nothing_the_second_time() -> None:
    manager, venue = _crashed()
    first = reconcile(manager, venue, now_ns=NOW)
    assert kinds(first) == [
        (K.UNKNOWN_VENUE_ORDER, "hand-1", True),
        (K.MISSED_FILL, "a-1", True),
        (K.STATUS_MISMATCH, "p-1", True),
        (K.NEVER_SENT, "p-2", True),
        (K.MISSING_AT_VENUE, "c-1", True),
    ]
    assert (first.applied_fills, first.adopted, first.closed) == (1, 1, 2)
    assert first.positions_match
    before = state(manager)
    events: list[Order] = []
    manager.subscribe(events.append)
    second = reconcile(manager, venue, now_ns=NOW + 1)
    assert second == ReconcileReport()
    assert state(manager) == before
    assert events == []


def test_what_cannot_be_repaired_is_reported_again_unchanged() -> None:
    manager = OrderManager(ACCOUNT)
    accepted(manager)
    venue = snapshot((working(filled=30),), {SYMBOL: 30})
    first = reconcile(manager, venue, now_ns=NOW)
    before = state(manager)
    assert reconcile(manager, venue, now_ns=NOW + 1) == first
    assert state(manager) == before


def test_every_repair_reaches_the_managers_listeners() -> None:
    manager, venue = _crashed()
    events: list[Order] = []
    manager.subscribe(events.append)
    reconcile(manager, venue, now_ns=NOW)
    assert [(o.request.client_order_id, o.status) for o in events] == [
        ("hand-1", OrderStatus.PENDING_NEW),
        ("hand-1", OrderStatus.ACCEPTED),
        ("a-1", OrderStatus.FILLED),
        ("p-1", OrderStatus.ACCEPTED),
        ("p-2", OrderStatus.REJECTED),
        ("c-1", OrderStatus.EXPIRED),
    ]


def test_the_report_renders_a_summary_and_one_line_per_discrepancy() -> None:
    manager, venue = _crashed()
    report = reconcile(manager, venue, now_ns=NOW)
    lines = report.render().splitlines()
    assert lines[0] == (
        "reconciliation: 5 discrepancies (5 repaired), 1 fills applied, 1 orders adopted, "
        "2 closed; positions match"
    )
    assert len(lines) == 1 + len(report.discrepancies)
    assert lines[2] == "[repaired] missed_fill a-1 005930: fill f-1: buy 100 @ 70,000 KRW; applied"
    assert lines[4].startswith("[repaired] never_sent p-2 005930: buy 10 @ 70,000 KRW 005930")


def test_an_unrepaired_discrepancy_renders_its_reason() -> None:
    gap = Discrepancy(
        kind=K.POSITION_MISMATCH, client_order_id="", symbol=SYMBOL, detail="1 vs 2", repaired=False
    )
    report = ReconcileReport(discrepancies=(gap,), positions_match=False)
    assert report.unrepaired == (gap,)
    assert report.render().splitlines() == [
        "reconciliation: 1 discrepancies (0 repaired), 0 fills applied, 0 orders adopted, "
        "0 closed; positions DIFFER",
        "[UNREPAIRED] position_mismatch - 005930: 1 vs 2",
    ]
