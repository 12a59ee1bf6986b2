from __future__ import annotations

import math
from collections.abc import Callable
from fractions import Fraction

import msgspec
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from jts.core import InvalidInput
from jts.risk import (
    FixedShares,
    FixedValue,
    PercentOfEquity,
    PositionSizer,
    VolatilityTarget,
    atr,
    true_range,
)
from jts.strategy.indicators.batch import atr as language_atr

# Five bars with a gap up (bar 2) and a gap down (bar 3), KRW. True ranges by hand:
# 1: 1,000-800 = 200 (no previous close)
# 2: max(1,200-1,100, |1,200-900|, |1,100-900|) = 300   (gap up over the 900 close)
# 3: max(1,000-900, |1,000-1,150|, |900-1,150|) = 250   (gap down under the 1,150 close)
# 4: max(1,100-900, |1,100-950|, |900-950|) = 200
# 5: max(1,050-1,000, |1,050-1,000|, |1,000-1,000|) = 50
HIGH = [1_000, 1_200, 1_000, 1_100, 1_050]
LOW = [800, 1_100, 900, 900, 1_000]
CLOSE = [900, 1_150, 950, 1_000, 1_000]

prices = st.integers(min_value=1, max_value=3_000_000)
equities = st.integers(min_value=1, max_value=10**13)
lots = st.integers(min_value=1, max_value=100)
percents = st.floats(min_value=0.01, max_value=100.0)
atrs = st.floats(min_value=0.01, max_value=1_000_000.0)
models = st.one_of(
    st.builds(FixedShares, st.integers(min_value=1, max_value=10**6)),
    st.builds(FixedValue, st.integers(min_value=1, max_value=10**12)),
    st.builds(PercentOfEquity, percents),
    st.builds(VolatilityTarget, percents, st.floats(min_value=0.1, max_value=10.0)),
)


# -- the models, by hand --------------------------------------------------------------------


def test_fixed_shares_ignore_price_and_equity_and_round_down_to_lots() -> None:
    assert FixedShares(25).shares(70_000, 10_000_000) == 25
    assert FixedShares(25).shares(500, 1_000_000_000) == 25
    assert FixedShares(25).shares(70_000, 10_000_000, lot=10) == 20


def test_fixed_value_buys_what_the_amount_pays_for() -> None:
    assert FixedValue(1_000_000).shares(70_000, 50_000_000) == 14  # 14.28 shares
    assert FixedValue(1_000_000).shares(70_000, 50_000_000, lot=5) == 10
    assert FixedValue(1_000_000).shares(2_000_000, 50_000_000) == 0  # not even one share


def test_percent_of_equity_buys_that_share_of_the_account() -> None:
    assert PercentOfEquity(10.0).shares(70_000, 100_000_000) == 142  # 10,000,000 / 70,000
    assert PercentOfEquity(10.0).shares(70_000, 100_000_000, lot=100) == 100
    assert PercentOfEquity(100.0).shares(25_000, 1_000_000) == 40


def test_percent_of_equity_takes_the_percent_as_written() -> None:
    # The float 0.29 is just below 0.29: taken literally, 0.29% of 10,000 KRW would be
    # 28.999... KRW and buy 28 shares of 1 KRW; as written it is 29 KRW, 29 shares.
    assert PercentOfEquity(0.29).shares(1, 10_000) == 29
    # and the float product 1,000 x 1.1 / 100 = 11.000000000000002 buys no extra share
    assert PercentOfEquity(1.1).shares(11, 1_000) == 1


def test_volatility_target_risks_the_same_krw_whatever_the_volatility() -> None:
    sizer = VolatilityTarget(risk_pct=1.0, atr_multiple=2.0)
    # 1% of 100,000,000 = 1,000,000 KRW at risk; the stop is 2 x 1,250 = 2,500 KRW away.
    assert sizer.shares(50_000, 100_000_000, atr=1_250.0) == 400
    assert sizer.shares(50_000, 100_000_000, atr=2_500.0) == 200  # twice as wild, half the size
    assert sizer.shares(50_000, 100_000_000, atr=1_250.0, lot=30) == 390
    assert sizer.shares(50_000, 100_000_000, atr=3_000.0) == 166  # 1,000,000 / 6,000


