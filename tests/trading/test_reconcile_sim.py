"""Restart reconciliation against the simulated exchange: trade, "crash" by rebuilding the order
manager from part of its event log, reconcile with `venue_snapshot`, and compare with the venue.

The event log is what a journal would have persisted, in order: our intents (a request before
it is sent, a cancel before it is asked) and the venue's events for our orders. A crash keeps a
prefix of it (or loses chosen entries); `replay` builds the fresh manager from what was kept.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Sequence
from datetime import date, time
from typing import TypeAlias

import msgspec
import pytest
from hypothesis import given
from hypothesis import strategies as st

from jts.core.clock import SimulatedClock, kst_ns
from jts.core.enums import Market, OrderStatus, Side
from jts.core.events import OrderUpdate
from jts.core.models import Fill, Instrument, Order, OrderRequest
from jts.oms import DiscrepancyKind, OrderManager, ReconcileReport, reconcile
from jts.trading.reconcile import reconcile_with_venue, venue_snapshot
from jts.venues.base import FeedKind
from jts.venues.sim.accounts import SimAccount
from jts.venues.sim.exchange import SimExchange
from jts.venues.sim.venue import SimVenue

K = DiscrepancyKind
DAY = date(2026, 11, 30)
SAMSUNG = Instrument(symbol="005930", name="Samsung Electronics", market=Market.KOSPI)
SYMBOL = SAMSUNG.symbol
ACCOUNT = "A1"
DAY_START = kst_ns(DAY, time(8, 0))
MS = 1_000_000


class Cancel(msgspec.Struct, frozen=True):
    """Our intent to cancel an order, journaled before the venue is asked."""

    client_order_id: str


Entry: TypeAlias = OrderRequest | Cancel | OrderUpdate | Fill


def apply(manager: OrderManager, entry: Entry) -> None:
    """One log entry into the manager, as the live node does it."""
    if isinstance(entry, OrderRequest):
        manager.submit(entry)
    elif isinstance(entry, Cancel):
        manager.request_cancel(entry.client_order_id)
    elif isinstance(entry, Fill):
        manager.on_fill(entry)
    else:
        _apply_update(manager, entry)


def _apply_update(manager: OrderManager, update: OrderUpdate) -> None:
    coid, status, ts = update.client_order_id, update.status, update.ts_ns
    order = manager.get(coid)
    if update.reject_code and status is not OrderStatus.REJECTED:
        return
    if status is OrderStatus.REJECTED and order.status is OrderStatus.PENDING_NEW:
        manager.on_rejected(coid, update.reject_code, ts)
    elif status in (OrderStatus.ACCEPTED, OrderStatus.PARTIALLY_FILLED):
        if order.status is OrderStatus.PENDING_NEW:
            manager.on_accepted(coid, update.venue_order_id, ts)
    elif status is OrderStatus.CANCELLED and order.status.is_open:
        manager.on_cancelled(coid, ts)
    elif status is OrderStatus.EXPIRED and order.status.is_open:
        manager.on_expired(coid, ts)


def replay(entries: Iterable[Entry]) -> OrderManager:
    """A fresh manager that knows only `entries` (what survived the crash)."""
    manager = OrderManager(ACCOUNT)
    for entry in entries:
        apply(manager, entry)
    return manager


class Desk:
    """Our side of the account: a live manager and its event log, fed by the venue's stream."""

    def __init__(self, exchange: SimExchange, venue: SimVenue) -> None:
        self.exchange = exchange
        self.venue = venue
        self.manager = OrderManager(ACCOUNT)
        self.log: list[Entry] = []
        self._seq = 0

    def record(self, entry: Entry) -> None:
        apply(self.manager, entry)
        self.log.append(entry)

    async def consume(self) -> None:
        async for event in self.venue.events():
            if isinstance(event, OrderUpdate | Fill) and event.client_order_id in self.manager:
                self.record(event)

    def request(self, side: Side, qty: int, price: int, prefix: str = "o") -> OrderRequest:
        self._seq += 1
        return OrderRequest(
            client_order_id=f"{prefix}-{self._seq}",
            account=ACCOUNT,
            symbol=SYMBOL,
            side=side,
            qty=qty,
            price=price,
        )

    async def submit(self, side: Side, qty: int, price: int) -> str:
        """Journal the intent, send it, and let the venue's events arrive."""
        request = self.request(side, qty, price)
        self.record(request)
        await self.venue.submit(request)
        await self.tick()
        return request.client_order_id

    async def cancel(self, coid: str) -> None:
        self.record(Cancel(coid))
        await self.venue.cancel(self.manager.get(coid).venue_order_id or "")
        await self.tick()

    async def by_hand(self, side: Side, qty: int, price: int) -> str:
        """An order someone places at the broker's terminal: we never hear of it."""
        request = self.request(side, qty, price, prefix="hand")
        await self.venue.submit(request)
        await self.tick()
        return request.client_order_id

    async def tick(self) -> None:
        """Let the consumer take the venue's events, then move the exchange clock on 1 ms."""
        await asyncio.sleep(0)
        self.exchange.advance_to(self.exchange.now_ns() + MS)

    def entries_of(self, coid: str, kind: type | None = None) -> list[Entry]:
        return [
            e
            for e in self.log
            if e.client_order_id == coid and (kind is None or isinstance(e, kind))
        ]


