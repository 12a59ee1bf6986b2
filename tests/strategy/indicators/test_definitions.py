"""What each indicator computes: hand-checked cases, the edge rules, and naive references."""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from jts.strategy.indicators import batch, stream

NAN = math.nan


def _walk(bars: int, seed: int = 7) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return np.round(50_000 * np.exp(np.cumsum(rng.normal(0, 0.01, bars))))


def _naive_windows(x: np.ndarray, n: int) -> list[np.ndarray]:
    return [x[i + 1 - n : i + 1] for i in range(n - 1, len(x))]


@given(
    prices=st.lists(st.integers(1, 5_000_000), min_size=1, max_size=80),
    n=st.integers(1, 30),
)
def test_sma_of_krw_prices_is_the_correctly_rounded_mean(prices: list[int], n: int) -> None:
    got = batch.sma(np.array(prices, dtype=float), n)
    assert np.isnan(got[: n - 1]).all()
    for i in range(n - 1, len(prices)):
        assert got[i] == float(Fraction(sum(prices[i + 1 - n : i + 1]), n))


def test_averages_stay_close_to_a_fresh_computation_over_a_long_series() -> None:
    x = _walk(20_000) / 7.0  # non-integer prices: the running sums do round
    n = 50
    windows = _naive_windows(x, n)
    want_mean = np.array([math.fsum(w) / n for w in windows])
    want_sd = np.array([np.std(w) for w in windows])
    weights = np.arange(1, n + 1)
    want_wma = np.array([math.fsum(w * weights) / weights.sum() for w in windows])
    np.testing.assert_allclose(batch.sma(x, n)[n - 1 :], want_mean, rtol=1e-13)
    np.testing.assert_allclose(batch.wma(x, n)[n - 1 :], want_wma, rtol=1e-13)
    np.testing.assert_allclose(batch.stdev(x, n)[n - 1 :], want_sd, rtol=1e-9)


def test_a_spike_leaves_no_trace_one_window_after_it_left() -> None:
    x = np.r_[np.arange(1.0, 11.0), 1e20, np.full(30, 3.0) + np.arange(30) / 10]
    got = batch.sma(x, 5)
    want = [math.fsum(x[i - 4 : i + 1]) / 5 for i in range(len(x))]
    assert got[-10:] == pytest.approx(want[-10:], rel=1e-15)


def test_ema_is_seeded_with_the_sma_then_follows_alpha() -> None:
    x = np.array([1.0, 2.0, 3.0, 10.0, 10.0])
    got = batch.ema(x, 3)
    alpha = 2.0 / 4
    assert np.isnan(got[:2]).all()
    assert got[2] == 2.0
    assert got[3] == 2.0 + alpha * (10.0 - 2.0)
    assert got[4] == got[3] + alpha * (10.0 - got[3])


def test_wma_weights_the_newest_value_most() -> None:
    assert batch.wma(np.array([1.0, 2.0, 3.0, 4.0]), 3)[2:].tolist() == [14 / 6, 20 / 6]


def test_stdev_is_the_population_stdev_and_bollinger_mid_is_the_sma() -> None:
    x = np.array([2.0, 4.0, 4.0, 4.0, 5.0, 5.0, 7.0, 9.0])
    assert batch.stdev(x, 8)[-1] == 2.0  # the textbook population example (sample: 2.14)
    bands = batch.bollinger(x, 8, 1.5)
    assert (bands.upper[-1], bands.mid[-1], bands.lower[-1]) == (8.0, 5.0, 2.0)
    y = _walk(3_000) / 3.0
    assert np.array_equal(batch.bollinger(y, 20).mid, batch.sma(y, 20), equal_nan=True)


@pytest.mark.parametrize(
    ("prices", "want"),
    [
        ([1.0, 2.0, 3.0, 4.0], 100.0),  # no losses
        ([4.0, 3.0, 2.0, 1.0], 0.0),  # no gains
        ([5.0, 5.0, 5.0, 5.0], 50.0),  # flat: neither
        ([1.0, 2.0, 1.0, 2.0], 200 / 3),  # gains 1+1, losses 1
    ],
)
def test_rsi_edge_rules(prices: list[float], want: float) -> None:
    got = batch.rsi(np.array(prices), 3)
    assert np.isnan(got[:3]).all()
    assert got[3] == pytest.approx(want, rel=1e-15)


def test_rsi_smooths_with_wilder_after_the_seed() -> None:
    got = batch.rsi(np.array([1.0, 2.0, 3.0, 2.0]), 2)
    assert got[2] == 100.0
    gain, loss = (1.0 * 1 + 0.0) / 2, (0.0 * 1 + 1.0) / 2
    assert got[3] == gain / (gain + loss) * 100.0


def test_atr_uses_the_true_range_and_wilder_smoothing() -> None:
    high = np.array([10.0, 12.0, 11.0])
    low = np.array([9.0, 11.0, 7.0])
    close = np.array([9.5, 11.5, 8.0])
    got = batch.atr(high, low, close, 2)
    # true ranges: 1 (first bar: high - low), max(1, 2.5, 1.5) = 2.5, max(4, 0.5, 4.5) = 4.5
    assert np.isnan(got[0])
    assert got[1] == (1.0 + 2.5) / 2
    assert got[2] == (got[1] * 1 + 4.5) / 2


