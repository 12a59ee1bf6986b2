"""KIS.md §11 items 10-16 over real sockets: subscribe/unsubscribe replies, the registration
cap, one session per appkey, frame format, AES notices, the notice sequence, PINGPONG."""

from __future__ import annotations

import asyncio
import json

import pytest
from websockets.exceptions import ConnectionClosed, ConnectionClosedError

from jts.venues.kis.protocol import (
    NOTICE_FIELDS,
    Env,
    NoticeCipher,
    parse_frame,
    records_of,
)
from jts.venues.kis.server import KisSimulator
from tests.venues.kis.conftest import SimFactory
from tests.venues.kis.server.client import KisClient, WsClient, connect, notice_tr


async def _session(sim: KisSimulator) -> tuple[KisClient, WsClient]:
    client = await KisClient(sim).login()
    return client, await connect(sim, await client.approval_key())


async def test_item10_subscribe_unsubscribe_replies(kis_sim: KisSimulator) -> None:
    client, ws = await _session(kis_sim)
    async with client, ws.connection:
        ok = await ws.subscribe("H0STCNT0", "005930")
        assert (ok.tr_id, ok.tr_key, ok.encrypt) == ("H0STCNT0", "005930", "N")
        assert (ok.rt_cd, ok.msg_cd, ok.msg1) == ("0", "OPSP0000", "SUBSCRIBE SUCCESS")
        assert (len(ok.key), len(ok.iv)) == (32, 16)
        assert (await ws.subscribe("H0STCNT0", "005930")).msg_cd == "OPSP0002"
        gone = await ws.subscribe("H0STCNT0", "005930", register=False)
        assert (gone.msg_cd, gone.msg1) == ("OPSP0001", "UNSUBSCRIBE SUCCESS")
        assert (await ws.subscribe("H0STCNT0", "005930", register=False)).msg_cd == "OPSP0003"
        assert (await ws.subscribe("H0XXXXX0", "005930")).msg_cd == "OPSP8991"
        assert (await ws.subscribe("H0STASP0", "999990")).msg_cd == "OPSP8992"


@pytest.mark.parametrize(
    ("header", "code"),
    [({"tr_type": "3"}, "OPSP8997"), ({"custtype": "X"}, "OPSP8998")],
)
async def test_item10_malformed_headers(
    kis_sim: KisSimulator, header: dict[str, str], code: str
) -> None:
    client, ws = await _session(kis_sim)
    async with client, ws.connection:
        message = {
            "header": {"approval_key": ws.key, "custtype": "P", "tr_type": "1",
                       "content-type": "utf-8", **header},
            "body": {"input": {"tr_id": "H0STCNT0", "tr_key": "005930"}},
        }  # fmt: skip
        await ws.connection.send(json.dumps(message))
        assert (await ws.control()).msg_cd == code
        await ws.connection.send("{not json")
        assert (await ws.control()).msg_cd.startswith("OPSP99")


@pytest.mark.parametrize("cap", [41, 40])
async def test_item11_registration_cap(kis_sim_factory: SimFactory, cap: int) -> None:
    async with kis_sim_factory(symbols=21, ws_cap=cap) as sim:
        client, ws = await _session(sim)
        async with client, ws.connection:
            keys = [
                (tr, code) for code in sim.market.tape.symbols for tr in ("H0STCNT0", "H0STASP0")
            ]
            for tr, code in keys[:cap]:
                assert (await ws.subscribe(tr, code)).msg_cd == "OPSP0000"
            over = await ws.subscribe(*keys[cap])
            assert (over.rt_cd, over.msg_cd, over.msg1) == ("1", "OPSP0008", "MAX SUBSCRIBE OVER")
            await ws.subscribe(*keys[0], register=False)
            assert (await ws.subscribe(*keys[cap])).msg_cd == "OPSP0000"


async def test_item12_one_session_per_appkey(kis_sim: KisSimulator) -> None:
    client, first = await _session(kis_sim)
    async with client:
        assert (await first.subscribe("H0STCNT0", "005930")).ok
        second = await connect(kis_sim, await client.approval_key())
        async with second.connection:
            busy = await second.subscribe("H0STCNT0", "000660")
            assert (busy.tr_id, busy.rt_cd, busy.msg_cd) == ("(null)", "9", "OPSP8996")
            assert busy.msg1 == "ALREADY IN USE appkey"
            await first.connection.close()
            await asyncio.sleep(0.1)
            assert (await second.subscribe("H0STCNT0", "000660")).ok


