"""Statements as the parser reads them, before checking (`parser.parse` returns a `Module`).

Expressions inside are `expr` nodes of type `UNKNOWN` and may still contain `Name`, `Field`
and `KeywordArg`; the checker turns a `Module` into a `Program` (see `ast`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from jts.strategy.lang.ast import (
    Action,
    Direction,
    ExitKind,
    ScheduleKind,
    Universe,
)
from jts.strategy.lang.expr import NO_SPAN, Expr, Span, TimeOfDay


@dataclass(frozen=True, slots=True, kw_only=True)
class StrategyDecl:
    name: str
    span: Span = field(default=NO_SPAN, compare=False)


@dataclass(frozen=True, slots=True, kw_only=True)
class MetaDecl:
    key: str  # "description" or "version"
    value: str
    span: Span = field(default=NO_SPAN, compare=False)


@dataclass(frozen=True, slots=True, kw_only=True)
class ParamDecl:
    name: str
    default: Expr
    low: Expr | None = None
    high: Expr | None = None
    step: Expr | None = None
    span: Span = field(default=NO_SPAN, compare=False)


@dataclass(frozen=True, slots=True, kw_only=True)
class UniverseDecl:
    universe: Universe
    span: Span = field(default=NO_SPAN, compare=False)


@dataclass(frozen=True, slots=True, kw_only=True)
class TimeframeDecl:
    minutes: int | None  # None for `day`
    text: str
    span: Span = field(default=NO_SPAN, compare=False)


@dataclass(frozen=True, slots=True, kw_only=True)
class LetDecl:
    name: str
    expr: Expr
    span: Span = field(default=NO_SPAN, compare=False)


@dataclass(frozen=True, slots=True, kw_only=True)
class RuleDecl:
    condition: Expr
    action: Action
    span: Span = field(default=NO_SPAN, compare=False)


@dataclass(frozen=True, slots=True, kw_only=True)
class ExitDecl:
    kind: ExitKind
    distance: Expr
    span: Span = field(default=NO_SPAN, compare=False)


@dataclass(frozen=True, slots=True, kw_only=True)
class FlatDecl:
    time: TimeOfDay | None  # None for `flat at end of day`
    span: Span = field(default=NO_SPAN, compare=False)


@dataclass(frozen=True, slots=True, kw_only=True)
class SelectDecl:
    direction: Direction
    count: Expr
    by: Expr
    schedule: ScheduleKind
    every: Expr | None = None
    span: Span = field(default=NO_SPAN, compare=False)


Statement = (
    StrategyDecl
    | MetaDecl
    | ParamDecl
    | UniverseDecl
    | TimeframeDecl
    | LetDecl
    | RuleDecl
    | ExitDecl
    | FlatDecl
    | SelectDecl
)


@dataclass(frozen=True, slots=True)
class Module:
    """A parsed program: its statements in source order."""

    statements: tuple[Statement, ...]
