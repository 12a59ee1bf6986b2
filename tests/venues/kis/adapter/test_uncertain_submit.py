"""An order whose answer is lost is found by inquiry, never sent twice; an order that never
arrived is sent again only after the inquiry says so; rate refusals resend safely."""

from __future__ import annotations

from pathlib import Path

import pytest

from jts.core.enums import OrderStatus, Side
from jts.venues.kis.errors import SubmitUncertain
from jts.venues.kis.orders import KnownOrder
from jts.venues.kis.server import KisSimulator
from tests.venues.kis.adapter.proxy import Lose, LossyProxy
from tests.venues.kis.adapter.stack import adapter
from tests.venues.kis.adapter.test_orders import below, best, request
from tests.venues.kis.conftest import SimFactory


def sim_orders(sim: KisSimulator) -> list[str]:
    """ODNOs of the new orders the simulated broker received for the first customer."""
    broker = sim.market.brokers[sim.accounts[0].appkey]
    return [order.odno for order in broker.orders if order.kind == 0]


@pytest.mark.parametrize("lose", ["answer", "request"])
async def test_a_lost_exchange_ends_with_exactly_one_order(
    kis_sim: KisSimulator, tmp_path: Path, lose: Lose
) -> None:
    proxy = LossyProxy(kis_sim.rest_url, lose)
    async with proxy.running():
        real_url = kis_sim.rest_url
        kis_sim.rest_url = proxy.url
        try:
            async with adapter(kis_sim, tmp_path) as kis:
                bid, _ = await best(kis)
                order = request(Side.BUY, 1, below(bid))
                update = await kis.orders.submit(order)
        finally:
            kis_sim.rest_url = real_url
    assert update.status is OrderStatus.ACCEPTED, update
    assert update.client_order_id == order.client_order_id
    assert sim_orders(kis_sim) == [update.venue_order_id]
    assert proxy.orders_seen == (1 if lose == "answer" else 2)  # resent only if it never arrived
    assert kis.slept[:1] == [1.0]  # the inquiry waited for KIS to settle first


async def test_an_earlier_identical_order_is_not_taken_for_the_lost_one(
    kis_sim: KisSimulator, tmp_path: Path
) -> None:
    async with adapter(kis_sim, tmp_path) as kis:
        bid, _ = await best(kis)
        twin = await kis.orders.submit(request(Side.BUY, 1, below(bid)))
    proxy = LossyProxy(kis_sim.rest_url, "request")
    async with proxy.running():
        real_url, kis_sim.rest_url = kis_sim.rest_url, proxy.url
        try:
            async with adapter(kis_sim, tmp_path) as kis:
                kis.orders.remember(  # the OMS told this restarted adapter about its twin
                    KnownOrder(
                        client_order_id=twin.client_order_id,
                        odno=twin.venue_order_id,
                        branch="00950",
                        symbol=twin.symbol,
                        side=Side.BUY,
                        qty=1,
                        price=twin.price,
                        division="00",
                    )
                )
                update = await kis.orders.submit(request(Side.BUY, 1, below(bid)))
        finally:
            kis_sim.rest_url = real_url
    assert update.status is OrderStatus.ACCEPTED
    assert update.venue_order_id != twin.venue_order_id
    assert sim_orders(kis_sim) == [twin.venue_order_id, update.venue_order_id]


async def test_when_even_inquiry_fails_the_order_is_reported_uncertain_and_not_resent(
    kis_sim_factory: SimFactory, tmp_path: Path
) -> None:
    async with kis_sim_factory(error_rate=1.0) as sim, adapter(sim, tmp_path, attempts=2) as kis:
        with pytest.raises(SubmitUncertain):
            await kis.orders.submit(request(Side.BUY, 1, 50_000))
        assert sim_orders(sim) == []  # EGW00002 answers execute nothing


async def test_a_rate_refused_order_is_sent_again(
    kis_sim_factory: SimFactory, tmp_path: Path
) -> None:
    async with kis_sim_factory(rate_limit=1) as sim, adapter(sim, tmp_path) as kis:
        bid, _ = await best(kis)  # uses this second's only request
        update = await kis.orders.submit(request(Side.BUY, 1, below(bid)))
        assert update.status is OrderStatus.ACCEPTED
        assert 1.0 in kis.slept
        assert sim_orders(sim) == [update.venue_order_id]
