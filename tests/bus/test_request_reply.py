"""Request/reply on the in-process bus: replies, timeouts, missing and failing responders."""

from __future__ import annotations

import asyncio

import pytest
from structlog.testing import capture_logs

from jts.bus import (
    BusClosed,
    DuplicateResponder,
    InProcBus,
    NoResponder,
    RequestTimeout,
    ResponderFailed,
)
from jts.core.errors import InvalidInput, OrderDenied, VenueUnavailable


async def test_request_returns_the_async_responders_reply(bus: InProcBus) -> None:
    async def double(n: int) -> int:
        await asyncio.sleep(0)
        return 2 * n

    bus.register("risk.check", double)
    assert await bus.request("risk.check", 21) == 42


async def test_request_returns_the_sync_responders_reply(bus: InProcBus) -> None:
    bus.register("oms.positions", lambda account: {account: 10})
    assert await bus.request("oms.positions", "A1") == {"A1": 10}


async def test_request_without_responder_raises_no_responder(bus: InProcBus) -> None:
    with pytest.raises(NoResponder, match=r"oms\.submit: no responder") as caught:
        await bus.request("oms.submit", object())
    assert isinstance(caught.value, VenueUnavailable)  # retry with backoff


async def test_request_timeout_leaves_the_outcome_unknown_and_the_responder_running(
    bus: InProcBus,
) -> None:
    go_on = asyncio.Event()
    finished: list[str] = []

    async def slow_submit(order: str) -> str:
        await go_on.wait()
        finished.append(order)
        return "accepted"

    bus.register("oms.submit", slow_submit)
    with pytest.raises(RequestTimeout, match=r"no reply within 0.01 s") as caught:
        await bus.request("oms.submit", "buy 10", timeout=0.01)
    assert isinstance(caught.value, VenueUnavailable)
    go_on.set()
    await asyncio.sleep(0)
    assert finished == ["buy 10"]  # it did act: callers must reconcile after a timeout


async def test_responder_raising_a_jts_error_reaches_the_caller_unchanged(bus: InProcBus) -> None:
    def deny(order: object) -> None:
        raise OrderDenied("max_position", "position limit reached")

    bus.register("risk.check", deny)
    with pytest.raises(OrderDenied) as caught:
        await bus.request("risk.check", "buy 10")
    assert caught.value.reason == "max_position"


async def test_responder_raising_an_unexpected_error_arrives_as_responder_failed(
    bus: InProcBus,
) -> None:
    async def broken(payload: object) -> None:
        raise KeyError("account")

    bus.register("oms.positions", broken)
    with pytest.raises(ResponderFailed, match="KeyError") as caught:
        await bus.request("oms.positions", "A1")
    assert isinstance(caught.value.__cause__, KeyError)
    assert caught.value.error_type == "KeyError"
    stats = bus.stats()
    assert (stats.requests, stats.request_errors) == (1, 1)


async def test_a_second_responder_on_a_topic_is_refused(bus: InProcBus) -> None:
    bus.register("oms.submit", print)
    with pytest.raises(DuplicateResponder, match=r"oms\.submit"):
        bus.register("oms.submit", print)


async def test_cancelled_registration_frees_the_topic(bus: InProcBus) -> None:
    registration = bus.register("oms.submit", lambda p: "old")
    registration.cancel()
    registration.cancel()  # idempotent
    with pytest.raises(NoResponder):
        await bus.request("oms.submit", 1)
    bus.register("oms.submit", lambda p: "new")
    assert await bus.request("oms.submit", 1) == "new"


async def test_request_on_a_stopped_bus_raises_bus_closed(bus: InProcBus) -> None:
    bus.register("oms.submit", print)
    await bus.stop()
    with pytest.raises(BusClosed):
        await bus.request("oms.submit", 1)


async def test_timeout_must_be_positive(bus: InProcBus) -> None:
    with pytest.raises(InvalidInput, match="timeout"):
        await bus.request("oms.submit", 1, timeout=0)


async def test_a_late_reply_that_fails_is_logged(bus: InProcBus) -> None:
    go_on = asyncio.Event()

    async def fails_late(payload: object) -> None:
        await go_on.wait()
        raise RuntimeError("too late and broken")

    bus.register("oms.submit", fails_late)
    with pytest.raises(RequestTimeout):
        await bus.request("oms.submit", 1, timeout=0.01)
    with capture_logs() as logs:
        go_on.set()
        await asyncio.sleep(0)
        await asyncio.sleep(0)
    assert [log["event"] for log in logs] == ["bus.late_reply_failed"]


async def test_stop_cancels_a_responder_that_never_replies() -> None:
    bus = InProcBus(drain_timeout_s=0.01)
    bus.register("oms.submit", lambda p: asyncio.Event().wait())
    await bus.start()
    with pytest.raises(RequestTimeout):
        await bus.request("oms.submit", 1, timeout=0.01)
    with capture_logs():
        await bus.stop()
    assert asyncio.all_tasks() == {asyncio.current_task()}


async def test_a_request_cut_short_by_stop_raises_bus_closed() -> None:
    bus = InProcBus(drain_timeout_s=0.01)
    bus.register("oms.submit", lambda p: asyncio.Event().wait())
    await bus.start()
    pending = asyncio.create_task(bus.request("oms.submit", 1, timeout=10))
    await asyncio.sleep(0)
    with capture_logs():
        await bus.stop()
    with pytest.raises(BusClosed, match=r"stopped before 'oms\.submit' replied"):
        await pending
