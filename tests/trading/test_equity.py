"""The equity history behind the overview's curve."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jts.trading.equity import EquityHistory

S = 1_000_000_000


def test_one_mark_per_step_the_newest_wins_and_late_ones_are_ignored() -> None:
    history = EquityHistory(step_s=10, capacity=3)
    history.record(1 * S, 100, 0)
    history.record(5 * S, 105, 5)  # same 10-s step: replaces
    history.record(4 * S, 999, 0)  # older than the last: ignored
    history.record(12 * S, 110, 10)
    assert history.points() == [
        {"ts_ns": 5 * S, "equity": 105, "daily_pnl": 5},
        {"ts_ns": 12 * S, "equity": 110, "daily_pnl": 10},
    ]
    for step in (3, 4, 5):
        history.record(step * 10 * S, step, 0)
    assert [p["equity"] for p in history.points()] == [3, 4, 5]  # capacity: oldest fall off
    assert [p["equity"] for p in history.points(since_ns=40 * S)] == [5]
    assert [p["equity"] for p in history.points(limit=1)] == [5]


def test_nonsense_settings_are_refused() -> None:
    with pytest.raises(ValueError, match="step_s"):
        EquityHistory(step_s=0)


@given(st.lists(st.integers(0, 10**13), max_size=60))
def test_marks_are_increasing_and_one_per_step(times: list[int]) -> None:
    history = EquityHistory(step_s=1)
    for ts in times:
        history.record(ts, 1, 0)
    marks = [p["ts_ns"] for p in history.points()]
    assert marks == sorted(set(marks))
    assert len({m // S for m in marks}) == len(marks)
