"""The simulated exchange behind a broker account passes the venue contract."""

from __future__ import annotations

from datetime import date, time

from jts.core.clock import SimulatedClock, kst_ns
from jts.core.enums import Market, OrderStatus, Side, TimeInForce
from jts.core.models import Instrument, OrderRequest
from jts.krx import trade_costs
from jts.venues.base import Venue
from jts.venues.sim.accounts import SimAccount
from jts.venues.sim.exchange import SimExchange
from jts.venues.sim.venue import SimVenue
from tests.venues.contract import VenueContract

DAY = date(2026, 11, 30)
SAMSUNG = Instrument(symbol="005930", name="Samsung Electronics", market=Market.KOSPI)


class TestSimVenue(VenueContract):
    symbol = SAMSUNG.symbol
    account = "A1"
    ask, ask_qty = 70_100, 5
    bid, bid_qty = 70_000, 5

    async def make_venue(self) -> Venue:
        clock = SimulatedClock(kst_ns(DAY, time(10, 0)))
        exchange = SimExchange([SAMSUNG], DAY, base_prices={SAMSUNG.symbol: 70_000}, clock=clock)
        for cid, side, price, qty in (("mm-s", Side.SELL, self.ask, self.ask_qty),
                                      ("mm-b", Side.BUY, self.bid, self.bid_qty)):  # fmt: skip
            exchange.submit(
                OrderRequest(
                    client_order_id=cid,
                    account="MM",
                    symbol=self.symbol,
                    side=side,
                    qty=qty,
                    price=price,
                )
            )
        account = SimAccount(self.account, 10_000_000)
        venue = SimVenue(exchange, account, {SAMSUNG.symbol: SAMSUNG})
        await venue.connect()
        return venue

    def expected_costs(self, side: Side, qty: int, price: int) -> tuple[int, int] | None:
        costs = trade_costs(side, qty, price, DAY, Market.KOSPI)
        return costs.commission, costs.tax


async def test_an_unfillable_fok_buy_gives_its_reserved_cash_back() -> None:
    venue = await TestSimVenue().make_venue()
    assert isinstance(venue, SimVenue)
    killed = await venue.submit(  # 100 shares: 7.01 M of the 10 M reserved, then killed
        OrderRequest(client_order_id="fok-1", account="A1", symbol=SAMSUNG.symbol,
                     side=Side.BUY, qty=100, price=70_100, tif=TimeInForce.FOK)
    )  # fmt: skip
    assert killed.status is OrderStatus.ACCEPTED  # the kill follows as its own update
    kill = [o for o in await venue.open_orders() if o.request.client_order_id == "fok-1"]
    assert kill == []
    resting = await venue.submit(  # 3.5 M: affordable only if the 7.01 M came back
        OrderRequest(client_order_id="buy-2", account="A1", symbol=SAMSUNG.symbol,
                     side=Side.BUY, qty=50, price=69_000)
    )  # fmt: skip
    assert resting.status is OrderStatus.ACCEPTED, resting.message
