"""`JobContext`: progress is clamped, monotone and throttled; cancellation is cooperative."""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jts.jobs import JobCancelled, JobContext, ProgressThrottle
from jts.jobs.context import clamp_progress

INTERVAL = 50


class Harness:
    """A context on a fake clock (ns) that records what it delivers, and when, and runs the
    timers it arms when the clock passes their deadline."""

    def __init__(self, interval_ns: int = INTERVAL) -> None:
        self.now = 1_000
        self.log: list[tuple[int, float, str]] = []
        self.timers: list[tuple[int, Callable[[], None]]] = []
        self.ctx = JobContext(
            "job-1",
            lambda fraction, message: self.log.append((self.now, fraction, message)),
            lambda delay_s, flush: self.timers.append((self.now + round(delay_s * 1e9), flush)),
            interval_ns=interval_ns,
            clock=lambda: self.now,
        )

    @property
    def sent(self) -> list[tuple[float, str]]:
        return [(fraction, message) for _, fraction, message in self.log]

    def advance(self, ns: int) -> None:
        target = self.now + ns
        while due := sorted(t for t in self.timers if t[0] <= target):
            self.timers.remove(due[0])
            self.now = max(self.now, due[0][0])
            due[0][1]()
        self.now = target


def test_the_first_report_goes_out_at_once() -> None:
    h = Harness()
    h.ctx.progress(0.1, "loading")
    assert h.sent == [(0.1, "loading")]


def test_reports_inside_the_interval_are_held_and_the_latest_is_sent_by_the_timer() -> None:
    h = Harness()
    h.ctx.progress(0.1, "a")
    h.advance(10)
    h.ctx.progress(0.2, "b")
    h.ctx.progress(0.3, "c")
    assert h.sent == [(0.1, "a")]
    assert [deadline for deadline, _ in h.timers] == [1_000 + INTERVAL]  # one timer, not two
    h.advance(INTERVAL)
    assert h.log[-1] == (1_000 + INTERVAL, 0.3, "c")


def test_the_final_report_is_never_held_back() -> None:
    h = Harness()
    h.ctx.progress(0.5, "half")
    h.ctx.progress(1.0, "done")
    assert h.sent == [(0.5, "half"), (1.0, "done")]


def test_a_repeated_report_is_not_sent_again() -> None:
    h = Harness()
    h.ctx.progress(0.5, "same")
    h.advance(1_000)
    h.ctx.progress(0.5, "same")
    h.advance(1_000)
    assert h.sent == [(0.5, "same")]


def test_progress_never_goes_back_and_nan_keeps_the_fraction() -> None:
    h = Harness(interval_ns=0)
    h.ctx.progress(0.6, "a")
    h.ctx.progress(0.2, "b")
    h.ctx.progress(math.nan, "c")
    h.ctx.progress(7.0, "d")
    assert h.sent == [(0.6, "a"), (0.6, "b"), (0.6, "c"), (1.0, "d")]


def test_check_raises_once_cancel_was_asked() -> None:
    h = Harness()
    h.ctx.check()
    assert not h.ctx.cancelled
    h.ctx.cancel()
    assert h.ctx.cancelled
    with pytest.raises(JobCancelled, match="job job-1 was cancelled"):
        h.ctx.check()


def test_throttle_waits_the_rest_of_the_interval() -> None:
    throttle = ProgressThrottle(100)
    assert throttle.wait_ns(5) == 0
    throttle.sent(5)
    assert throttle.wait_ns(45) == 60
    assert throttle.wait_ns(105) == 0


reports = st.lists(
    st.tuples(
        st.floats(allow_nan=True, allow_infinity=True),
        st.integers(min_value=0, max_value=3 * INTERVAL),
    ),
    max_size=60,
)


def play(steps: list[tuple[float, int]]) -> Harness:
    h = Harness()
    for fraction, pause in steps:
        h.advance(pause)
        h.ctx.progress(fraction, f"at {h.now}")
    h.advance(INTERVAL)  # long enough for a held report's timer
    return h


@given(reports)
def test_delivered_progress_is_clamped_and_monotone(steps: list[tuple[float, int]]) -> None:
    fractions = [fraction for fraction, _ in play(steps).sent]
    assert all(0.0 <= f <= 1.0 for f in fractions)
    assert fractions == sorted(fractions)


@given(reports)
def test_at_most_one_report_per_interval_except_the_final_ones(
    steps: list[tuple[float, int]],
) -> None:
    times = [at for at, fraction, _ in play(steps).log if fraction < 1.0]
    assert all(later - earlier >= INTERVAL for earlier, later in itertools.pairwise(times))


@given(reports)
def test_the_latest_report_is_always_delivered_in_the_end(steps: list[tuple[float, int]]) -> None:
    h = play(steps)
    if steps:
        assert h.sent[-1][1] == f"at {h.now - INTERVAL}"


@given(st.floats(allow_nan=True), st.floats(min_value=0.0, max_value=1.0))
def test_clamp_stays_between_the_floor_and_one(fraction: float, floor: float) -> None:
    value = clamp_progress(fraction, floor)
    assert floor <= value <= 1.0