def test_volatility_target_never_buys_more_than_the_equity_pays_for() -> None:
    sizer = VolatilityTarget(risk_pct=1.0, atr_multiple=2.0)
    assert sizer.shares(50_000, 10_000_000, atr=1.0) == 200  # would be 50,000 shares
    assert sizer.shares(50_000, 10_000_000, atr=5e-324) == 200  # a vanishing ATR stays capped


@pytest.mark.parametrize("bad", [None, 0.0, -10.0, math.nan, math.inf])
def test_volatility_target_refuses_a_missing_or_non_positive_atr_naming_it(
    bad: float | None,
) -> None:
    with pytest.raises(InvalidInput) as caught:
        VolatilityTarget(risk_pct=1.0).shares(50_000, 100_000_000, atr=bad)
    assert caught.value.field == "atr"


def test_volatility_target_sizes_from_its_own_atr_period() -> None:
    sizer = VolatilityTarget(risk_pct=1.0, atr_multiple=1.0, period=3)
    assert sizer.atr_of(HIGH, LOW, CLOSE) == pytest.approx(3_100 / 18)
    assert math.isnan(VolatilityTarget(risk_pct=1.0, period=14).atr_of(HIGH, LOW, CLOSE))


@pytest.mark.parametrize(
    "model",
    [FixedShares(10), FixedValue(1_000_000), PercentOfEquity(5.0), VolatilityTarget(1.0)],
)
@pytest.mark.parametrize(("price", "equity", "lot"), [(0, 10**8, 1), (-100, 10**8, 1),
                                                     (50_000, 0, 1), (50_000, -5, 1),
                                                     (50_000, 10**8, 0)])  # fmt: skip
def test_inputs_that_make_no_sense_size_to_zero(
    model: PositionSizer, price: int, equity: int, lot: int
) -> None:
    assert model.shares(price, equity, atr=1_000.0, lot=lot) == 0


@pytest.mark.parametrize(
    ("build", "field"),
    [
        (lambda: FixedShares(0), "qty"),
        (lambda: FixedShares(2.5), "qty"),  # type: ignore[arg-type]
        (lambda: FixedValue(-1), "krw"),
        (lambda: PercentOfEquity(0.0), "pct"),
        (lambda: PercentOfEquity(150.0), "pct"),
        (lambda: PercentOfEquity(math.nan), "pct"),
        (lambda: VolatilityTarget(0.0), "risk_pct"),
        (lambda: VolatilityTarget(1.0, atr_multiple=0.0), "atr_multiple"),
        (lambda: VolatilityTarget(1.0, atr_multiple=math.inf), "atr_multiple"),
        (lambda: VolatilityTarget(1.0, period=0), "period"),
    ],
)
def test_invalid_models_are_refused_naming_the_field(
    build: Callable[[], object], field: str
) -> None:
    with pytest.raises(InvalidInput) as caught:
        build()
    assert caught.value.field == field


def test_models_are_frozen() -> None:
    with pytest.raises(AttributeError):
        PercentOfEquity(10.0).pct = 20.0  # type: ignore[misc]


def test_models_load_from_configuration_data_with_the_same_checks() -> None:
    assert msgspec.json.decode(b'{"pct": 5}', type=PercentOfEquity) == PercentOfEquity(5.0)
    with pytest.raises(msgspec.ValidationError, match="pct"):
        msgspec.json.decode(b'{"pct": 500}', type=PercentOfEquity)


# -- average true range ---------------------------------------------------------------------


def test_true_range_counts_the_gaps_between_bars() -> None:
    assert true_range(HIGH, LOW, CLOSE).tolist() == [200.0, 300.0, 250.0, 200.0, 50.0]


