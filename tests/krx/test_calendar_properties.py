"""Properties of the trading calendar that must hold on any date in the supported range."""

from __future__ import annotations

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from jts.krx.calendar import (
    is_trading_day,
    next_trading_day,
    previous_trading_day,
    settlement_date,
    trading_days,
)

# Inside the supported range 2000-01-01..2027-12-31, with room for a few trading days either side.
LAST = dt.date(2027, 12, 31)
DAYS = st.dates(min_value=dt.date(2000, 1, 10), max_value=dt.date(2027, 12, 20))
TRADING_DAYS = DAYS.map(lambda d: d if is_trading_day(d) else next_trading_day(d))


@given(DAYS, st.integers(min_value=0, max_value=60))
def test_trading_days_are_sorted_trading_days_within_bounds(start: dt.date, span: int) -> None:
    end = min(start + dt.timedelta(days=span), LAST)
    days = trading_days(start, end)
    assert days == sorted(set(days))
    assert all(is_trading_day(d) and start <= d <= end for d in days)


@given(DAYS, st.integers(min_value=0, max_value=60))
def test_trading_days_miss_no_trading_day(start: dt.date, span: int) -> None:
    end = min(start + dt.timedelta(days=span), LAST)
    every_day = (start + dt.timedelta(days=i) for i in range((end - start).days + 1))
    assert trading_days(start, end) == [d for d in every_day if is_trading_day(d)]


@given(DAYS)
def test_next_trading_day_is_the_first_trading_day_after(day: dt.date) -> None:
    after = next_trading_day(day)
    assert after > day
    assert is_trading_day(after)
    assert trading_days(day + dt.timedelta(days=1), after) == [after]


@given(DAYS)
def test_previous_trading_day_is_the_last_trading_day_before(day: dt.date) -> None:
    before = previous_trading_day(day)
    assert before < day
    assert is_trading_day(before)
    assert trading_days(before, day - dt.timedelta(days=1)) == [before]


@given(TRADING_DAYS)
def test_next_and_previous_are_inverse_on_trading_days(day: dt.date) -> None:
    assert previous_trading_day(next_trading_day(day)) == day
    assert next_trading_day(previous_trading_day(day)) == day


@given(TRADING_DAYS)
def test_settlement_is_the_second_trading_day_after(day: dt.date) -> None:
    settles = settlement_date(day)
    assert settles == next_trading_day(next_trading_day(day))
    assert trading_days(day, settles) == [day, next_trading_day(day), settles]


@given(TRADING_DAYS)
def test_settlement_never_falls_on_dec_31_or_a_weekend(day: dt.date) -> None:
    settles = settlement_date(day)
    assert is_trading_day(settles)
    assert (settles.month, settles.day) != (12, 31)
    assert settles.weekday() < 5
