"""Vectorized evaluation of a program's market-only expressions over a whole `BarFrame`.

`evaluate_vector(program, bars)` returns, for every id of `split_program(program)`, an array
aligned with the frame's rows: float64 for numbers and times (NaN = undefined), bool for
conditions (undefined is False). The rows of each symbol are laid out as one column of a
(bars × symbols) panel, padded with NaN / False after its last bar, and every node is computed
over the whole panel: indicators run continuously across days within a symbol and never across
symbols, lookbacks shift within the column (NaN / False before the symbol's first bar).

The element operations are those of `stream.StreamEvaluator`, in the same order, so both give
the same bits; the semantics are documented in `jts.strategy.evaluate`.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import numpy.typing as npt

from jts.marketdata.frames import BarFrame
from jts.strategy.evaluate.series import BAR_FIELDS, market_series
from jts.strategy.evaluate.split import Graph, build_graph, constant, split_program
from jts.strategy.indicators import SPECS, batch
from jts.strategy.lang.ast import Program
from jts.strategy.lang.builtins import FUNCTIONS, ArgKind
from jts.strategy.lang.expr import (
    Between,
    Binary,
    BinaryOp,
    Bool,
    Call,
    Expr,
    IfElse,
    Lookback,
    Number,
    ParamRef,
    SeriesRef,
    TimeOfDay,
    Unary,
    UnaryOp,
)

Array = npt.NDArray[Any]
NAN = math.nan


class _Layout:
    """Rows sorted by (symbol, ts) ↔ an F-ordered (bars × symbols) panel."""

    def __init__(self, symbols: Array) -> None:
        n = len(symbols)
        self.starts = np.ones(n, dtype=np.bool_)
        if n:
            self.starts[1:] = symbols[1:] != symbols[:-1]
        first = np.flatnonzero(self.starts)
        self.col = np.cumsum(self.starts) - 1
        self.pos = np.arange(n) - first[self.col] if n else np.zeros(0, dtype=np.int64)
        lengths = np.diff(np.r_[first, n])
        self.shape = (int(lengths.max()) if n else 0, len(first))

    def pack(self, flat: Array) -> Array:
        fill: Any = False if flat.dtype == np.bool_ else NAN
        panel = np.full(self.shape, fill, dtype=flat.dtype, order="F")
        panel[self.pos, self.col] = flat
        return panel

    def unpack(self, panel: Array) -> Array:
        return np.asarray(panel[self.pos, self.col])


def evaluate_vector(program: Program, bars: BarFrame) -> dict[str, Array]:
    """Every market-only expression of `program` over `bars` (see the module docstring)."""
    if not bars.is_sorted():
        raise ValueError("bars must be sorted by (symbol, ts)")
    split = split_program(program)
    graph = build_graph(program, split)
    if not len(bars):
        return {m.id: np.zeros(0, np.bool_ if m.is_bool else np.float64) for m in split.exprs}
    layout = _Layout(np.asarray(bars["symbol"]))
    evaluator = _Panel(program, bars, layout)
    values = evaluator.run(graph)
    return {m.id: layout.unpack(values[graph.outputs[m.id]]) for m in split.exprs}


class _Panel:
    def __init__(self, program: Program, bars: BarFrame, layout: _Layout) -> None:
        self.program = program
        self.layout = layout
        self.ts = np.asarray(bars["ts"], dtype=np.int64)
        self.fields = {name: np.asarray(bars[name], dtype=np.float64) for name in BAR_FIELDS}
        self.cache: dict[str, Array] = {}

    def series(self, name: str) -> Array:
        if name not in self.cache:
            flat = market_series(
                name, self.ts, self.layout.starts, self.program.bar_minutes, self.fields
            )
            self.cache[name] = self.layout.pack(flat)
        return self.cache[name]

    def full(self, value: float | bool) -> Array:
        dtype = np.bool_ if isinstance(value, bool) else np.float64
        return np.full(self.layout.shape, value, dtype=dtype, order="F")

    def run(self, graph: Graph) -> list[Array]:
        values: list[Array] = []
        for node, reads in zip(graph.nodes, graph.reads, strict=True):
            values.append(self.node(node, [values[i] for i in reads]))
        return values

    def node(self, expr: Expr, args: list[Array]) -> Array:
        if isinstance(expr, Number | ParamRef):
            return self.full(float(constant(expr, self.program)))
        if isinstance(expr, Bool):
            return self.full(expr.value)
        if isinstance(expr, TimeOfDay):
            return self.full(float(expr.minute))
        if isinstance(expr, SeriesRef):
            return self.series(expr.name)
        if isinstance(expr, Unary):
            return ~args[0] if expr.op is UnaryOp.NOT else -args[0]
        if isinstance(expr, Binary):
            return binary(expr.op, args[0], args[1])
        if isinstance(expr, Between):
            return (args[1] <= args[0]) & (args[0] <= args[2])
        if isinstance(expr, IfElse):
            return np.where(args[0], args[1], args[2])
        if isinstance(expr, Lookback):
            n = int(constant(expr.bars, self.program))
            return shift(args[0], n)
        if isinstance(expr, Call):
            return self.call(expr, args)
        raise TypeError(f"cannot evaluate {type(expr).__name__}")

    def call(self, expr: Call, args: list[Array]) -> Array:
        if expr.name == "value_when":
            return value_when(args[0], args[1])
        if expr.name == "abs":
            return np.abs(args[0])
        if expr.name in ("min", "max"):
            return smaller(args[0], args[1], expr.name == "min")
        spec = SPECS[expr.name]
        params = call_params(expr, self.program)
        inputs = [*args, *(self.field_input(f) for f in spec.fields)]
        outputs = batch.compute(expr.name, inputs, params)
        return outputs[spec.outputs.index(expr.output) if expr.output else 0]

    def field_input(self, name: str) -> Array:
        return self.series("first_bar_of_day" if name == "new_session" else name)


def call_params(expr: Call, program: Program) -> dict[str, int | float]:
    """The period and const arguments of an indicator call, by name (ints for periods)."""
    out: dict[str, int | float] = {}
    for spec, arg in zip(FUNCTIONS[expr.name].args, expr.args, strict=True):
        if spec.kind is ArgKind.PERIOD:
            out[spec.name] = int(constant(arg, program))
        elif spec.kind is ArgKind.CONST:
            out[spec.name] = float(constant(arg, program))
    return out


def binary(op: BinaryOp, a: Array, b: Array) -> Array:
    if op is BinaryOp.ADD:
        return a + b
    if op is BinaryOp.SUB:
        return a - b
    if op is BinaryOp.MUL:
        return a * b
    if op is BinaryOp.DIV:
        out = np.full(np.shape(a), NAN, order="F")
        np.divide(a, b, out=out, where=b != 0)
        return out
    if op is BinaryOp.AND:
        return a & b
    if op is BinaryOp.OR:
        return a | b
    if op is BinaryOp.LT:
        return a < b
    if op is BinaryOp.LE:
        return a <= b
    if op is BinaryOp.GT:
        return a > b
    if op is BinaryOp.GE:
        return a >= b
    if op is BinaryOp.EQ:
        return np.asarray(a == b)
    return np.asarray((a != b) & (a == a) & (b == b))


def shift(x: Array, n: int) -> Array:
    """`x` n bars ago within each column: NaN (False for conditions) before the start."""
    if n == 0:
        return x
    fill: Any = False if x.dtype == np.bool_ else NAN
    out = np.full(x.shape, fill, dtype=x.dtype, order="F")
    if n < x.shape[0]:
        out[n:] = x[:-n]
    return out


def value_when(condition: Array, x: Array) -> Array:
    """x on the latest bar (this one included) where `condition` was true; NaN before."""
    rows = np.arange(x.shape[0]).reshape(-1, 1)
    latest = np.maximum.accumulate(np.where(condition, rows, -1), axis=0)
    picked = np.take_along_axis(x, np.maximum(latest, 0), axis=0)
    return np.where(latest >= 0, picked, NAN)


def smaller(a: Array, b: Array, low: bool) -> Array:
    """min (`low`) or max of a and b: NaN when either is NaN, else the one the comparison
    `a <= b` (`a >= b` for max) picks, a on ties."""
    picked = np.where(a <= b if low else a >= b, a, b)
    return np.where(np.isnan(a) | np.isnan(b), NAN, picked)