def test_atr_seeds_with_the_mean_then_smooths_the_wilder_way() -> None:
    assert math.isnan(atr(HIGH[:2], LOW[:2], CLOSE[:2], 3))
    assert atr(HIGH[:3], LOW[:3], CLOSE[:3], 3) == pytest.approx(250.0)  # (200+300+250)/3
    assert atr(HIGH[:4], LOW[:4], CLOSE[:4], 3) == pytest.approx(700 / 3)  # (250*2+200)/3
    assert atr(HIGH, LOW, CLOSE, 3) == pytest.approx(3_100 / 18)  # (700/3*2+50)/3
    assert atr(HIGH, LOW, CLOSE, 1) == 50.0  # period 1: the last true range


def test_atr_takes_numpy_arrays_and_matches_the_strategy_language() -> None:
    rng = np.random.default_rng(3)
    close = 10_000 + np.cumsum(rng.integers(-50, 51, 200)) * 10.0
    high = close + rng.integers(0, 20, 200) * 10.0
    low = close - rng.integers(0, 20, 200) * 10.0
    expected = language_atr(high, low, close, 14)[-1]
    assert atr(high, low, close, 14) == pytest.approx(expected, rel=1e-12)


def test_atr_refuses_a_bad_period_or_series_of_different_lengths() -> None:
    with pytest.raises(InvalidInput) as period:
        atr(HIGH, LOW, CLOSE, 0)
    assert period.value.field == "period"
    with pytest.raises(InvalidInput) as lengths:
        atr(HIGH, LOW, CLOSE[:-1], 3)
    assert lengths.value.field == "close"
    with pytest.raises(InvalidInput):
        atr([HIGH], [LOW], [CLOSE], 3)


# -- properties -----------------------------------------------------------------------------


@given(models, prices, st.integers(min_value=-(10**9), max_value=10**13), lots, atrs)
def test_sizes_are_never_negative_and_always_whole_lots(
    model: PositionSizer, price: int, equity: int, lot: int, atr_krw: float
) -> None:
    qty = model.shares(price, equity, atr=atr_krw, lot=lot)
    assert qty >= 0
    assert qty % lot == 0


@given(percents, prices, equities, lots)
def test_percent_of_equity_never_spends_more_than_its_share(
    pct: float, price: int, equity: int, lot: int
) -> None:
    qty = PercentOfEquity(pct).shares(price, equity, lot=lot)
    budget = Fraction(equity) * Fraction(repr(pct)) / 100  # the percent as written
    assert qty * price <= budget
    assert (qty + lot) * price > budget  # nor a whole lot less


@given(percents, st.floats(min_value=0.1, max_value=10.0), prices, equities, lots, atrs)
def test_volatility_target_never_risks_more_than_its_share(
    risk: float, multiple: float, price: int, equity: int, lot: int, atr_krw: float
) -> None:
    qty = VolatilityTarget(risk, multiple).shares(price, equity, atr=atr_krw, lot=lot)
    assert qty * multiple * atr_krw <= equity * risk / 100 * (1 + 1e-9)
    assert qty * price <= equity


@given(models, prices, equities, equities, lots, atrs)
def test_a_larger_account_never_buys_less(
    model: PositionSizer, price: int, a: int, b: int, lot: int, atr_krw: float
) -> None:
    small, large = sorted((a, b))
    assert model.shares(price, small, atr=atr_krw, lot=lot) <= model.shares(
        price, large, atr=atr_krw, lot=lot
    )


@given(
    st.lists(
        st.tuples(st.integers(1, 10**6), st.integers(0, 10**4), st.integers(0, 10**4)),
        min_size=1,
        max_size=60,
    ),
    st.integers(min_value=1, max_value=30),
)
def test_atr_is_nan_until_period_bars_then_within_the_true_ranges(
    bars: list[tuple[int, int, int]], period: int
) -> None:
    low = [float(base) for base, _, _ in bars]
    high = [base + up for base, up, _ in bars]
    close = [base + min(up, down) for base, up, down in bars]
    value = atr(high, low, close, period)
    if len(bars) < period:
        assert math.isnan(value)
        return
    tr = true_range(high, low, close)
    assert tr.min() * (1 - 1e-12) <= value <= tr.max() * (1 + 1e-12)
