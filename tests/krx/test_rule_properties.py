"""Properties that must hold for every price, date and market, not just the table rows."""

from __future__ import annotations

import datetime
import math
from decimal import Decimal

from hypothesis import assume, given
from hypothesis import strategies as st

from jts.core.enums import InstrumentKind, Market, Side
from jts.krx.costs import trade_costs
from jts.krx.limits import price_limits
from jts.krx.ticks import is_valid_price, round_to_tick, tick_size
from jts.krx.volatility import vi_trigger_prices

prices = st.integers(min_value=1, max_value=5_000_000)
days = st.dates(min_value=datetime.date(2014, 1, 1), max_value=datetime.date(2030, 12, 31))
markets = st.sampled_from(list(Market))
modes = st.sampled_from(["down", "up", "nearest"])
rates = st.sampled_from([Decimal(r) for r in ("0.01", "0.02", "0.03", "0.04", "0.06", "0.10")])
# KRX trading days, so the settlement calendar accepts them (two straddle a tax change).
trade_days = st.sampled_from(
    [datetime.date(2025, 6, 2), datetime.date(2024, 12, 27), datetime.date(2025, 12, 29)]
)


def _valid(price: int, etf: bool, day: datetime.date, market: Market) -> int:
    return round_to_tick(price, mode="up", etf=etf, on=day, market=market)


@given(st.integers(min_value=1, max_value=5_000_000), prices, st.booleans(), days, markets)
def test_tick_sizes_never_decrease_with_price(
    low: int, high: int, etf: bool, day: datetime.date, market: Market
) -> None:
    low, high = sorted((low, high))
    assert tick_size(low, etf=etf, on=day, market=market) <= tick_size(
        high, etf=etf, on=day, market=market
    )


@given(prices, modes, st.booleans(), days, markets)
def test_rounding_returns_a_valid_price_and_is_idempotent(
    price: int, mode: str, etf: bool, day: datetime.date, market: Market
) -> None:
    assume(price >= 5 or mode != "down")
    rounded = round_to_tick(price, mode=mode, etf=etf, on=day, market=market)
    assert is_valid_price(rounded, etf=etf, on=day, market=market)
    assert round_to_tick(rounded, mode=mode, etf=etf, on=day, market=market) == rounded


@given(prices, st.booleans(), days, markets)
def test_rounding_brackets_the_price_with_nothing_valid_in_between(
    price: int, etf: bool, day: datetime.date, market: Market
) -> None:
    assume(price >= 5)
    down = round_to_tick(price, mode="down", etf=etf, on=day, market=market)
    up = round_to_tick(price, mode="up", etf=etf, on=day, market=market)
    nearest = round_to_tick(price, mode="nearest", etf=etf, on=day, market=market)
    assert down <= price <= up
    assert nearest in (down, up)
    assert not any(is_valid_price(p, etf=etf, on=day, market=market) for p in range(down + 1, up))


@given(st.integers(min_value=100, max_value=3_000_000), st.booleans(), days, markets)
def test_limits_are_valid_prices_within_the_band_around_base(
    raw_base: int, etf: bool, day: datetime.date, market: Market
) -> None:
    base = _valid(raw_base, etf, day, market)
    lower, upper = price_limits(base, etf=etf, market=market, on=day)
    assert is_valid_price(lower, etf=etf, on=day, market=market)
    assert is_valid_price(upper, etf=etf, on=day, market=market)
    assert lower < base < upper
    assert (upper - base) * 100 <= base * 30
    assert (base - lower) * 100 <= base * 30


@given(st.integers(min_value=100, max_value=3_000_000), days, markets)
def test_upper_limit_equals_the_largest_valid_price_within_the_band(
    raw_base: int, day: datetime.date, market: Market
) -> None:
    base = _valid(raw_base, False, day, market)
    _, upper = price_limits(base, market=market, on=day)
    percent = 15 if market is Market.KONEX or day < datetime.date(2015, 6, 15) else 30
    ceiling = base + base * percent // 100
    assert upper == round_to_tick(ceiling, mode="down", on=day, market=market)


@given(trade_days, st.sampled_from(list(Side)), st.integers(1, 10**6), prices, markets)
def test_costs_are_never_negative_and_add_up(
    day: datetime.date, side: Side, qty: int, price: int, market: Market
) -> None:
    for kind in InstrumentKind:
        costs = trade_costs(side, qty, price, day, market, kind=kind)
        assert costs.commission >= 0
        assert costs.tax >= 0
        assert costs.total == costs.commission + costs.tax


@given(st.integers(min_value=100, max_value=3_000_000), rates, st.booleans(), days, markets)
def test_vi_triggers_are_valid_prices_at_or_beyond_the_rate(
    reference: int, rate: Decimal, etf: bool, day: datetime.date, market: Market
) -> None:
    down, up = vi_trigger_prices(reference, rate, etf=etf, on=day, market=market)
    assert is_valid_price(down, etf=etf, on=day, market=market)
    assert is_valid_price(up, etf=etf, on=day, market=market)
    assert up >= reference * (1 + rate)
    assert down <= reference * (1 - rate)
    first_up = math.ceil(reference * (1 + rate))
    first_down = math.floor(reference * (1 - rate))
    assert not any(is_valid_price(p, etf=etf, on=day, market=market) for p in range(first_up, up))
    assert not any(
        is_valid_price(p, etf=etf, on=day, market=market) for p in range(down + 1, first_down + 1)
    )
