"""Parity, the core promise: random valid programs on random bars give the same orders from
the vectorized and the streaming executor.

Programs are drawn as text: market-only lets and conditions from the grammar of the evaluator
parity test, guarded by position and selection series; actions, sizes, order types, exits,
end-of-day flat and a selection from small choices. Inputs the checker refuses are discarded.
Bars are random walks of 2-3 symbols over a few days with missing minutes.
"""

from __future__ import annotations

import datetime as dt

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from jts.strategy.execute import run_streaming, run_vectorized
from jts.strategy.lang import DslError, Program, compile_program

from ..evaluate import make_bars
from ..evaluate.test_parity import DAYS, condition, number

GUARDS = (
    "position == 0",
    "position > 0",
    "position >= 20",
    "bars_since_entry >= 2",
    "unrealized_pnl_pct > 0.5%",
    "unrealized_pnl_pct < -0.5%",
    "entry_price < close",
    "true",
    "position[1] == 0",
    "sma(unrealized_pnl_pct, 2) > 0",
    "crosses_above(bars_since_entry, 2)",
    "highest(position, 3) > position",
    "value_when(bars_since_entry == 0, close) < close",
)
SELECTION_GUARDS = (
    "selected",
    "not selected",
    "rebalancing",
    "rank <= 1",
    "rank == 2",
    "rank[1] == 1",
    "rising(rank, 1)",
)
SIZES = (
    "buy 10 shares",
    "buy position + 3 shares",
    "buy 500_000 KRW",
    "buy 5% of equity",
    "sell all",
    "close",
    "sell 3 shares",
    "sell 200_000 KRW",
    "sell 10% of equity",
    "target 10% of equity",
    "target 0% of equity",
)
ORDERS = (
    "",
    "",
    " at market",
    " at limit close",
    " at limit close * 0.995 round nearest",
    " at limit (high + low) / 2 round up",
    " at limit entry_price * 1.01",
    " at limit close - 30",
)
EXITS = (
    "stop loss 1%",
    "stop loss 3 * atr(3)",
    "take profit 1%",
    "take profit 40 KRW",
    "trailing stop 1%",
    "trailing stop 2 * atr(3)",
)
FLATS = ("", "", "flat at 11:30", "flat at end of day")
SELECTIONS = (
    "select top 1 by close rebalance every 3 bars",
    "select bottom 2 by roc(close, 2) rebalance daily",
    "select top 2 by sma(volume, 2) rebalance weekly",
)


@st.composite
def rule(draw: st.DrawFn, guards: tuple[str, ...]) -> str:
    guard = draw(st.sampled_from(guards))
    depth = draw(st.integers(0, 3))
    market = draw(st.one_of(condition(depth), st.sampled_from(["e0 > close", "true"])))
    joiner = draw(st.sampled_from(["and", "and", "or"]))
    size = draw(st.sampled_from(SIZES))
    order = draw(st.sampled_from(ORDERS))
    return f"when {guard} {joiner} {market}: {size}{order}"


@st.composite
def program_text(draw: st.DrawFn) -> str:
    minutes = draw(st.sampled_from([1, 5]))
    lines = ['strategy "p"', "universe all", f"timeframe {minutes}m", "param p = 3"]
    lines.append(f"let e0 = {draw(number(draw(st.integers(0, 3))))}")
    guards: tuple[str, ...] = GUARDS
    if draw(st.booleans()):
        lines.append(draw(st.sampled_from(SELECTIONS)))
        guards = GUARDS + SELECTION_GUARDS
    lines += draw(st.lists(rule(guards), min_size=1, max_size=4))
    exits = draw(st.sets(st.sampled_from(EXITS), max_size=3))
    kinds = {e.split()[0] for e in exits}
    assume(len(kinds) == len(exits))  # at most one exit of each kind
    lines += sorted(exits)
    lines.append(draw(st.sampled_from(FLATS)))
    return "\n".join(lines) + "\n"


def _compiled(text: str) -> Program:
    try:
        return compile_program(text)
    except DslError:
        assume(False)
        raise


@settings(
    max_examples=300,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
@given(
    text=program_text(),
    seed=st.integers(0, 2**32 - 1),
    symbols=st.integers(2, 3),
    days=st.sampled_from(DAYS),
    per_day=st.integers(6, 40),
    cash=st.sampled_from([300_000, 5_000_000, 100_000_000]),
)
def test_vectorized_equals_streaming(
    text: str, seed: int, symbols: int, days: tuple[dt.date, ...], per_day: int, cash: int
) -> None:
    program = _compiled(text)
    minutes = program.bar_minutes or 1
    bars = make_bars(seed, symbols, days, per_day, minutes)
    vector = run_vectorized(program, bars, initial_cash=cash)
    stream = run_streaming(program, bars, initial_cash=cash)
    assert vector == stream


def test_random_programs_place_orders() -> None:
    """The generator is useful only if most programs compile and many of them trade."""
    texts: list[str] = []

    @settings(max_examples=60, deadline=None, database=None, derandomize=True)
    @given(program_text())
    def draw(text: str) -> None:
        texts.append(text)

    draw()
    compiled, trading = 0, 0
    bars = make_bars(1, 2, DAYS[0], 30, 1)
    for text in texts:
        try:
            program = compile_program(text)
        except DslError:
            continue
        compiled += 1
        trading += bool(run_vectorized(program, bars, initial_cash=5_000_000))
    assert compiled >= len(texts) // 2
    assert trading >= compiled // 5
