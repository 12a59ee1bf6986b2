"""Checking declarations: names, parameters, universe, timeframe and quoted strings.

Each function reports problems to the `Env` and returns the checked value, or None when the
declaration is unusable (the program then fails with every problem listed).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from jts.strategy.lang.ast import Param, ParamValue, Universe, UniverseKind, show
from jts.strategy.lang.builtins import FUNCTIONS, SERIES
from jts.strategy.lang.env import Env
from jts.strategy.lang.expr import Expr, Number, Span, Unary, UnaryOp
from jts.strategy.lang.limits import (
    MAX_CODES,
    MAX_GRID_POINTS,
    MAX_INTERVAL_MINUTES,
    MAX_NAME_CHARS,
    MAX_STRING_CHARS,
)
from jts.strategy.lang.parser import keywords
from jts.strategy.lang.syntax import ParamDecl, TimeframeDecl
from jts.strategy.lang.typesys import Unit

_INDEX_FILE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.\-]*")
_DEFAULT_STEPS = {Unit.PLAIN: 1, Unit.PERCENT: 0.01, Unit.KRW: 1, Unit.POINTS: 1}


def check_name(env: Env, name: str, span: Span, what: str) -> bool:
    """A `param`/`let` name must not be a keyword, a built-in or too long."""
    if name in keywords():
        env.error(span, f"'{name}' is a keyword of the language; choose another {what} name")
    elif name in SERIES or name in FUNCTIONS:
        kind = "series" if name in SERIES else "function"
        env.error(span, f"'{name}' is a built-in {kind}; choose another {what} name")
    elif len(name) > MAX_NAME_CHARS:
        env.error(span, f"{what} name longer than {MAX_NAME_CHARS} characters")
    else:
        return True
    return False


def check_string(env: Env, value: str, span: Span, what: str) -> str:
    if len(value) > MAX_STRING_CHARS:
        env.error(span, f"{what} longer than {MAX_STRING_CHARS} characters")
    return value


@dataclass(frozen=True, slots=True)
class _Literal:
    value: ParamValue
    unit: Unit
    integer: bool


def _literal(env: Env, expr: Expr | None, what: str) -> _Literal | None:
    """A (possibly negative) number literal, as written in a `param` line."""
    if expr is None:
        return None
    sign, node = 1, expr
    if isinstance(node, Unary) and node.op is UnaryOp.NEG:
        sign, node = -1, node.operand
    if not isinstance(node, Number):
        env.error(expr.span, f"{what} must be a number like 5, 2.5, 3% or 1_000_000 KRW")
        return None
    if node.unit is Unit.KRW and not isinstance(node.value, int):
        env.error(expr.span, f"{node.text} is not whole: KRW amounts are whole won")
        return None
    return _Literal(sign * node.value, node.unit, isinstance(node.value, int))


def check_param(env: Env, decl: ParamDecl) -> Param | None:
    """Default, range and step of one `param` line; None when any part is wrong."""
    errors = len(env.diagnostics)
    check_name(env, decl.name, decl.span, "param")
    default = _literal(env, decl.default, f"the default of {decl.name}")
    low = _literal(env, decl.low, f"the range start of {decl.name}")
    high = _literal(env, decl.high, f"the range end of {decl.name}")
    step = _literal(env, decl.step, f"the step of {decl.name}")
    if default is None or len(env.diagnostics) > errors:
        return None
    parts = [p for p in (low, high, step) if p is not None]
    if any(p.unit is not default.unit for p in parts):
        env.error(decl.span, f"the range of {decl.name} must be written in the default's unit")
        return None
    integer = default.integer and all(p.integer for p in parts)
    step_value = step.value if step else _DEFAULT_STEPS[default.unit] if low else None
    param = Param(
        name=decl.name,
        default=_cast(default.value, integer),
        integer=integer,
        unit=default.unit,
        low=_cast(low.value, integer) if low else None,
        high=_cast(high.value, integer) if high else None,
        step=_cast(step_value, integer) if step_value is not None else None,
        span=decl.span,
    )
    return param if _range_ok(env, param) else None


def _cast(value: ParamValue, integer: bool) -> ParamValue:
    return int(value) if integer else float(value)


def _range_ok(env: Env, p: Param) -> bool:
    if p.low is None or p.high is None or p.step is None:
        return True
    problem = None
    if p.step <= 0:
        problem = f"the step of {p.name} must be above 0"
    elif p.low > p.high:
        problem = f"the range {show(p.low)}..{show(p.high)} of {p.name} runs backwards"
    elif not p.low <= p.default <= p.high:
        problem = f"the default {show(p.default)} of {p.name} is outside its range"
    elif p.sweep_count() > MAX_GRID_POINTS:
        problem = f"{p.name} sweeps {p.sweep_count():,} values (at most {MAX_GRID_POINTS:,})"
    elif not p.on_grid(p.default):
        problem = f"the default {show(p.default)} of {p.name} is not one of its sweep values"
    if problem:
        env.error(p.span, problem)
    return problem is None


def check_universe(env: Env, universe: Universe) -> Universe:
    items = universe.items
    duplicates = sorted({i for i in items if items.count(i) > 1})
    if duplicates:
        env.error(universe.span, f"listed twice in the universe: {', '.join(duplicates)}")
    if universe.kind is UniverseKind.CODES and len(items) > MAX_CODES:
        env.error(universe.span, f"over {MAX_CODES:,} codes in the universe")
    if universe.kind is UniverseKind.INDEX:
        name = items[0]
        if not _INDEX_FILE.fullmatch(name) or ".." in name or len(name) > 100:
            env.error(
                universe.span,
                f'"{name}" is not a plain file name like "kospi200.csv" (no folders; the'
                " runtime finds the file)",
            )
    return universe


def check_timeframe(env: Env, decl: TimeframeDecl) -> str:
    """The interval name used by `jts.marketdata.schema`: "5m", or "1d" for `day`."""
    if decl.minutes is None:
        return "1d"
    if not 1 <= decl.minutes <= MAX_INTERVAL_MINUTES:
        env.error(
            decl.span, f"bars of {decl.text} are not supported: use 1m to {MAX_INTERVAL_MINUTES}m"
        )
    return f"{decl.minutes}m"
