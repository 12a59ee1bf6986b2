"""InProcBus: SYNC delivery, key filters, wildcard, handler isolation, unsubscribe, lifecycle."""

from __future__ import annotations

import asyncio

import pytest
from structlog.testing import capture_logs

from jts.bus import WILDCARD, Bus, BusClosed, InProcBus, Policy
from jts.core.errors import InvalidInput
from jts.core.lifecycle import Lifecycle, ServiceState
from tests.bus.conftest import Quote, until


def test_inproc_bus_satisfies_the_bus_protocol() -> None:
    bus: Bus = InProcBus()  # checked by mypy; the runtime check covers the lifecycle part
    assert isinstance(bus, Lifecycle)


# -- SYNC delivery -----------------------------------------------------------------------------


async def test_sync_subscriber_receives_event_before_publish_returns(bus: InProcBus) -> None:
    got: list[Quote] = []
    bus.subscribe("md.quote", got.append)
    event = Quote("005930", 1)
    bus.publish("md.quote", event, key="005930")
    assert got == [event]
    assert got[0] is event  # passed by reference, never copied


async def test_every_sync_subscriber_receives_each_event_once(bus: InProcBus) -> None:
    inboxes: list[list[Quote]] = [[] for _ in range(8)]
    for inbox in inboxes:
        bus.subscribe("md.quote", inbox.append)
    events = [Quote("005930", n) for n in range(5)]
    for event in events:
        bus.publish("md.quote", event)
    assert all(inbox == events for inbox in inboxes)
    assert bus.stats().delivered == 40


async def test_topics_are_delivered_independently(bus: InProcBus) -> None:
    ticks: list[object] = []
    bars: list[object] = []
    bus.subscribe("md.tick", ticks.append)
    bus.subscribe("md.bar", bars.append)
    bus.publish("md.tick", "t")
    bus.publish("md.bar", "b")
    bus.publish("md.nobody", "n")
    assert (ticks, bars) == (["t"], ["b"])
    assert bus.stats().published == 3


# -- key filters and wildcard ------------------------------------------------------------------


async def test_keyed_subscriber_receives_only_its_symbol(bus: InProcBus) -> None:
    samsung: list[Quote] = []
    bus.subscribe("md.quote", samsung.append, key="005930")
    bus.publish("md.quote", Quote("000660", 1), key="000660")
    bus.publish("md.quote", Quote("005930", 2), key="005930")
    bus.publish("md.quote", Quote("005930", 3))  # no key: only unfiltered subscribers
    assert samsung == [Quote("005930", 2)]


async def test_unkeyed_subscriber_receives_every_symbol(bus: InProcBus) -> None:
    everything: list[Quote] = []
    bus.subscribe("md.quote", everything.append)
    bus.subscribe("md.quote", lambda e: None, key="005930")
    bus.publish("md.quote", Quote("000660", 1), key="000660")
    bus.publish("md.quote", Quote("005930", 2), key="005930")
    assert [q.seq for q in everything] == [1, 2]


async def test_keyed_queued_subscriber_receives_only_its_symbol(bus: InProcBus) -> None:
    samsung: list[Quote] = []
    bus.subscribe("md.quote", samsung.append, key="005930", policy=Policy.BLOCK)
    bus.publish("md.quote", Quote("000660", 1), key="000660")
    bus.publish("md.quote", Quote("005930", 2), key="005930")
    await until(lambda: len(samsung) == 1)
    await bus.stop()
    assert samsung == [Quote("005930", 2)]


async def test_wildcard_subscriber_receives_every_topic(bus: InProcBus) -> None:
    journal: list[object] = []
    bus.subscribe(WILDCARD, journal.append)
    bus.subscribe("md.tick", lambda e: None)
    bus.publish("md.tick", "t")
    bus.publish("oms.fill", "f")  # a topic with no subscriber of its own
    assert journal == ["t", "f"]


async def test_wildcard_subscriber_added_later_reaches_existing_topics(bus: InProcBus) -> None:
    bus.subscribe("md.tick", lambda e: None)
    journal: list[object] = []
    sub = bus.subscribe(WILDCARD, journal.append)
    bus.publish("md.tick", "t")
    sub.cancel()
    bus.publish("md.tick", "u")
    assert journal == ["t"]


