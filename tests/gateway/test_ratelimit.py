"""GCRA and the in-memory limiter: the properties every backend must have, on a fake clock."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jts.gateway.ratelimit import MemoryLimiter

US = 1_000_000
START_US = 1_000 * US  # any origin: the limiter only uses differences


@dataclass
class FakeClock:
    """Whole microseconds, returned as seconds like `time.monotonic`."""

    now_us: int = START_US

    def __call__(self) -> float:
        return self.now_us / US


def _hit(limiter: MemoryLimiter, key: str, limit: int, window_us: int, cost: int = 1) -> bool:
    return asyncio.run(limiter.hit(key, limit, window_us / US, cost)).allowed


async def test_a_full_burst_is_allowed_and_the_next_request_waits_one_interval() -> None:
    clock = FakeClock()
    limiter = MemoryLimiter(clock=clock)
    seen = [await limiter.hit("user:1", 100, 60) for _ in range(101)]
    assert all(d.allowed for d in seen[:100])
    assert [d.remaining for d in seen[:100]] == list(range(99, -1, -1))
    refused = seen[100]
    assert not refused.allowed
    assert refused.remaining == 0
    assert refused.retry_after_s == pytest.approx(0.6, abs=1e-6)
    assert refused.reset_after_s == pytest.approx(60.0)
    clock.now_us += 600_000
    assert (await limiter.hit("user:1", 100, 60)).allowed


async def test_allowed_decisions_have_zero_retry_after_and_a_reset_time() -> None:
    limiter = MemoryLimiter(clock=FakeClock())
    decision = await limiter.hit("k", 10, 60, cost=3)
    assert decision.allowed
    assert decision.retry_after_s == 0
    assert decision.remaining == 7
    assert decision.reset_after_s == pytest.approx(18.0)


async def test_keys_have_independent_budgets() -> None:
    limiter = MemoryLimiter(clock=FakeClock())
    assert (await limiter.hit("a", 1, 60)).allowed
    assert not (await limiter.hit("a", 1, 60)).allowed
    assert (await limiter.hit("b", 1, 60)).allowed


@pytest.mark.parametrize("limit", [51, 81, 87])  # (60 s / limit) * limit > 60 s in floats
async def test_a_request_costing_the_whole_limit_fits_a_fresh_budget_exactly(limit: int) -> None:
    clock = FakeClock(now_us=0)  # near zero, where float rounding is not absorbed
    limiter = MemoryLimiter(clock=clock)
    assert (await limiter.hit("k", limit, 60, cost=limit)).allowed
    refused = await limiter.hit("k", limit, 60, cost=limit)
    assert refused.retry_after_s == 60
    clock.now_us += 60 * US
    assert (await limiter.hit("k", limit, 60, cost=limit)).allowed


@pytest.mark.parametrize(
    ("limit", "window_s", "cost"),
    [(0, 60, 1), (10, 0, 1), (10, 60, 0), (10, 60, 11), (61_000_000, 60, 1)],
)
async def test_impossible_requests_are_errors_not_refusals(
    limit: int, window_s: float, cost: int
) -> None:
    with pytest.raises(ValueError, match="must be"):
        await MemoryLimiter().hit("k", limit, window_s, cost)


@st.composite
def _traffic(draw: st.DrawFn) -> tuple[int, int, list[tuple[int, int]]]:
    """(limit, window µs, [(gap µs before the hit, cost)]) with gaps around the emission rate."""
    limit = draw(st.integers(1, 40))
    window_us = draw(st.integers(1, 120_000)) * 1_000 + draw(st.integers(0, 999))
    interval = window_us // limit
    gap = st.one_of(st.just(0), st.integers(0, 3 * interval), st.integers(0, 2 * window_us))
    hits = draw(st.lists(st.tuples(gap, st.integers(1, limit)), min_size=1, max_size=120))
    return limit, window_us, hits


@given(_traffic())
def test_no_span_gets_more_than_a_burst_plus_the_rate(
    traffic: tuple[int, int, list[tuple[int, int]]],
) -> None:
    """Allowed cost within [t_i, t_j] never exceeds limit + (t_j - t_i) * limit / window.

    (Not "limit per any window": a full burst followed by the steady rate exceeds that; see
    the docstring of `jts.gateway.ratelimit.gcra`.)
    """
    limit, window_us, hits = traffic
    clock = FakeClock()
    limiter = MemoryLimiter(clock=clock)
    allowed: list[tuple[int, int]] = []
    for gap, cost in hits:
        clock.now_us += gap
        if _hit(limiter, "k", limit, window_us, cost):
            allowed.append((clock.now_us, cost))
    for i, (first, _) in enumerate(allowed):
        spent = 0
        for at, cost in allowed[i:]:
            spent += cost
            assert spent * window_us <= (at - first) * limit + limit * window_us


@given(
    limit=st.integers(1, 200),
    window_us=st.integers(1_000, 3_600 * US),
    cost_share=st.floats(0, 1),
    start_us=st.integers(0, 10**15),
)
def test_a_steady_rate_of_exactly_the_limit_is_always_allowed(
    limit: int, window_us: int, cost_share: float, start_us: int
) -> None:
    cost = max(1, round(cost_share * limit))
    clock = FakeClock(start_us)
    limiter = MemoryLimiter(clock=clock)
    for k in range(min(3 * limit // cost + 2, 300)):
        clock.now_us = start_us + round(k * cost * window_us / limit)
        assert _hit(limiter, "k", limit, window_us, cost), f"request {k} refused"


@given(traffic=_traffic(), data=st.data())
def test_retry_after_is_exact(
    traffic: tuple[int, int, list[tuple[int, int]]], data: st.DataObject
) -> None:
    """After a refusal, the same request succeeds at retry_after and fails any time before."""
    limit, window_us, hits = traffic
    clock = FakeClock()
    limiter = MemoryLimiter(clock=clock)
    for gap, cost in hits:
        clock.now_us += gap
        _hit(limiter, "k", limit, window_us, cost)
    cost = data.draw(st.integers(1, limit), label="cost")
    while True:
        decision = asyncio.run(limiter.hit("k", limit, window_us / US, cost))
        if not decision.allowed:
            break
    refused_at = clock.now_us
    retry_us = round(decision.retry_after_s * US)
    assert retry_us >= 1
    early = data.draw(st.integers(1, retry_us), label="early by µs")
    clock.now_us = refused_at + retry_us - early
    assert not _hit(limiter, "k", limit, window_us, cost)
    clock.now_us = refused_at + retry_us
    assert _hit(limiter, "k", limit, window_us, cost)


@given(
    window_us=st.integers(3, 10 * US),
    hits=st.lists(
        st.tuples(st.integers(0, 10**6), st.integers(0, 5_000)), min_size=1, max_size=400
    ),
)
def test_memory_stays_bounded_by_the_keys_active_within_a_window(
    window_us: int, hits: list[tuple[int, int]]
) -> None:
    """Stored keys never exceed twice the most keys hit within one window (or the threshold),
    however many keys come and go: a scan from many IPs cannot grow the table without end."""
    threshold = 8
    clock = FakeClock()
    limiter = MemoryLimiter(clock=clock, prune_threshold=threshold)
    log: list[tuple[int, int]] = []
    peak = 0
    for gap, ip in hits:
        clock.now_us += gap
        _hit(limiter, f"ip:{ip}", 3, window_us)
        log.append((clock.now_us, ip))
        active = {key for at, key in log if at > clock.now_us - window_us}
        peak = max(peak, len(active))
        assert len(limiter) <= max(threshold, 2 * peak)


async def test_prune_drops_every_key_whose_budget_is_full_again() -> None:
    clock = FakeClock()
    limiter = MemoryLimiter(clock=clock, prune_threshold=10**6)
    for n in range(1_000):
        await limiter.hit(f"ip:{n}", 100, 60)
    await limiter.hit("user:busy", 1, 120)
    clock.now_us += 60 * US
    assert limiter.prune() == 1_000
    assert len(limiter) == 1
    assert not (await limiter.hit("user:busy", 1, 120)).allowed


async def test_a_pruned_key_starts_again_with_a_full_budget() -> None:
    clock = FakeClock()
    limiter = MemoryLimiter(clock=clock, prune_threshold=1)
    for _ in range(5):
        await limiter.hit("k", 5, 1)
    clock.now_us += US
    limiter.prune()
    assert [(await limiter.hit("k", 5, 1)).remaining for _ in range(5)] == [4, 3, 2, 1, 0]
