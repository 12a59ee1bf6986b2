"""The scenarios every venue must pass: one suite, run against the simulated exchange, KIS (against
its simulator) and Creon (fake COM) alike.

How to use it: subclass `VenueContract` in a `test_*.py` file under a `Test*` name, set the
attributes that describe the starting market and implement `make_venue`:

    class TestSimVenue(VenueContract):
        symbol = "005930"; account = "A1"
        ask, ask_qty = 70_100, 5       # a resting sell of 5 shares at 70,100 KRW
        bid, bid_qty = 70_000, 5       # a resting buy below it

        async def make_venue(self) -> Venue:
            ...  # build, connect and return a venue whose market looks like the above

Each test gets a fresh venue from the `venue` fixture (closed afterwards). The account starts
flat in `symbol`, with no working orders and cash for at least `(ask_qty + lot) × ask` plus
costs; `ask_qty` and `bid_qty` must each be at least `2 × lot`. Nothing else trades the symbol
while a test runs. The suite speaks only the `Venue` Protocol, so what it checks is what the
OMS may rely on from any venue:

* `submit` answers ACCEPTED or REJECTED (with a `reject_code`); refusals never raise.
* a fill listed by `fills_since` is already reflected in `positions()` and `account()`.
* `open_orders()` lists the account's working orders earliest queue place first, with the
  working price in `request.price` and the remainder in `remaining_qty`.
* `modify(qty=)` sets the new remainder; `cancel(qty=)` cancels that many shares of it.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncGenerator, AsyncIterator

import pytest

from jts.core.enums import OrderStatus, OrderType, Side
from jts.core.events import OrderUpdate
from jts.core.ids import ClientOrderIdGenerator
from jts.core.models import Fill, Order, OrderRequest
from jts.krx import tick_size
from jts.venues.base import FeedKind, Venue, VenueEvent

BUY, SELL = Side.BUY, Side.SELL


class VenueContract:
    """Base class of a venue's contract tests; see the module docstring for what to provide."""

    symbol: str
    """A symbol whose book holds the resting orders below."""
    account: str
    """The account the venue trades for (as it appears in `OrderRequest.account`)."""
    ask: int
    """Price of the best resting sell, KRW."""
    ask_qty: int
    """Shares resting at `ask` (the whole level)."""
    bid: int
    """Price of the best resting buy, KRW; below `ask`."""
    bid_qty: int
    """Shares resting at `bid`."""
    lot: int = 1
    """Order quantity unit of `symbol`, shares."""
    timeout_s: float = 2.0
    """How long to wait for an asynchronous fill or event before failing, seconds."""
    poll_s: float = 0.005
    """Pause between two polls of `fills_since`, seconds."""

    async def make_venue(self) -> Venue:
        """A connected venue whose market matches the class attributes."""
        raise NotImplementedError(f"{type(self).__name__} must implement make_venue()")

    def expected_costs(self, side: Side, qty: int, price: int) -> tuple[int, int] | None:
        """(commission, tax) in KRW the venue should charge for one fill; None to check only
        that cash moves by what the fills say they cost."""
        return None

    @property
    def tick(self) -> int:
        """Tick size at `bid`, KRW (a stock's table; override for ETFs)."""
        return tick_size(self.bid)

    def off_tick_price(self) -> int:
        """A price between bid and ask that is not on the tick grid."""
        if self.tick == 1:
            raise NotImplementedError("bid has a 1-won tick: override off_tick_price()")
        return self.bid + 1

    @pytest.fixture
    async def venue(self) -> AsyncIterator[Venue]:
        venue = await self.make_venue()
        try:
            yield venue
        finally:
            await venue.close()

    # -- helpers -------------------------------------------------------------------------------

    _ids = ClientOrderIdGenerator("contract")

    def request(self, side: Side, qty: int, price: int | None) -> OrderRequest:
        """A limit order (or market, with `price=None`) for the contract's account and symbol."""
        return OrderRequest(
            client_order_id=self._ids.next_id(),
            account=self.account,
            symbol=self.symbol,
            side=side,
            qty=qty,
            price=price,
            order_type=OrderType.LIMIT if price is not None else OrderType.MARKET,
        )

    async def submit(self, venue: Venue, side: Side, qty: int, price: int) -> OrderUpdate:
        """Submit and require acceptance (the scenario's set-up, not what it tests)."""
        order = self.request(side, qty, price)
        update = await venue.submit(order)
        assert update.status is OrderStatus.ACCEPTED, update
        assert update.client_order_id == order.client_order_id
        return update

    async def wait_fills(self, venue: Venue, client_order_id: str, qty: int) -> list[Fill]:
        """The order's fills once they add up to `qty` shares; fails after `timeout_s`."""
        fills: list[Fill] = []
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(self.timeout_s):
                while True:
                    fills = [
                        f
                        for f in await venue.fills_since(0)
                        if f.client_order_id == client_order_id
                    ]
                    if sum(f.qty for f in fills) >= qty:
                        break
                    await asyncio.sleep(self.poll_s)
        assert sum(f.qty for f in fills) == qty, f"expected {qty} shares filled, got {fills}"
        return fills

    async def holding(self, venue: Venue) -> int:
        """Shares of `symbol` held, from `positions()`."""
        return sum(p.qty for p in await venue.positions() if p.symbol == self.symbol)

    async def cash_after_settlement(self, venue: Venue) -> int:
        """Settled cash plus the net unsettled amount, KRW: what fills change at once."""
        return (await venue.account()).cash_after_settlement

    async def working(self, venue: Venue) -> list[Order]:
        """The account's open orders in `symbol`, in the venue's (priority) order."""
        return [o for o in await venue.open_orders() if o.request.symbol == self.symbol]

    async def working_ids(self, venue: Venue) -> list[str]:
        return [o.request.client_order_id for o in await self.working(venue)]

    def check_costs(self, fills: list[Fill]) -> None:
        for fill in fills:
            assert fill.account == self.account
            expected = self.expected_costs(fill.side, fill.qty, fill.price)
            if expected is not None:
                assert (fill.commission, fill.tax) == expected, fill

    # -- the scenarios -------------------------------------------------------------------------

    async def test_the_market_starts_as_described(self, venue: Venue) -> None:
        assert self.bid < self.ask
        assert min(self.ask_qty, self.bid_qty) >= 2 * self.lot
        assert await self.working(venue) == []
        assert await self.holding(venue) == 0
        assert venue.caps.name == venue.name

    async def test_buy_from_flat_fills_at_the_ask(self, venue: Venue) -> None:
        before = await self.cash_after_settlement(venue)
        update = await self.submit(venue, BUY, self.lot, self.ask)
        fills = await self.wait_fills(venue, update.client_order_id, self.lot)
        assert {f.price for f in fills} == {self.ask}
        assert fills[-1].leaves_qty == 0
        self.check_costs(fills)
        position = [p for p in await venue.positions() if p.symbol == self.symbol]
        assert [(p.qty, p.avg_price) for p in position] == [(self.lot, float(self.ask))]
        after = await self.cash_after_settlement(venue)
        assert after - before == sum(f.net_cash for f in fills)
        assert after - before <= -self.lot * self.ask
        assert update.client_order_id not in await self.working_ids(venue)

    async def test_sell_to_flat_fills_at_the_bid(self, venue: Venue) -> None:
        before = await self.cash_after_settlement(venue)
        buy = await self.submit(venue, BUY, self.lot, self.ask)
        fills = await self.wait_fills(venue, buy.client_order_id, self.lot)
        sell = await self.submit(venue, SELL, self.lot, self.bid)
        sold = await self.wait_fills(venue, sell.client_order_id, self.lot)
        assert {f.price for f in sold} == {self.bid}
        self.check_costs(sold)
        assert await self.holding(venue) == 0
        assert all(p.symbol != self.symbol for p in await venue.positions())
        after = await self.cash_after_settlement(venue)
        assert after - before == sum(f.net_cash for f in fills + sold)

    async def test_selling_more_than_is_held_is_rejected(self, venue: Venue) -> None:
        update = await venue.submit(self.request(SELL, self.lot, self.bid))
        assert update.status is OrderStatus.REJECTED
        assert update.reject_code
        assert await self.working(venue) == []

    async def test_a_buy_larger_than_the_ask_fills_partly_and_the_rest_works(
        self, venue: Venue
    ) -> None:
        qty = self.ask_qty + self.lot
        update = await self.submit(venue, BUY, qty, self.ask)
        fills = await self.wait_fills(venue, update.client_order_id, self.ask_qty)
        assert fills[-1].leaves_qty == self.lot
        assert await self.holding(venue) == self.ask_qty
        [order] = await self.working(venue)
        assert order.request.client_order_id == update.client_order_id
        assert (order.request.price, order.filled_qty) == (self.ask, self.ask_qty)
        assert order.remaining_qty == self.lot
        assert order.status.is_open

    async def test_modifying_the_price_moves_the_order_behind_the_queue(self, venue: Venue) -> None:
        if not venue.caps.supports_modify:
            pytest.skip(f"{venue.name} has no modify")
        first = await self.submit(venue, BUY, self.lot, self.bid)
        second = await self.submit(venue, BUY, self.lot, self.bid)
        ids = [first.client_order_id, second.client_order_id]
        assert await self.working_ids(venue) == ids
        lower = self.bid - self.tick
        moved = await venue.modify(first.venue_order_id, price=lower)
        assert moved.status.is_open, moved
        assert (moved.client_order_id, moved.price) == (first.client_order_id, lower)
        assert await self.working_ids(venue) == ids[::-1]  # a price change loses its place
        prices = {o.request.client_order_id: o.request.price for o in await self.working(venue)}
        assert prices == {first.client_order_id: lower, second.client_order_id: self.bid}

    async def test_reducing_the_quantity_keeps_the_queue_place(self, venue: Venue) -> None:
        if not venue.caps.supports_modify:
            pytest.skip(f"{venue.name} has no modify")
        first = await self.submit(venue, BUY, 2 * self.lot, self.bid)
        second = await self.submit(venue, BUY, self.lot, self.bid)
        reduced = await venue.modify(first.venue_order_id, qty=self.lot)
        assert reduced.status.is_open, reduced
        orders = await self.working(venue)
        assert [o.request.client_order_id for o in orders] == [
            first.client_order_id,
            second.client_order_id,
        ]
        assert orders[0].remaining_qty == self.lot

    async def test_modifying_to_a_marketable_price_trades_at_once(self, venue: Venue) -> None:
        if not venue.caps.supports_modify:
            pytest.skip(f"{venue.name} has no modify")
        update = await self.submit(venue, BUY, self.lot, self.bid)
        moved = await venue.modify(update.venue_order_id, price=self.ask)
        assert moved.status is not OrderStatus.REJECTED, moved
        fills = await self.wait_fills(venue, update.client_order_id, self.lot)
        assert {f.price for f in fills} == {self.ask}
        assert await self.working(venue) == []

    async def test_cancel_closes_the_order_and_a_second_cancel_is_rejected(
        self, venue: Venue
    ) -> None:
        update = await self.submit(venue, BUY, self.lot, self.bid)
        cancelled = await venue.cancel(update.venue_order_id)
        assert cancelled.status is OrderStatus.CANCELLED, cancelled
        assert cancelled.client_order_id == update.client_order_id
        assert await self.working(venue) == []
        again = await venue.cancel(update.venue_order_id)
        assert again.status is OrderStatus.REJECTED
        assert again.reject_code

    async def test_cancelling_an_unknown_order_is_rejected(self, venue: Venue) -> None:
        answer = await venue.cancel("no-such-order")
        assert answer.status is OrderStatus.REJECTED
        assert answer.reject_code

    async def test_a_partial_cancel_leaves_the_rest_working(self, venue: Venue) -> None:
        update = await self.submit(venue, BUY, 2 * self.lot, self.bid)
        answer = await venue.cancel(update.venue_order_id, qty=self.lot)
        assert answer.status.is_open, answer
        assert answer.leaves_qty == self.lot
        [order] = await self.working(venue)
        assert order.remaining_qty == self.lot

    async def test_an_off_tick_price_is_rejected_and_changes_nothing(self, venue: Venue) -> None:
        before = (
            await venue.account(),
            await venue.positions(),
            await venue.open_orders(),
            await venue.fills_since(0),
        )
        order = self.request(BUY, self.lot, self.off_tick_price())
        update = await venue.submit(order)
        assert update.status is OrderStatus.REJECTED
        assert update.reject_code
        assert update.client_order_id == order.client_order_id
        after = (
            await venue.account(),
            await venue.positions(),
            await venue.open_orders(),
            await venue.fills_since(0),
        )
        assert after == before

    async def test_fills_since_returns_the_fills_from_a_time_on(self, venue: Venue) -> None:
        first = await self.submit(venue, BUY, self.lot, self.ask)
        [early] = await self.wait_fills(venue, first.client_order_id, self.lot)
        second = await self.submit(venue, BUY, self.lot, self.ask)
        [late] = await self.wait_fills(venue, second.client_order_id, self.lot)
        everything = await venue.fills_since(0)
        assert [f.fill_id for f in everything] == [early.fill_id, late.fill_id]
        assert early.fill_id != late.fill_id
        assert all(f.account == self.account for f in everything)
        since_late = await venue.fills_since(late.ts_ns)
        assert late.fill_id in {f.fill_id for f in since_late}
        assert all(f.ts_ns >= late.ts_ns for f in since_late)
        assert await venue.fills_since(late.ts_ns + 1) == []

    async def test_events_carry_the_accounts_order_updates_and_fills(self, venue: Venue) -> None:
        await venue.subscribe([self.symbol], {FeedKind.ORDERS})
        stream = venue.events()
        seen: list[VenueEvent] = []
        order = self.request(BUY, self.lot, self.ask)

        async def collect() -> None:
            async for event in stream:
                seen.append(event)
                if isinstance(event, Fill) and event.client_order_id == order.client_order_id:
                    return

        collector = asyncio.create_task(collect())
        await asyncio.sleep(0)
        try:
            assert (await venue.submit(order)).status is OrderStatus.ACCEPTED
            done, _ = await asyncio.wait([collector], timeout=self.timeout_s)
            assert done, f"no Fill for {order.client_order_id} within {self.timeout_s}s: {seen}"
        finally:
            collector.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await collector
            if isinstance(stream, AsyncGenerator):
                await stream.aclose()
        mine = [e for e in seen if isinstance(e, OrderUpdate | Fill)]
        assert all(e.account == self.account for e in mine)
        statuses = [
            e.status
            for e in mine
            if isinstance(e, OrderUpdate) and e.client_order_id == order.client_order_id
        ]
        assert OrderStatus.ACCEPTED in statuses
        fills = [
            e for e in mine if isinstance(e, Fill) and e.client_order_id == order.client_order_id
        ]
        assert [(f.qty, f.price) for f in fills] == [(self.lot, self.ask)]
