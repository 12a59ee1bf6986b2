"""Streaming evaluation of a program's market-only expressions, one bar at a time.

    ev = StreamEvaluator(program, ["005930", "000660"])
    ev.on_bar("005930", ts, open, high, low, close, volume, value)
    ev.value("fast_ma", "005930")

Each symbol holds one flat list of node values, the indicator states (`indicators.stream`) and
a ring buffer per lookback, all allocated up front; `on_bar` runs the precompiled steps of the
shared node graph in dependency order. The element operations are those of
`vector.evaluate_vector`, in the same order, so both give the same bits (semantics in
`jts.strategy.evaluate`).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

from jts.strategy.evaluate.series import BAR_FIELDS, DayTracker
from jts.strategy.evaluate.split import Graph, build_graph, constant, is_bool, split_program
from jts.strategy.evaluate.vector import call_params
from jts.strategy.indicators import SPECS, new_state
from jts.strategy.lang.ast import Program
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

NAN = math.nan
Values = list[Any]
Fn = Callable[..., Any]
_INPUTS = (*BAR_FIELDS, "new_session")


def _div(a: float, b: float) -> float:
    return a / b if b != 0 else NAN


def _ne(a: Any, b: Any) -> bool:
    return bool(a == a and b == b and a != b)


def _min(a: float, b: float) -> float:
    return NAN if a != a or b != b else (a if a <= b else b)


def _max(a: float, b: float) -> float:
    return NAN if a != a or b != b else (a if a >= b else b)


BINARY: dict[BinaryOp, Fn] = {
    BinaryOp.ADD: lambda a, b: a + b,
    BinaryOp.SUB: lambda a, b: a - b,
    BinaryOp.MUL: lambda a, b: a * b,
    BinaryOp.DIV: _div,
    BinaryOp.AND: lambda a, b: a and b,
    BinaryOp.OR: lambda a, b: a or b,
    BinaryOp.LT: lambda a, b: a < b,
    BinaryOp.LE: lambda a, b: a <= b,
    BinaryOp.GT: lambda a, b: a > b,
    BinaryOp.GE: lambda a, b: a >= b,
    BinaryOp.EQ: lambda a, b: a == b,
    BinaryOp.NE: _ne,
}
MATH: dict[str, Fn] = {"abs": abs, "min": _min, "max": _max}


class _Symbol:
    """The evaluation state of one symbol: node values, day tracker and `aux` (indicator
    states and their bound `update`, lookback rings and positions, held values)."""

    __slots__ = ("aux", "day", "ts", "vals")

    def __init__(self, vals: Values, day: DayTracker) -> None:
        self.vals = vals
        self.day = day
        self.ts = 0
        self.aux: list[Any] = []


Step = Callable[[_Symbol], None]


def _caller(src: Sequence[int]) -> Callable[[Fn, Values], Any]:
    """Calls f with the values at `src`, without building a list per bar for small arities."""
    if len(src) == 1:
        (a,) = src
        return lambda f, v: f(v[a])
    if len(src) == 2:
        a, b = src
        return lambda f, v: f(v[a], v[b])
    if len(src) == 3:
        a, b, c = src
        return lambda f, v: f(v[a], v[b], v[c])
    return lambda f, v: f(*[v[j] for j in src])


class StreamEvaluator:
    """O(1) state per symbol, updated by `on_bar`; `value(id, symbol)` reads the current value."""

    def __init__(self, program: Program, symbols: Sequence[str]) -> None:
        self.program = program
        self.split = split_program(program)
        self.graph: Graph = build_graph(program, self.split)
        self.field_slot = len(self.graph.nodes)
        self._init: Values = [False if is_bool(n) else NAN for n in self.graph.nodes]
        self._init += [NAN] * len(BAR_FIELDS) + [False]
        self._steps: list[Step] = []
        self._makers: list[Callable[[list[Any]], None]] = []
        self._aux = 0
        for i, (node, reads) in enumerate(zip(self.graph.nodes, self.graph.reads, strict=True)):
            step = self._compile(i, node, reads)
            if step is not None:
                self._steps.append(step)
        self._symbols = {s: self._new_symbol() for s in symbols}

    def _new_symbol(self) -> _Symbol:
        sym = _Symbol(list(self._init), DayTracker(self.program.bar_minutes))
        for make in self._makers:
            make(sym.aux)
        return sym

    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(m.id for m in self.split.exprs)

    def on_bar(
        self,
        symbol: str,
        ts: int,
        open: float,
        high: float,
        low: float,
        close: float,
        volume: float,
        value: float,
    ) -> None:
        """Advance `symbol` by one bar (`ts` its start, int ns UTC)."""
        sym = self._symbols[symbol]
        v, f = sym.vals, self.field_slot
        v[f], v[f + 1], v[f + 2] = float(open), float(high), float(low)
        v[f + 3], v[f + 4], v[f + 5] = float(close), float(volume), float(value)
        sym.ts = ts
        sym.day.update(ts)
        v[f + 6] = sym.day.first
        for step in self._steps:
            step(sym)

    def values_of(self, symbol: str) -> Values:
        """`symbol`'s node values, indexed by `graph.outputs[id]` (a hot path's direct read)."""
        return self._symbols[symbol].vals

    def value(self, expr_id: str, symbol: str) -> float | bool:
        """The current value of market expression `expr_id` for `symbol`."""
        result: float | bool = self._symbols[symbol].vals[self.graph.outputs[expr_id]]
        return result

    def _compile(self, i: int, node: Expr, reads: tuple[int, ...]) -> Step | None:
        if isinstance(node, Number | ParamRef | Bool | TimeOfDay):
            self._init[i] = self._constant(node)
            return None
        if isinstance(node, SeriesRef):
            return self._series(i, node.name)
        if isinstance(node, Unary):
            (a,) = reads
            if node.op is UnaryOp.NOT:
                return lambda s: s.vals.__setitem__(i, not s.vals[a])
            return lambda s: s.vals.__setitem__(i, -s.vals[a])
        if isinstance(node, Binary):
            op, (a, b) = BINARY[node.op], reads
            return lambda s: s.vals.__setitem__(i, op(s.vals[a], s.vals[b]))
        if isinstance(node, Between):
            x, lo, hi = reads
            return lambda s: s.vals.__setitem__(i, s.vals[lo] <= s.vals[x] <= s.vals[hi])
        if isinstance(node, IfElse):
            c, t, o = reads
            return lambda s: s.vals.__setitem__(i, s.vals[t] if s.vals[c] else s.vals[o])
        if isinstance(node, Lookback):
            return self._lookback(i, node, reads[0])
        if isinstance(node, Call):
            return self._call(i, node, reads)
        raise TypeError(f"cannot evaluate {type(node).__name__}")

    def _constant(self, node: Number | ParamRef | Bool | TimeOfDay) -> float | bool:
        if isinstance(node, Bool):
            return node.value
        if isinstance(node, TimeOfDay):
            return float(node.minute)
        return float(constant(node, self.program))

    def _series(self, i: int, name: str) -> Step:
        if name in BAR_FIELDS:
            j = self.field_slot + BAR_FIELDS.index(name)
            return lambda s: s.vals.__setitem__(i, s.vals[j])
        return lambda s: s.vals.__setitem__(i, s.day.value(name, s.ts))

    def _lookback(self, i: int, node: Lookback, a: int) -> Step:
        n = int(constant(node.bars, self.program))
        if n == 0:
            return lambda s: s.vals.__setitem__(i, s.vals[a])
        fill = self._init[i]
        k = self._reserve(lambda aux: aux.extend(([fill] * n, 0)), 2)

        def step(s: _Symbol) -> None:
            aux = s.aux
            ring, p = aux[k], aux[k + 1]
            s.vals[i] = ring[p]
            ring[p] = s.vals[a]
            aux[k + 1] = p + 1 if p + 1 < n else 0

        return step

    def _reserve(self, make: Callable[[list[Any]], None], count: int) -> int:
        """Register `make`, which appends `count` items to each symbol's `aux`; their index."""
        k = self._aux
        self._makers.append(make)
        self._aux += count
        return k

    def _call(self, i: int, node: Call, reads: tuple[int, ...]) -> Step:
        if node.name in MATH:
            fn, call = MATH[node.name], _caller(reads)
            return lambda s: s.vals.__setitem__(i, call(fn, s.vals))
        if node.name == "value_when":
            c, x = reads
            k = self._reserve(lambda aux: aux.append(NAN), 1)

            def value_when(s: _Symbol) -> None:
                if s.vals[c]:
                    s.aux[k] = s.vals[x]
                s.vals[i] = s.aux[k]

            return value_when
        spec = SPECS[node.name]
        params = call_params(node, self.program)
        src = [*reads, *(self.field_slot + _INPUTS.index(f) for f in spec.fields)]
        call = _caller(src)
        output = node.output

        def make(aux: list[Any]) -> None:
            state = new_state(node.name, params)
            aux.extend((state, state.update))

        k = self._reserve(make, 2)
        if output is None:
            return lambda s: s.vals.__setitem__(i, call(s.aux[k + 1], s.vals))

        def multi(s: _Symbol) -> None:
            call(s.aux[k + 1], s.vals)
            s.vals[i] = getattr(s.aux[k], output)

        return multi
