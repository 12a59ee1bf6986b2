"""The indicator table: complete, consistent with both paths, and its warm-up lengths are true."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jts.core.errors import InvalidInput
from jts.strategy.indicators import SPECS, batch, new_state, resolve, stream
from jts.strategy.indicators.spec import BAR_FIELDS

from .series import params_for

EXPECTED = {
    "sma", "ema", "wma", "rsi", "macd", "bollinger", "atr", "stochastic", "vwap", "highest",
    "lowest", "roc", "stdev", "obv", "crosses_above", "crosses_below", "rising", "falling",
}  # fmt: skip


def test_the_table_has_every_indicator_of_the_language_and_each_has_both_paths() -> None:
    assert set(SPECS) == EXPECTED
    assert set(batch.FUNCTIONS) == EXPECTED
    assert set(stream.STATES) == EXPECTED


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_each_row_is_consistent(name: str) -> None:
    spec = SPECS[name]
    assert spec.name == name
    assert set(spec.fields) <= set(BAR_FIELDS)
    assert not set(spec.args) & set(BAR_FIELDS)
    assert spec.outputs
    defaults = {p.name: p.default if p.default is not None else 3 for p in spec.params}
    assert len(spec.warmup(defaults)) == len(spec.outputs)
    assert (spec.output_type == "bool") == (spec.nan_policy == "positional")
    state = new_state(name, defaults)
    for output in spec.outputs:
        assert hasattr(state, output)


def test_multi_output_rows_name_their_outputs() -> None:
    assert SPECS["macd"].outputs == ("line", "signal", "hist")
    assert SPECS["bollinger"].outputs == ("upper", "mid", "lower")
    assert SPECS["stochastic"].outputs == ("k", "d")


def _clean_inputs(name: str, bars: int, seed: int) -> list[np.ndarray]:
    """Prices that avoid every special case: positive, moving, with volume."""
    rng = np.random.default_rng(seed)
    close = 10_000.0 + np.cumsum(rng.integers(-20, 21, bars) * 10.0) + bars * 200
    columns = {
        "high": close + rng.integers(1, 50, bars),
        "low": close - rng.integers(1, 50, bars),
        "close": close,
        "volume": rng.integers(1, 1_000, bars).astype(float),
        "new_session": np.arange(bars) % 7 == 0,
    }
    return [columns.get(field, close) for field in SPECS[name].inputs]


@pytest.mark.parametrize("name", sorted(n for n in EXPECTED if SPECS[n].output_type == "float"))
@settings(max_examples=30)
@given(data=st.data())
def test_warm_up_is_exactly_the_leading_nan_run(name: str, data: st.DataObject) -> None:
    params = data.draw(params_for(name))
    warmup = SPECS[name].warmup(params)
    bars = max(warmup) + data.draw(st.integers(1, 20))
    inputs = _clean_inputs(name, bars, data.draw(st.integers(0, 1000)))
    for output, length in zip(batch.compute(name, inputs, params), warmup, strict=True):
        assert np.isnan(output[:length]).all()
        assert np.isfinite(output[length:]).all()


def test_warm_up_of_the_helpers_counts_bars() -> None:
    up = np.arange(10.0)
    assert batch.rising(up, 4).tolist() == [False] * 4 + [True] * 6
    assert SPECS["rising"].warmup({"n": 4}) == (4,)
    assert batch.crosses_above(np.array([2.0]), np.array([1.0])).tolist() == [False]


def test_resolve_fills_defaults_and_checks_values() -> None:
    assert resolve("macd", {}) == {"fast": 12, "slow": 26, "signal": 9}
    assert resolve("bollinger", {"n": np.int64(10)}) == {"n": 10, "k": 2.0}
    assert resolve("bollinger", {"k": 1}) == {"n": 20, "k": 1.0}


@pytest.mark.parametrize(
    ("name", "params", "field"),
    [
        ("sma", {}, "sma.n"),
        ("sma", {"n": 0}, "sma.n"),
        ("sma", {"n": 2.5}, "sma.n"),
        ("sma", {"n": True}, "sma.n"),
        ("sma", {"n": "5"}, "sma.n"),
        ("sma", {"n": 5, "k": 1}, "sma.k"),
        ("bollinger", {"k": -1.0}, "bollinger.k"),
        ("bollinger", {"k": float("nan")}, "bollinger.k"),
        ("bollinger", {"k": float("inf")}, "bollinger.k"),
        ("median", {}, "indicator"),
    ],
)
def test_bad_parameters_name_the_field(name: str, params: dict[str, object], field: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        resolve(name, params)
    assert caught.value.field == field


def test_both_paths_refuse_bad_parameters() -> None:
    with pytest.raises(InvalidInput):
        batch.sma([1.0, 2.0], 0)
    with pytest.raises(InvalidInput):
        stream.Sma(0)
    with pytest.raises(InvalidInput):
        stream.Stochastic(14, 0, 3)


def test_batch_refuses_inputs_of_the_wrong_shape() -> None:
    with pytest.raises(InvalidInput):
        batch.sma(np.zeros((2, 2, 2)), 2)
    with pytest.raises(InvalidInput):
        batch.atr(np.zeros(3), np.zeros(3), np.zeros(4), 2)
    z = np.zeros(3)
    with pytest.raises(InvalidInput):
        batch.vwap(z, z, z, z, np.zeros(2, dtype=bool))
    with pytest.raises(InvalidInput):
        batch.compute("atr", [np.zeros(3)], {})


def test_empty_series_give_empty_results() -> None:
    for name, spec in SPECS.items():
        inputs = [np.zeros(0)] * len(spec.inputs)
        params = {p.name: 3 for p in spec.params if p.default is None}
        assert all(len(out) == 0 for out in batch.compute(name, inputs, params))
    assert batch.sma(np.zeros((0, 5)), 3).shape == (0, 5)
