from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jts.core import KST, InvalidInput, LiveClock, SimulatedClock, from_ns, kst_ns, to_kst, to_ns
from jts.core.clock import Clock, kst_date


def test_naive_datetimes_are_taken_as_kst() -> None:
    assert to_ns(dt.datetime(2026, 3, 5, 9, 0)) == to_ns(
        dt.datetime(2026, 3, 5, 0, 0, tzinfo=dt.UTC)
    )


def test_kst_ns_is_nine_hours_ahead_of_utc() -> None:
    ts = kst_ns(dt.date(2026, 3, 5), dt.time(9, 0))
    assert from_ns(ts) == dt.datetime(2026, 3, 5, 0, 0, tzinfo=dt.UTC)
    assert to_kst(ts).hour == 9


def test_kst_date_of_an_instant_after_utc_midnight_is_the_next_day() -> None:
    ts = to_ns(dt.datetime(2026, 3, 4, 16, 0, tzinfo=dt.UTC))
    assert kst_date(ts) == dt.date(2026, 3, 5)


@given(st.datetimes(min_value=dt.datetime(1990, 1, 1), max_value=dt.datetime(2100, 1, 1)))
def test_ns_conversion_round_trips_at_microsecond_precision(naive: dt.datetime) -> None:
    aware = naive.replace(tzinfo=KST)
    assert from_ns(to_ns(aware), KST) == aware


def test_simulated_clock_moves_only_forward() -> None:
    clock = SimulatedClock(start_ns=1_000)
    assert clock.advance(1.5) == 1_000 + 1_500_000_000
    clock.set(2_000_000_000)
    with pytest.raises(InvalidInput, match="cannot go back"):
        clock.set(5)
    with pytest.raises(InvalidInput):
        clock.advance(-1)


def test_both_clocks_satisfy_the_protocol() -> None:
    assert isinstance(LiveClock(), Clock)
    assert isinstance(SimulatedClock(), Clock)
    assert LiveClock().now_ns() > to_ns(dt.datetime(2026, 1, 1, tzinfo=dt.UTC))