async def test_item12_slot_lingers_after_abrupt_disconnect(kis_sim_factory: SimFactory) -> None:
    async with kis_sim_factory(session_linger_s=30) as sim:
        client, first = await _session(sim)
        async with client:
            assert (await first.subscribe("H0STCNT0", "005930")).ok
            first.connection.transport.abort()  # no close frame
            await asyncio.sleep(0.2)
            second = await connect(sim, await client.approval_key())
            async with second.connection:
                assert (await second.subscribe("H0STCNT0", "005930")).msg_cd == "OPSP8996"
                sim.advance(31)
                assert (await second.subscribe("H0STCNT0", "005930")).ok


async def test_item13_frames_multi_record_exact_counts(kis_sim_factory: SimFactory) -> None:
    async with kis_sim_factory(trade_batch=4) as sim:
        client, ws = await _session(sim)
        async with client, ws.connection:
            for code in sim.market.tape.symbols:
                assert (await ws.subscribe("H0STCNT0", code)).ok
            assert (await ws.subscribe("H0STASP0", "005930")).ok
            sim.advance(120)
            frames = [parse_frame(t) for t in await ws.frames("0|")]
        trades = [f for f in frames if f.tr_id == "H0STCNT0"]
        books = [f for f in frames if f.tr_id == "H0STASP0"]
        assert trades
        assert books
        assert any(f.count > 1 for f in trades)
        assert max(f.count for f in trades) <= 4
        for frame in trades:
            records = records_of(frame)
            assert len(frame.payload.split("^")) == 46 * frame.count
            assert all(len(r) == 46 for r in records)
            assert all(r[44] == "" for r in records)  # MRKT_TRTM_CLS_CODE left empty
        for frame in books:
            assert frame.count == 1
            assert len(records_of(frame)[0]) == 59


async def _notices(sim: KisSimulator) -> tuple[KisClient, WsClient, NoticeCipher]:
    client, ws = await _session(sim)
    ack = await ws.subscribe(notice_tr(sim.env), client.spec.hts_id)
    assert (ack.encrypt, ack.msg_cd) == ("Y", "OPSP0000")
    return client, ws, NoticeCipher(ack.key, ack.iv)


async def _read_notices(ws: WsClient, cipher: NoticeCipher, tr: str) -> list[dict[str, str]]:
    notices = []
    for text in await ws.frames("1|"):
        assert text.startswith(f"1|{tr}|001|")
        frame = parse_frame(text)
        notices += [
            dict(zip(NOTICE_FIELDS, r, strict=True)) for r in records_of(frame, cipher=cipher)
        ]
    return notices


@pytest.mark.parametrize("env", [Env.PAPER, Env.REAL])
async def test_item14_notices_are_aes_encrypted(kis_sim_factory: SimFactory, env: Env) -> None:
    async with kis_sim_factory(env=env) as sim:
        client, ws, cipher = await _notices(sim)
        async with client, ws.connection:
            ask = int((await client.book("005930"))["askp1"])
            await client.order("buy", "005930", 1, ask)
            notices = await _read_notices(ws, cipher, notice_tr(env))
        assert [n["CNTG_YN"] for n in notices] == ["1", "2"]
        assert notices[0]["CUST_ID"] == client.spec.hts_id


async def test_item14_wrong_hts_id_drops_the_socket(kis_sim: KisSimulator) -> None:
    client, ws = await _session(kis_sim)
    async with client:
        await ws.send("H0STCNI9", "someone-else")
        with pytest.raises(ConnectionClosedError) as closed:
            await ws.recv()
        assert closed.value.rcvd is None  # no close frame


async def test_item15_receipt_then_one_fill_notice_per_execution(kis_sim: KisSimulator) -> None:
    client, ws, cipher = await _notices(kis_sim)
    async with client, ws.connection:
        book = await client.book("005930")
        qty = int(book["askp_rsqn1"]) + int(book["askp_rsqn2"])
        odno = (await client.order("buy", "005930", qty, int(book["askp2"]))).json()["output"][
            "ODNO"
        ]
        notices = await _read_notices(ws, cipher, "H0STCNI9")
    receipt, *fills = notices
    assert (receipt["CNTG_YN"], receipt["ACPT_YN"], receipt["ODER_NO"]) == ("1", "1", odno)
    assert (receipt["ODER_QTY"], receipt["ODER_PRC"]) == (str(qty), book["askp2"])
    assert len(fills) >= 2
    assert all(f["CNTG_YN"] == "2" and f["ODER_NO"] == odno for f in fills)
    assert sum(int(f["CNTG_QTY"]) for f in fills) == qty
    assert {f["CNTG_UNPR"] for f in fills} == {book["askp1"], book["askp2"]}
    assert all(n["ORD_EXG_GB"] == "1" and n["SELN_BYOV_CLS"] == "02" for n in notices)


