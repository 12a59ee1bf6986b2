"""Types of strategy-language values, and the unit algebra the checker applies to them.

A type has a *kind* (number, bool, time of day), a *shape* (scalar: one value for every bar and
symbol, known once parameters are bound; series: one value per bar and symbol), a *unit* for
numbers and whether the number is whole.

Units catch the mistakes traders actually make, nothing more:

* `plain`   a bare number (`10`, `volume`, `position`); it takes the unit of whatever it meets,
            so `close - 100` is a KRW price and `1 + 2%` is a percent.
* `percent` a fraction written with `%`: `2%` is 0.02 (`unrealized_pnl_pct`, `100% / n`).
* `points`  a 0-100 or percent-point scale (`rsi`, `stochastic`, `roc`): 5 means 5 %, so
            comparing it with `5%` (= 0.05) is an error.
* `KRW`     a price or an amount of won (`close`, `atr(14)`, `1_000_000 KRW`).

Adding, comparing or choosing between two different non-plain units is an error; multiplying
and dividing never are (a percent of a price is a price, a price over a price is plain).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Kind(StrEnum):
    NUMBER = "number"
    BOOL = "bool"
    TIME = "time"
    UNKNOWN = "unknown"  # not checked yet (parser output)
    ERROR = "error"  # already reported: every use of it is silently an error too


class Shape(StrEnum):
    SCALAR = "scalar"
    SERIES = "series"


class Unit(StrEnum):
    PLAIN = "plain"
    PERCENT = "percent"
    POINTS = "points"
    KRW = "KRW"


@dataclass(frozen=True, slots=True)
class Type:
    """The type of an expression; `integer` is meaningful for numbers only."""

    kind: Kind
    shape: Shape = Shape.SCALAR
    unit: Unit = Unit.PLAIN
    integer: bool = False

    @property
    def is_series(self) -> bool:
        return self.shape is Shape.SERIES

    @property
    def is_number(self) -> bool:
        return self.kind is Kind.NUMBER

    @property
    def is_error(self) -> bool:
        return self.kind is Kind.ERROR

    def __repr__(self) -> str:
        return f"Type({self})"

    def __str__(self) -> str:
        """Words for error messages: "series of numbers in KRW", "constant condition"."""
        unit = "" if self.unit is Unit.PLAIN else f" in {self.unit.value}"
        if self.kind is Kind.NUMBER:
            what = ("whole number" if self.integer else "number"), unit
        elif self.kind is Kind.BOOL:
            what = "condition", ""
        elif self.kind is Kind.TIME:
            what = "time of day", ""
        else:
            return self.kind.value
        if self.is_series:
            plural = "times of day" if self.kind is Kind.TIME else f"{what[0]}s"
            return f"series of {plural}{what[1]}"
        return f"constant {what[0]}{what[1]}"


UNKNOWN = Type(Kind.UNKNOWN)
ERROR = Type(Kind.ERROR)


def number(shape: Shape = Shape.SCALAR, unit: Unit = Unit.PLAIN, *, integer: bool = False) -> Type:
    return Type(Kind.NUMBER, shape, unit, integer)


def boolean(shape: Shape = Shape.SCALAR) -> Type:
    return Type(Kind.BOOL, shape)


def time_of_day(shape: Shape = Shape.SCALAR) -> Type:
    return Type(Kind.TIME, shape)


def join_shape(*types: Type) -> Shape:
    """Series when any operand is a series (scalars are broadcast over bars and symbols)."""
    return Shape.SERIES if any(t.is_series for t in types) else Shape.SCALAR


def common_unit(a: Unit, b: Unit) -> Unit | None:
    """The unit of `a + b`, `a < b` or `if c then a else b`; None when they cannot meet."""
    if a is b or b is Unit.PLAIN:
        return a
    if a is Unit.PLAIN:
        return b
    return None


def product_unit(a: Unit, b: Unit) -> Unit:
    """The unit of `a * b`: a plain factor or a percent keeps the other unit."""
    if a is Unit.PLAIN or (a is Unit.PERCENT and b is not Unit.PLAIN):
        return b
    if b is Unit.PLAIN or b is Unit.PERCENT:
        return a
    return Unit.PLAIN


def quotient_unit(a: Unit, b: Unit) -> Unit:
    """The unit of `a / b`: a ratio of like units is plain; dividing by plain or % keeps `a`."""
    if a is b:
        return Unit.PLAIN
    if b is Unit.PLAIN or b is Unit.PERCENT:
        return a
    return Unit.PLAIN
