"""Typing calls of built-in functions, and the compile-time arguments (periods, counts).

A call's arguments are bound to the row of `builtins.FUNCTIONS` (positional, then name=value,
then defaults), each checked by its kind; a period must be a literal or a param whose whole
range fits the allowed bounds, which are then recorded on the param for later overrides.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from jts.strategy.lang.builtins import FUNCTIONS, SERIES, Arg, ArgKind, Function
from jts.strategy.lang.env import Env, suggest, whole_number
from jts.strategy.lang.expr import Call, Expr, KeywordArg, Name, Number, ParamRef, Span, Unary
from jts.strategy.lang.params import show
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
)

if TYPE_CHECKING:
    from jts.strategy.lang.exprcheck import ExprChecker


class CallChecker:
    """Checks calls and compile-time arguments for an `ExprChecker` (which it recurses into)."""

    def __init__(self, exprs: ExprChecker) -> None:
        self.exprs = exprs
        self.env: Env = exprs.env

    def check(self, expr: Expr) -> Expr:
        return self.exprs.check(expr)

    def error(self, node: Expr | Span, message: str) -> None:
        self.env.error(node if isinstance(node, Span) else node.span, message)

    def call(self, e: Call, *, output: str | None = None, span: Span | None = None) -> Expr:
        """A typed call: arguments bound by the table, `output` picked (`macd(...).signal`)."""
        fn = FUNCTIONS.get(e.name)
        if fn is None:
            for arg in e.args:
                self.check(arg.value if isinstance(arg, KeywordArg) else arg)
            what = "a series, not a function" if e.name in SERIES else "not a function"
            if e.name not in SERIES:
                what += suggest(e.name, list(FUNCTIONS))
            self.error(e, f"'{e.name}' is {what}")
            return replace(e, type=ERROR)
        args = self._bind_args(fn, e)
        typed = tuple(self._arg(fn, spec, arg) for spec, arg in zip(fn.args, args, strict=True))
        node = Call(name=fn.name, args=typed, output=output, span=span or e.span, type=ERROR)
        if not self._output_ok(fn, output, node.span) or any(a.type.is_error for a in typed):
            return node
        result = self._result_type(fn, node)
        return replace(node, type=result)

    def _bind_args(self, fn: Function, e: Call) -> list[Expr]:
        """Arguments in the table's order, defaults filled; problems reported, never raised."""
        names = [a.name for a in fn.args]
        given: dict[str, Expr] = {}
        positional = [a for a in e.args if not isinstance(a, KeywordArg)]
        if len(positional) > len(fn.args):
            self.error(e, f"too many arguments: {fn.signature()}")
        if any(isinstance(a, KeywordArg) for a in e.args[: len(positional)]):
            self.error(e, "positional arguments must come before name=value ones")
        given.update(zip(names, positional, strict=False))
        for arg in e.args:
            if not isinstance(arg, KeywordArg):
                continue
            if arg.name not in names:
                self.error(arg, f"{fn.name} has no argument '{arg.name}': {fn.signature()}")
            elif arg.name in given:
                self.error(arg, f"argument '{arg.name}' is given twice")
            else:
                given[arg.name] = arg.value
        return [
            given[spec.name] if spec.name in given else self._default(fn, spec, e)
            for spec in fn.args
        ]

    def _default(self, fn: Function, spec: Arg, e: Call) -> Expr:
        if spec.default is None:
            self.error(e, f"{fn.name} needs its argument '{spec.name}': {fn.signature()}")
            return Number(value=0, text="0", span=e.span, type=ERROR)
        text = str(spec.default) if isinstance(spec.default, int) else repr(spec.default)
        return Number(value=spec.default, text=text, span=e.span)

    def _arg(self, fn: Function, spec: Arg, arg: Expr) -> Expr:
        if arg.type.is_error:
            return arg
        what = f"{fn.name}'s {spec.name}"
        if spec.kind is ArgKind.PERIOD:
            return self.count(arg, what, int(spec.minimum), int(spec.maximum))
        if spec.kind is ArgKind.CONST:
            return self.constant(arg, what, spec.minimum)
        typed = self.check(arg)
        t = typed.type
        if t.is_error:
            return typed
        if spec.kind is ArgKind.CONDITION:
            if t.kind is Kind.BOOL:
                return typed
            self.error(arg, f"{what} must be a condition, not a {t}")
        elif not t.is_number:
            self.error(arg, f"{what} must be a number, not a {t}")
        elif spec.kind is ArgKind.SERIES and not t.is_series:
            self.error(arg, f"{what} must be a series such as close, not a {t}")
        else:
            return typed
        return replace(typed, type=ERROR)

    def _output_ok(self, fn: Function, output: str | None, span: Span) -> bool:
        if fn.outputs and output is None:
            picks = ", ".join(f".{o}" for o in fn.outputs)
            self.error(span, f"{fn.name} has several outputs: pick one with {picks}")
        elif fn.outputs and output not in fn.outputs:
            self.error(span, f"{fn.name} has no output '{output}': {fn.signature()}")
        elif not fn.outputs and output is not None:
            self.error(span, f"{fn.name} has a single output: remove '.{output}'")
        else:
            return True
        return False

    def _result_type(self, fn: Function, node: Call) -> Type:
        values = [a.type for spec, a in zip(fn.args, node.args, strict=True) if _is_value(spec)]
        unit = fn.unit if fn.unit is not None else (values[0].unit if values else Unit.PLAIN)
        if len(values) == 2:
            joined = common_unit(values[0].unit, values[1].unit)
            if joined is None:
                self.env.unit_error(
                    node.span, f"use {fn.name} with", values[0].unit, values[1].unit
                )
                return ERROR
            unit = joined if fn.unit is None else fn.unit
        if fn.category == "math":
            integer = all(t.integer for t in values)
            return number(join_shape(*values), unit, integer=integer)
        if fn.result is Kind.BOOL:
            return boolean(Shape.SERIES)
        return number(Shape.SERIES, unit)

    # compile-time arguments

    def count(self, arg: Expr, what: str, low: int, high: int) -> Expr:
        """A whole-number literal or int param within low..high (periods, lookbacks, top N)."""
        return self._compile_time(arg, what, low, high, integer=True)

    def constant(self, arg: Expr, what: str, low: float) -> Expr:
        """A number literal or param of at least `low` (bollinger's k)."""
        return self._compile_time(arg, what, low, None, integer=False)

    def _compile_time(
        self, arg: Expr, what: str, low: float, high: float | None, *, integer: bool
    ) -> Expr:
        kind = "a whole number" if integer else "a number"
        if isinstance(arg, Unary) and isinstance(arg.operand, Number):
            self.error(arg, f"{what} must be at least {whole_number(low)}, not -{arg.operand.text}")
            return replace(arg, type=ERROR)
        if not isinstance(arg, Number | Name) or (
            isinstance(arg, Name) and (arg.name not in self.env.params)
        ):
            self.check(arg)
            given = (
                f"; '{arg.name}' is not a param" if isinstance(arg, Name) else ", not an expression"
            )
            self.error(arg, f"{what} must be {kind} or a param name{given}")
            return replace(arg, type=ERROR)
        typed = self.check(arg)
        t = typed.type
        if t.is_error:
            return typed
        if t.unit is not Unit.PLAIN or (integer and not t.integer):
            self.error(arg, f"{what} must be {kind} without a unit, not a {t}")
            return replace(typed, type=ERROR)
        lo, hi = self._value_range(typed)
        if lo < low or (high is not None and hi > high):
            allowed = f"{whole_number(low)}..{whole_number(high)}" if high else f">= {low:g}"
            given = show(lo) if lo == hi else f"{show(lo)}..{show(hi)}"
            self.error(arg, f"{what} must be {allowed}, not {given}")
            return replace(typed, type=ERROR)
        if isinstance(typed, ParamRef):
            self._bound_param(typed.name, low, high)
        return typed

    def _value_range(self, node: Expr) -> tuple[float, float]:
        if isinstance(node, Number):
            return node.value, node.value
        assert isinstance(node, ParamRef)
        param = self.env.params[node.name]
        if param.low is not None and param.high is not None:
            return param.low, param.high
        return param.default, param.default

    def _bound_param(self, name: str, low: float, high: float | None) -> None:
        old_low, old_high = self.env.param_bounds.get(name, (low, float("inf")))
        new_high = min(old_high, high if high is not None else float("inf"))
        self.env.param_bounds[name] = (max(old_low, low), new_high)


def _is_value(spec: Arg) -> bool:
    return spec.kind in (ArgKind.SERIES, ArgKind.VALUE)
