"""The scalar part of the engine: the position-dependent remainder of expressions, selection.

`Remainder` evaluates an expression of a program for one symbol on one bar. Every maximal
market-only sub-expression (`split_program`) is read by its id from a `Market` lookup (the
vectorized arrays or the streaming evaluator: both give the same bits); what is left
(position and selection series, literals, parameters, the operators around them) is computed
here with the float semantics of `jts.strategy.evaluate`: NaN is undefined, comparisons with
NaN are False (`!=` included), `and`/`or`/`not` on conditions, `x / 0` is NaN, `min`/`max`
NaN when an argument is NaN.

Indicators, lookbacks, crosses and `value_when` *over* a position or selection series
(`sma(unrealized_pnl_pct, 3)`, `position[1]`, `crosses_above(bars_since_entry, 5)`) are
*cells*: each symbol keeps their streaming state (`jts.strategy.indicators.stream`, the same
states the market-only part uses), and `Cells.update` feeds them once per bar of the symbol,
inner cells first, after the bar's fill and position update and after a selection re-rank:
so `position[1]` is the position after the previous bar, and a cell sees every bar whatever
the rules do. A selection score may not use a cell (it is computed before the cells update),
nor may a cell use an indicator that reads bar fields by itself; both are refused up front
with `NotExecutable`.

`Selector` is the cross-sectional ranking of `select top/bottom N by <score>`: see
`jts.strategy.engine` for its rules.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Sequence
from typing import Any, Protocol

from jts.core.errors import JtsError
from jts.strategy.evaluate.series import day_number
from jts.strategy.evaluate.split import Split, children, constant, inputs, is_market_only
from jts.strategy.evaluate.stream import BINARY, MATH
from jts.strategy.evaluate.vector import call_params
from jts.strategy.indicators import SPECS, new_state
from jts.strategy.lang.ast import Direction, Program, ScheduleKind
from jts.strategy.lang.expr import (
    Between,
    Binary,
    Bool,
    Call,
    Expr,
    IfElse,
    LetRef,
    Lookback,
    Number,
    ParamRef,
    SeriesRef,
    TimeOfDay,
    Unary,
    UnaryOp,
)
from jts.strategy.lang.printer import format_expr
from jts.strategy.lang.typesys import Kind

NAN = math.nan
Market = Callable[[str], Any]
"""The value of a market-only expression id for the symbol and bar being evaluated."""


Evaluator = Callable[[Market, "StateView"], Any]
"""A compiled expression: its value for a symbol's market lookup and state on one bar."""


class NotExecutable(JtsError):
    """The program uses a construct the executors do not run yet."""


class StateView(Protocol):
    """The position and selection series of one symbol on the current bar, and its cells."""

    def series(self, name: str) -> float | bool: ...

    def cell(self, index: int) -> Any: ...