# -- a bad handler does not hurt the others ----------------------------------------------------


def _explode(event: object) -> None:
    raise RuntimeError(f"cannot handle {event!r}")


async def test_raising_handler_is_logged_counted_and_next_handler_still_receives(
    bus: InProcBus,
) -> None:
    got: list[object] = []
    bus.subscribe("md.tick", _explode)
    bus.subscribe("md.tick", got.append)
    bus.subscribe("md.tick", _explode, key="005930")
    bus.subscribe("md.tick", got.append, key="005930")
    with capture_logs() as logs:
        bus.publish("md.tick", "a", key="005930")
        bus.publish("md.tick", "b", key="005930")
    assert got == ["a", "a", "b", "b"]
    stats = bus.stats()
    assert stats.handler_errors == 4
    assert [s.errors for s in stats.subscriptions] == [2, 0, 2, 0]
    assert [log["event"] for log in logs] == ["bus.handler_failed"] * 4
    assert logs[0]["handler"] == "_explode"
    assert isinstance(logs[0]["exc_info"], RuntimeError)


async def test_raising_queued_handler_does_not_stop_its_consumer(bus: InProcBus) -> None:
    got: list[int] = []

    def odd_fails(n: int) -> None:
        if n % 2:
            raise ValueError(n)
        got.append(n)

    bus.subscribe("t", odd_fails, policy=Policy.BLOCK)
    with capture_logs():
        for n in range(6):
            bus.publish("t", n)
        await until(lambda: len(got) == 3)
    assert got == [0, 2, 4]
    assert bus.stats().handler_errors == 3


async def test_persistently_failing_handler_is_not_logged_for_every_event(bus: InProcBus) -> None:
    bus.subscribe("t", _explode)
    with capture_logs() as logs:
        for n in range(2_000):
            bus.publish("t", n)
    assert bus.stats().handler_errors == 2_000
    assert len(logs) == 10 + 2  # the first ten, then the 1000th and the 2000th


async def test_handler_that_cancels_itself_and_raises_is_still_counted(bus: InProcBus) -> None:
    def leave_angrily(event: object) -> None:
        sub.cancel()
        raise RuntimeError("bye")

    sub = bus.subscribe("t", leave_angrily)
    with capture_logs():
        bus.publish("t", 1)
        bus.publish("t", 2)
    assert bus.stats().handler_errors == 1


# -- unsubscribe -------------------------------------------------------------------------------


async def test_cancelled_subscription_receives_nothing_more(bus: InProcBus) -> None:
    got: list[object] = []
    other: list[object] = []
    sub = bus.subscribe("t", got.append)
    bus.subscribe("t", other.append)
    bus.publish("t", 1)
    sub.cancel()
    sub.cancel()  # idempotent
    bus.publish("t", 2)
    assert (got, other, sub.active) == ([1], [1, 2], False)
    assert len(bus.stats().subscriptions) == 1


async def test_cancelling_a_queued_subscription_discards_what_it_had_queued(
    bus: InProcBus,
) -> None:
    got: list[object] = []
    sub = bus.subscribe("t", got.append, policy=Policy.BLOCK)
    bus.publish("t", 1)
    sub.cancel()  # before its consumer ran
    await asyncio.sleep(0)
    bus.publish("t", 2)
    assert got == []
    assert bus.stats().subscriptions == ()


async def test_bus_totals_keep_the_counts_of_cancelled_subscriptions(bus: InProcBus) -> None:
    got: list[int] = []
    sub = bus.subscribe("t", got.append, policy=Policy.DROP_OLDEST, capacity=1)
    bus.publish("t", 1)
    bus.publish("t", 2)
    await until(lambda: got == [2])
    sub.cancel()
    stats = bus.stats()
    assert (stats.delivered, stats.dropped) == (1, 1)


# -- subscribe arguments -----------------------------------------------------------------------


async def test_async_handler_is_refused_for_sync_policy(bus: InProcBus) -> None:
    async def handler(event: object) -> None:
        return None

    with pytest.raises(InvalidInput, match="queued policy"):
        bus.subscribe("t", handler)