def make_exchange() -> tuple[SimExchange, SimVenue]:
    """Samsung at 70,000 KRW with 1,000 shares of market-maker liquidity on each of ten
    price levels per side; our account A1 holds 100M KRW and nothing else."""
    clock = SimulatedClock(kst_ns(DAY, time(10, 0)))
    exchange = SimExchange([SAMSUNG], DAY, base_prices={SYMBOL: 70_000}, clock=clock)
    for level in range(10):
        for side, price in ((Side.SELL, 70_100 + 100 * level), (Side.BUY, 70_000 - 100 * level)):
            exchange.submit(
                OrderRequest(
                    client_order_id=f"mm-{side}-{level}",
                    account="MM",
                    symbol=SYMBOL,
                    side=side,
                    qty=1_000,
                    price=price,
                )
            )
    venue = SimVenue(exchange, SimAccount(ACCOUNT, 100_000_000), {SYMBOL: SAMSUNG})
    return exchange, venue


async def open_desk() -> tuple[Desk, asyncio.Task[None]]:
    exchange, venue = make_exchange()
    await venue.connect()
    await venue.subscribe([], {FeedKind.ORDERS})
    desk = Desk(exchange, venue)
    return desk, asyncio.create_task(desk.consume())


@pytest.fixture
async def desk() -> AsyncIterator[Desk]:
    desk, consumer = await open_desk()
    yield desk
    consumer.cancel()


async def trade(desk: Desk) -> dict[str, str]:
    """A morning of trading; returns the orders by role."""
    roles = {
        "bought": await desk.submit(Side.BUY, 60, 70_200),  # 50 @ 70,100 + 10 @ 70,200
        "resting": await desk.submit(Side.BUY, 30, 69_500),  # works below the bid
        "sold": await desk.submit(Side.SELL, 20, 70_000),  # fills at the bid
        "cancelled": await desk.submit(Side.BUY, 10, 69_400),
    }
    await desk.cancel(roles["cancelled"])
    return roles


async def reconciled(manager: OrderManager, desk: Desk) -> ReconcileReport:
    now = desk.exchange.now_ns()
    return await reconcile_with_venue(manager, desk.venue, since_ns=DAY_START, now_ns=now)


async def assert_matches_venue(manager: OrderManager, venue: SimVenue) -> None:
    """Positions, working orders and fills equal the venue's; no fill is booked twice; a
    second reconciliation finds nothing."""
    held = {p.symbol: p.qty for p in await venue.positions()}
    symbols = {*held, *manager.positions.symbols()}
    assert {s: manager.positions.qty(s) for s in symbols} == {s: held.get(s, 0) for s in symbols}

    def view(orders: Sequence[Order]) -> dict[str, tuple[object, ...]]:
        return {
            o.request.client_order_id: (o.venue_order_id, o.filled_qty, o.remaining_qty)
            for o in orders
        }

    assert view(manager.open_orders()) == view(await venue.open_orders())
    booked = [f.fill_id for f in manager.fills()]
    assert len(booked) == len(set(booked))
    assert sorted(booked) == sorted(f.fill_id for f in await venue.fills_since(0))
    for order in manager.orders():
        assert order.filled_qty == sum(f.qty for f in manager.fills(order.request.client_order_id))
    snapshot = await venue_snapshot(venue, DAY_START, venue.exchange.now_ns())
    assert reconcile(manager, snapshot, now_ns=snapshot.taken_ns) == ReconcileReport()


def kinds(report: ReconcileReport) -> list[tuple[DiscrepancyKind, str]]:
    assert not report.unrepaired, report.render()
    return [(d.kind, d.client_order_id) for d in report.discrepancies]


