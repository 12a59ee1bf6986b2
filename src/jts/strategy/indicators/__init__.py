"""Technical indicators in two forms that agree bit for bit: `batch` and `stream`.

* `spec` — the table: for each name its parameters, inputs, outputs, warm-up and NaN policy.
* `batch` — whole series at once, 1-D or (bars × symbols), Numba kernels (`kernels`).
* `stream` — one O(1) state per indicator per symbol, `update(...)` per bar, in plain Python.
* `IndicatorSet` — the streaming states of a whole program over all symbols, updated per bar.

For every indicator, `batch.f(series)[i]` and the i-th `stream.F().update(...)` are the same
float (NaN where either is NaN). The tests hold both paths to that over random series.
"""

from jts.strategy.indicators import batch, spec, stream
from jts.strategy.indicators.indicator_set import IndicatorRequest, IndicatorSet
from jts.strategy.indicators.spec import SPECS, IndicatorSpec, Param, resolve
from jts.strategy.indicators.stream import State, new_state

__all__ = [
    "SPECS",
    "IndicatorRequest",
    "IndicatorSet",
    "IndicatorSpec",
    "Param",
    "State",
    "batch",
    "new_state",
    "resolve",
    "spec",
    "stream",
]