@pytest.mark.parametrize(
    ("policy", "capacity"), [(Policy.SYNC, 10), (Policy.BLOCK, 0), (Policy.CONFLATE, -1)]
)
async def test_invalid_capacity_is_refused(bus: InProcBus, policy: Policy, capacity: int) -> None:
    with pytest.raises(InvalidInput, match="capacity"):
        bus.subscribe("t", print, policy=policy, capacity=capacity)


# -- lifecycle ---------------------------------------------------------------------------------


async def test_publish_before_start_raises_bus_closed() -> None:
    bus = InProcBus()
    with pytest.raises(BusClosed, match="created"):
        bus.publish("t", 1)


async def test_publish_after_stop_raises_bus_closed(bus: InProcBus) -> None:
    await bus.stop()
    with pytest.raises(BusClosed, match=r"bus 'bus' is stopped: cannot publish to 't'"):
        bus.publish("t", 1)
    with pytest.raises(BusClosed):
        await bus.publish_wait("t", 1)


async def test_start_and_stop_are_idempotent() -> None:
    bus = InProcBus()
    await bus.start()
    await bus.start()
    assert bus.health().state is ServiceState.RUNNING
    await bus.stop()
    await bus.stop()
    assert bus.health().state is ServiceState.STOPPED


async def test_stop_drains_queued_events_first() -> None:
    bus = InProcBus()
    got: list[int] = []

    async def slow(n: int) -> None:
        await asyncio.sleep(0)
        got.append(n)

    bus.subscribe("t", slow, policy=Policy.BLOCK)
    await bus.start()
    for n in range(50):
        bus.publish("t", n)
    await bus.stop()
    assert got == list(range(50))


async def test_stop_leaves_no_pending_tasks(bus: InProcBus) -> None:
    for policy in (Policy.BLOCK, Policy.CONFLATE, Policy.DROP_OLDEST):
        bus.subscribe("t", print, policy=policy)
    assert len(asyncio.all_tasks()) > 1
    await bus.stop()
    assert asyncio.all_tasks() == {asyncio.current_task()}


async def test_stop_cancels_a_consumer_stuck_past_the_drain_timeout() -> None:
    bus = InProcBus(drain_timeout_s=0.05)
    never = asyncio.Event()

    async def stuck(event: object) -> None:
        await never.wait()

    bus.subscribe("t", stuck, policy=Policy.BLOCK)
    await bus.start()
    for n in range(3):
        bus.publish("t", n)
    await asyncio.sleep(0)
    with capture_logs() as logs:
        await bus.stop()
    assert asyncio.all_tasks() == {asyncio.current_task()}
    assert bus.stats().dropped == 2  # the one being handled was delivered
    assert logs[0]["event"] == "bus.drain_timeout"


async def test_subscriptions_made_before_start_are_served_after_start() -> None:
    bus = InProcBus()
    got: list[int] = []
    bus.subscribe("t", got.append, policy=Policy.BLOCK)
    await bus.start()
    bus.publish("t", 1)
    await bus.stop()
    assert got == [1]


async def test_restarted_bus_serves_its_queued_subscriptions_again() -> None:
    bus = InProcBus()
    got: list[int] = []
    bus.subscribe("t", got.append, policy=Policy.CONFLATE)
    await bus.start()
    bus.publish("t", 1)
    await bus.stop()
    await bus.start()
    bus.publish("t", 2)
    await bus.stop()
    assert got == [1, 2]


async def test_health_reports_counters_and_queue_depth(bus: InProcBus) -> None:
    bus.subscribe("md.quote", print, policy=Policy.CONFLATE, capacity=100)
    bus.publish("md.quote", Quote("005930", 1), key="005930")
    bus.publish("md.quote", Quote("005930", 2), key="005930")
    health = bus.health()
    assert health.healthy
    assert health.details["published"] == 2
    assert health.details["conflated"] == 1
    (sub,) = health.details["subscriptions"]
    assert sub == {
        "topic": "md.quote",
        "key": None,
        "policy": "conflate",
        "handler": "print",
        "capacity": 100,
        "depth": 1,
        "delivered": 0,
        "conflated": 1,
        "dropped": 0,
        "errors": 0,
    }