class Remainder:
    """Evaluates expressions of `program` around their market-only ids (module docstring)."""

    def __init__(self, program: Program, split: Split) -> None:
        self.program = program
        self.split = split
        self.bools = {m.id: m.is_bool for m in split.exprs}
        self._constants: dict[int, float] = {}
        self._compiled: dict[int, Evaluator] = {}
        self._ids: dict[int, str | None] = {}
        """`split.id_of` by node identity: AST nodes live as long as the program, and hashing a
        frozen dataclass tree on every bar cost more than the rest of the evaluation."""
        self.cells: list[Lookback | Call] = []
        """Stateful functions over state series, inner before outer (module docstring)."""
        self._cell_index: dict[Expr, int] = {}

    def _market_id(self, expr: Expr) -> str | None:
        try:
            return self._ids[id(expr)]
        except KeyError:
            found = self._ids[id(expr)] = self.split.id_of(expr)
            return found

    def check(self, expr: Expr) -> None:
        """Register the cells of `expr` (module docstring); `NotExecutable` for what cannot
        run."""
        if self.split.id_of(expr) is not None:
            return
        if isinstance(expr, LetRef):
            self.check(self.program.let(expr.name))
            return
        for child in children(expr):
            self.check(child)
        stateful = isinstance(expr, Lookback) or (isinstance(expr, Call) and expr.name not in MATH)
        if stateful and not is_market_only(expr, self.program):
            assert isinstance(expr, Lookback | Call)
            if isinstance(expr, Call) and expr.name in SPECS and SPECS[expr.name].fields:
                raise NotExecutable(
                    f"{format_expr(expr)}: {expr.name} reads bar fields itself and cannot take "
                    "position or selection series"
                )
            if expr not in self._cell_index:
                self._cell_index[expr] = len(self.cells)
                self.cells.append(expr)

    def refuse_cells(self, expr: Expr, where: str) -> None:
        """`NotExecutable` when `expr` reads a cell (a `where` that runs before cells update)."""
        before = len(self.cells)
        self.check(expr)
        if len(self.cells) != before or any(self._reads_cell(e) for e in _walk(expr, self)):
            raise NotExecutable(
                f"{format_expr(expr)}: {where} cannot use indicators or lookbacks over "
                "position or selection series"
            )

    def _reads_cell(self, expr: Expr) -> bool:
        return expr in self._cell_index

    def new_cells(self) -> Cells:
        """Fresh per-symbol states of this program's cells."""
        return Cells(self)

    def value(self, expr: Expr, market: Market, state: StateView) -> Any:
        try:
            fn = self._compiled[id(expr)]
        except KeyError:
            fn = self._compiled[id(expr)] = self._compile(expr)
        return fn(market, state)

    def _compile(self, expr: Expr) -> Evaluator:
        """`expr` as a closure over its children's closures: the tree is walked once, not per
        bar; every node evaluates all its children, in order, with the operators of
        `jts.strategy.evaluate` (so the values are those of a walk of the tree)."""
        key = self._market_id(expr)
        if key is not None:
            if self.bools[key]:
                return lambda market, state: bool(market(key))
            return lambda market, state: float(market(key))
        if isinstance(expr, Number | ParamRef | Bool | TimeOfDay):
            leaf = self._leaf(expr)
            return lambda market, state: leaf
        if isinstance(expr, SeriesRef):
            name = expr.name
            return lambda market, state: state.series(name)
        index = self._cell_index.get(expr)
        if index is not None:
            return lambda market, state: state.cell(index)
        if isinstance(expr, LetRef):
            return self._compile(self.program.let(expr.name))
        if isinstance(expr, Unary):
            return _unary(expr.op, self._compile(expr.operand))
        if isinstance(expr, Binary):
            return _binary(BINARY[expr.op], self._compile(expr.left), self._compile(expr.right))
        if isinstance(expr, Between):
            parts = (expr.operand, expr.low, expr.high)
            return _between(*(self._compile(e) for e in parts))
        if isinstance(expr, IfElse):
            parts = (expr.condition, expr.then, expr.otherwise)
            return _if_else(*(self._compile(e) for e in parts))
        if isinstance(expr, Call) and expr.name in MATH:
            return _call(MATH[expr.name], [self._compile(a) for a in expr.args])
        return _refuse(expr)

    def _leaf(self, expr: Number | ParamRef | Bool | TimeOfDay) -> float | bool:
        if isinstance(expr, Bool):
            return expr.value
        if isinstance(expr, TimeOfDay):
            return float(expr.minute)
        return self._constant(expr)

    def _constant(self, expr: Number | ParamRef) -> float:
        try:
            return self._constants[id(expr)]
        except KeyError:
            value = self._constants[id(expr)] = float(constant(expr, self.program))
            return value

    def number(self, expr: Expr, market: Market, state: StateView) -> float:
        return float(self.value(expr, market, state))

    def condition(self, expr: Expr, market: Market, state: StateView) -> bool:
        return bool(self.value(expr, market, state))


def _walk(expr: Expr, remainder: Remainder) -> list[Expr]:
    """`expr` and its sub-expressions, through lets."""
    out = [expr]
    if isinstance(expr, LetRef):
        out += _walk(remainder.program.let(expr.name), remainder)
    for child in children(expr):
        out += _walk(child, remainder)
    return out


