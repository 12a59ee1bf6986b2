"""Text → `syntax.Module`: lark parses, a non-recursive transformer builds the nodes.

Both passes are iterative, so no input can exhaust the Python stack; the builder refuses
expressions nested deeper than `limits.MAX_DEPTH`, which bounds the recursion of every later
pass (checker, printer, executors). Every failure is a `DslSyntaxError` with the position and,
for unexpected input, the expected tokens in words.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from functools import cache
from typing import Any

from lark import Lark, Token
from lark.exceptions import UnexpectedInput, VisitError
from lark.lexer import PatternStr
from lark.tree import Meta
from lark.visitors import Transformer_NonRecursive, v_args

from jts.strategy.lang import syntax as s
from jts.strategy.lang.ast import (
    Action,
    ActionKind,
    Direction,
    ExitKind,
    Order,
    OrderKind,
    Rounding,
    ScheduleKind,
    Size,
    SizeKind,
    Universe,
    UniverseKind,
)
from jts.strategy.lang.errors import DslError, DslSyntaxError, diagnostic
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
    Lookback,
    Name,
    Number,
    Span,
    TimeOfDay,
    Unary,
    UnaryOp,
)
from jts.strategy.lang.grammar import GRAMMAR
from jts.strategy.lang.limits import MAX_DEPTH, MAX_NUMBER, MAX_NUMBER_DIGITS, MAX_SOURCE_CHARS
from jts.strategy.lang.syntax_errors import syntax_error
from jts.strategy.lang.typesys import Unit


@cache
def _lark() -> Lark:
    return Lark(
        GRAMMAR,
        parser="lalr",
        lexer="contextual",
        propagate_positions=True,
        maybe_placeholders=True,
    )


@cache
def keywords() -> frozenset[str]:
    """Every word the grammar uses as a keyword somewhere (refused as a `param`/`let` name)."""
    words = set()
    for terminal in _lark().terminals:
        pattern = terminal.pattern
        if isinstance(pattern, PatternStr) and pattern.value.isidentifier():
            words.add(pattern.value)
    return frozenset(words | {"KOSPI", "KOSDAQ", "KONEX", "top", "bottom", "down", "up"})


def parse(text: str) -> s.Module:
    """Parse `text` into statements; raises `DslSyntaxError` (never another exception)."""
    if len(text) > MAX_SOURCE_CHARS:
        line = text.count("\n", 0, MAX_SOURCE_CHARS) + 1
        raise DslSyntaxError(
            [diagnostic(text, line, 1, f"program too long: over {MAX_SOURCE_CHARS:,} characters")]
        )
    try:
        tree = _lark().parse(text)
    except UnexpectedInput as exc:
        raise syntax_error(text, exc, _lark().terminals) from None
    try:
        module = _Builder(text).transform(tree)
    except VisitError as exc:
        if isinstance(exc.orig_exc, DslError):
            raise exc.orig_exc from None
        raise
    assert isinstance(module, s.Module)
    return module


def _span(meta: Meta) -> Span:
    return Span(meta.line, meta.column, meta.end_line, meta.end_column)


def _token_span(token: Token) -> Span:
    return Span(token.line or 0, token.column or 0, token.end_line or 0, token.end_column or 0)


_ARITH = {"+": BinaryOp.ADD, "-": BinaryOp.SUB, "*": BinaryOp.MUL, "/": BinaryOp.DIV}
_SCHEDULES = {s.value: s for s in ScheduleKind}


@v_args(meta=True)
class _Builder(Transformer_NonRecursive[Token, Any]):
    """Tree → nodes, bottom-up; tracks each expression's depth to refuse runaway nesting."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self._text = text
        self._depth: dict[int, int] = {}

    def _expr(self, node: Expr, *children: Expr | None) -> Expr:
        depth = 1 + max((self._depth.get(id(c), 1) for c in children if c is not None), default=0)
        if depth > MAX_DEPTH:
            raise self._error(node.span, f"expression nested too deeply (over {MAX_DEPTH} levels)")
        self._depth[id(node)] = depth
        return node

    def _error(self, span: Span, message: str) -> DslSyntaxError:
        return DslSyntaxError([diagnostic(self._text, span.line, span.column, message)])

    # statements

    def start(self, meta: Meta, items: list[s.Statement]) -> s.Module:
        return s.Module(tuple(items))

    def strategy_decl(self, meta: Meta, c: list[Token]) -> s.StrategyDecl:
        return s.StrategyDecl(name=c[0][1:-1], span=_span(meta))

    def description_decl(self, meta: Meta, c: list[Token]) -> s.MetaDecl:
        return s.MetaDecl(key="description", value=c[0][1:-1], span=_span(meta))

    def version_decl(self, meta: Meta, c: list[Token]) -> s.MetaDecl:
        return s.MetaDecl(key="version", value=c[0][1:-1], span=_span(meta))

    def param_decl(self, meta: Meta, c: list[Any]) -> s.ParamDecl:
        name, default, low, high, step = c
        return s.ParamDecl(
            name=str(name), default=default, low=low, high=high, step=step, span=_span(meta)
        )

    def universe_all(self, meta: Meta, c: list[Token]) -> s.UniverseDecl:
        return self._universe(meta, UniverseKind.ALL, ())

    def universe_markets(self, meta: Meta, c: list[Token]) -> s.UniverseDecl:
        return self._universe(meta, UniverseKind.MARKETS, c)

    def universe_codes(self, meta: Meta, c: list[Token]) -> s.UniverseDecl:
        return self._universe(meta, UniverseKind.CODES, c)

    def universe_index(self, meta: Meta, c: list[Token]) -> s.UniverseDecl:
        return self._universe(meta, UniverseKind.INDEX, [c[0][1:-1]])

    def _universe(self, meta: Meta, kind: UniverseKind, items: Iterable[str]) -> s.UniverseDecl:
        universe = Universe(kind=kind, items=tuple(str(i) for i in items), span=_span(meta))
        return s.UniverseDecl(universe=universe, span=_span(meta))

    def timeframe_minutes(self, meta: Meta, c: list[Token]) -> s.TimeframeDecl:
        digits = c[0][:-1]
        minutes = int(digits) if len(digits) <= 6 else 10**6
        return s.TimeframeDecl(minutes=minutes, text=str(c[0]), span=_span(meta))

    def timeframe_day(self, meta: Meta, c: list[Token]) -> s.TimeframeDecl:
        return s.TimeframeDecl(minutes=None, text="day", span=_span(meta))

    def let_decl(self, meta: Meta, c: list[Any]) -> s.LetDecl:
        return s.LetDecl(name=str(c[0]), expr=c[1], span=_span(meta))

    def rule_decl(self, meta: Meta, c: list[Any]) -> s.RuleDecl:
        return s.RuleDecl(condition=c[0], action=c[1], span=_span(meta))

    # actions

    def buy(self, meta: Meta, c: list[Any]) -> Action:
        return Action(kind=ActionKind.BUY, size=c[0], order=c[1] or Order(), span=_span(meta))

    def sell(self, meta: Meta, c: list[Any]) -> Action:
        return Action(kind=ActionKind.SELL, size=c[0], order=c[1] or Order(), span=_span(meta))

    def sell_all(self, meta: Meta, c: list[Any]) -> Action:
        size = Size(kind=SizeKind.ALL)
        return Action(kind=ActionKind.SELL, size=size, order=c[0] or Order(), span=_span(meta))

    def close_position(self, meta: Meta, c: list[Any]) -> Action:
        size = Size(kind=SizeKind.ALL)
        return Action(kind=ActionKind.CLOSE, size=size, order=c[0] or Order(), span=_span(meta))

    def target(self, meta: Meta, c: list[Any]) -> Action:
        size = Size(kind=SizeKind.TARGET_PERCENT, amount=c[0])
        return Action(kind=ActionKind.TARGET, size=size, order=c[1] or Order(), span=_span(meta))

    def size_shares(self, meta: Meta, c: list[Expr]) -> Size:
        return Size(kind=SizeKind.SHARES, amount=c[0])

    def size_equity(self, meta: Meta, c: list[Expr]) -> Size:
        return Size(kind=SizeKind.EQUITY_PERCENT, amount=c[0])

    def size_amount(self, meta: Meta, c: list[Expr]) -> Size:
        return Size(kind=SizeKind.KRW, amount=c[0])

    def at_market(self, meta: Meta, c: list[Any]) -> Order:
        return Order(kind=OrderKind.MARKET)

    def at_limit(self, meta: Meta, c: list[Any]) -> Order:
        rounding = Rounding(str(c[1])) if c[1] is not None else None
        return Order(kind=OrderKind.LIMIT, price=c[0], rounding=rounding)

    # exits, flat, selection

    def stop_loss(self, meta: Meta, c: list[Expr]) -> s.ExitDecl:
        return s.ExitDecl(kind=ExitKind.STOP_LOSS, distance=c[0], span=_span(meta))

    def take_profit(self, meta: Meta, c: list[Expr]) -> s.ExitDecl:
        return s.ExitDecl(kind=ExitKind.TAKE_PROFIT, distance=c[0], span=_span(meta))

    def trailing_stop(self, meta: Meta, c: list[Expr]) -> s.ExitDecl:
        return s.ExitDecl(kind=ExitKind.TRAILING_STOP, distance=c[0], span=_span(meta))

    def flat_at_time(self, meta: Meta, c: list[Token]) -> s.FlatDecl:
        return s.FlatDecl(time=self._time_node(c[0]), span=_span(meta))

    def flat_at_day_end(self, meta: Meta, c: list[Any]) -> s.FlatDecl:
        return s.FlatDecl(time=None, span=_span(meta))

    def select_decl(self, meta: Meta, c: list[Any]) -> s.SelectDecl:
        direction, count, by, (schedule, every) = c
        return s.SelectDecl(
            direction=Direction(str(direction)),
            count=count,
            by=by,
            schedule=schedule,
            every=every,
            span=_span(meta),
        )

    def daily(self, meta: Meta, c: list[Any]) -> tuple[ScheduleKind, None]:
        return ScheduleKind.DAILY, None

    def weekly(self, meta: Meta, c: list[Any]) -> tuple[ScheduleKind, None]:
        return ScheduleKind.WEEKLY, None

    def monthly(self, meta: Meta, c: list[Any]) -> tuple[ScheduleKind, None]:
        return ScheduleKind.MONTHLY, None

    def every_bars(self, meta: Meta, c: list[Expr]) -> tuple[ScheduleKind, Expr]:
        return ScheduleKind.EVERY_N_BARS, c[0]

    # expressions

    def if_else(self, meta: Meta, c: list[Expr]) -> Expr:
        node = IfElse(condition=c[0], then=c[1], otherwise=c[2], span=_span(meta))
        return self._expr(node, *c)

    def or_op(self, meta: Meta, c: list[Expr]) -> Expr:
        return self._binary(meta, BinaryOp.OR, c[0], c[1])

    def and_op(self, meta: Meta, c: list[Expr]) -> Expr:
        return self._binary(meta, BinaryOp.AND, c[0], c[1])

    def not_op(self, meta: Meta, c: list[Expr]) -> Expr:
        return self._expr(Unary(op=UnaryOp.NOT, operand=c[0], span=_span(meta)), c[0])

    def compare(self, meta: Meta, c: list[Any]) -> Expr:
        return self._binary(meta, BinaryOp(str(c[1])), c[0], c[2])

    def arith(self, meta: Meta, c: list[Any]) -> Expr:
        return self._binary(meta, _ARITH[str(c[1])], c[0], c[2])

    def _binary(self, meta: Meta, op: BinaryOp, left: Expr, right: Expr) -> Expr:
        return self._expr(Binary(op=op, left=left, right=right, span=_span(meta)), left, right)

    def between(self, meta: Meta, c: list[Expr]) -> Expr:
        node = Between(operand=c[0], low=c[1], high=c[2], span=_span(meta))
        return self._expr(node, *c)

    def neg(self, meta: Meta, c: list[Any]) -> Expr:
        return self._expr(Unary(op=UnaryOp.NEG, operand=c[1], span=_span(meta)), c[1])

    def lookback(self, meta: Meta, c: list[Expr]) -> Expr:
        return self._expr(Lookback(operand=c[0], bars=c[1], span=_span(meta)), *c)

    def field(self, meta: Meta, c: list[Any]) -> Expr:
        return self._expr(Field(operand=c[0], name=str(c[1]), span=_span(meta)), c[0])

    def call(self, meta: Meta, c: list[Any]) -> Expr:
        args = tuple(a for a in c[1:] if a is not None)
        return self._expr(Call(name=str(c[0]), args=args, span=_span(meta)), *args)

    def kwarg(self, meta: Meta, c: list[Any]) -> Expr:
        return self._expr(KeywordArg(name=str(c[0]), value=c[1], span=_span(meta)), c[1])

    def number(self, meta: Meta, c: list[Token]) -> Expr:
        return self._number(c[0], Unit.PLAIN, str(c[0]))

    def percent(self, meta: Meta, c: list[Token]) -> Expr:
        return self._number(c[0], Unit.PERCENT, f"{c[0]}%")

    def krw(self, meta: Meta, c: list[Token]) -> Expr:
        return self._number(c[0], Unit.KRW, f"{c[0]} KRW")

    def _number(self, token: Token, unit: Unit, text: str) -> Expr:
        span = _token_span(token)
        digits = token.replace("_", "")
        if len(digits.replace(".", "")) > MAX_NUMBER_DIGITS:
            raise self._error(span, f"number too long (over {MAX_NUMBER_DIGITS} digits)")
        exact = Decimal(digits)
        if exact > MAX_NUMBER:
            raise self._error(span, f"number too large (over {MAX_NUMBER:,})")
        if unit is Unit.PERCENT:
            value: int | float = float(exact / 100)
        else:
            value = int(exact) if "." not in digits else float(exact)
        return self._expr(Number(value=value, text=text, unit=unit, span=span))

    def time(self, meta: Meta, c: list[Token]) -> Expr:
        return self._expr(self._time_node(c[0]))

    def _time_node(self, token: Token) -> TimeOfDay:
        hours, minutes = int(token[:2]), int(token[3:])
        return TimeOfDay(minute=hours * 60 + minutes, text=str(token), span=_token_span(token))

    def true(self, meta: Meta, c: list[Any]) -> Expr:
        return self._expr(Bool(value=True, span=_span(meta)))

    def false(self, meta: Meta, c: list[Any]) -> Expr:
        return self._expr(Bool(value=False, span=_span(meta)))

    def name(self, meta: Meta, c: list[Token]) -> Expr:
        return self._expr(Name(name=str(c[0]), span=_token_span(c[0])))


__all__ = ["keywords", "parse"]
