"""Which parts of a program depend on market data only, and the node graph that computes them.

An expression is *market-only* when it reads no position-state series (`position`,
`entry_price`, `bars_since_entry`, `unrealized_pnl_pct`) and no selection series (`selected`,
`rank`, `rebalancing`), directly or through a `let`. Such an expression has one value per
symbol and bar whatever the executor does, so it can be computed ahead (vectorized) or kept up
to date per bar (streaming) apart from the position-dependent remainder.

`split_program(program)` lists every *maximal* market-only sub-expression of the program's
lets, rule conditions, action sizes and limit prices, exit distances and selection (score,
count, period), each once, under a stable id:

* a market-only let is listed under its own name (`fast_ma`), and every reference to it too;
* any other expression under its source text (`format_expr`: `sma(close, 5) > close`).

Bare literals and parameters (`0` in `position == 0`) are not listed: the executor reads them
from the node (`Number.value`, `Program.bindings`). `Split.id_of(expr)` finds the id of a node
of the remainder.

`build_graph(program, split)` is the shared evaluation plan of both evaluators: every distinct
node (by structural equality, `let` references resolved to the let's expression) in
dependency order, with the indices of the nodes it reads.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from jts.strategy.lang.ast import Program
from jts.strategy.lang.builtins import FUNCTIONS, POSITION_SERIES, SELECTION_SERIES, ArgKind
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
)
from jts.strategy.lang.printer import format_expr
from jts.strategy.lang.typesys import Kind

STATE_SERIES = POSITION_SERIES | SELECTION_SERIES
"""The series whose value depends on what the executor did: never market-only."""

_LEAVES = (Number, Bool, TimeOfDay, ParamRef)
_INPUT_KINDS = (ArgKind.SERIES, ArgKind.VALUE, ArgKind.CONDITION)


@dataclass(frozen=True, slots=True)
class MarketExpr:
    """One maximal market-only sub-expression: its id, the expression, bool or number."""

    id: str
    expr: Expr
    is_bool: bool


@dataclass(frozen=True, slots=True)
class Split:
    """The market-only sub-expressions of a program, in order of first occurrence."""

    exprs: tuple[MarketExpr, ...]
    ids: Mapping[Expr, str]

    def id_of(self, expr: Expr) -> str | None:
        """The id of `expr` when it is one of the listed sub-expressions (or a let ref)."""
        return self.ids.get(expr)


def children(expr: Expr) -> tuple[Expr, ...]:
    """Every sub-expression of `expr` (period arguments and lookback lengths included)."""
    if isinstance(expr, Unary):
        return (expr.operand,)
    if isinstance(expr, Binary):
        return (expr.left, expr.right)
    if isinstance(expr, Between):
        return (expr.operand, expr.low, expr.high)
    if isinstance(expr, IfElse):
        return (expr.condition, expr.then, expr.otherwise)
    if isinstance(expr, Lookback):
        return (expr.operand, expr.bars)
    if isinstance(expr, Call):
        return expr.args
    return ()


def inputs(expr: Expr) -> tuple[Expr, ...]:
    """The sub-expressions whose per-bar values `expr` reads (not periods nor constants)."""
    if isinstance(expr, Lookback):
        return (expr.operand,)
    if isinstance(expr, Call):
        fn = FUNCTIONS[expr.name]
        return tuple(
            a for spec, a in zip(fn.args, expr.args, strict=True) if spec.kind in _INPUT_KINDS
        )
    return children(expr)


def constant(expr: Expr, program: Program) -> int | float:
    """The value of a literal or parameter (a period, a lookback length, a const argument)."""
    if isinstance(expr, Number):
        return expr.value
    if isinstance(expr, ParamRef):
        return program.param_values[expr.name]
    raise TypeError(f"not a constant: {format_expr(expr)}")


def is_bool(expr: Expr) -> bool:
    return expr.type.kind is Kind.BOOL


class _Classifier:
    def __init__(self, program: Program) -> None:
        self.program = program
        self.lets: dict[str, bool] = {}
        for item in program.lets:
            self.lets[item.name] = self.market_only(item.expr)

    def market_only(self, expr: Expr) -> bool:
        if isinstance(expr, SeriesRef):
            return expr.name not in STATE_SERIES
        if isinstance(expr, LetRef):
            return self.lets[expr.name]
        return all(self.market_only(c) for c in children(expr))


def is_market_only(expr: Expr, program: Program) -> bool:
    """True when `expr` (a node of `program`) reads no position or selection series."""
    return _Classifier(program).market_only(expr)


def _roots(program: Program) -> Iterator[Expr]:
    for rule in program.rules:
        yield rule.condition
        yield from (e for e in (rule.action.size.amount, rule.action.order.price) if e)
    yield from (e.distance for e in program.exits)
    if program.selection is not None:
        sel = program.selection
        yield from (e for e in (sel.by, sel.count, sel.every) if e is not None)


def split_program(program: Program) -> Split:
    """The maximal market-only sub-expressions of `program` (see the module docstring)."""
    classifier = _Classifier(program)
    found: dict[str, MarketExpr] = {}
    ids: dict[Expr, str] = {}

    def add(key: str, expr: Expr, node: Expr) -> None:
        ids.setdefault(node, key)
        if key not in found:
            found[key] = MarketExpr(key, expr, is_bool(expr))

    def collect(expr: Expr) -> None:
        if isinstance(expr, _LEAVES):
            return
        if isinstance(expr, LetRef) and classifier.lets[expr.name]:
            add(expr.name, program.let(expr.name), expr)
        elif classifier.market_only(expr):
            add(format_expr(expr), expr, expr)
        else:
            for child in children(expr):
                collect(child)

    for item in program.lets:
        if classifier.lets[item.name]:
            ref = LetRef(name=item.name, type=item.expr.type)
            add(item.name, item.expr, ref)
        else:
            collect(item.expr)
    for root in _roots(program):
        collect(root)
    return Split(tuple(found.values()), ids)


@dataclass(frozen=True, slots=True)
class Graph:
    """Distinct nodes in dependency order; `reads[i]` are the node indices node i reads;
    `outputs` maps each market expression id to its node."""

    nodes: tuple[Expr, ...]
    reads: tuple[tuple[int, ...], ...]
    outputs: Mapping[str, int]


def build_graph(program: Program, split: Split) -> Graph:
    """The evaluation plan of the market-only sub-expressions of `split`."""
    nodes: list[Expr] = []
    reads: list[tuple[int, ...]] = []
    index: dict[Expr, int] = {}
    lets: dict[str, int] = {}

    def visit(expr: Expr) -> int:
        if isinstance(expr, LetRef):
            if expr.name not in lets:
                lets[expr.name] = visit(program.let(expr.name))
            return lets[expr.name]
        known = index.get(expr)
        if known is not None:
            return known
        read = tuple(visit(c) for c in inputs(expr))
        index[expr] = len(nodes)
        nodes.append(expr)
        reads.append(read)
        return index[expr]

    outputs = {m.id: visit(m.expr) for m in split.exprs}
    return Graph(tuple(nodes), tuple(reads), outputs)
