"""The checker: types and units, calls and defaults, params and sweeps, names and limits."""

from __future__ import annotations

import importlib

import pytest

from jts.strategy.lang import DslParamError, DslTypeError, Program, compile_program, warmup_bars
from jts.strategy.lang.ast import (
    Binary,
    Call,
    ExitMode,
    LetRef,
    Number,
    ParamRef,
    Rounding,
    SeriesRef,
)
from jts.strategy.lang.builtins import FUNCTIONS, SERIES, ArgKind
from jts.strategy.lang.limits import MAX_LOOKBACK, MAX_RULES
from jts.strategy.lang.typesys import Kind, Shape, Type, Unit, boolean, number

HEADER = 'strategy "t"\nuniverse all\ntimeframe 1m\n'


def compile_body(body: str, **params: int | float) -> Program:
    return compile_program(HEADER + body, params=params or None)


def type_of(text: str, *, extra: str = "") -> Type:
    program = compile_body(f"{extra}\nlet x = {text}\nwhen true: close")
    return program.let("x").type


def errors_of(body: str) -> list[str]:
    with pytest.raises(DslTypeError) as info:
        compile_body(body)
    return [d.message for d in info.value.diagnostics]


def only_error(body: str) -> str:
    (message,) = errors_of(body)
    return message


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("close", number(Shape.SERIES, Unit.KRW, integer=True)),
        ("sma(close, 5)", number(Shape.SERIES, Unit.KRW)),
        ("rsi(close)", number(Shape.SERIES, Unit.POINTS)),
        ("roc(close, 5)", number(Shape.SERIES, Unit.POINTS)),
        ("close * 2%", number(Shape.SERIES, Unit.KRW)),
        ("close / close[1] - 1", number(Shape.SERIES)),
        ("100% / 4", number(Shape.SCALAR, Unit.PERCENT)),
        ("1 + 2", number(Shape.SCALAR, integer=True)),
        ("crosses_above(close, 3)", boolean(Shape.SERIES)),
        ("time between 09:00 and 10:00", boolean(Shape.SERIES)),
        ("unrealized_pnl_pct > 3%", boolean(Shape.SERIES)),
        ("max(1, 2)", number(Shape.SCALAR, integer=True)),
        ("atr(14) * 2", number(Shape.SERIES, Unit.KRW)),
        ("if close > open then 1 else 0", number(Shape.SERIES, integer=True)),
    ],
)
def test_expression_types(text: str, expected: Type) -> None:
    assert type_of(text) == expected


def test_params_are_scalar_and_keep_their_unit() -> None:
    assert type_of("sl", extra="param sl = 3%") == number(Shape.SCALAR, Unit.PERCENT)
    assert type_of("n", extra="param n = 5 in 1..9") == number(Shape.SCALAR, integer=True)


def test_names_resolve_to_params_series_and_lets() -> None:
    program = compile_body("param n = 5\nlet a = sma(close, n)\nwhen a > close: close")
    condition = program.rules[0].condition
    assert isinstance(condition, Binary)
    assert condition.left == LetRef(name="a", type=program.let("a").type)
    call = program.let("a")
    assert isinstance(call, Call)
    assert call.args == (
        SeriesRef(name="close", type=SERIES["close"].type),
        ParamRef(name="n", type=number(integer=True)),
    )


def test_defaults_are_filled_and_keywords_put_in_table_order() -> None:
    call = compile_body("let b = bollinger(close, k=1.5).upper\nwhen true: close").let("b")
    assert isinstance(call, Call)
    assert call.output == "upper"
    assert [a.value for a in call.args[1:] if isinstance(a, Number)] == [20, 1.5]


def test_multi_output_indicator_needs_a_field() -> None:
    message = only_error("when macd(close) > 0: close")
    assert message == "macd has several outputs: pick one with .line, .signal, .hist"


