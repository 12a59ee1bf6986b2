"""KIS.md §11 items 17-18 over real sockets: the simulated KST clock and sessions drive the
codes and order acceptance; the same seed replays the same market."""

from __future__ import annotations

import datetime as dt

from jts.venues.kis.protocol import BOOK_FIELDS, TRADE_FIELDS, parse_frame, records_of
from jts.venues.kis.server import KisSimulator
from tests.venues.kis.conftest import SimFactory
from tests.venues.kis.server.client import KisClient, connect


async def test_item17_before_the_open_orders_are_refused(kis_sim_factory: SimFactory) -> None:
    async with kis_sim_factory(start_time=dt.time(8, 0)) as sim, KisClient(sim) as client:
        await client.login()
        refused = (await client.order("buy", "005930", 1, 0, "01")).json()
        assert (refused["msg_cd"], refused["msg1"]) == ("40570000", "모의투자 장시작전 입니다.")


async def test_item17_after_the_close_orders_are_refused(kis_sim: KisSimulator) -> None:
    kis_sim.advance((15 * 60 + 32 - 9 * 60) * 60)  # 15:32:30 KST: between sessions
    async with KisClient(kis_sim) as client:
        await client.login()
        refused = (await client.order("buy", "005930", 1, 0, "01")).json()
        assert (refused["msg_cd"], refused["msg1"]) == ("40580000", "모의투자 장종료 입니다.")


async def test_item17_opening_auction_codes_and_expected_price(kis_sim_factory: SimFactory) -> None:
    async with kis_sim_factory(start_time=dt.time(8, 45)) as sim:
        client = await KisClient(sim).login()
        ws = await connect(sim, await client.approval_key())
        async with client, ws.connection:
            assert (await ws.subscribe("H0STASP0", "005930")).ok
            assert (await ws.subscribe("H0STCNT0", "005930")).ok
            sim.advance(6 * 60)  # 08:51: indications are published
            auction = await client.book("005930")
            assert auction["new_mkop_cls_code"] == "10"
            books = [records_of(parse_frame(t))[0] for t in await ws.frames("0|H0STASP0")]
            assert books
            last = dict(zip(BOOK_FIELDS, books[-1], strict=True))
            assert last["HOUR_CLS_CODE"] == "B"
            assert int(last["ANTC_CNPR"]) > 0
            sim.advance(10 * 60)  # 09:01: continuous
            trades = [r for t in await ws.frames("0|H0STCNT0") for r in records_of(parse_frame(t))]
            assert trades
            after = dict(zip(TRADE_FIELDS, trades[-1], strict=True))
            assert (after["NEW_MKOP_CLS_CODE"], after["HOUR_CLS_CODE"]) == ("20", "0")
            assert after["BSOP_DATE"] == "20261127"
            assert (await client.book("005930"))["new_mkop_cls_code"] == "20"


async def _tape_of(sim: KisSimulator) -> tuple[list[str], str]:
    client = await KisClient(sim).login()
    ws = await connect(sim, await client.approval_key())
    async with client, ws.connection:
        for code in ("005930", "000660"):
            assert (await ws.subscribe("H0STCNT0", code)).ok
        sim.advance(90)
        frames = await ws.frames("0|")
        price = (await client.price("005930"))["stck_prpr"]
    return frames, price


async def test_item18_same_seed_same_market(kis_sim_factory: SimFactory) -> None:
    async with kis_sim_factory(seed=11) as one:
        first = await _tape_of(one)
    async with kis_sim_factory(seed=11) as two:
        second = await _tape_of(two)
    async with kis_sim_factory(seed=12) as three:
        other = await _tape_of(three)
    assert first[0]
    assert first == second
    assert first[0] != other[0]
