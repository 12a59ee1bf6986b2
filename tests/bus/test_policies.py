"""Delivery policies: BLOCK never drops, CONFLATE keeps the newest per key, DROP_OLDEST, order."""

from __future__ import annotations

import asyncio
import itertools
from collections import defaultdict
from collections.abc import Awaitable, Callable

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jts.bus import Backpressure, BusClosed, InProcBus, Policy
from tests.bus.conftest import Quote, until

# -- BLOCK -------------------------------------------------------------------------------------


async def test_block_publish_raises_backpressure_when_full_and_delivers_to_nobody(
    bus: InProcBus,
) -> None:
    inline: list[int] = []
    queued: list[int] = []
    bus.subscribe("oms.fill", inline.append)
    bus.subscribe("oms.fill", queued.append, policy=Policy.BLOCK, capacity=2)
    bus.publish("oms.fill", 1)
    bus.publish("oms.fill", 2)
    with pytest.raises(Backpressure, match=r"oms.fill: subscriber list.append is full \(2"):
        bus.publish("oms.fill", 3)
    assert inline == [1, 2]  # all or nothing: the SYNC subscriber did not get 3 either
    stats = bus.stats()
    assert (stats.published, stats.backpressured, stats.dropped) == (2, 1, 0)
    await until(lambda: len(queued) == 2)
    bus.publish("oms.fill", 3)  # room again once the consumer ran
    await until(lambda: len(queued) == 3)
    assert queued == [1, 2, 3]


async def test_publish_wait_waits_for_room_and_never_drops(bus: InProcBus) -> None:
    got: list[int] = []

    async def slow(n: int) -> None:
        await asyncio.sleep(0)
        got.append(n)

    bus.subscribe("oms.fill", slow, policy=Policy.BLOCK, capacity=2)
    for n in range(100):
        await bus.publish_wait("oms.fill", n)
    await until(lambda: len(got) == 100)
    assert got == list(range(100))
    assert bus.stats().dropped == 0


async def test_block_subscriber_pushes_back_only_on_its_own_key(bus: InProcBus) -> None:
    bus.subscribe("oms.fill", print, key="005930", policy=Policy.BLOCK, capacity=1)
    bus.publish("oms.fill", 1, key="005930")
    bus.publish("oms.fill", 2, key="000660")  # not for the full subscriber: accepted
    with pytest.raises(Backpressure):
        bus.publish("oms.fill", 3, key="005930")


async def test_publish_wait_raises_bus_closed_when_the_bus_stops_meanwhile() -> None:
    bus = InProcBus(drain_timeout_s=0.05)
    release = asyncio.Event()

    async def stuck(n: int) -> None:
        await release.wait()

    bus.subscribe("oms.fill", stuck, policy=Policy.BLOCK, capacity=1)
    await bus.start()
    bus.publish("oms.fill", 1)
    await asyncio.sleep(0)  # the consumer holds 1
    bus.publish("oms.fill", 2)  # the queue is full
    waiting = asyncio.create_task(bus.publish_wait("oms.fill", 3))
    await asyncio.sleep(0)
    assert not waiting.done()
    await bus.stop()
    with pytest.raises(BusClosed):
        await waiting


async def test_publish_wait_resumes_when_the_full_subscriber_leaves(bus: InProcBus) -> None:
    never = asyncio.Event()

    async def stuck(n: int) -> None:
        await never.wait()

    sub = bus.subscribe("oms.fill", stuck, policy=Policy.BLOCK, capacity=1)
    bus.publish("oms.fill", 1)
    await asyncio.sleep(0)
    bus.publish("oms.fill", 2)
    waiting = asyncio.create_task(bus.publish_wait("oms.fill", 3))
    await asyncio.sleep(0)
    sub.cancel()
    await waiting
    assert bus.stats().published == 3
    never.set()


# -- CONFLATE ----------------------------------------------------------------------------------


async def test_conflate_delivers_the_newest_quote_per_key_and_counts_the_rest(
    bus: InProcBus,
) -> None:
    got: list[Quote] = []
    bus.subscribe("md.quote", got.append, policy=Policy.CONFLATE)
    for seq in range(1, 4):  # no await: the consumer cannot run in between
        for symbol in ("005930", "000660"):
            bus.publish("md.quote", Quote(symbol, seq), key=symbol)
    await until(lambda: len(got) == 2)
    assert got == [Quote("005930", 3), Quote("000660", 3)]
    assert bus.stats().conflated == 4


async def test_conflate_keeps_a_key_in_its_place_so_no_key_starves(bus: InProcBus) -> None:
    got: list[Quote] = []
    bus.subscribe("md.quote", got.append, policy=Policy.CONFLATE)
    bus.publish("md.quote", Quote("A", 1), key="A")
    bus.publish("md.quote", Quote("B", 1), key="B")
    bus.publish("md.quote", Quote("A", 2), key="A")  # replaces A, which stays ahead of B
    await until(lambda: len(got) == 2)
    assert got == [Quote("A", 2), Quote("B", 1)]