# -- scenarios ---------------------------------------------------------------------------------


async def test_the_manager_that_heard_everything_agrees_with_the_venue(desk: Desk) -> None:
    await trade(desk)
    assert (await reconciled(replay(desk.log), desk)).clean
    await assert_matches_venue(desk.manager, desk.venue)


async def test_fills_lost_in_the_crash_are_applied_once(desk: Desk) -> None:
    roles = await trade(desk)
    lost = desk.entries_of(roles["bought"], Fill)[-1:] + desk.entries_of(roles["sold"], Fill)
    manager = replay(e for e in desk.log if e not in lost)
    report = await reconciled(manager, desk)
    assert kinds(report) == [(K.MISSED_FILL, roles["bought"]), (K.MISSED_FILL, roles["sold"])]
    assert report.applied_fills == 2
    assert manager.get(roles["sold"]).status is OrderStatus.FILLED
    await assert_matches_venue(manager, desk.venue)


async def test_a_lost_acknowledgement_is_taken_from_the_venue(desk: Desk) -> None:
    roles = await trade(desk)
    ack = desk.entries_of(roles["resting"], OrderUpdate)
    manager = replay(e for e in desk.log if e not in ack)
    assert manager.get(roles["resting"]).status is OrderStatus.PENDING_NEW
    report = await reconciled(manager, desk)
    assert kinds(report) == [(K.STATUS_MISMATCH, roles["resting"])]
    await assert_matches_venue(manager, desk.venue)


async def test_a_working_order_whose_every_record_was_lost_is_adopted(desk: Desk) -> None:
    roles = await trade(desk)
    manager = replay(e for e in desk.log if e.client_order_id != roles["resting"])
    report = await reconciled(manager, desk)
    assert kinds(report) == [(K.UNKNOWN_VENUE_ORDER, roles["resting"])]
    assert manager.get(roles["resting"]).status is OrderStatus.ACCEPTED
    await assert_matches_venue(manager, desk.venue)


async def test_a_filled_order_whose_every_record_was_lost_is_adopted_from_its_fills(
    desk: Desk,
) -> None:
    roles = await trade(desk)
    manager = replay(e for e in desk.log if e.client_order_id != roles["sold"])
    report = await reconciled(manager, desk)
    assert kinds(report) == [(K.UNKNOWN_VENUE_ORDER, roles["sold"]), (K.MISSED_FILL, roles["sold"])]
    adopted = manager.get(roles["sold"])
    assert (adopted.request.side, adopted.request.qty, adopted.request.price) == (
        Side.SELL,
        20,
        70_000,
    )
    assert adopted.status is OrderStatus.FILLED
    await assert_matches_venue(manager, desk.venue)


@pytest.mark.parametrize(
    ("price", "expected"),
    [(69_300, K.STATUS_MISMATCH), (70_500, K.MISSED_FILL)],
    ids=["resting", "filled"],
)
async def test_an_order_sent_just_before_the_crash_is_not_lost(
    desk: Desk, price: int, expected: DiscrepancyKind
) -> None:
    await trade(desk)
    kept = len(desk.log) + 1  # the intent survived, nothing after it did
    coid = await desk.submit(Side.BUY, 5, price)
    manager = replay(desk.log[:kept])
    assert manager.get(coid).status is OrderStatus.PENDING_NEW
    report = await reconciled(manager, desk)
    assert kinds(report) == [(expected, coid)]
    await assert_matches_venue(manager, desk.venue)


async def test_an_intent_journaled_but_never_sent_is_rejected(desk: Desk) -> None:
    await trade(desk)
    unsent = desk.request(Side.BUY, 5, 69_300)
    manager = replay([*desk.log, unsent])
    report = await reconciled(manager, desk)
    assert kinds(report) == [(K.NEVER_SENT, unsent.client_order_id)]
    assert manager.get(unsent.client_order_id).status is OrderStatus.REJECTED
    await assert_matches_venue(manager, desk.venue)


async def test_orders_that_ended_while_we_were_down_are_closed(desk: Desk) -> None:
    roles = await trade(desk)
    coid = roles["cancelled"]
    before_cancel = desk.log.index(Cancel(coid))
    for cut, status in (
        (before_cancel, OrderStatus.EXPIRED),  # the cancel was never asked: someone else
        (before_cancel + 1, OrderStatus.CANCELLED),  # asked, the answer was lost
    ):
        manager = replay(desk.log[:cut])
        report = await reconciled(manager, desk)
        assert kinds(report) == [(K.MISSING_AT_VENUE, coid)]
        assert manager.get(coid).status is status
        await assert_matches_venue(manager, desk.venue)


