"""The market-only values the compiled loop reads, as (bars × symbols) panels.

`jts.strategy.evaluate.evaluate_vector` computes every market-only expression on a panel (one
column per symbol) and unpacks each panel back to the frame's row order. The loop reads
panels directly (index `symbol × panel rows + row - first row of the symbol`), so here the
same evaluator (`vector._Panel`: the same node graph and the same NumPy operations, hence
the same bits) runs on a layout built from the symbols' row ranges, and nothing is unpacked.
Bar fields are packed straight from the frame's int64 columns, only when an expression reads
them, and independent nodes (`sma(close, fast)` and `sma(close, slow)`) run on two threads:
the indicator kernels are compiled `nogil` and NumPy releases the GIL, and the order in
which independent nodes are computed does not change a bit of them.

`vector._Panel` is private to `jts.strategy.evaluate.vector`; a public `evaluate_panels`
there would remove the coupling (this module relies on its `series`, `node` and `run`).

`live_rules` turns the rules' market-only `and`-conjuncts into the first rule that may fire
per panel index: the loop skips every bar where it is none.
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numpy as np
import numpy.typing as npt

from jts.backtest import kernel_core as kc
from jts.marketdata.frames import BarFrame
from jts.strategy.evaluate.series import BAR_FIELDS
from jts.strategy.evaluate.split import Graph, Split, build_graph
from jts.strategy.evaluate.vector import _Panel
from jts.strategy.lang.ast import Program

__all__ = ["Layout", "live_rules", "market_columns", "symbol_ranges"]

Array = npt.NDArray[Any]
I1 = npt.NDArray[np.int64]
I2 = npt.NDArray[np.int64]
I8 = npt.NDArray[np.int8]
B1 = npt.NDArray[np.bool_]
B2 = npt.NDArray[np.bool_]

_WORKERS = min(4, os.cpu_count() or 1)


def symbol_ranges(symbols: Array) -> tuple[I1, I1]:
    """[first, end) rows of each symbol of a symbol-sorted column, found by binary search
    (a few comparisons per symbol instead of one per row)."""
    first: list[int] = []
    n, row = len(symbols), 0
    while row < n:
        first.append(row)
        row = int(np.searchsorted(symbols, symbols[row], side="right"))
    starts = np.array(first, dtype=np.int64)
    return starts, np.r_[starts[1:], n].astype(np.int64)


class Layout:
    """`vector._Layout` for a frame whose symbol `s` holds rows [first[s], end[s])."""

    def __init__(self, n: int, first: I1, end: I1) -> None:
        self.first, self.end = first.tolist(), end.tolist()
        self.starts = np.zeros(n, dtype=np.bool_)
        self.starts[first] = True
        self.shape = (int((end - first).max()), len(first))

    def pack(self, flat: Array, dtype: Any = None) -> Array:
        """The rows as one column per symbol (cast to `dtype`), padded with NaN (False) like
        `_Layout.pack`."""
        dtype = flat.dtype if dtype is None else np.dtype(dtype)
        fill: Any = False if dtype == np.bool_ else np.nan
        panel = np.empty(self.shape, dtype=dtype, order="F")
        for s, (a, b) in enumerate(zip(self.first, self.end, strict=True)):
            panel[: b - a, s] = flat[a:b]
            panel[b - a :, s] = fill
        return panel


class _Fields(dict[str, Array]):
    """Bar fields as float64, converted on first use."""

    def __init__(self, bars: BarFrame) -> None:
        super().__init__()
        self.bars = bars

    def __missing__(self, name: str) -> Array:
        value = self[name] = np.asarray(self.bars[name], dtype=np.float64)
        return value


class _Market(_Panel):
    """`vector._Panel` on a `Layout`: bar fields packed straight from the frame's int64
    columns (the cast is the one `np.asarray(..., float64)` makes), and independent nodes
    evaluated concurrently (module docstring of `market_columns`)."""

    def __init__(self, program: Program, bars: BarFrame, layout: Layout) -> None:
        self.program = program
        self.layout = layout  # type: ignore[assignment]  # duck-types vector._Layout
        self.ts = np.asarray(bars["ts"], dtype=np.int64)
        self.fields = _Fields(bars)
        self.cache = {}
        self.bars = bars
        self.grid = layout

    def series(self, name: str) -> Array:
        if name in BAR_FIELDS and name not in self.cache:
            self.cache[name] = self.grid.pack(np.asarray(self.bars[name]), np.float64)
        return super().series(name)

    def run(self, graph: Graph) -> list[Array]:
        values: list[Array] = []
        with ThreadPoolExecutor(max_workers=_WORKERS) as pool:
            for level in _levels(graph):
                args = [[values[i] for i in graph.reads[node]] for node in level]
                if len(level) == 1:
                    done = [self.node(graph.nodes[level[0]], args[0])]
                else:
                    done = list(pool.map(self.node, [graph.nodes[i] for i in level], args))
                values.extend(done)
        return values


def _levels(graph: Graph) -> list[list[int]]:
    """The nodes in runs whose members read only earlier runs (so each run can be computed
    concurrently), in node order: a run ends where a node reads a node of the same run."""
    levels: list[list[int]] = []
    start = 0
    for i, reads in enumerate(graph.reads):
        if any(j >= start for j in reads):
            levels.append(list(range(start, i)))
            start = i
    if start < len(graph.reads):
        levels.append(list(range(start, len(graph.reads))))
    return levels


def market_columns(
    program: Program,
    bars: BarFrame,
    split: Split,
    layout: Layout,
    ids: tuple[tuple[str, ...], tuple[str, ...]],
) -> tuple[list[Array], list[Array]]:
    """The panels of market ids `ids` (float ones, bool ones), each flattened column by column:
    float64 and bool (a NaN reads as true, as `bool(nan)` in the engine)."""
    wanted = set(ids[0]) | set(ids[1])
    graph = build_graph(program, Split(tuple(m for m in split.exprs if m.id in wanted), split.ids))
    values = _Market(program, bars, layout).run(graph)

    def column(key: str, dtype: type[Any]) -> Array:
        flat = np.ravel(values[graph.outputs[key]], order="F")
        if flat.dtype != dtype or not flat.flags.writeable:
            flat = flat.astype(dtype)
        return flat

    return [column(key, np.float64) for key in ids[0]], [column(key, np.bool_) for key in ids[1]]


@kc.jit
def _first_live(rules: I2, conj: I1, bools: B2, live: I8) -> None:
    """Rule by rule from the last, over all indices (loops the compiler vectorizes)."""
    live[:] = rules.shape[0]
    for k in range(rules.shape[0] - 1, -1, -1):
        lo, hi = rules[k, kc.R_CONJ], rules[k, kc.R_CONJ_END]
        if hi - lo == 1:  # the usual `state guard and <market condition>`
            column = conj[lo]
            for i in range(live.shape[0]):
                if bools[column, i]:
                    live[i] = k
            continue
        for i in range(live.shape[0]):
            holds = True
            for q in range(lo, hi):
                holds &= bools[conj[q], i]
            if holds:
                live[i] = k


def live_rules(rules: I2, conj: I1, bools: list[B1], size: int) -> I8:
    """Per panel index, the first rule that may fire: the first none of whose market-only
    `and`-conjuncts (`conj`, columns of `bools`) is false; `len(rules)` where none may. A
    rule before it is false there whatever the position (`jts.strategy.engine_skip`).
    The conjunct columns are stacked into one array first (a view when there is one)."""
    used = sorted(set(conj.tolist()))
    rows = {column: i for i, column in enumerate(used)}
    if len(used) == 1:
        stack = bools[used[0]].reshape(1, -1)
    else:
        stack = np.stack([bools[c] for c in used]) if used else np.ones((1, size), np.bool_)
    live = np.empty(size, dtype=np.int8)
    _first_live(rules, np.array([rows[c] for c in conj.tolist()], np.int64), stack, live)
    return live