def test_stochastic_is_50_when_the_range_is_flat_and_smooths_k_then_d() -> None:
    flat = np.full(5, 100.0)
    assert batch.stochastic(flat, flat, flat, 3, 1, 1).k[2:].tolist() == [50.0] * 3
    high = np.array([10.0, 11.0, 12.0, 13.0])
    low = np.array([8.0, 9.0, 10.0, 11.0])
    close = np.array([9.0, 11.0, 10.0, 13.0])
    out = batch.stochastic(high, low, close, 2, 2, 2)
    raw = [NAN, (11 - 8) / 3 * 100, (10 - 9) / 3 * 100, (13 - 10) / 3 * 100]
    assert out.k[2:].tolist() == [(raw[1] + raw[2]) / 2, (raw[2] + raw[3]) / 2]
    assert out.d[3] == (out.k[2] + out.k[3]) / 2


def test_vwap_resets_on_new_session_even_when_that_bar_is_missing() -> None:
    price = np.array([10.0, 20.0, NAN, 40.0])
    volume = np.array([1.0, 3.0, 5.0, 2.0])
    flags = np.array([True, False, True, False])
    got = batch.vwap(price, price, price, volume, flags)
    assert got[0] == 10.0
    assert got[1] == (10.0 + 60.0) / 4
    assert np.isnan(got[2])
    assert got[3] == 40.0


def test_vwap_is_undefined_until_the_session_trades() -> None:
    p = np.array([10.0, 10.0, 12.0])
    got = batch.vwap(p, p, p, np.array([0.0, 0.0, 1.0]), np.array([True, False, False]))
    assert np.isnan(got[:2]).all()
    assert got[2] == 12.0


def test_highest_and_lowest_report_the_newest_of_equal_values() -> None:
    assert repr(float(batch.highest(np.array([0.0, -0.0]), 2)[1])) == "-0.0"
    assert repr(float(batch.highest(np.array([-0.0, 0.0]), 2)[1])) == "0.0"
    assert repr(float(batch.lowest(np.array([0.0, -0.0]), 2)[1])) == "-0.0"
    assert repr(float(batch.lowest(np.array([-0.0, 0.0]), 2)[1])) == "0.0"
    x = np.array([3.0, 1.0, 3.0, 2.0, 0.0, 5.0])
    assert batch.highest(x, 3)[2:].tolist() == [3.0, 3.0, 3.0, 5.0]
    assert batch.lowest(x, 3)[2:].tolist() == [1.0, 1.0, 0.0, 0.0]


def test_roc_is_a_percent_and_undefined_against_zero() -> None:
    got = batch.roc(np.array([100.0, 0.0, 110.0, 5.0]), 2)
    assert np.isnan(got[:2]).all()
    assert got[2] == pytest.approx(10.0, rel=1e-15)
    assert np.isnan(got[3])


def test_obv_adds_volume_on_up_closes_and_subtracts_on_down_closes() -> None:
    close = np.array([10.0, 11.0, 11.0, 9.0, NAN, 12.0])
    volume = np.array([5.0, 3.0, 7.0, 2.0, 100.0, 4.0])
    assert batch.obv(close, volume).tolist()[:4] == [0.0, 3.0, 3.0, 1.0]
    assert batch.obv(close, volume)[5] == 5.0


def test_macd_is_the_difference_of_two_emas() -> None:
    x = _walk(500)
    out = batch.macd(x, 12, 26, 9)
    line = batch.ema(x, 12) - batch.ema(x, 26)
    assert np.array_equal(out.line, line, equal_nan=True)
    assert np.array_equal(out.signal, batch.ema(line, 9), equal_nan=True)
    assert np.array_equal(out.hist, line - out.signal, equal_nan=True)


def test_crosses_need_both_bars_defined() -> None:
    a = np.array([1.0, 2.0, NAN, 3.0, 1.0, 2.0])
    b = np.full(6, 1.5)
    assert batch.crosses_above(a, b).tolist() == [False, True, False, False, False, True]
    assert batch.crosses_below(a, b).tolist() == [False, False, False, False, True, False]


def test_rising_needs_n_strict_increases_in_a_row() -> None:
    x = np.array([1.0, 2.0, 3.0, 3.0, 4.0, 5.0, NAN, 6.0, 7.0, 8.0])
    assert batch.rising(x, 2).tolist() == [
        *(False, False, True),
        *(False, False, True),
        *(False, False, False, True),
    ]
    assert batch.falling(np.array([3.0, 2.0, 1.0]), 2).tolist() == [False, False, True]


def test_stream_states_expose_every_output_by_name() -> None:
    state = stream.Macd(2, 3, 2)
    for x in (1.0, 2.0, 4.0, 8.0):
        line = state.update(x)
    assert line == state.line
    assert state.hist == state.line - state.signal