async def test_item15_modify_cancel_reject_and_ioc_notices(kis_sim: KisSimulator) -> None:
    client, ws, cipher = await _notices(kis_sim)
    async with client, ws.connection:
        bid = int((await client.book("005930"))["bidp1"])
        tick = int((await client.price("005930"))["aspr_unit"])
        odno = (await client.order("buy", "005930", 3, bid - tick)).json()["output"]["ODNO"]
        modify = (await client.revise(odno, cancel=False, price=bid - 2 * tick)).json()
        new = modify["output"]["ODNO"]
        cancel = (await client.revise(new, cancel=True)).json()["output"]["ODNO"]
        ioc = (await client.order("buy", "005930", 2, bid - tick, "11")).json()["output"]["ODNO"]
        kis_sim.market.exchange.halt("000660")
        halted = (await client.order("buy", "000660", 1, 0, "01")).json()["output"]["ODNO"]
        notices = await _read_notices(ws, cipher, "H0STCNI9")
    by_no: dict[str, list[dict[str, str]]] = {}
    for n in notices:
        by_no.setdefault(n["ODER_NO"], []).append(n)
    assert by_no[new][0]["RCTF_CLS"] == "1"
    assert by_no[new][0]["OODER_NO"] == odno
    assert by_no[cancel][0]["RCTF_CLS"] == "2"
    assert by_no[cancel][0]["OODER_NO"] == new
    ioc_done = by_no[ioc][-1]
    assert (ioc_done["ACPT_YN"], ioc_done["ODER_COND"], ioc_done["CNTG_QTY"]) == ("3", "1", "2")
    assert by_no[halted][-1]["RFUS_YN"] == "1"


async def test_item16_pingpong_echo_and_strict_mode(kis_sim_factory: SimFactory) -> None:
    async with kis_sim_factory(ping_interval_s=0.05, ping_strict=2) as sim:
        client, ws = await _session(sim)
        async with client:
            ping = await ws.next_ping()
            assert len(ping.datetime) == 14
            assert ping.datetime.startswith("20261127")
            await ws.connection.send(ping.raw)  # echoing keeps the session
            await ws.connection.pong(ping.raw.encode())  # a WS pong is accepted too
            await ws.next_ping()
            with pytest.raises(ConnectionClosed):  # no more echoes: closed after 2 unanswered
                await ws.drain()


async def test_item16_silent_clients_are_kept_without_strict_mode(
    kis_sim_factory: SimFactory,
) -> None:
    async with kis_sim_factory(ping_interval_s=0.02) as sim:
        client, ws = await _session(sim)
        async with client, ws.connection:
            for _ in range(5):
                await ws.next_ping()
            assert (await ws.subscribe("H0STCNT0", "005930")).ok


async def test_item16_drop_ws_every_cuts_the_session(kis_sim_factory: SimFactory) -> None:
    async with kis_sim_factory(drop_ws_every=3) as sim:
        client, ws = await _session(sim)
        async with client:
            for code in sim.market.tape.symbols:
                await ws.subscribe("H0STCNT0", code)
            sim.advance(60)
            with pytest.raises(ConnectionClosedError):
                await ws.drain()


async def test_item15_unfillable_fok_is_cancelled_and_frees_the_cash(kis_sim: KisSimulator) -> None:
    client, ws, cipher = await _notices(kis_sim)
    account = kis_sim.market.brokers[client.spec.appkey].account
    cash = account.orderable_cash
    async with client, ws.connection:
        book = await client.book("005930")
        qty = int(book["askp_rsqn1"]) + 1
        odno = (await client.order("buy", "005930", qty, int(book["askp1"]), "12")).json()
        notices = await _read_notices(ws, cipher, "H0STCNI9")
    assert [(n["CNTG_YN"], n["ACPT_YN"]) for n in notices] == [("1", "1"), ("1", "3")]
    assert notices[-1]["ODER_NO"] == odno["output"]["ODNO"]
    assert notices[-1]["ODER_COND"] == "2"
    assert account.orderable_cash == cash
