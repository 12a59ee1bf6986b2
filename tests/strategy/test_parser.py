"""The parser: statements, precedence, literals, contextual keywords, spans, printer round trip."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jts.strategy.lang import parse
from jts.strategy.lang import syntax as s
from jts.strategy.lang.ast import (
    ActionKind,
    Direction,
    ExitKind,
    OrderKind,
    Rounding,
    ScheduleKind,
    SizeKind,
    UniverseKind,
)
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
    TimeOfDay,
    Unary,
    UnaryOp,
)
from jts.strategy.lang.printer import format_expr
from jts.strategy.lang.typesys import Unit


def expr(text: str) -> Expr:
    statement = parse(f"let x = {text}").statements[0]
    assert isinstance(statement, s.LetDecl)
    return statement.expr


def only(text: str) -> s.Statement:
    (statement,) = parse(text).statements
    return statement


def num(value: int | float, text: str | None = None, unit: Unit = Unit.PLAIN) -> Number:
    return Number(value=value, text=text if text is not None else str(value), unit=unit)


def name(text: str) -> Name:
    return Name(name=text)


def test_metadata_statements_keep_their_strings() -> None:
    module = parse('strategy "sma_cross"\ndescription "골든크로스 매수"\nversion "1.0"')
    assert module.statements == (
        s.StrategyDecl(name="sma_cross"),
        s.MetaDecl(key="description", value="골든크로스 매수"),
        s.MetaDecl(key="version", value="1.0"),
    )


def test_param_with_default_range_and_step() -> None:
    assert only("param slow = 20 in 10..60 step 5") == s.ParamDecl(
        name="slow", default=num(20), low=num(10), high=num(60), step=num(5)
    )


def test_param_without_range() -> None:
    assert only("param qty = 10") == s.ParamDecl(name="qty", default=num(10))


def test_float_range_is_not_mistaken_for_a_decimal_point() -> None:
    decl = only("param k = 1.5 in 1.0..3.0 step 0.5")
    assert isinstance(decl, s.ParamDecl)
    assert (decl.low, decl.high) == (num(1.0, "1.0"), num(3.0, "3.0"))


@pytest.mark.parametrize(
    ("text", "kind", "items"),
    [
        ("universe all", UniverseKind.ALL, ()),
        ("universe KOSPI", UniverseKind.MARKETS, ("KOSPI",)),
        ("universe KOSPI, KOSDAQ", UniverseKind.MARKETS, ("KOSPI", "KOSDAQ")),
        ("universe [005930, 0037T0, 28513K]", UniverseKind.CODES, ("005930", "0037T0", "28513K")),
        ('universe index "kospi200.csv"', UniverseKind.INDEX, ("kospi200.csv",)),
    ],
)
def test_universe_forms(text: str, kind: UniverseKind, items: tuple[str, ...]) -> None:
    decl = only(text)
    assert isinstance(decl, s.UniverseDecl)
    assert (decl.universe.kind, decl.universe.items) == (kind, items)


def test_codes_stay_strings_with_leading_zeros() -> None:
    decl = only("universe [000660]")
    assert isinstance(decl, s.UniverseDecl)
    assert decl.universe.items == ("000660",)


@pytest.mark.parametrize(("text", "minutes"), [("1m", 1), ("5m", 5), ("30m", 30), ("day", None)])
def test_timeframes(text: str, minutes: int | None) -> None:
    assert only(f"timeframe {text}") == s.TimeframeDecl(minutes=minutes, text=text)


def test_precedence_not_binds_looser_than_comparison_and_tighter_than_and() -> None:
    close, open_ = name("close"), name("open")
    assert expr("not close > open and true") == Binary(
        op=BinaryOp.AND,
        left=Unary(op=UnaryOp.NOT, operand=Binary(op=BinaryOp.GT, left=close, right=open_)),
        right=Bool(value=True),
    )


def test_precedence_of_arithmetic_and_or() -> None:
    assert expr("a or b and c") == Binary(
        op=BinaryOp.OR,
        left=name("a"),
        right=Binary(op=BinaryOp.AND, left=name("b"), right=name("c")),
    )
    assert expr("1 + 2 * 3") == Binary(
        op=BinaryOp.ADD,
        left=num(1),
        right=Binary(op=BinaryOp.MUL, left=num(2), right=num(3)),
    )


def test_subtraction_is_left_associative() -> None:
    assert expr("a - b - c") == Binary(
        op=BinaryOp.SUB,
        left=Binary(op=BinaryOp.SUB, left=name("a"), right=name("b")),
        right=name("c"),
    )


def test_unary_minus_applies_after_lookback() -> None:
    assert expr("-close[1]") == Unary(
        op=UnaryOp.NEG, operand=Lookback(operand=name("close"), bars=num(1))
    )


def test_if_then_else_is_the_loosest() -> None:
    assert expr("if a then 1 else 2 + 3") == IfElse(
        condition=name("a"),
        then=num(1),
        otherwise=Binary(op=BinaryOp.ADD, left=num(2), right=num(3)),
    )


def test_between_takes_its_own_and() -> None:
    parsed = expr("time between 09:05 and 15:00 and close > 0")
    assert parsed == Binary(
        op=BinaryOp.AND,
        left=Between(
            operand=name("time"),
            low=TimeOfDay(minute=545, text="09:05"),
            high=TimeOfDay(minute=900, text="15:00"),
        ),
        right=Binary(op=BinaryOp.GT, left=name("close"), right=num(0)),
    )


def test_percent_and_krw_literals() -> None:
    assert expr("2%") == num(0.02, "2%", Unit.PERCENT)
    assert expr("2.5 %") == num(0.025, "2.5%", Unit.PERCENT)
    assert expr("1_000_000 KRW") == num(1_000_000, "1_000_000 KRW", Unit.KRW)


def test_calls_keyword_arguments_and_fields() -> None:
    assert expr("macd(close, signal=5).hist") == Field(
        operand=Call(
            name="macd",
            args=(name("close"), KeywordArg(name="signal", value=num(5))),
        ),
        name="hist",
    )
    assert expr("vwap()") == Call(name="vwap")


def test_close_is_a_series_in_expressions_and_an_action_after_the_colon() -> None:
    rule = only("when close > open: close")
    assert isinstance(rule, s.RuleDecl)
    assert rule.condition == Binary(op=BinaryOp.GT, left=name("close"), right=name("open"))
    assert rule.action.kind is ActionKind.CLOSE
    assert rule.action.size.kind is SizeKind.ALL


@pytest.mark.parametrize(
    ("action", "kind", "size"),
    [
        ("buy 10 shares", ActionKind.BUY, SizeKind.SHARES),
        ("buy 1_000_000 KRW", ActionKind.BUY, SizeKind.KRW),
        ("buy 5% of equity", ActionKind.BUY, SizeKind.EQUITY_PERCENT),
        ("sell qty shares", ActionKind.SELL, SizeKind.SHARES),
        ("sell all", ActionKind.SELL, SizeKind.ALL),
        ("close", ActionKind.CLOSE, SizeKind.ALL),
        ("target 20% of equity", ActionKind.TARGET, SizeKind.TARGET_PERCENT),
    ],
)
def test_actions_and_sizes(action: str, kind: ActionKind, size: SizeKind) -> None:
    rule = only(f"when true: {action}")
    assert isinstance(rule, s.RuleDecl)
    assert (rule.action.kind, rule.action.size.kind) == (kind, size)
    assert rule.action.order.kind is OrderKind.MARKET


def test_limit_order_with_explicit_rounding() -> None:
    rule = only("when true: buy 1 shares at limit close * 0.99 round nearest")
    assert isinstance(rule, s.RuleDecl)
    order = rule.action.order
    assert order.kind is OrderKind.LIMIT
    assert order.rounding is Rounding.NEAREST
    assert order.price == Binary(op=BinaryOp.MUL, left=name("close"), right=num(0.99, "0.99"))


def test_limit_order_rounding_is_left_to_the_checker_when_not_written() -> None:
    rule = only("when true: sell all at limit close")
    assert isinstance(rule, s.RuleDecl)
    assert rule.action.order.rounding is None


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("stop loss 3%", ExitKind.STOP_LOSS),
        ("take profit 10%", ExitKind.TAKE_PROFIT),
        ("trailing stop 2 * atr(14)", ExitKind.TRAILING_STOP),
    ],
)
def test_exits(text: str, kind: ExitKind) -> None:
    decl = only(text)
    assert isinstance(decl, s.ExitDecl)
    assert decl.kind is kind


def test_flat_at_a_time_or_at_end_of_day() -> None:
    assert only("flat at 15:10") == s.FlatDecl(time=TimeOfDay(minute=910, text="15:10"))
    assert only("flat at end of day") == s.FlatDecl(time=None)


def test_select_statement() -> None:
    decl = only("select bottom 5 by stdev(close, 20) rebalance every 10 bars")
    assert isinstance(decl, s.SelectDecl)
    assert decl.direction is Direction.BOTTOM
    assert decl.schedule is ScheduleKind.EVERY_N_BARS
    assert (decl.count, decl.every) == (num(5), num(10))


def test_layout_is_free_and_comments_are_ignored() -> None:
    text = "# header\nwhen close > open   # why\n    and volume > 0:\n  buy 1 shares  # done\n"
    rule = only(text)
    assert isinstance(rule, s.RuleDecl)
    assert rule.span.line == 2
    assert rule.action.kind is ActionKind.BUY


def test_spans_point_at_the_source() -> None:
    rule = only("when close > 1 and\n  sma(close, 5) > 2: close")
    assert isinstance(rule, s.RuleDecl)
    assert isinstance(rule.condition, Binary)
    call = rule.condition.right
    assert isinstance(call, Binary)
    assert (call.span.line, call.span.column) == (2, 3)


# Printer round trip: printing a parsed expression and parsing it again gives the same tree.

_ATOMS = st.sampled_from(
    ["close", "fast", "1", "2.5", "3%", "1_000 KRW", "09:05", "true", "position", "sma(close, 5)"]
)


def _combine(children: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    binary = st.tuples(
        children,
        st.sampled_from(["+", "-", "*", "/", "<", "<=", "==", "!=", "and", "or"]),
        children,
    ).map(lambda t: f"({t[0]} {t[1]} {t[2]})")
    return st.one_of(
        binary,
        children.map(lambda c: f"(-{c})"),
        children.map(lambda c: f"(not {c})"),
        children.map(lambda c: f"({c})[2]"),
        st.tuples(children, children, children).map(
            lambda t: f"(if {t[0]} then {t[1]} else {t[2]})"
        ),
        st.tuples(children, children, children).map(
            lambda t: f"({t[0]} between {t[1]} and {t[2]})"
        ),
        st.tuples(children, children).map(lambda t: f"max({t[0]}, b={t[1]})"),
        children.map(lambda c: f"macd({c}).signal"),
    )


_EXPRESSIONS = st.recursive(_ATOMS, _combine, max_leaves=12)


@settings(max_examples=150, deadline=None)
@given(_EXPRESSIONS)
def test_printing_then_parsing_gives_the_same_expression(text: str) -> None:
    parsed = expr(text)
    printed = format_expr(parsed)
    assert expr(printed) == parsed
    assert format_expr(expr(printed)) == printed


def test_printer_adds_only_the_parentheses_precedence_needs() -> None:
    assert format_expr(expr("((a + b) * c) - (d - e)")) == "(a + b) * c - (d - e)"
    assert format_expr(expr("(not (a and b)) or c")) == "not (a and b) or c"
    assert format_expr(expr("(if a then b else c) + 1")) == "(if a then b else c) + 1"
