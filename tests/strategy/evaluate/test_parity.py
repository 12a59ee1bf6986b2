"""Parity: random market-only expressions over random bars give the same bits both ways.

Expressions are drawn as source text from a small grammar of market-only constructs, wrapped
in `let e0 = ...` lines of a program and compiled (inputs the checker refuses are discarded);
bars are handmade random walks of 2-3 symbols over a few days, some minutes missing.
"""

from __future__ import annotations

import datetime as dt

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from jts.strategy.evaluate import split_program
from jts.strategy.lang import DslError, Program

from . import check_parity, compile_lets, make_bars

NUM_LEAVES = (
    "close",
    "open",
    "high",
    "low",
    "volume",
    "value",
    "bar_of_day",
    "day_of_week",
    "days_to_year_end",
    "p",
    "0",
    "2",
    "0.5",
    "1_000",
)
COND_LEAVES = ("first_bar_of_day", "last_bar_of_day", "true", "false")
PERIOD = st.sampled_from(["1", "2", "3", "p"])
DAYS = (
    (dt.date(2024, 3, 4), dt.date(2024, 3, 5)),
    (dt.date(2024, 12, 27), dt.date(2024, 12, 30), dt.date(2025, 1, 2)),
    (dt.date(2025, 6, 13),),
)


@st.composite
def series(draw: st.DrawFn, depth: int) -> str:
    """A numeric series (never a bare constant: indicator inputs must be series)."""
    if depth <= 0 or draw(st.integers(0, 3)) == 0:
        leaf: str = draw(st.sampled_from(NUM_LEAVES[:9]))
        return leaf
    text: str = draw(number(depth))
    return text


@st.composite
def number(draw: st.DrawFn, depth: int) -> str:  # noqa: C901 - one branch per construct
    if depth <= 0:
        return draw(st.sampled_from(NUM_LEAVES))
    d = depth - 1
    choice = draw(st.integers(0, 11))
    if choice == 0:
        return draw(st.sampled_from(NUM_LEAVES))
    if choice == 1:
        op = draw(st.sampled_from(["+", "-", "*", "/"]))
        return f"({draw(number(d))} {op} {draw(number(d))})"
    if choice == 2:
        name = draw(st.sampled_from(["sma", "ema", "wma", "highest", "lowest", "stdev", "roc"]))
        return f"{name}({draw(series(d))}, {draw(PERIOD)})"
    if choice == 3:
        out = draw(st.sampled_from(["line", "signal", "hist"]))
        a, b, c = (draw(PERIOD) for _ in range(3))
        return f"macd({draw(series(d))}, {a}, {b}, {c}).{out}"
    if choice == 4:
        out = draw(st.sampled_from(["upper", "mid", "lower"]))
        return f"bollinger({draw(series(d))}, {draw(PERIOD)}, 1.5).{out}"
    if choice == 5:
        return draw(
            st.sampled_from(
                ["atr(3)", "stochastic(3, 2, 2).k", "stochastic(2, 1, 2).d", "vwap()", "obv()"]
            )
        )
    if choice == 6:
        return f"rsi({draw(series(d))}, {draw(PERIOD)})"
    if choice == 7:
        return f"{draw(series(d))}[{draw(st.sampled_from(['0', '1', '3', 'p']))}]"
    if choice == 8:
        return f"(if {draw(condition(d))} then {draw(number(d))} else {draw(number(d))})"
    if choice == 9:
        return f"value_when({draw(condition(d))}, {draw(series(d))})"
    if choice == 10:
        return f"-{draw(number(d))}"
    name = draw(st.sampled_from(["abs", "min", "max"]))
    args = [draw(number(d)) for _ in range(1 if name == "abs" else 2)]
    return f"{name}({', '.join(args)})"


@st.composite
def condition(draw: st.DrawFn, depth: int) -> str:
    if depth <= 0:
        return draw(st.sampled_from(COND_LEAVES))
    d = depth - 1
    choice = draw(st.integers(0, 10))
    if choice == 0:
        return draw(st.sampled_from(COND_LEAVES))
    if choice in (1, 9, 10):
        op = draw(st.sampled_from(["<", "<=", ">", ">=", "==", "!="]))
        return f"({draw(number(d))} {op} {draw(number(d))})"
    if choice == 2:
        op = draw(st.sampled_from(["and", "or"]))
        return f"({draw(condition(d))} {op} {draw(condition(d))})"
    if choice == 3:
        return f"(not {draw(condition(d))})"
    if choice == 4:
        name = draw(st.sampled_from(["crosses_above", "crosses_below"]))
        return f"{name}({draw(series(d))}, {draw(number(d))})"
    if choice == 5:
        name = draw(st.sampled_from(["rising", "falling"]))
        return f"{name}({draw(series(d))}, {draw(PERIOD)})"
    if choice == 6:
        low, high = sorted(draw(st.lists(st.integers(540, 920), min_size=2, max_size=2)))
        return f"(time between {low // 60:02d}:{low % 60:02d} and {high // 60:02d}:{high % 60:02d})"
    if choice == 7:
        return f"({draw(number(d))} between {draw(number(d))} and {draw(number(d))})"
    return f"{draw(condition(d))}[{draw(st.sampled_from(['1', '2']))}]"


EXPRESSION = st.integers(1, 4).flatmap(lambda depth: st.one_of(number(depth), condition(depth)))


def _compiled(lets: list[str], minutes: int) -> Program:
    try:
        return compile_lets(lets, timeframe=f"{minutes}m")
    except DslError:
        assume(False)
        raise


@settings(
    max_examples=400,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
@given(
    lets=st.lists(EXPRESSION, min_size=1, max_size=6),
    seed=st.integers(0, 2**32 - 1),
    symbols=st.integers(2, 3),
    days=st.sampled_from(DAYS),
    per_day=st.integers(6, 40),
    minutes=st.sampled_from([1, 5]),
)
def test_vector_equals_stream(
    lets: list[str], seed: int, symbols: int, days: tuple[dt.date, ...], per_day: int, minutes: int
) -> None:
    program = _compiled(lets, minutes)
    bars = make_bars(seed, symbols, days, per_day, minutes)
    values = check_parity(program, bars)
    assert set(values) == {m.id for m in split_program(program).exprs}


def test_grammar_mostly_compiles() -> None:
    """The grammar is useful only if the checker accepts most of what it draws."""
    accepted = 0
    examples: list[str] = []

    @settings(max_examples=60, deadline=None, database=None)
    @given(EXPRESSION)
    def draw(text: str) -> None:
        examples.append(text)

    draw()
    for text in examples:
        try:
            compile_lets([text])
            accepted += 1
        except DslError:
            pass
    assert accepted >= len(examples) // 2
