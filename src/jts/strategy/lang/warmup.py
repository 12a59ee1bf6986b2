"""How much history a program reads: the bars an executor must load before the first signal.

`warmup_bars(program)` is an upper bound over the whole sweep: ranged params count at the top
of their range, others at their bound value. It adds up along nested calls and lookbacks
(`sma(close[5], 20)` reads 5 + 19 bars back).
"""

from __future__ import annotations

from jts.strategy.lang.ast import Program
from jts.strategy.lang.builtins import FUNCTIONS, ArgKind
from jts.strategy.lang.expr import (
    Between,
    Binary,
    Call,
    Expr,
    IfElse,
    LetRef,
    Lookback,
    Number,
    ParamRef,
    Unary,
)


def warmup_bars(program: Program) -> int:
    """Bars of history needed before every expression of `program` can be defined."""
    top = {
        p.name: p.high if p.ranged and p.high is not None else program.param_values[p.name]
        for p in program.params
    }
    lets: dict[str, int] = {}
    for item in program.lets:
        lets[item.name] = _history(item.expr, top, lets)
    exprs: list[Expr] = [r.condition for r in program.rules]
    for rule in program.rules:
        exprs += [e for e in (rule.action.size.amount, rule.action.order.price) if e is not None]
    exprs += [e.distance for e in program.exits]
    if program.selection is not None:
        exprs.append(program.selection.by)
    return max((_history(e, top, lets) for e in exprs), default=0)


def _value(expr: Expr, top: dict[str, int | float]) -> int:
    if isinstance(expr, Number):
        return int(expr.value)
    if isinstance(expr, ParamRef):
        return int(top[expr.name])
    return 0


def _history(expr: Expr, top: dict[str, int | float], lets: dict[str, int]) -> int:
    if isinstance(expr, LetRef):
        return lets.get(expr.name, 0)
    if isinstance(expr, Lookback):
        return _history(expr.operand, top, lets) + _value(expr.bars, top)
    if isinstance(expr, Call):
        fn = FUNCTIONS[expr.name]
        periods = {
            spec.name: _value(arg, top)
            for spec, arg in zip(fn.args, expr.args, strict=True)
            if spec.kind in (ArgKind.PERIOD, ArgKind.CONST)
        }
        inner = [
            _history(arg, top, lets)
            for spec, arg in zip(fn.args, expr.args, strict=True)
            if spec.kind in (ArgKind.SERIES, ArgKind.VALUE, ArgKind.CONDITION)
        ]
        return max(inner, default=0) + fn.warmup(periods)
    children: tuple[Expr, ...] = ()
    if isinstance(expr, Unary):
        children = (expr.operand,)
    elif isinstance(expr, Binary):
        children = (expr.left, expr.right)
    elif isinstance(expr, Between):
        children = (expr.operand, expr.low, expr.high)
    elif isinstance(expr, IfElse):
        children = (expr.condition, expr.then, expr.otherwise)
    return max((_history(c, top, lets) for c in children), default=0)