def test_period_must_be_a_literal_or_int_param() -> None:
    assert "sma's n must be a whole number or a param name" in only_error(
        "param n = 5\nwhen sma(close, n + 1) > 0: close"
    )
    assert "sma's n must be 1..10000, not 0" in only_error("when sma(close, 0) > 0: close")


def test_series_argument_must_be_a_series() -> None:
    assert "sma's x must be a series" in only_error("when sma(5, 5) > 0: close")


def test_unit_mistakes_are_errors_with_hints() -> None:
    assert "write 30, not 30%" in only_error("when rsi(close) < 30%: close")
    assert "multiply: close * (1 + 2%)" in only_error("when close > close[1] + 2%: close")


def test_rounding_defaults_by_side() -> None:
    program = compile_body(
        "when true: buy 1 shares at limit close\n"
        "when true: sell all at limit close\n"
        "when true: target 10% of equity at limit close\n"
        "when true: buy 1 shares at limit close round nearest"
    )
    roundings = [r.action.order.rounding for r in program.rules]
    assert roundings == [Rounding.DOWN, Rounding.UP, Rounding.PASSIVE, Rounding.NEAREST]


def test_sizes_need_their_unit() -> None:
    assert "in KRW (1_000_000 KRW)" in only_error("when true: buy 10")
    assert "a percent of equity" in only_error("when true: buy 10 of equity")
    assert "shares are whole" in only_error("when true: buy 1.5 shares")


def test_exit_mode_follows_the_unit() -> None:
    program = compile_body("when true: close\nstop loss 3%\ntrailing stop 2 * atr(14)")
    modes = {e.kind.value: e.mode for e in program.exits}
    assert modes == {"stop_loss": ExitMode.PERCENT, "trailing_stop": ExitMode.PRICE}
    assert "needs a percent (3%) or a KRW distance" in only_error("when true: close\nstop loss 3")


def test_several_errors_are_reported_together_in_source_order() -> None:
    messages = errors_of("let a = clsoe\nlet b = sma(close)\nwhen a: buy 10")
    assert messages[0] == "unknown name 'clsoe'; did you mean 'close'?"
    assert messages[1].startswith("sma needs its argument 'n'")
    assert len(messages) >= 3


def test_let_must_come_before_its_use() -> None:
    assert only_error("let a = b\nlet b = 1\nwhen true: close") == (
        "'b' is used before its let on line 5"
    )


@pytest.mark.parametrize("bad", ["when", "close", "sma", "KOSPI"])
def test_reserved_and_builtin_names_cannot_be_declared(bad: str) -> None:
    assert "choose another let name" in only_error(f"let {bad} = 1\nwhen true: close")


def test_selection_series_need_a_select_and_cannot_rank_themselves() -> None:
    assert "needs a `select top N by ...`" in only_error("when selected: close")
    message = only_error("let r = rank\nselect top 3 by r rebalance daily\nwhen true: close")
    assert message == "the ranking cannot use 'r': it uses the selection"


def test_time_of_day_needs_an_intraday_timeframe() -> None:
    text = 'strategy "t"\nuniverse all\ntimeframe day\nwhen time > 09:00: close\nflat at 15:00'
    with pytest.raises(DslTypeError) as info:
        compile_program(text)
    assert len(info.value.diagnostics) == 2


def test_required_statements() -> None:
    with pytest.raises(DslTypeError) as info:
        compile_program("")
    messages = [d.message for d in info.value.diagnostics]
    assert any("missing `strategy`" in m for m in messages)
    assert any("missing rule" in m for m in messages)


def test_limits_are_enforced() -> None:
    rules = "when true: close\n" * (MAX_RULES + 1)
    assert only_error(rules) == f"too many rules: at most {MAX_RULES}"
    assert f"a lookback must be 0..{MAX_LOOKBACK}" in only_error(
        f"when close[{MAX_LOOKBACK + 1}] > 0: close"
    )


# Parameters, sweeps and binding


