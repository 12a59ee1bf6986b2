"""Typing expressions: resolve names, check kinds, shapes, units and call signatures.

`ExprChecker.check` returns the typed copy of an expression; every problem is reported to the
shared `Env` and the faulty node gets the `ERROR` type, which silences follow-on errors about
the same node. Recursion is bounded by the parser's depth limit.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

from jts.strategy.lang.builtins import FUNCTIONS, SERIES, Series
from jts.strategy.lang.callcheck import CallChecker
from jts.strategy.lang.env import Env, suggest
from jts.strategy.lang.expr import (
    Between,
    Binary,
    BinaryOp,
    Bool,
    Call,
    Expr,
    Field,
    IfElse,
    KeywordArg,
    LetRef,
    Lookback,
    Name,
    Number,
    ParamRef,
    SeriesRef,
    Span,
    TimeOfDay,
    Unary,
    UnaryOp,
)
from jts.strategy.lang.limits import MAX_LOOKBACK
from jts.strategy.lang.params import Param
from jts.strategy.lang.typesys import (
    ERROR,
    Kind,
    Shape,
    Type,
    Unit,
    boolean,
    common_unit,
    join_shape,
    number,
    product_unit,
    quotient_unit,
    time_of_day,
)

__all__ = ["Env", "ExprChecker", "param_type"]


class ExprChecker:
    """Types expressions against an `Env`; `nodes` counts every node seen (a size limit)."""

    def __init__(self, env: Env) -> None:
        self.env = env
        self.nodes = 0
        self.used_selection = False
        self.forbid_selection = False
        self.calls = CallChecker(self)

    def check(self, expr: Expr) -> Expr:
        self.nodes += 1
        return _HANDLERS[type(expr)](self, expr)

    def error(self, node: Expr | Span, message: str) -> None:
        self.env.error(node if isinstance(node, Span) else node.span, message)

    # leaves

    def _number(self, e: Number) -> Expr:
        integer = isinstance(e.value, int)
        if e.unit is Unit.KRW and not integer:
            self.error(e, f"{e.text} is not whole: KRW amounts are whole won")
        return replace(e, type=number(Shape.SCALAR, e.unit, integer=integer))

    def _bool(self, e: Bool) -> Expr:
        return replace(e, type=boolean())

    def _time(self, e: TimeOfDay) -> Expr:
        if int(e.text[:2]) > 23 or int(e.text[3:]) > 59:
            self.error(e, f"{e.text} is not a time of day (00:00 to 23:59)")
            return replace(e, type=ERROR)
        return replace(e, type=time_of_day())

    def _name(self, e: Name) -> Expr:
        env, name = self.env, e.name
        if name in env.lets:
            if env.let_uses_selection.get(name, False):
                self.used_selection = True
                if self.forbid_selection:
                    self.error(e, f"the ranking cannot use '{name}': it uses the selection")
                    return replace(e, type=ERROR)
            return LetRef(name=name, span=e.span, type=env.lets[name])
        param = env.params.get(name)
        if param is not None:
            return ParamRef(name=name, span=e.span, type=param_type(param))
        series = SERIES.get(name)
        if series is not None:
            return self._series(e, series)
        if name in env.let_lines:
            self.error(e, f"'{name}' is used before its let on line {env.let_lines[name]}")
        elif name in FUNCTIONS:
            self.error(e, f"'{name}' is a function: call it, e.g. {FUNCTIONS[name].signature()}")
        else:
            known = [*env.lets, *env.params, *SERIES]
            self.error(e, f"unknown name '{name}'{suggest(name, known)}")
        return replace(e, type=ERROR)

    def _series(self, e: Name, series: Series) -> Expr:
        if series.requires == "select":
            self.used_selection = True
            if not self.env.has_selection:
                self.error(e, f"'{e.name}' needs a `select top N by ...` statement")
                return replace(e, type=ERROR)
            if self.forbid_selection:
                self.error(e, f"the ranking cannot use '{e.name}', which it defines")
                return replace(e, type=ERROR)
        if series.requires == "intraday" and not self.env.intraday:
            self.error(e, f"'{e.name}' needs an intraday timeframe (timeframe 1m, 5m, ...)")
            return replace(e, type=ERROR)
        return SeriesRef(name=e.name, span=e.span, type=series.type)

    # operators

    def _unary(self, e: Unary) -> Expr:
        operand = self.check(e.operand)
        t = operand.type
        result = replace(e, operand=operand, type=ERROR)
        if t.is_error:
            return result
        if e.op is UnaryOp.NEG:
            if not t.is_number:
                self.error(e, f"'-' needs a number, not a {t}")
                return result
            return replace(result, type=t)
        if t.kind is not Kind.BOOL:
            self.error(e, f"'not' needs a condition, not a {t}")
            return result
        return replace(result, type=t)

    def _binary(self, e: Binary) -> Expr:
        left, right = self.check(e.left), self.check(e.right)
        node = replace(e, left=left, right=right, type=ERROR)
        lt, rt = left.type, right.type
        if lt.is_error or rt.is_error:
            return node
        if e.op.is_logical:
            if lt.kind is not Kind.BOOL or rt.kind is not Kind.BOOL:
                bad = lt if lt.kind is not Kind.BOOL else rt
                self.error(e, f"'{e.op.value}' joins conditions, not a {bad}")
                return node
            return replace(node, type=boolean(join_shape(lt, rt)))
        if e.op.is_arithmetic:
            return replace(node, type=self._arithmetic(e, lt, rt))
        if not self._comparable(e, e.op, lt, rt):
            return node
        return replace(node, type=boolean(join_shape(lt, rt)))

    def _arithmetic(self, e: Binary, lt: Type, rt: Type) -> Type:
        if not lt.is_number or not rt.is_number:
            bad = lt if not lt.is_number else rt
            self.error(e, f"'{e.op.value}' needs numbers, not a {bad}")
            return ERROR
        if e.op in (BinaryOp.ADD, BinaryOp.SUB):
            unit = common_unit(lt.unit, rt.unit)
            if unit is None:
                self.env.unit_error(e.span, "add or subtract", lt.unit, rt.unit)
                return ERROR
        elif e.op is BinaryOp.MUL:
            unit = product_unit(lt.unit, rt.unit)
        else:
            unit = quotient_unit(lt.unit, rt.unit)
        integer = lt.integer and rt.integer and e.op is not BinaryOp.DIV
        return number(join_shape(lt, rt), unit, integer=integer)

    def _comparable(self, e: Expr, op: BinaryOp | None, lt: Type, rt: Type) -> bool:
        if lt.kind is not rt.kind or (
            lt.kind is Kind.BOOL and op not in (BinaryOp.EQ, BinaryOp.NE)
        ):
            self.error(e, f"cannot compare a {lt} with a {rt}")
            return False
        if lt.is_number and common_unit(lt.unit, rt.unit) is None:
            self.env.unit_error(e.span, "compare", lt.unit, rt.unit)
            return False
        return True

    def _between(self, e: Between) -> Expr:
        operand, low, high = self.check(e.operand), self.check(e.low), self.check(e.high)
        node = replace(e, operand=operand, low=low, high=high, type=ERROR)
        types = (operand.type, low.type, high.type)
        if any(t.is_error for t in types):
            return node
        if not self._comparable(e, None, types[0], types[1]):
            return node
        if not self._comparable(e, None, types[0], types[2]):
            return node
        return replace(node, type=boolean(join_shape(*types)))

    def _if_else(self, e: IfElse) -> Expr:
        cond, then, other = self.check(e.condition), self.check(e.then), self.check(e.otherwise)
        node = replace(e, condition=cond, then=then, otherwise=other, type=ERROR)
        ct, tt, ot = cond.type, then.type, other.type
        if ct.is_error or tt.is_error or ot.is_error:
            return node
        if ct.kind is not Kind.BOOL:
            self.error(cond, f"the condition after 'if' must be a condition, not a {ct}")
            return node
        unit = common_unit(tt.unit, ot.unit)
        if tt.kind is not ot.kind or unit is None:
            self.error(e, f"'then' gives a {tt} but 'else' gives a {ot}")
            return node
        shape = join_shape(ct, tt, ot)
        return replace(node, type=Type(tt.kind, shape, unit, tt.integer and ot.integer))

    def _lookback(self, e: Lookback) -> Expr:
        operand = self.check(e.operand)
        bars = self.count(e.bars, "a lookback", 0, MAX_LOOKBACK)
        node = replace(e, operand=operand, bars=bars, type=ERROR)
        if operand.type.is_error:
            return node
        if not operand.type.is_series:
            self.error(e, f"[n] looks back along a series; this is a {operand.type}")
            return node
        return replace(node, type=operand.type)

    # calls

    def _field(self, e: Field) -> Expr:
        if not isinstance(e.operand, Call):
            self.check(e.operand)
            self.error(e, f"'.{e.name}' picks an output of macd, bollinger or stochastic")
            return replace(e, type=ERROR)
        return self.calls.call(e.operand, output=e.name, span=e.span)

    def _call(self, e: Call) -> Expr:
        return self.calls.call(e)

    def count(self, arg: Expr, what: str, low: int, high: int) -> Expr:
        """A whole-number literal or int param within low..high (periods, lookbacks, top N)."""
        return self.calls.count(arg, what, low, high)


def param_type(param: Param) -> Type:
    """The type of a reference to `param`: a constant number in its unit."""
    return number(Shape.SCALAR, param.unit, integer=param.integer)


def _unexpected(checker: ExprChecker, e: Any) -> Expr:
    checker.error(e, "a name=value argument only goes inside a call")
    return replace(e, type=ERROR)  # type: ignore[no-any-return]


_HANDLERS: dict[type, Callable[[ExprChecker, Any], Expr]] = {
    Number: ExprChecker._number,
    Bool: ExprChecker._bool,
    TimeOfDay: ExprChecker._time,
    Name: ExprChecker._name,
    Unary: ExprChecker._unary,
    Binary: ExprChecker._binary,
    Between: ExprChecker._between,
    IfElse: ExprChecker._if_else,
    Lookback: ExprChecker._lookback,
    Field: ExprChecker._field,
    Call: ExprChecker._call,
    KeywordArg: _unexpected,
    ParamRef: lambda c, e: e,
    SeriesRef: lambda c, e: e,
    LetRef: lambda c, e: e,
}
