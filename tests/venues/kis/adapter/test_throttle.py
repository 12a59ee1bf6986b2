"""`Throttle`: below KIS's limit in every 1-second window, orders before status before quotes,
budget use visible; all on a simulated clock."""

from __future__ import annotations

import asyncio

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jts.core.clock import NS_PER_SECOND
from jts.core.errors import ConfigError
from jts.venues.kis.throttle import BucketSpec, MemoryBuckets, Priority, Throttle
from tests.venues.kis.adapter.fakes import SteppingClock


def make_throttle(clock: SteppingClock, limit: float, keys: tuple[str, ...] = ("k1",)) -> Throttle:
    return Throttle(keys, limit, clock=clock, sleep=clock.sleep)


@given(st.floats(min_value=0.1, max_value=1_000, allow_nan=False))
def test_burst_plus_rate_never_exceeds_the_limit(limit: float) -> None:
    spec = BucketSpec.under_limit(limit)
    assert spec.burst >= 1
    assert spec.burst + spec.rate <= limit + 1e-9 or (limit < 2 and spec.rate == limit / 2)
    assert spec.rate > 0


@pytest.mark.parametrize(("limit", "rate", "burst"), [(20, 16, 2), (2, 1, 1), (5, 4, 1)])
def test_the_buckets_of_the_documented_limits(limit: float, rate: float, burst: int) -> None:
    assert BucketSpec.under_limit(limit) == BucketSpec(rate=rate, burst=burst)


def test_a_bucket_without_rate_is_refused() -> None:
    with pytest.raises(ConfigError):
        BucketSpec(rate=0, burst=1)


@pytest.mark.parametrize("limit", [2.0, 20.0])
async def test_no_one_second_window_sees_more_than_the_limit(limit: float) -> None:
    clock = SteppingClock()
    throttle = make_throttle(clock, limit)
    granted: list[int] = []
    for _ in range(int(limit * 5)):
        await throttle.acquire(Priority.QUOTE)
        granted.append(clock.now_ns())
    for i, start in enumerate(granted):
        in_window = [t for t in granted[i:] if t < start + NS_PER_SECOND]
        assert len(in_window) <= limit
    assert granted[-1] - granted[0] > 3 * NS_PER_SECOND  # it did slow down


async def test_waiting_requests_are_served_orders_first_then_status_then_quotes() -> None:
    clock = SteppingClock()
    throttle = make_throttle(clock, 2.0)
    await throttle.acquire(Priority.QUOTE)  # empty the bucket (burst 1)
    served: list[str] = []

    async def ask(priority: Priority, name: str) -> None:
        await throttle.acquire(priority)
        served.append(name)

    await asyncio.gather(
        ask(Priority.QUOTE, "quote-1"),
        ask(Priority.QUOTE, "quote-2"),
        ask(Priority.ORDER_STATUS, "status"),
        ask(Priority.ORDER, "order"),
    )
    assert served == ["order", "status", "quote-1", "quote-2"]


async def test_requests_spread_over_app_keys_each_with_its_own_budget() -> None:
    clock = SteppingClock()
    throttle = make_throttle(clock, 2.0, keys=("k1", "k2"))
    keys = [await throttle.acquire(Priority.QUOTE) for _ in range(2)]
    assert sorted(keys) == ["k1", "k2"]
    assert clock.slept == []  # one token each, no wait
    await throttle.acquire(Priority.QUOTE)
    assert clock.slept  # both empty now: the third waits


async def test_a_request_for_a_given_key_waits_for_that_key() -> None:
    clock = SteppingClock()
    throttle = make_throttle(clock, 2.0, keys=("k1", "k2"))
    assert await throttle.acquire(Priority.ORDER, "k1") == "k1"
    assert await throttle.acquire(Priority.ORDER, "k1") == "k1"
    assert clock.slept == [pytest.approx(1.0)]
    with pytest.raises(ConfigError):
        await throttle.acquire(Priority.ORDER, "nope")


async def test_usage_reports_the_last_second_and_the_queue() -> None:
    clock = SteppingClock()
    throttle = make_throttle(clock, 20.0)
    for _ in range(2):
        await throttle.acquire(Priority.ORDER)
    [usage] = throttle.usage()
    assert (usage.key_id, usage.limit_per_s, usage.last_second, usage.granted) == ("k1", 20, 2, 2)
    assert usage.waiting == {}
    clock.advance(1.0)
    assert throttle.usage()[0].last_second == 0
    assert await throttle.available("k1") == pytest.approx(2.0)


async def test_memory_buckets_refill_at_the_rate_up_to_the_burst() -> None:
    clock = SteppingClock()
    buckets = MemoryBuckets(clock)
    spec = BucketSpec(rate=4, burst=2)
    assert [await buckets.take("b", spec) for _ in range(3)] == [0.0, 0.0, pytest.approx(0.25)]
    clock.advance(0.25)
    assert await buckets.take("b", spec) == 0.0
    clock.advance(10)
    assert await buckets.level("b", spec) == pytest.approx(2.0)


async def test_quotes_leave_one_token_for_orders_of_other_processes() -> None:
    clock = SteppingClock()
    shared = MemoryBuckets(clock)  # stands for the Redis bucket both processes use
    quotes = Throttle(["k1"], 20.0, backend=shared, clock=clock, sleep=clock.sleep)
    orders = Throttle(["k1"], 20.0, backend=shared, clock=clock, sleep=clock.sleep)
    await quotes.acquire(Priority.QUOTE)  # burst 2: takes one, leaves one
    assert clock.slept == []
    await orders.acquire(Priority.ORDER)  # the headroom is there at once
    assert clock.slept == []
    await quotes.acquire(Priority.QUOTE)  # must wait for two tokens, not one
    assert clock.slept == [pytest.approx(2 / 16)]
