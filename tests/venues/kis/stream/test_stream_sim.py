"""`KisStream` against the KIS simulator over real sockets: data, multi-record frames,
PINGPONG, drops with reconnect + resubscribe, OPSP8996, the registration cap, AES notices,
dead-feed reconnects. The simulator's clock stands still: the market moves only when a test
calls `sim.advance`, so what arrives is decided by the test, and waits are bounded."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import httpx
import pytest

from jts.core.clock import SimulatedClock
from jts.core.enums import Side
from jts.core.models import BookUpdate, Tick
from jts.venues.kis.auth import KisAuth
from jts.venues.kis.protocol import ORDER_DIVISIONS, WS_BOOK, WS_NOTICE_PAPER, WS_TRADES
from jts.venues.kis.server import AccountSpec, KisSimulator
from jts.venues.kis.stream import (
    KisStream,
    Reconnected,
    SessionInUse,
    StreamEvent,
    SubscriptionRefused,
)
from jts.venues.kis.stream_records import Notice, NoticeKind
from jts.venues.kis.stream_subs import SubscriptionRegistry
from tests.venues.kis.venue.kis_world import SYMBOL, fast_backoff, kis_config, sim_config

WAIT_S = 5.0


def approval_for(sim: KisSimulator, spec: AccountSpec, tmp: Path) -> Callable[[bool], object]:
    config = kis_config(sim, spec, tmp)

    async def approval(renew: bool) -> str:
        async with httpx.AsyncClient() as http:
            return await KisAuth(config, http).issue_approval(config.primary_key)

    return approval


def stream_for(sim: KisSimulator, spec: AccountSpec, tmp: Path, **options: object) -> KisStream:
    settings: dict[str, object] = {
        "backoff": fast_backoff(),
        "clock": sim.clock,
        "feed_expected": lambda ts_ns: False,
        "reply_timeout_s": WAIT_S,
    }
    settings.update(options)
    return KisStream(sim.ws_url, approval_for(sim, spec, tmp), **settings)  # type: ignore[arg-type]


async def collect(
    stream: KisStream, enough: Callable[[list[StreamEvent]], bool], *, nudge: Callable[[], None]
) -> list[StreamEvent]:
    """Events until `enough` says so; `nudge` moves the market between polls. One reader
    task drains the stream (cancelling a pending `anext` would end the generator)."""
    seen: list[StreamEvent] = []

    async def read() -> None:
        async for event in stream.events():
            seen.append(event)

    reader = asyncio.create_task(read())
    try:
        async with asyncio.timeout(WAIT_S):
            while not enough(seen):
                nudge()
                await asyncio.sleep(0.02)
    finally:
        reader.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await reader
    return seen


@pytest.fixture
async def sim() -> AsyncIterator[KisSimulator]:
    async with KisSimulator.start(sim_config(trade_batch=4, ping_interval_s=0.0)) as running:
        yield running


def advance(sim: KisSimulator, seconds: float = 5.0) -> Callable[[], None]:
    return lambda: sim.advance(seconds)


async def test_trades_and_books_arrive_as_ticks_and_book_updates(
    sim: KisSimulator, tmp_path: Path
) -> None:
    [spec] = sim.accounts
    stream = stream_for(sim, spec, tmp_path)
    await stream.subscribe(WS_TRADES, SYMBOL)
    await stream.subscribe(WS_BOOK, SYMBOL)
    await stream.start()
    try:
        seen = await collect(
            stream,
            lambda s: (
                any(isinstance(e, Tick) for e in s) and any(isinstance(e, BookUpdate) for e in s)
            ),
            nudge=advance(sim),
        )
    finally:
        await stream.close()
    ticks = [e for e in seen if isinstance(e, Tick)]
    assert {t.symbol for t in ticks} == {SYMBOL}
    assert all(t.price > 0 and t.qty > 0 for t in ticks)
    assert [t.ts_ns for t in ticks] == sorted(t.ts_ns for t in ticks)


async def test_busy_symbols_come_in_multi_record_frames(sim: KisSimulator, tmp_path: Path) -> None:
    [spec] = sim.accounts
    stream = stream_for(sim, spec, tmp_path)
    await stream.subscribe(WS_TRADES, SYMBOL)
    await stream.start()
    try:
        await collect(stream, lambda s: stream.records > stream.frames, nudge=advance(sim, 30.0))
    finally:
        await stream.close()
    assert stream.bad_frames == 0


async def test_pingpong_is_echoed_so_a_strict_server_keeps_the_session(tmp_path: Path) -> None:
    config = sim_config(ping_interval_s=0.02, ping_strict=2)
    async with KisSimulator.start(config) as sim:
        [spec] = sim.accounts
        stream = stream_for(sim, spec, tmp_path)
        await stream.subscribe(WS_TRADES, SYMBOL)
        await stream.start()
        try:
            async with asyncio.timeout(WAIT_S):
                while stream.pings < 10:
                    await asyncio.sleep(0.02)
            assert stream.connected
            assert stream.reconnects == 0
        finally:
            await stream.close()


async def test_a_dropped_session_reconnects_and_registers_everything_again(
    sim: KisSimulator, tmp_path: Path
) -> None:
    [spec] = sim.accounts
    stream = stream_for(sim, spec, tmp_path)
    await stream.subscribe(WS_TRADES, SYMBOL)
    await stream.subscribe(WS_BOOK, SYMBOL)
    await stream.start()
    try:
        sim.hub.owners[spec.appkey].abort()  # no close frame, as KIS drops
        seen = await collect(
            stream, lambda s: any(isinstance(e, Reconnected) for e in s), nudge=lambda: None
        )
        session = sim.hub.owners[spec.appkey]
        assert set(session.registrations) == {(WS_TRADES, SYMBOL), (WS_BOOK, SYMBOL)}
        after = await collect(
            stream, lambda s: any(isinstance(e, Tick) for e in s), nudge=advance(sim)
        )
    finally:
        await stream.close()
    [marker] = [e for e in seen if isinstance(e, Reconnected)]
    assert marker.up_ns >= marker.down_ns
    assert stream.reconnects == 1
    assert any(isinstance(e, Tick) for e in after)


async def test_a_second_session_with_the_same_app_key_is_refused(
    sim: KisSimulator, tmp_path: Path
) -> None:
    [spec] = sim.accounts
    first = stream_for(sim, spec, tmp_path)
    await first.subscribe(WS_TRADES, SYMBOL)
    await first.start()
    second = stream_for(sim, spec, tmp_path)
    await second.subscribe(WS_TRADES, SYMBOL)
    try:
        with pytest.raises(SessionInUse, match="OPSP8996"):
            await second.start()
        assert first.connected
    finally:
        await first.close()
        await second.close()


async def test_a_lingering_session_slot_is_waited_out_with_backoff(tmp_path: Path) -> None:
    async with KisSimulator.start(sim_config(session_linger_s=30.0)) as sim:
        [spec] = sim.accounts
        stream = stream_for(sim, spec, tmp_path)
        await stream.subscribe(WS_TRADES, SYMBOL)
        await stream.start()
        try:
            sim.hub.owners[spec.appkey].abort()
            async with asyncio.timeout(WAIT_S):
                while stream.backoff.attempt < 3:  # OPSP8996 while the slot lingers
                    await asyncio.sleep(0.01)
            assert not stream.connected
            sim.advance(31.0)
            seen = await collect(
                stream, lambda s: any(isinstance(e, Reconnected) for e in s), nudge=lambda: None
            )
        finally:
            await stream.close()
        [marker] = [e for e in seen if isinstance(e, Reconnected)]
        assert marker.attempts >= 3


async def test_the_client_cap_refuses_without_asking_the_server(
    sim: KisSimulator, tmp_path: Path
) -> None:
    [spec] = sim.accounts
    stream = stream_for(sim, spec, tmp_path, registry=SubscriptionRegistry(2))
    await stream.start()
    try:
        await stream.subscribe(WS_TRADES, SYMBOL)
        await stream.subscribe(WS_BOOK, SYMBOL)
        other = sim.market.sim.symbols[1]
        with pytest.raises(SubscriptionRefused) as refused:
            await stream.subscribe(WS_TRADES, other)
        assert refused.value.code == "OPSP0008"
        assert len(sim.hub.owners[spec.appkey].registrations) == 2
        await stream.unsubscribe(WS_BOOK, SYMBOL)
        await stream.subscribe(WS_TRADES, other)
        assert set(sim.hub.owners[spec.appkey].registrations) == {
            (WS_TRADES, SYMBOL),
            (WS_TRADES, other),
        }
    finally:
        await stream.close()


async def test_the_servers_cap_answer_is_a_refusal_with_its_code(tmp_path: Path) -> None:
    async with KisSimulator.start(sim_config(ws_cap=1)) as sim:
        [spec] = sim.accounts
        stream = stream_for(sim, spec, tmp_path)
        await stream.start()
        try:
            await stream.subscribe(WS_TRADES, SYMBOL)
            with pytest.raises(SubscriptionRefused) as refused:
                await stream.subscribe(WS_BOOK, SYMBOL)
            assert refused.value.code == "OPSP0008"
            assert (WS_BOOK, SYMBOL) not in stream.registry
        finally:
            await stream.close()


async def test_encrypted_notices_are_decrypted_into_receipts_and_fills(
    sim: KisSimulator, tmp_path: Path
) -> None:
    [spec] = sim.accounts
    stream = stream_for(sim, spec, tmp_path)
    await stream.subscribe(WS_NOTICE_PAPER, spec.hts_id)
    await stream.start()
    broker = sim.market.brokers[spec.appkey]
    book = sim.market.exchange.markets[SYMBOL].book
    ask = book.best_ask()
    try:
        order, _ = broker.submit(Side.BUY, SYMBOL, 1, ask, ORDER_DIVISIONS["00"])
        assert order is not None
        seen = await collect(
            stream,
            lambda s: any(isinstance(e, Notice) and e.kind is NoticeKind.FILL for e in s),
            nudge=lambda: None,
        )
    finally:
        await stream.close()
    notices = [e for e in seen if isinstance(e, Notice)]
    assert [n.kind for n in notices][:1] == [NoticeKind.ACCEPTED]
    [fill] = [n for n in notices if n.kind is NoticeKind.FILL]
    assert (fill.order_no, fill.symbol, fill.side) == (order.odno, SYMBOL, Side.BUY)
    assert (fill.fill_qty, fill.fill_price) == (1, ask)
    assert [n.seq for n in notices] == list(range(1, len(notices) + 1))
    assert stream.bad_frames == 0


async def test_a_silent_feed_during_market_hours_is_dropped_and_reconnected(
    sim: KisSimulator, tmp_path: Path
) -> None:
    [spec] = sim.accounts
    clock = SimulatedClock(sim.clock.now_ns())
    stream = stream_for(
        sim, spec, tmp_path, clock=clock, feed_expected=lambda ts_ns: True, dead_after_s=30.0,
        watch_interval_s=3600.0,
    )  # fmt: skip
    await stream.subscribe(WS_TRADES, SYMBOL)
    await stream.start()
    try:
        clock.advance(29)
        assert not await stream.check_feed()
        clock.advance(1)
        assert await stream.check_feed()
        seen = await collect(
            stream, lambda s: any(isinstance(e, Reconnected) for e in s), nudge=lambda: None
        )
        assert (WS_TRADES, SYMBOL) in sim.hub.owners[spec.appkey].registrations
    finally:
        await stream.close()
    assert stream.detector.deaths == 1
    assert any(isinstance(e, Reconnected) for e in seen)


async def test_an_invalid_approval_key_is_renewed_once(sim: KisSimulator, tmp_path: Path) -> None:
    [spec] = sim.accounts
    real = approval_for(sim, spec, tmp_path)
    asked: list[bool] = []

    async def approval(renew: bool) -> str:
        asked.append(renew)
        return await real(renew) if renew else "not-a-key"  # type: ignore[misc]

    stream = KisStream(sim.ws_url, approval, backoff=fast_backoff(), clock=sim.clock)
    await stream.subscribe(WS_TRADES, SYMBOL)
    await stream.start()
    try:
        assert asked == [False, True]
        assert (WS_TRADES, SYMBOL) in sim.hub.owners[spec.appkey].registrations
    finally:
        await stream.close()