class Cells:
    """One symbol's cell states and current values (`Remainder.cells`, module docstring)."""

    __slots__ = ("_steps", "values")

    def __init__(self, remainder: Remainder) -> None:
        self.values: list[Any] = []
        self._steps: list[Callable[[Market, StateView], None]] = []
        for index, cell in enumerate(remainder.cells):
            self.values.append(False if cell.type.kind is Kind.BOOL else NAN)
            self._steps.append(self._step(remainder, index, cell))

    def update(self, market: Market, state: StateView) -> None:
        """Feed every cell this bar's inputs, inner cells first."""
        for step in self._steps:
            step(market, state)

    def _step(
        self, remainder: Remainder, index: int, cell: Lookback | Call
    ) -> Callable[[Market, StateView], None]:
        values = self.values
        args = [remainder._compile(a) for a in inputs(cell)]
        if isinstance(cell, Lookback):
            n = int(constant(cell.bars, remainder.program))
            (arg,) = args
            fill = values[index]
            ring = [fill] * n

            def lookback(market: Market, state: StateView) -> None:
                x = arg(market, state)
                if not n:
                    values[index] = x
                    return
                values[index] = ring[0]
                del ring[0]
                ring.append(x)

            return lookback
        if cell.name == "value_when":
            cond, x = args

            def value_when(market: Market, state: StateView) -> None:
                c, v = cond(market, state), x(market, state)
                if c:
                    values[index] = v

            return value_when
        indicator = new_state(cell.name, call_params(cell, remainder.program))
        update, output = indicator.update, cell.output

        def call(market: Market, state: StateView) -> None:
            result = update(*[a(market, state) for a in args])
            values[index] = result if output is None else getattr(indicator, output)

        return call


def _unary(op: UnaryOp, inner: Evaluator) -> Evaluator:
    if op is UnaryOp.NOT:
        return lambda market, state: not inner(market, state)
    return lambda market, state: -inner(market, state)


def _binary(op: Callable[[Any, Any], Any], left: Evaluator, right: Evaluator) -> Evaluator:
    return lambda market, state: op(left(market, state), right(market, state))


def _between(x: Evaluator, low: Evaluator, high: Evaluator) -> Evaluator:
    def between(market: Market, state: StateView) -> bool:
        value = x(market, state)
        lo = low(market, state)
        hi = high(market, state)
        return bool(lo <= value <= hi)

    return between


def _if_else(cond: Evaluator, then: Evaluator, other: Evaluator) -> Evaluator:
    def if_else(market: Market, state: StateView) -> Any:
        c = cond(market, state)
        a = then(market, state)
        b = other(market, state)
        return a if c else b

    return if_else


def _call(fn: Callable[..., Any], args: list[Evaluator]) -> Evaluator:
    return lambda market, state: fn(*[a(market, state) for a in args])


def _refuse(expr: Expr) -> Evaluator:
    """Evaluating `expr` raises, as the tree walk did: on use, not on compilation."""
    message = f"{format_expr(expr)} is not executable yet"

    def refuse(market: Market, state: StateView) -> Any:
        raise NotExecutable(message)

    return refuse


def _period_key(schedule: ScheduleKind, ts: int) -> tuple[int, ...]:
    day = day_number(ts)
    if schedule is ScheduleKind.DAILY:
        return (day,)
    date = dt.date(1970, 1, 1) + dt.timedelta(days=day)
    if schedule is ScheduleKind.WEEKLY:
        year, week, _ = date.isocalendar()
        return (year, week)
    return (date.year, date.month)


class Selector:
    """The latest selection: `rank` and `selected` per symbol, `rebalancing` per timestamp."""

    def __init__(self, program: Program) -> None:
        sel = program.selection
        assert sel is not None
        self.schedule = sel.schedule
        self.top = sel.direction is Direction.TOP
        self.count = int(constant(sel.count, program))
        self.every = int(constant(sel.every, program)) if sel.every is not None else 1
        self.by = sel.by
        self.ranks: dict[str, float] = {}
        self.rebalancing = False
        self._key: tuple[int, ...] | None = None
        self._timestamps = 0

    def due(self, ts: int) -> bool:
        """Whether timestamp `ts` (the next one, in increasing order) re-ranks."""
        if self.schedule is ScheduleKind.EVERY_N_BARS:
            due = self._timestamps % self.every == 0
        else:
            key = _period_key(self.schedule, ts)
            due = key != self._key
            self._key = key
        self._timestamps += 1
        self.rebalancing = due
        return due

    def rerank(self, scores: Sequence[tuple[str, float]]) -> None:
        """Rank `scores` (symbol, score): NaN never ranked, ties to the smaller code."""
        sign = -1.0 if self.top else 1.0
        ranked = sorted(((sign * s, code) for code, s in scores if s == s))
        self.ranks = {code: float(i + 1) for i, (_, code) in enumerate(ranked)}

    def series(self, symbol: str, name: str) -> float | bool:
        rank = self.ranks.get(symbol, NAN)
        if name == "rank":
            return rank
        if name == "selected":
            return rank <= self.count
        return self.rebalancing