def test_param_grid_is_the_product_of_sweeps_in_exact_steps() -> None:
    program = compile_body(
        "param a = 1 in 1..3\nparam k = 0.2 in 0.1..0.3 step 0.1\nparam sl = 1% in 1%..2% step 0.5%"
        "\nparam fixed = 7\nwhen true: close"
    )
    grid = list(program.param_grid())
    assert program.grid_size() == len(grid) == 27
    assert program.param("k").sweep_values() == (0.1, 0.2, 0.3)
    assert program.param("sl").sweep_values() == (0.01, 0.015, 0.02)
    assert all(g["fixed"] == 7 for g in grid)


def test_param_range_checks() -> None:
    assert "outside its range" in only_error("param a = 11 in 1..10\nwhen true: close")
    assert "runs backwards" in only_error("param a = 5 in 10..1\nwhen true: close")
    assert "not one of its sweep values" in only_error(
        "param a = 4 in 1..9 step 2\nwhen true: close"
    )
    assert "in the default's unit" in only_error("param a = 3% in 1..5\nwhen true: close")


def test_overrides_bind_within_range() -> None:
    program = compile_body("param fast = 5 in 3..10\nwhen sma(close, fast) > 0: close", fast=7)
    assert program.param_values == {"fast": 7}
    assert program.bind({"fast": 3.0}).param_values == {"fast": 3}


@pytest.mark.parametrize(
    ("value", "problem"),
    [(11, "outside its range 3..10"), (4.5, "not a whole number"), ("5", "not a number")],
)
def test_bad_overrides_are_param_errors(value: object, problem: str) -> None:
    program = compile_body("param fast = 5 in 3..10\nwhen sma(close, fast) > 0: close")
    with pytest.raises(DslParamError) as info:
        program.bind({"fast": value})
    assert problem in info.value.diagnostics[0].message
    assert info.value.diagnostics[0].line == 4


def test_unranged_param_overrides_respect_the_bounds_of_its_uses() -> None:
    program = compile_body("param n = 5\nwhen sma(close, n) > 0: close")
    assert program.param("n").minimum == 1
    with pytest.raises(DslParamError, match="below 1"):
        program.bind({"n": 0})
    with pytest.raises(DslParamError, match="no such param"):
        program.bind({"m": 1})


def test_warmup_covers_the_top_of_each_sweep() -> None:
    program = compile_body("param n = 5 in 2..30\nwhen crosses_above(sma(close[3], n), 0): close")
    assert warmup_bars(program) == 3 + 29 + 1


# The builtins table


def test_every_builtin_has_a_doc_and_sane_arguments() -> None:
    for fn in FUNCTIONS.values():
        assert fn.doc
        assert fn.signature().startswith(f"{fn.name}(")
        defaults = [a.default is not None for a in fn.args]
        assert defaults == sorted(defaults), f"{fn.name}: defaults must come last"
    for series in SERIES.values():
        assert series.doc
        assert series.type.kind in (Kind.NUMBER, Kind.BOOL, Kind.TIME)


def test_builtins_agree_with_the_indicator_kernels_table() -> None:
    try:
        spec = importlib.import_module("jts.strategy.indicators.spec")
    except ImportError:
        pytest.skip("indicator kernels not present")
    for name, row in spec.SPECS.items():
        fn = FUNCTIONS[name]
        assert fn.outputs == (row.outputs if len(row.outputs) > 1 else ()), name
        kernel_params = [(p.name, p.default) for p in row.params]
        ours = [(a.name, a.default) for a in fn.args if a.kind in (ArgKind.PERIOD, ArgKind.CONST)]
        assert ours == kernel_params, name
        inputs = [a.name for a in fn.args if a.kind in (ArgKind.SERIES, ArgKind.VALUE)]
        assert tuple(inputs) == row.args, name
        assert fn.warmup({p.name: p.default or 5 for p in row.params}) == max(
            row.warmup({p.name: p.default or 5 for p in row.params})
        ), name
