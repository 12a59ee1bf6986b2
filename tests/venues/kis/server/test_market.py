"""The simulator's market beyond the checklist: several customers on one exchange, held codes
joining the universe, and a clock that runs by itself."""

from __future__ import annotations

import asyncio

from tests.venues.kis.conftest import SimFactory, account
from tests.venues.kis.server.client import KisClient, connect


async def test_two_customers_trade_with_each_other(kis_sim_factory: SimFactory) -> None:
    seller = account(1, holdings={"005930": 50})
    async with kis_sim_factory(accounts=(account(0), seller)) as sim:
        buyer_client = await KisClient(sim).login()
        seller_client = await KisClient(sim, seller).login()
        async with buyer_client, seller_client:
            book = await buyer_client.book("005930")
            ask, ahead = int(book["askp1"]), int(book["askp_rsqn1"])
            sold = await seller_client.order("sell", "005930", 30, ask)  # queues behind agents
            bought = await buyer_client.order("buy", "005930", ahead + 30, ask)
            assert sold.json()["rt_cd"] == bought.json()["rt_cd"] == "0"
            sell_row = (await seller_client.ccld()).json()["output1"][0]
            buy_row = (await buyer_client.ccld()).json()["output1"][0]
            assert sell_row["tot_ccld_qty"] == "30"
            assert buy_row["tot_ccld_qty"] == str(ahead + 30)
            held = {
                r["pdno"]: r["hldg_qty"] for r in (await seller_client.balance()).json()["output1"]
            }
            assert held["005930"] == "20"


async def test_held_codes_join_the_universe(kis_sim_factory: SimFactory) -> None:
    async with kis_sim_factory(accounts=(account(0, holdings={"123450": 5}),), codes=()) as sim:
        assert "123450" in sim.market.tape.symbols
        async with KisClient(sim) as client:
            await client.login()
            assert (await client.price("123450"))["stck_shrn_iscd"] == "123450"


async def test_a_running_clock_streams_without_being_told(kis_sim_factory: SimFactory) -> None:
    async with kis_sim_factory(speed=20.0) as sim:
        client = await KisClient(sim).login()
        ws = await connect(sim, await client.approval_key())
        async with client, ws.connection:
            for code in sim.market.tape.symbols:
                assert (await ws.subscribe("H0STCNT0", code)).ok
            start = sim.clock.now_ns()
            frame = ""
            while not frame.startswith("0|H0STCNT0|"):
                frame = await ws.recv(timeout=20)
            assert sim.clock.now_ns() > start
        await asyncio.sleep(0)
