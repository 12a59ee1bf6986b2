"""Expression nodes of the typed intermediate form (documented in `jts.strategy.lang.ast`).

Every node is a frozen dataclass with a `span` (where it is in the source; ignored by `==`) and
a `type` (`UNKNOWN` in parser output, checked by the checker).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from jts.strategy.lang.typesys import UNKNOWN, Type, Unit


@dataclass(frozen=True, slots=True)
class Span:
    """Where a node starts and ends in the source (1-based; `end_column` is exclusive)."""

    line: int
    column: int
    end_line: int
    end_column: int


NO_SPAN = Span(0, 0, 0, 0)


class UnaryOp(StrEnum):
    NEG = "-"
    NOT = "not"


class BinaryOp(StrEnum):
    ADD = "+"
    SUB = "-"
    MUL = "*"
    DIV = "/"
    LT = "<"
    LE = "<="
    GT = ">"
    GE = ">="
    EQ = "=="
    NE = "!="
    AND = "and"
    OR = "or"

    @property
    def is_arithmetic(self) -> bool:
        return self in (BinaryOp.ADD, BinaryOp.SUB, BinaryOp.MUL, BinaryOp.DIV)

    @property
    def is_logical(self) -> bool:
        return self in (BinaryOp.AND, BinaryOp.OR)

    @property
    def is_comparison(self) -> bool:
        return not (self.is_arithmetic or self.is_logical)


@dataclass(frozen=True, slots=True, kw_only=True)
class Node:
    span: Span = field(default=NO_SPAN, compare=False, repr=False)
    type: Type = UNKNOWN


@dataclass(frozen=True, slots=True, kw_only=True)
class Number(Node):
    value: int | float
    text: str
    unit: Unit = Unit.PLAIN


@dataclass(frozen=True, slots=True, kw_only=True)
class Bool(Node):
    value: bool


@dataclass(frozen=True, slots=True, kw_only=True)
class TimeOfDay(Node):
    minute: int
    text: str


@dataclass(frozen=True, slots=True, kw_only=True)
class Name(Node):
    """Parser output only: a name not yet resolved to a param, series or let."""

    name: str


@dataclass(frozen=True, slots=True, kw_only=True)
class ParamRef(Node):
    name: str


@dataclass(frozen=True, slots=True, kw_only=True)
class SeriesRef(Node):
    name: str


@dataclass(frozen=True, slots=True, kw_only=True)
class LetRef(Node):
    name: str


@dataclass(frozen=True, slots=True, kw_only=True)
class Unary(Node):
    op: UnaryOp
    operand: Expr


@dataclass(frozen=True, slots=True, kw_only=True)
class Binary(Node):
    op: BinaryOp
    left: Expr
    right: Expr


@dataclass(frozen=True, slots=True, kw_only=True)
class Between(Node):
    operand: Expr
    low: Expr
    high: Expr


@dataclass(frozen=True, slots=True, kw_only=True)
class IfElse(Node):
    condition: Expr
    then: Expr
    otherwise: Expr


@dataclass(frozen=True, slots=True, kw_only=True)
class Lookback(Node):
    operand: Expr
    bars: Expr


@dataclass(frozen=True, slots=True, kw_only=True)
class Call(Node):
    name: str
    args: tuple[Expr, ...] = ()
    output: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class KeywordArg(Node):
    """Parser output only: `name = value` inside a call."""

    name: str
    value: Expr


@dataclass(frozen=True, slots=True, kw_only=True)
class Field(Node):
    """Parser output only: `operand.name`; the checker folds it into `Call.output`."""

    operand: Expr
    name: str


Expr = (
    Number
    | Bool
    | TimeOfDay
    | Name
    | ParamRef
    | SeriesRef
    | LetRef
    | Unary
    | Binary
    | Between
    | IfElse
    | Lookback
    | Call
    | KeywordArg
    | Field
)