async def test_orders_placed_by_hand_are_adopted_with_their_fills(desk: Desk) -> None:
    await trade(desk)
    resting = await desk.by_hand(Side.BUY, 7, 69_200)
    filled = await desk.by_hand(Side.BUY, 8, 70_300)
    report = await reconciled(desk.manager, desk)
    assert kinds(report) == [
        (K.UNKNOWN_VENUE_ORDER, resting),
        (K.UNKNOWN_VENUE_ORDER, filled),
        (K.MISSED_FILL, filled),
    ]
    assert desk.manager.get(resting).venue_order_id
    await assert_matches_venue(desk.manager, desk.venue)


class _TradingVenue(SimVenue):
    """A venue that fills a hand order while it is being asked for its open orders."""

    trades_left = 1

    async def open_orders(self) -> list[Order]:
        answer = await super().open_orders()
        if self.trades_left:
            self.trades_left -= 1
            self.submit_now(
                OrderRequest(
                    client_order_id="hand-between",
                    account=ACCOUNT,
                    symbol=SYMBOL,
                    side=Side.BUY,
                    qty=3,
                    price=70_500,
                )
            )
        return answer


async def test_a_fill_between_the_venues_answers_is_neither_lost_nor_inconsistent() -> None:
    exchange, _ = make_exchange()
    venue = _TradingVenue(exchange, SimAccount(ACCOUNT, 100_000_000), {SYMBOL: SAMSUNG})
    snapshot = await venue_snapshot(venue, DAY_START, exchange.now_ns())
    assert [f.client_order_id for f in snapshot.fills] == ["hand-between"]
    assert [(p.symbol, p.qty) for p in snapshot.positions] == [(SYMBOL, 3)]
    manager = OrderManager(ACCOUNT)
    report = reconcile(manager, snapshot, now_ns=snapshot.taken_ns)
    assert report.positions_match
    await assert_matches_venue(manager, venue)


# -- property: any crash point -----------------------------------------------------------------

_WORKING = (OrderStatus.ACCEPTED, OrderStatus.PARTIALLY_FILLED)
_ACTIONS = st.lists(
    st.tuples(
        st.sampled_from(["buy", "bid", "sell", "offer", "cancel", "hand"]),
        st.integers(min_value=1, max_value=40),
        st.integers(min_value=0, max_value=4),
    ),
    min_size=1,
    max_size=12,
)


async def _run(desk: Desk, actions: list[tuple[str, int, int]]) -> None:
    """Aggressive buys/sells cross the spread; bids/offers rest; cancel the oldest working."""
    plays: dict[str, Callable[[int, int], Awaitable[object]]] = {
        "buy": lambda qty, step: desk.submit(Side.BUY, qty, 70_200 + 100 * step),
        "bid": lambda qty, step: desk.submit(Side.BUY, qty, 69_800 - 100 * step),
        "sell": lambda qty, step: desk.submit(Side.SELL, qty, 69_900 - 100 * step),
        "offer": lambda qty, step: desk.submit(Side.SELL, qty, 70_300 + 100 * step),
        "hand": lambda qty, step: desk.by_hand(Side.BUY, qty, 70_100 + 100 * step),
    }
    for action, qty, step in actions:
        if action != "cancel":
            await plays[action](qty, step)
        elif working := [o for o in desk.manager.open_orders() if o.status in _WORKING]:
            await desk.cancel(working[0].request.client_order_id)


async def _crash_and_reconcile(actions: list[tuple[str, int, int]], cut: float) -> None:
    desk, consumer = await open_desk()
    try:
        await _run(desk, actions)
        kept = desk.log[: round(cut * len(desk.log))]
        manager = replay(kept)
        known = {e.fill_id for e in kept if isinstance(e, Fill)}
        report = await reconciled(manager, desk)
        assert not report.unrepaired, report.render()
        venue_fills = await desk.venue.fills_since(0)
        assert report.applied_fills == len([f for f in venue_fills if f.fill_id not in known])
        await assert_matches_venue(manager, desk.venue)
    finally:
        consumer.cancel()


@given(_ACTIONS, st.floats(min_value=0.0, max_value=1.0))
def test_after_a_crash_at_any_point_reconciliation_restores_the_venues_state(
    actions: list[tuple[str, int, int]], cut: float
) -> None:
    asyncio.run(_crash_and_reconcile(actions, cut))
