"""Reconnect backoff and dead-feed rules, on an injected clock and random source."""

from __future__ import annotations

import random
from datetime import date, time

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jts.core.clock import SimulatedClock, kst_ns
from jts.core.errors import ConfigError
from jts.venues.kis.stream_health import Backoff, DeadFeedDetector, krx_feed_expected

DAY = date(2026, 11, 30)  # a Monday, a KRX trading day


def test_backoff_doubles_up_to_the_cap_and_resets_after_success() -> None:
    backoff = Backoff(base_s=1.0, max_s=8.0, rng=random.Random(1))
    ceilings = [1.0, 2.0, 4.0, 8.0, 8.0, 8.0]
    for ceiling in ceilings:
        delay = backoff.next_delay()
        assert ceiling / 2 <= delay <= ceiling
    backoff.reset()
    assert backoff.next_delay() <= 1.0


@given(st.integers(min_value=0, max_value=2**32), st.integers(min_value=0, max_value=200))
def test_backoff_never_exceeds_the_cap_nor_goes_below_half_the_base(seed: int, tries: int) -> None:
    backoff = Backoff(base_s=0.5, max_s=30.0, rng=random.Random(seed))
    for _ in range(tries):
        backoff.next_delay()
    assert 0.25 <= backoff.next_delay() <= 30.0


def test_backoff_jitter_spreads_clients_apart() -> None:
    delays = {Backoff(base_s=1.0, rng=random.Random(seed)).next_delay() for seed in range(20)}
    assert len(delays) == 20


@pytest.mark.parametrize(("base", "cap"), [(0.0, 1.0), (2.0, 1.0), (-1.0, 5.0)])
def test_backoff_rejects_impossible_settings(base: float, cap: float) -> None:
    with pytest.raises(ConfigError):
        Backoff(base_s=base, max_s=cap)


def at(hour: int, minute: int, second: int = 0) -> int:
    return kst_ns(DAY, time(hour, minute, second))


def test_krx_feed_is_expected_in_continuous_trading_only() -> None:
    assert krx_feed_expected(at(10, 0))
    assert not krx_feed_expected(at(8, 45))  # opening auction: silence is normal
    assert not krx_feed_expected(at(15, 25))  # closing auction
    assert not krx_feed_expected(at(20, 0))
    assert not krx_feed_expected(kst_ns(date(2026, 11, 29), time(10, 0)))  # a Sunday


def detector(start: int, dead_after_s: float = 30.0) -> tuple[SimulatedClock, DeadFeedDetector]:
    clock = SimulatedClock(start)
    return clock, DeadFeedDetector(clock, dead_after_s=dead_after_s)


def test_silence_while_the_market_is_open_kills_the_feed_once() -> None:
    clock, feed = detector(at(10, 0))
    clock.advance(29)
    assert not feed.is_dead(watching=True)
    clock.advance(1)
    assert feed.is_dead(watching=True)
    assert not feed.is_dead(watching=True)  # fires once per silence
    clock.advance(30)
    assert feed.is_dead(watching=True)
    assert feed.deaths == 2


def test_data_keeps_the_feed_alive() -> None:
    clock, feed = detector(at(10, 0))
    for _ in range(10):
        clock.advance(20)
        feed.saw_data()
        assert not feed.is_dead(watching=True)


def test_silence_without_market_data_subscriptions_is_normal() -> None:
    clock, feed = detector(at(10, 0))
    clock.advance(600)
    assert not feed.is_dead(watching=False)


def test_silence_before_the_open_counts_from_the_open_not_from_the_night() -> None:
    clock, feed = detector(at(7, 0))
    clock.set(at(8, 59, 59))
    assert not feed.is_dead(watching=True)
    clock.set(at(9, 0, 10))
    assert not feed.is_dead(watching=True)
    clock.set(at(9, 0, 30))
    assert feed.is_dead(watching=True)


def test_a_new_session_restarts_the_silence_timer() -> None:
    clock, feed = detector(at(10, 0))
    clock.advance(25)
    feed.restart()
    clock.advance(25)
    assert not feed.is_dead(watching=True)


def test_dead_after_must_be_positive() -> None:
    with pytest.raises(ConfigError):
        DeadFeedDetector(SimulatedClock(0), dead_after_s=0)
