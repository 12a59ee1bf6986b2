"""The polling loop in virtual time: every polled symbol stays within its bound, the request
rate stays within the plan, errors neither stop the loop nor lose a group."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Mapping, Sequence

from jts.core.clock import NS_PER_SECOND
from jts.core.errors import InvalidInput, RateLimited, VenueUnavailable
from jts.venues.kis.subscriptions import (
    AppKeyBudget,
    Poller,
    PollLane,
    Priority,
    SchedulerConfig,
    StalenessTracker,
    SubscriptionPlan,
    Tier,
    make_plan,
)
from jts.venues.kis.subscriptions.virtual_time import VirtualTime

CODES = [f"{n:06d}" for n in range(400)]
START = 1_000 * NS_PER_SECOND


class FakeBroker:
    """The injected REST side: each fetch takes `latency_s` of virtual time and may fail."""

    def __init__(self, vt: VirtualTime, latency_s: float) -> None:
        self.vt = vt
        self.latency_s = latency_s
        self.sent: list[tuple[int, tuple[str, ...]]] = []
        self.acquired: list[str] = []
        self.failures: list[Exception] = []
        self.in_flight = 0
        self.most_in_flight = 0

    async def acquire(self, priority: str) -> None:
        self.acquired.append(priority)

    async def fetch(self, codes: Sequence[str]) -> Mapping[str, int]:
        self.sent.append((self.vt.now_ns(), tuple(codes)))
        failure = self.failures.pop(0) if self.failures else None
        self.in_flight += 1
        self.most_in_flight = max(self.most_in_flight, self.in_flight)
        try:
            await self.vt.sleep(self.latency_s)
        finally:
            self.in_flight -= 1
        if failure is not None:
            raise failure
        return dict.fromkeys(codes, 70_000)


def _plan(keys: list[AppKeyBudget], **config: int) -> SubscriptionPlan:
    held = {CODES[0]: Priority(Tier.HELD)}
    return make_plan(CODES, held, keys, SchedulerConfig(**config), now_ns=0)


def _poller(
    plan: SubscriptionPlan, latency_s: float, max_in_flight: int = 8
) -> tuple[Poller[str, int], FakeBroker, VirtualTime]:
    vt = VirtualTime(START)
    broker = FakeBroker(vt, latency_s)
    tracker = StalenessTracker()
    lanes = [
        PollLane(
            key,
            fetch=broker.fetch,
            acquire=broker.acquire,
            priority="quote",
            clock=vt.clock,
            tracker=tracker,
            sleep=vt.sleep,
            max_in_flight=max_in_flight,
        )
        for key in plan.poll_rate
    ]
    poller = Poller(lanes, tracker)
    poller.apply(plan, vt.now_ns())
    return poller, broker, vt


async def _run(poller: Poller[str, int], vt: VirtualTime, seconds: float) -> None:
    task = asyncio.create_task(poller.run())
    await vt.run_until(vt.now_ns() + round(seconds * NS_PER_SECOND))
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task


ONE_KEY = [AppKeyBudget(name="k", ws_slots=11)]


async def test_slow_answers_do_not_slow_polling_and_symbols_stay_within_bound():
    """150 ms answers against a 66 ms send interval: requests overlap, the bound holds."""
    plan = _plan(ONE_KEY)
    poller, broker, vt = _poller(plan, latency_s=0.150)
    await _run(poller, vt, 60)
    assert len(broker.sent) >= 0.99 * 60 * plan.poll_rate["k"]
    assert 2 <= broker.most_in_flight <= 4
    for code in plan.polled():
        stats = poller.tracker.stats(code)
        assert stats is not None
        assert stats.samples >= 14
        assert stats.worst_s <= plan.symbols[code].bound_s + 0.150 + 1e-6
    assert set(broker.acquired) == {"quote"}


async def test_requests_never_exceed_the_planned_rate_in_any_second():
    plan = _plan(ONE_KEY)
    poller, broker, vt = _poller(plan, latency_s=0.030)
    await _run(poller, vt, 30)
    times = [t for t, _ in broker.sent]
    for start in times:
        in_window = sum(1 for t in times if start <= t < start + NS_PER_SECOND)
        assert in_window <= plan.poll_rate["k"] + 2


async def test_in_flight_requests_are_capped():
    plan = _plan(ONE_KEY)
    poller, broker, vt = _poller(plan, latency_s=2.0, max_in_flight=3)
    await _run(poller, vt, 20)
    assert broker.most_in_flight == 3


async def test_a_rate_limited_group_is_sent_again_first_after_the_pause():
    plan = _plan(ONE_KEY)
    poller, broker, vt = _poller(plan, latency_s=0.010)
    broker.failures = [RateLimited("EGW00201", retry_after=1.0)]
    await _run(poller, vt, 1.5)  # the retry lands, the group's next turn does not
    (first_at, first), (second_at, second) = broker.sent[0], broker.sent[1]
    assert second == first
    assert second_at - first_at >= NS_PER_SECOND
    assert poller.lanes["k"].rate_limited == 1
    assert poller.tracker.as_of_ns(first[0]) == second_at


async def test_a_transport_failure_is_retried_but_a_refusal_is_not():
    plan = _plan(ONE_KEY)
    poller, broker, vt = _poller(plan, latency_s=0.010)
    broker.failures = [VenueUnavailable("reset"), InvalidInput("code", "unknown")]
    await _run(poller, vt, 1)
    groups = [codes for _, codes in broker.sent]
    assert groups[1] == groups[0]  # retried
    assert groups[2] != groups[1]  # the refused one is not sent again at once
    assert poller.lanes["k"].errors == 2


async def test_a_new_plan_moves_symbols_between_tracking_and_streams():
    plan = _plan(ONE_KEY)
    poller, _, vt = _poller(plan, latency_s=0.010)
    promoted = sorted(plan.polled())[0]
    assert poller.tracker.as_of_ns(promoted) is not None
    held = {code: Priority(Tier.HELD) for code in (CODES[0], promoted)}
    new = make_plan(CODES, held, ONE_KEY, SchedulerConfig(), now_ns=1, previous=plan)
    poller.apply(new, vt.now_ns())
    assert poller.tracker.as_of_ns(promoted) is None
    assert set(poller.tracker.codes()) == set(new.polled())


async def test_a_lane_with_nothing_to_poll_sends_nothing():
    plan = make_plan(CODES[:10], {}, [AppKeyBudget(name="k")], SchedulerConfig(), now_ns=0)
    assert not plan.groups
    poller, broker, vt = _poller(plan, latency_s=0.010)
    await _run(poller, vt, 5)
    assert broker.sent == []


async def test_three_keys_polling_together_keep_every_symbol_within_bound():
    keys = [AppKeyBudget(name=f"k{n}", reserved_slots=int(n == 0)) for n in range(3)]
    plan = _plan(keys, group_size=5)
    poller, broker, vt = _poller(plan, latency_s=0.040)
    await _run(poller, vt, 60)
    assert len(broker.sent) >= 0.99 * 60 * sum(plan.poll_rate.values())
    for code in plan.polled():
        stats = poller.tracker.stats(code)
        assert stats is not None
        assert stats.samples >= 40
        assert stats.worst_s <= plan.symbols[code].bound_s + 0.040 + 1e-6