async def test_conflate_past_capacity_drops_the_oldest_pending_key(bus: InProcBus) -> None:
    got: list[Quote] = []
    bus.subscribe("md.quote", got.append, policy=Policy.CONFLATE, capacity=2)
    for symbol in "ABC":
        bus.publish("md.quote", Quote(symbol, 1), key=symbol)
    await until(lambda: len(got) == 2)
    assert [q.symbol for q in got] == ["B", "C"]
    assert bus.stats().dropped == 1


# -- DROP_OLDEST -------------------------------------------------------------------------------


async def test_drop_oldest_keeps_the_newest_events_and_counts_drops(bus: InProcBus) -> None:
    got: list[int] = []
    bus.subscribe("alerts", got.append, policy=Policy.DROP_OLDEST, capacity=3)
    for n in range(10):
        bus.publish("alerts", n)
    await until(lambda: len(got) == 3)
    assert got == [7, 8, 9]
    assert bus.stats().dropped == 7


async def test_queued_subscribers_accept_async_handlers(bus: InProcBus) -> None:
    got: list[int] = []

    async def handler(n: int) -> None:
        await asyncio.sleep(0)
        got.append(n)

    for policy in (Policy.BLOCK, Policy.CONFLATE, Policy.DROP_OLDEST):
        bus.subscribe("t", handler, policy=policy)
    bus.publish("t", 1)
    await until(lambda: len(got) == 3)
    assert bus.stats().delivered == 3


# -- per-key order under concurrency (property) ------------------------------------------------

KEYS = ("005930", "000660", "035720")


def _is_ordered_subsequence(got: list[Quote], published: list[Quote]) -> bool:
    position = {id(q): n for n, q in enumerate(published)}
    indexes = [position[id(q)] for q in got]
    return indexes == sorted(set(indexes))


async def _publish_concurrently(
    plan: list[list[str]], pauses: list[int], slowness: list[int]
) -> tuple[dict[str, list[Quote]], dict[Policy, dict[str, list[Quote]]]]:
    """Several publishers interleave by `pauses`; handlers are slowed by `slowness`."""
    bus = InProcBus()
    published: dict[str, list[Quote]] = defaultdict(list)
    received: dict[Policy, dict[str, list[Quote]]] = {p: defaultdict(list) for p in Policy}
    delays = itertools.cycle(slowness)

    def record(policy: Policy) -> Callable[[Quote], None]:
        return lambda quote: received[policy][quote.symbol].append(quote)

    def record_slowly(policy: Policy) -> Callable[[Quote], Awaitable[None]]:
        async def handler(quote: Quote) -> None:
            for _ in range(next(delays)):
                await asyncio.sleep(0)
            record(policy)(quote)

        return handler

    bus.subscribe("md.quote", record(Policy.SYNC))
    for policy in (Policy.BLOCK, Policy.CONFLATE, Policy.DROP_OLDEST):
        bus.subscribe("md.quote", record_slowly(policy), policy=policy, capacity=3)

    async def publisher(n: int, keys: list[str]) -> None:
        for seq, key in enumerate(keys):
            quote = Quote(key, n * 1_000 + seq)
            await bus.publish_wait("md.quote", quote, key=key)
            published[key].append(quote)  # no await since the publish: this is publish order
            for _ in range(pauses[(n + seq) % len(pauses)]):
                await asyncio.sleep(0)

    await bus.start()
    await asyncio.gather(*(publisher(n, keys) for n, keys in enumerate(plan)))
    await bus.stop()
    return published, received


@settings(max_examples=60)
@given(
    plan=st.lists(st.lists(st.sampled_from(KEYS), max_size=25), min_size=1, max_size=4),
    pauses=st.lists(st.integers(0, 3), min_size=1, max_size=8),
    slowness=st.lists(st.integers(0, 3), min_size=1, max_size=8),
)
def test_each_subscriber_sees_each_keys_events_in_publish_order(
    plan: list[list[str]], pauses: list[int], slowness: list[int]
) -> None:
    published, received = asyncio.run(_publish_concurrently(plan, pauses, slowness))
    for key, sent in published.items():
        assert received[Policy.SYNC][key] == sent
        assert received[Policy.BLOCK][key] == sent  # nothing lost, nothing reordered
        assert _is_ordered_subsequence(received[Policy.DROP_OLDEST][key], sent)
        conflated = received[Policy.CONFLATE][key]
        assert _is_ordered_subsequence(conflated, sent)
        assert conflated[-1] is sent[-1]  # the newest quote of every key always arrives
