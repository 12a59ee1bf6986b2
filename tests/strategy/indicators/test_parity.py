"""The core promise: batch over a series equals the stream bar by bar, bit for bit."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jts.strategy.indicators import SPECS, batch

from .series import bar_inputs, batch_outputs, params_for, same_bits, stream_outputs

NAMES = sorted(SPECS)


@pytest.mark.parametrize("name", NAMES)
@given(data=st.data())
def test_batch_equals_stream_bit_for_bit(name: str, data: st.DataObject) -> None:
    params = data.draw(params_for(name))
    inputs = data.draw(bar_inputs(name))
    expected = stream_outputs(name, params, inputs)
    got = batch_outputs(name, params, inputs)
    for output, want, have in zip(SPECS[name].outputs, expected, got, strict=True):
        assert same_bits(have, want), output


@pytest.mark.parametrize("name", NAMES)
@settings(max_examples=40)
@given(data=st.data())
def test_2d_batch_equals_each_column_alone(name: str, data: st.DataObject) -> None:
    params = data.draw(params_for(name))
    bars = data.draw(st.integers(0, 80))
    columns = [data.draw(bar_inputs(name, bars)) for _ in range(data.draw(st.integers(1, 4)))]
    panel = [np.stack(parts, axis=1) for parts in zip(*columns, strict=True)]
    whole = batch.compute(name, panel, params)
    for j, inputs in enumerate(columns):
        alone = batch.compute(name, inputs, params)
        for have, want in zip(whole, alone, strict=True):
            assert same_bits(np.ascontiguousarray(have[:, j]), want)


@pytest.mark.parametrize("name", [n for n in NAMES if SPECS[n].nan_policy != "positional"])
@settings(max_examples=100)
@given(data=st.data())
def test_missing_bars_are_skipped_without_a_trace(name: str, data: st.DataObject) -> None:
    params = data.draw(params_for(name))
    inputs = data.draw(bar_inputs(name))
    size = len(inputs[0])
    where = sorted(data.draw(st.lists(st.integers(0, size), max_size=10)))
    spoil = data.draw(st.sampled_from([np.nan, np.inf, -np.inf]))
    holed = []
    for k, x in enumerate(inputs):
        filler = False if x.dtype == np.bool_ else (spoil if k == 0 else 1.0)
        holed.append(np.insert(x, where, filler))
    kept = np.ones(size + len(where), dtype=np.bool_)
    kept[np.array(where, dtype=np.int64) + np.arange(len(where))] = False
    for clean, spoiled in zip(
        batch_outputs(name, params, inputs), batch_outputs(name, params, holed), strict=True
    ):
        assert same_bits(spoiled[kept], clean)
        assert np.isnan(spoiled[~kept]).all()
