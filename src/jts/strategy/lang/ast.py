"""The typed intermediate form of a strategy program: what both executors consume.

`compile_program(text)` returns a `Program`: immutable dataclasses, every expression node
carrying its source `span` (ignored by `==`) and its checked `type` (`typesys.Type`: kind
number/bool/time, shape scalar/series, unit, whole-number flag). Nothing here can reach
Python, files or the network; every loop an executor runs is bounded by the limits in
`limits.py`.

Expressions (`Expr`)
    Number(value, text, unit)    literal; `2%` is value 0.02 unit percent, `1_000 KRW` is 1000
    Bool(value)                  `true` / `false`
    TimeOfDay(minute, text)      `09:05` is minute 545 of the day (KST)
    ParamRef(name)               a parameter, bound per run: look it up in `Program.bindings`
    SeriesRef(name)              a built-in series (`close`, `position`, `time`, ...): see
                                 `builtins.SERIES` for each one's meaning
    LetRef(name)                 a named expression: `Program.let(name)`; evaluate once, share
    Unary(op, operand)           `-x`, `not c`
    Binary(op, left, right)      + - * / (x/0 is NaN), < <= > >= == != (false when either side
                                 is NaN), and, or
    Between(operand, low, high)  low <= operand <= high, both ends inclusive
    IfElse(condition, then, otherwise)
    Lookback(operand, bars)      operand `bars` bars ago; bars is a whole Number or ParamRef >= 0
    Call(name, args, output)     a function of `builtins.FUNCTIONS`: args are positional, in the
                                 table's order, defaults filled in; `output` picks one output of
                                 a multi-output indicator (`macd(...).signal`), else None

The parser also produces `Name`, `Field` and `KeywordArg`; the checker replaces all three, so
they never occur in a `Program`.

Program parts
    Param      name, default, integer, unit, optional low/high/step (the sweep), and the
               minimum/maximum its uses allow; `Program.bindings` holds the value of each
    Universe   kind all / markets / codes / index and its items (market names, 6-character
               codes as strings, or the index file *name*, which the runtime resolves)
    timeframe  an interval name of `jts.marketdata.schema`: "1m", "5m", ..., or "1d"
    Let        name = expr, in source order; later lets and rules may use earlier ones
    Rule       condition (a bool) and Action. Per symbol and bar, rules are tried in order and
               the first whose condition is true acts; NaN conditions are false
    Action     kind buy / sell / close / target, a Size and an Order. Positions are long
               only: a sell is capped at the shares held, a sell when flat does nothing
    Size       shares / krw / equity_percent (a fraction of equity to spend) / all /
               target_percent (the position to hold, as a fraction of equity); `amount` is
               None for all; share counts are floored to whole shares
    Order      market, or limit with a KRW price expression and the Rounding onto a valid KRX
               tick: down (buys), up (sells and close), nearest, or passive (target: down when
               it buys, up when it sells). Round the float price to whole won in the same
               direction, then `jts.krx.round_to_tick(price, mode=...)` with the day's table
    Exit       stop_loss / take_profit / trailing_stop, by a percent of the entry price (of the
               peak since entry, for trailing) or a KRW distance (e.g. `2 * atr(14)`, taken on
               the entry bar; on the current bar for trailing, whose level never moves down).
               Exits close the whole position at market and are checked before the rules
    Flat       close every position at the first bar starting at or after `minute`, or on the
               last bar of the day when `minute` is None
    Selection  rank the universe by `by` (NaN never selected; ties by code), keep the top or
               bottom `count`, re-ranked on the schedule (daily/weekly/monthly: the first bar
               of each period; every N bars); exposes `selected`, `rank` and `rebalancing`

`warmup.warmup_bars(program)` bounds the history any expression reads (over the whole sweep).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, replace
from enum import StrEnum

from jts.strategy.lang.errors import DslParamError, diagnostic
from jts.strategy.lang.expr import (
    NO_SPAN,
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
    Node,
    Number,
    ParamRef,
    SeriesRef,
    Span,
    TimeOfDay,
    Unary,
    UnaryOp,
)
from jts.strategy.lang.params import Param, ParamValue, dec, show

__all__ = [
    "NO_SPAN",
    "Action",
    "ActionKind",
    "Between",
    "Binary",
    "BinaryOp",
    "Bool",
    "Call",
    "Direction",
    "Exit",
    "ExitKind",
    "ExitMode",
    "Expr",
    "Field",
    "Flat",
    "IfElse",
    "KeywordArg",
    "Let",
    "LetRef",
    "Lookback",
    "Name",
    "Node",
    "Number",
    "Order",
    "OrderKind",
    "Param",
    "ParamRef",
    "ParamValue",
    "Program",
    "Rounding",
    "Rule",
    "ScheduleKind",
    "Selection",
    "SeriesRef",
    "Size",
    "SizeKind",
    "Span",
    "TimeOfDay",
    "Unary",
    "UnaryOp",
    "Universe",
    "UniverseKind",
    "dec",
    "show",
]


class UniverseKind(StrEnum):
    ALL = "all"
    MARKETS = "markets"
    CODES = "codes"
    INDEX = "index"


class ActionKind(StrEnum):
    BUY = "buy"
    SELL = "sell"
    CLOSE = "close"
    TARGET = "target"


class SizeKind(StrEnum):
    SHARES = "shares"
    KRW = "krw"
    EQUITY_PERCENT = "equity_percent"
    ALL = "all"
    TARGET_PERCENT = "target_percent"


class OrderKind(StrEnum):
    MARKET = "market"
    LIMIT = "limit"


class Rounding(StrEnum):
    DOWN = "down"
    UP = "up"
    NEAREST = "nearest"
    PASSIVE = "passive"


class ExitKind(StrEnum):
    STOP_LOSS = "stop_loss"
    TAKE_PROFIT = "take_profit"
    TRAILING_STOP = "trailing_stop"


class ExitMode(StrEnum):
    PERCENT = "percent"
    PRICE = "price"


class Direction(StrEnum):
    TOP = "top"
    BOTTOM = "bottom"


class ScheduleKind(StrEnum):
    DAILY = "daily"
    WEEKLY = "weekly"
    MONTHLY = "monthly"
    EVERY_N_BARS = "every_n_bars"


@dataclass(frozen=True, slots=True, kw_only=True)
class Universe:
    kind: UniverseKind
    items: tuple[str, ...] = ()
    span: Span = field(default=NO_SPAN, compare=False, repr=False)


@dataclass(frozen=True, slots=True, kw_only=True)
class Let:
    name: str
    expr: Expr
    span: Span = field(default=NO_SPAN, compare=False, repr=False)


@dataclass(frozen=True, slots=True, kw_only=True)
class Size:
    kind: SizeKind
    amount: Expr | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Order:
    kind: OrderKind = OrderKind.MARKET
    price: Expr | None = None
    rounding: Rounding | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Action:
    kind: ActionKind
    size: Size
    order: Order = Order()
    span: Span = field(default=NO_SPAN, compare=False, repr=False)


@dataclass(frozen=True, slots=True, kw_only=True)
class Rule:
    condition: Expr
    action: Action
    span: Span = field(default=NO_SPAN, compare=False, repr=False)


@dataclass(frozen=True, slots=True, kw_only=True)
class Exit:
    kind: ExitKind
    distance: Expr
    mode: ExitMode
    span: Span = field(default=NO_SPAN, compare=False, repr=False)


@dataclass(frozen=True, slots=True, kw_only=True)
class Flat:
    minute: int | None
    span: Span = field(default=NO_SPAN, compare=False, repr=False)


@dataclass(frozen=True, slots=True, kw_only=True)
class Selection:
    direction: Direction
    count: Expr
    by: Expr
    schedule: ScheduleKind
    every: Expr | None = None
    span: Span = field(default=NO_SPAN, compare=False, repr=False)


@dataclass(frozen=True, slots=True, kw_only=True)
class Program:
    """A checked program with one value bound to every parameter (see the module docstring)."""

    name: str
    universe: Universe
    timeframe: str
    rules: tuple[Rule, ...]
    description: str = ""
    version: str = ""
    params: tuple[Param, ...] = ()
    lets: tuple[Let, ...] = ()
    exits: tuple[Exit, ...] = ()
    flat: Flat | None = None
    selection: Selection | None = None
    bindings: tuple[tuple[str, ParamValue], ...] = ()
    source: str = field(default="", compare=False, repr=False)

    @property
    def param_values(self) -> dict[str, ParamValue]:
        """The value bound to each parameter, in declaration order."""
        return dict(self.bindings)

    @property
    def bar_minutes(self) -> int | None:
        """Minutes per bar, or None for daily bars."""
        return None if self.timeframe == "1d" else int(self.timeframe.removesuffix("m"))

    def param(self, name: str) -> Param:
        return next(p for p in self.params if p.name == name)

    def let(self, name: str) -> Expr:
        return next(item.expr for item in self.lets if item.name == name)

    def exit(self, kind: ExitKind) -> Exit | None:
        return next((e for e in self.exits if e.kind is kind), None)

    def grid_size(self) -> int:
        """Parameter sets `param_grid` yields: the product of the ranged params' counts."""
        return math.prod(p.sweep_count() for p in self.params)

    def param_grid(self) -> Iterator[dict[str, ParamValue]]:
        """Every combination of the ranged params' sweep values (the others as bound)."""
        bound = self.param_values
        axes = [p.sweep_values() if p.ranged else (bound[p.name],) for p in self.params]
        names = [p.name for p in self.params]
        for combo in itertools.product(*axes):
            yield dict(zip(names, combo, strict=True))

    def bind(self, overrides: Mapping[str, object]) -> Program:
        """This program with some parameters set; raises `DslParamError` naming each bad one.

        Values are checked against the declared range and the bounds the parameter's uses
        impose; an int parameter accepts only whole numbers (5.0 binds as 5).
        """
        known = {p.name: p for p in self.params}
        values = self.param_values
        problems = []
        for name, value in overrides.items():
            param = known.get(name)
            problem = "no such param" if param is None else param.problem(value)
            if param is None or problem is not None:
                span = param.span if param is not None else NO_SPAN
                message = f"param {name}: {problem}"
                if param is None:
                    message += f" (params: {', '.join(known) or 'none'})"
                problems.append(diagnostic(self.source, span.line, span.column, message))
                continue
            assert isinstance(value, int | float)
            values[name] = param.cast(value)
        if problems:
            raise DslParamError(problems)
        return replace(self, bindings=tuple(values.items()))
