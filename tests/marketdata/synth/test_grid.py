"""The vector tick arithmetic agrees with the scalar KRX rules it mirrors."""

from __future__ import annotations

import datetime as dt

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from jts.core.enums import Market
from jts.krx import (
    STATIC_VI_RATE,
    is_valid_price,
    limit_percent,
    price_limits,
    round_to_tick,
    tick_size,
    vi_trigger_prices,
)
from jts.krx.ticks import tick_table
from jts.marketdata.synth.grid import Ladder, RowLadders
from jts.marketdata.synth.paths import static_triggers
from tests.marketdata.synth.helpers import Rules

prices = st.integers(min_value=1, max_value=3_000_000)
days = st.dates(min_value=dt.date(2016, 1, 1), max_value=dt.date(2027, 12, 31))
markets = st.sampled_from(list(Market))


def _ladder(etf: bool, day: dt.date, market: Market) -> Ladder:
    return Ladder.of(tick_table(etf=etf, on=day, market=market))


@given(prices, st.booleans(), days, markets)
def test_floor_ceil_and_nearest_match_round_to_tick(
    price: int, etf: bool, day: dt.date, market: Market
) -> None:
    ladder = _ladder(etf, day, market)
    values = np.array([float(price)])
    rules: Rules = {"etf": etf, "on": day, "market": market}
    if price >= ladder.smallest:
        assert ladder.floor(values)[0] == round_to_tick(price, mode="down", **rules)
    assert ladder.ceil(values)[0] == round_to_tick(price, mode="up", **rules)
    assert ladder.nearest(values)[0] == round_to_tick(price, mode="nearest", **rules)
    assert ladder.tick(values)[0] == tick_size(price, **rules)


@given(prices, st.booleans(), days, markets, st.sampled_from([1, 2]))
def test_vector_limits_match_price_limits(
    base: int, etf: bool, day: dt.date, market: Market, leverage: int
) -> None:
    ladder = _ladder(etf, day, market)
    percent = limit_percent(market, day) * leverage
    lower, upper = ladder.limits(np.array([base]), np.array([percent]))
    expected = price_limits(base, etf=etf, market=market, leverage=leverage, on=day)
    assert (int(lower[0]), int(upper[0])) == expected


@given(prices, st.booleans(), days, markets)
def test_next_up_and_next_down_step_one_valid_tick(
    price: int, etf: bool, day: dt.date, market: Market
) -> None:
    ladder = _ladder(etf, day, market)
    rules: Rules = {"etf": etf, "on": day, "market": market}
    valid = round_to_tick(price, mode="up", **rules)
    up = int(ladder.next_up(np.array([float(valid)]))[0])
    assert is_valid_price(up, **rules)
    assert up > valid
    assert round_to_tick(valid + 1, mode="up", **rules) == up
    if valid > ladder.smallest:
        down = int(ladder.next_down(np.array([float(valid)]))[0])
        assert is_valid_price(down, **rules)
        assert round_to_tick(valid - 1, mode="down", **rules) == down


@given(st.integers(min_value=700, max_value=2_000_000), st.booleans(), days, markets)
def test_static_vi_screening_triggers_match_vi_trigger_prices(
    reference: int, etf: bool, day: dt.date, market: Market
) -> None:
    ladders = RowLadders.build(np.array([0]), (_ladder(etf, day, market),))
    down, up = static_triggers(ladders, np.array([reference]))
    expected = vi_trigger_prices(reference, STATIC_VI_RATE, etf=etf, on=day, market=market)
    assert (int(down[0]), int(up[0])) == expected


@given(st.integers(min_value=700, max_value=2_000_000), st.floats(0.0, 1.0), st.booleans())
def test_bands_floor_and_ceil_match_the_ladder_inside_a_daily_range(
    base: int, where: float, etf: bool
) -> None:
    day = dt.date(2026, 3, 3)
    ladder = _ladder(etf, day, Market.KOSPI)
    lower, upper = ladder.limits(np.array([base]), np.array([30]))
    ladders = RowLadders.build(np.array([0]), (ladder,))
    bands = ladders.bands(lower.astype(float), upper.astype(float))
    price = np.array([[lower[0] + where * (upper[0] - lower[0])]])
    assert bands.floor(price)[0, 0] == ladder.floor(price[0])[0]
    assert bands.ceil(price)[0, 0] == ladder.ceil(price[0])[0]
