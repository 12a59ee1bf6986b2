"""The streaming indicator set: same numbers as lone states and as batch, no growth per bar."""

from __future__ import annotations

import sys

import numpy as np
import pytest

from jts.core.errors import InvalidInput
from jts.strategy.indicators import SPECS, IndicatorRequest, IndicatorSet, batch

from .series import same_bits

REQUESTS = [
    IndicatorRequest("sma", {"n": 5}),
    IndicatorRequest("sma", {"n": 20}),
    IndicatorRequest("macd", {"fast": 3, "slow": 7, "signal": 4}),
    IndicatorRequest("atr", {"n": 5}),
    IndicatorRequest("vwap"),
    IndicatorRequest("stochastic"),
    IndicatorRequest("bollinger", {"n": 10, "k": 2.5}),
    IndicatorRequest("ema", {"n": 4}, ("volume",)),
    IndicatorRequest("crosses_above", {}, ("close", "high")),
    IndicatorRequest("rising", {"n": 2}),
]


def _bars(symbols: int, bars: int) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(3)
    close = 10_000.0 + np.cumsum(rng.integers(-5, 6, (bars, symbols)) * 10.0, axis=0)
    close[rng.random((bars, symbols)) < 0.03] = np.nan
    return {
        "close": close,
        "high": close + rng.integers(0, 40, (bars, symbols)),
        "low": close - rng.integers(0, 40, (bars, symbols)),
        "volume": rng.integers(0, 500, (bars, symbols)).astype(float),
        "new_session": (np.arange(bars) % 30 == 0)[:, None].repeat(symbols, axis=1),
    }


def _run(iset: IndicatorSet, data: dict[str, np.ndarray]) -> np.ndarray:
    bars, symbols = data["close"].shape
    history = np.empty((bars, *iset.values.shape))
    for t in range(bars):
        rows = [[float(data[c][t, s]) for c in iset.columns] for s in range(symbols)]
        history[t] = iset.update_all(rows)
    return history


def test_the_set_matches_batch_for_every_symbol_and_output() -> None:
    data = _bars(symbols=3, bars=200)
    iset = IndicatorSet(REQUESTS, n_symbols=3)
    history = _run(iset, data)
    for r, request in enumerate(REQUESTS):
        panel = [data[c] for c in request.columns()]
        outputs = batch.compute(request.name, panel, request.params)
        for name, want in zip(SPECS[request.name].outputs, outputs, strict=True):
            have = history[:, :, iset.output(r, name)]
            assert same_bits(have, want.astype(np.float64)), (request, name)


def test_columns_and_outputs_are_labelled() -> None:
    iset = IndicatorSet([*REQUESTS[:3], REQUESTS[7]], n_symbols=2)
    assert iset.columns == ("close", "volume")
    assert iset.outputs[:2] == ("sma(close; n=5)", "sma(close; n=20)")
    assert iset.outputs[2:5] == tuple(
        f"macd(close; fast=3, slow=7, signal=4).{o}" for o in ("line", "signal", "hist")
    )
    assert iset.output(2, "hist") == 4
    assert iset.values.shape == (2, 6)


def test_reset_starts_one_symbol_over() -> None:
    iset = IndicatorSet([IndicatorRequest("sma", {"n": 2})], n_symbols=2)
    iset.update_all([[1.0], [1.0]])
    iset.update_all([[3.0], [3.0]])
    iset.reset(0)
    assert np.isnan(iset.values[0, 0])
    iset.update_all([[5.0], [5.0]])
    assert np.isnan(iset.values[0, 0])
    assert iset.values[1, 0] == 4.0


def test_requests_are_checked_when_the_set_is_built() -> None:
    with pytest.raises(InvalidInput):
        IndicatorSet([IndicatorRequest("sma", {"n": 0})], 1)
    with pytest.raises(InvalidInput):
        IndicatorSet([IndicatorRequest("crosses_above")], 1)
    with pytest.raises(InvalidInput):
        IndicatorSet([IndicatorRequest("atr", {}, ("close",))], 1)


def test_updates_allocate_nothing_that_stays() -> None:
    data = _bars(symbols=4, bars=600)
    iset = IndicatorSet(REQUESTS, n_symbols=4)
    rows = [[0.0] * len(iset.columns) for _ in range(4)]

    def feed(start: int, stop: int) -> None:
        for t in range(start, stop):
            for s, row in enumerate(rows):
                for c, column in enumerate(iset.columns):
                    row[c] = float(data[column][t, s])
            iset.update_all(rows)

    feed(0, 100)  # every window full, every lazy structure made
    before = sys.getallocatedblocks()
    feed(100, 600)
    assert sys.getallocatedblocks() - before < 50
