"""Random inputs for the indicator tests, and the harness that runs both paths.

Series are built from segments that stress the kernels: integer KRW random walks, constant runs
(0.0 and -0.0 included), floats of one magnitude band (tiny, ordinary, huge), any finite float,
runs of NaN and lone ±inf.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt
from hypothesis import strategies as st

from jts.strategy.indicators import SPECS, batch, new_state

MAX_BARS = 120
NAN = math.nan
INF = math.inf


@st.composite
def _krw_walk(draw: st.DrawFn) -> list[float]:
    price = draw(st.integers(1, 2_000_000))
    steps = draw(st.lists(st.integers(-30, 30), min_size=1, max_size=40))
    out = []
    for step in steps:
        price = max(1, price + step * draw(st.sampled_from([1, 5, 10, 100, 1000])))
        out.append(float(price))
    return out


def _band(low: float, high: float) -> st.SearchStrategy[list[float]]:
    magnitude = st.floats(low, high)
    signed = st.tuples(magnitude, st.booleans()).map(lambda t: -t[0] if t[1] else t[0])
    return st.lists(signed, min_size=1, max_size=30)


_CONSTANT = st.tuples(
    st.sampled_from([0.0, -0.0, 1.0, 70_000.0, 0.1, 1e300, -5e-324]) | st.floats(-1e9, 1e9),
    st.integers(1, 30),
).map(lambda t: [t[0]] * t[1])

SEGMENT = st.one_of(
    _krw_walk(),
    _CONSTANT,
    _band(1e-3, 1e6),
    _band(1e-300, 1e-290),
    _band(1e150, 1e300),
    st.lists(st.floats(allow_nan=False, allow_infinity=False), min_size=1, max_size=20),
    st.integers(1, 15).map(lambda k: [NAN] * k),
    st.sampled_from([[INF], [-INF], [NAN]]),
)


@st.composite
def series(draw: st.DrawFn, min_size: int = 0) -> npt.NDArray[np.float64]:
    """A float64 series of at most MAX_BARS values (at least `min_size`)."""
    segments = draw(st.lists(SEGMENT, min_size=1 if min_size else 0, max_size=10))
    values = [v for segment in segments for v in segment][:MAX_BARS]
    while len(values) < min_size:
        values = values + values if values else [1.0]
    return np.array(values, dtype=np.float64)


@st.composite
def bar_inputs(draw: st.DrawFn, name: str, bars: int | None = None) -> list[npt.NDArray[Any]]:
    """Inputs for `SPECS[name].inputs`, all of one length: `bars`, or whatever is drawn.

    The close (or first series) comes from hypothesis segments; spreads, holes (NaN, ±inf) and
    session flags from a NumPy generator seeded by hypothesis, which is much faster to draw.
    """
    base = draw(series(min_size=bars or 0))
    if bars is not None:
        base = base[:bars]
    size = len(base)
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    hole_rate = draw(st.sampled_from([0.0, 0.05, 0.3]))

    def noise() -> npt.NDArray[np.float64]:
        pick = rng.integers(0, 4, size)
        ticks = np.array([0.0, 1.0, 10.0, 250.0])[pick]
        return np.where(rng.random(size) < 0.2, rng.random(size) * 1e4, ticks)

    def holes(x: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
        fill = rng.choice(np.array([NAN, NAN, INF, -INF]), size)
        return np.where(rng.random(size) < hole_rate, fill, x)

    made: list[npt.NDArray[Any]] = []
    for field in SPECS[name].inputs:
        if field == "high":
            made.append(holes(base + noise()))
        elif field == "low":
            made.append(holes(base - noise()))
        elif field == "volume":
            made.append(holes(np.floor(noise())))
        elif field == "new_session":
            made.append(rng.random(size) < 0.1)
        elif field == "close" or not made:
            made.append(holes(base))
        else:  # a second series argument (crosses): near the first so that crosses happen
            made.append(holes(base + noise() - noise()))
    return made


@st.composite
def params_for(draw: st.DrawFn, name: str) -> dict[str, int | float]:
    out: dict[str, int | float] = {}
    for p in SPECS[name].params:
        if p.kind == "int":
            out[p.name] = draw(st.integers(1, 6) | st.integers(1, 40))
        else:
            out[p.name] = draw(st.sampled_from([0.0, 1.0, 2.0, 2.5]) | st.floats(0.0, 5.0))
    return out


def stream_outputs(
    name: str, params: dict[str, int | float], inputs: Sequence[npt.NDArray[Any]]
) -> list[npt.NDArray[Any]]:
    """Run the streaming state over `inputs` bar by bar; one array per output."""
    state = new_state(name, params)
    outputs = SPECS[name].outputs
    got: list[list[float]] = [[] for _ in outputs]
    for row in zip(*(x.tolist() for x in inputs), strict=True):
        first = state.update(*row)
        for slot, output in enumerate(outputs):
            got[slot].append(getattr(state, output))
        assert same_bits(np.array([first], dtype=float), np.array([got[0][-1]], dtype=float))
    dtype = np.bool_ if SPECS[name].output_type == "bool" else np.float64
    return [np.array(g, dtype=dtype).reshape(len(inputs[0])) for g in got]


def batch_outputs(
    name: str, params: dict[str, int | float], inputs: Sequence[npt.NDArray[Any]]
) -> list[npt.NDArray[Any]]:
    return list(batch.compute(name, inputs, params))


def same_bits(a: npt.NDArray[Any], b: npt.NDArray[Any]) -> bool:
    """Equal shapes, NaN in the same places, and the very same bits everywhere else."""
    if a.shape != b.shape or a.dtype != b.dtype:
        return False
    if a.dtype == np.bool_:
        return bool(np.array_equal(a, b))
    nan_a, nan_b = np.isnan(a), np.isnan(b)
    if not np.array_equal(nan_a, nan_b):
        return False
    return bool(np.array_equal(a[~nan_a].view(np.int64), b[~nan_b].view(np.int64)))
