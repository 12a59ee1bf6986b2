"""The Python strategy API and its runner: the executors' fill and cash rules, error isolation,
the example strategy, and parity with `run_vectorized` on the benchmark `sma_cross`."""

from __future__ import annotations

import datetime as dt
import functools
import importlib.util
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, ClassVar

import pytest

from jts.core.enums import Side
from jts.core.errors import InvalidInput, StrategyError
from jts.core.models import Bar, Fill, Tick
from jts.marketdata.frames import BarFrame
from jts.marketdata.synth import make_universe, minute_bars
from jts.strategy.api import Strategy, StrategyContext
from jts.strategy.engine import OrderIntent
from jts.strategy.execute import run_vectorized
from jts.strategy.indicators.stream import CrossesAbove, CrossesBelow, Sma
from jts.strategy.lang import compile_program
from jts.strategy.python_runtime import PythonStrategyRunner, run_python

EXAMPLES = Path(__file__).parents[2] / "examples" / "strategies"
T0 = 1_709_510_400 * 10**9  # 2024-03-04 09:00 KST
MIN = 60 * 10**9
A, B = "005930", "000660"

Action = Callable[[StrategyContext, Bar], object]


class Scripted(Strategy):
    """Runs `script[i]` on the i-th bar of `A`; records what it sees."""

    def __init__(self, script: Mapping[int, Action] | None = None) -> None:
        self.script = dict(script or {})
        self.bars: list[Bar] = []
        self.fills: list[Fill] = []
        self.positions: list[int] = []
        self.results: list[object] = []

    def on_bar(self, ctx: StrategyContext, bar: Bar) -> None:
        if bar.symbol != A:
            return
        self.bars.append(bar)
        self.positions.append(ctx.position(A))
        action = self.script.get(len(self.bars) - 1)
        if action is not None:
            self.results.append(action(ctx, bar))

    def on_fill(self, ctx: StrategyContext, fill: Fill) -> None:
        self.fills.append(fill)


def feed(
    strategy: Strategy, rows: list[tuple[float, float, float, float]], **kw: Any
) -> tuple[PythonStrategyRunner, list[OrderIntent]]:
    """One bar of `A` per minute (open, high, low, close); every order."""
    runner = PythonStrategyRunner(strategy, [A, B], **kw)
    out: list[OrderIntent] = []
    for i, (o, h, lo, c) in enumerate(rows):
        out += runner.on_bar(A, T0 + i * MIN, o, h, lo, c, 100, 100 * c)
    return runner, out + runner.stop()


FLAT = (10_000.0, 10_100.0, 9_900.0, 10_000.0)


def test_market_buy_fills_whole_at_next_open() -> None:
    s = Scripted({0: lambda ctx, bar: ctx.buy(A, 10)})
    runner, out = feed(s, [FLAT, (10_050.0, 10_200.0, 10_000.0, 10_100.0), FLAT])
    assert out == [OrderIntent(T0, A, "buy", 10, "market", None, "python")]
    assert s.positions == [0, 10, 10]
    [fill] = s.fills
    assert (fill.side, fill.qty, fill.price, fill.ts_ns) == (Side.BUY, 10, 10_050, T0 + MIN)
    assert runner.ctx.cash == 100_000_000 - 100_500
    assert runner.ctx.entry_price(A) == 10_050
    assert runner.ctx.equity == runner.ctx.cash + 10 * 10_000


def test_limit_buy_touched_fills_at_the_better_of_open_and_limit() -> None:
    s = Scripted({0: lambda ctx, bar: ctx.buy(A, 5, limit=9_953.7)})
    _, out = feed(s, [FLAT, (10_000.0, 10_000.0, 9_900.0, 9_950.0), FLAT])
    assert out[0].limit_price == 9_950  # whole won down, then the 10-won tick down
    assert [(f.qty, f.price) for f in s.fills] == [(5, 9_950)]


def test_limit_not_touched_is_dropped() -> None:
    s = Scripted({0: lambda ctx, bar: ctx.buy(A, 5, limit=9_950)})
    _, out = feed(s, [FLAT, (10_000.0, 10_050.0, 9_960.0, 10_000.0), (9_000.0,) * 4])
    assert len(out) == 1
    assert s.fills == []
    assert s.positions == [0, 0, 0]


def test_limit_sell_touched_rounds_up_and_fills_at_max_of_open_and_limit() -> None:
    script: dict[int, Action] = {
        0: lambda ctx, bar: ctx.buy(A, 4),
        1: lambda ctx, bar: ctx.sell(A, 4, limit=10_101),
    }
    s = Scripted(script)
    feed(s, [FLAT, FLAT, (10_000.0, 10_200.0, 9_900.0, 10_100.0), FLAT])
    assert [(f.side, f.price) for f in s.fills] == [(Side.BUY, 10_000), (Side.SELL, 10_110)]
    assert s.positions == [0, 4, 0, 0]


def test_long_only_sells() -> None:
    script: dict[int, Action] = {
        0: lambda ctx, bar: ctx.sell(A, 5),
        1: lambda ctx, bar: ctx.close(A),
        2: lambda ctx, bar: ctx.buy(A, 3),
        3: lambda ctx, bar: ctx.sell(A, 100),
    }
    s = Scripted(script)
    runner, out = feed(s, [FLAT] * 5)
    assert s.results[:2] == [None, None]
    assert [(o.side, o.qty) for o in out] == [("buy", 3), ("sell", 3)]
    assert s.positions == [0, 0, 0, 3, 0]
    assert runner.ctx.cash == 100_000_000


def test_cash_limits_orders_and_fills() -> None:
    def two(ctx: StrategyContext, bar: Bar) -> object:
        return ctx.buy(A, 10), ctx.buy(A, 1)  # the second is refused: one order per bar

    s = Scripted({0: two})
    runner, out = feed(s, [FLAT, (13_000.0, 13_000.0, 12_000.0, 12_500.0)], initial_cash=25_000)
    assert s.results == [(out[0], None)]
    assert out[0].qty == 2  # 25,000 pays 2 shares at the close of 10,000
    assert [f.qty for f in s.fills] == [1]  # at the 13,000 open it pays 1
    assert runner.ctx.cash == 12_000


def test_cash_reserved_across_symbols_in_a_timestamp() -> None:
    class Both(Strategy):
        def on_bar(self, ctx: StrategyContext, bar: Bar) -> None:
            if ctx.now_ns == T0:
                ctx.buy(bar.symbol, 2)

    runner = PythonStrategyRunner(Both(), [A, B], initial_cash=30_000)
    out = runner.on_bar(A, T0, *FLAT, 1, 1) + runner.on_bar(B, T0, *FLAT, 1, 1)
    out += runner.stop()
    assert [(o.symbol, o.qty) for o in out] == [(B, 2), (A, 1)]  # code order uses the cash


def test_raising_hook_becomes_strategy_error_and_the_run_goes_on() -> None:
    def boom(ctx: StrategyContext, bar: Bar) -> object:
        raise ValueError("bad")

    s = Scripted({1: boom, 3: lambda ctx, bar: ctx.buy(A, 1)})
    runner, out = feed(s, [FLAT] * 5)
    assert len(s.bars) == 5
    [error] = runner.errors
    assert isinstance(error, StrategyError)
    assert isinstance(error.__cause__, ValueError)
    assert "on_bar raised ValueError: bad" in str(error)
    assert [o.ts_ns for o in out] == [T0 + 3 * MIN]


def test_history_is_bounded_and_oldest_first() -> None:
    class Short(Scripted):
        history_size = 3

    s = Short({4: lambda ctx, bar: ctx.history(A, "close", 3)})
    rows = [(10_000.0 + i, 10_100.0 + i, 9_900.0, 10_000.0 + i) for i in range(6)]
    runner, _ = feed(s, rows)
    assert s.results == [[10_002.0, 10_003.0, 10_004.0]]
    assert runner.ctx.history(A, "volume", 2) == [100.0, 100.0]
    with pytest.raises(InvalidInput):
        runner.ctx.history(A, "close", 4)
    with pytest.raises(InvalidInput):
        runner.ctx.history(A, "vwap", 1)


def test_tick_orders_fill_at_the_next_bar_after_the_tick() -> None:
    class OnTick(Scripted):
        def on_tick(self, ctx: StrategyContext, tick: Tick) -> None:
            ctx.buy(tick.symbol, 1)

    s = OnTick()
    runner = PythonStrategyRunner(s, [A])
    runner.on_bar(A, T0, *FLAT, 1, 1)
    out = runner.on_tick(Tick(symbol=A, ts_ns=T0 + MIN + 5, price=10_000, qty=1))
    assert [o.ts_ns for o in out] == [T0 + MIN + 5]
    runner.on_bar(A, T0 + MIN, 10_010.0, 10_100.0, 9_900.0, 10_000.0, 1, 1)
    runner.on_bar(A, T0 + 2 * MIN, 10_020.0, 10_100.0, 9_900.0, 10_000.0, 1, 1)
    runner.stop()
    assert [(f.price, f.ts_ns) for f in s.fills] == [(10_020, T0 + 2 * MIN)]


def test_construction_refuses_bad_strategies() -> None:
    class Old(Scripted):
        API_VERSION = 0

    class NoBar(Strategy):
        pass

    with pytest.raises(StrategyError, match="API_VERSION 0"):
        PythonStrategyRunner(Old(), [A])
    with pytest.raises(StrategyError, match="on_bar"):
        PythonStrategyRunner(NoBar(), [A])
    with pytest.raises(StrategyError, match="not a jts"):
        PythonStrategyRunner(object(), [A])  # type: ignore[arg-type]
    with pytest.raises(InvalidInput, match="no parameter x"):
        PythonStrategyRunner(Scripted(), [A], params={"x": 1})
    with pytest.raises(InvalidInput):
        PythonStrategyRunner(Scripted(), [A]).on_bar(B, T0, *FLAT, 1, 1)


@functools.cache
def _minutes() -> BarFrame:
    universe = make_universe(6, seed=2)
    frames = list(minute_bars(universe, dt.date(2024, 3, 4), days=2, seed=5))
    return BarFrame.concat(frames).sorted()


def test_example_strategy_trades_on_synthetic_bars() -> None:
    spec = importlib.util.spec_from_file_location("pmr", EXAMPLES / "python_mean_reversion.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    out = run_python(module.MeanReversion(), _minutes(), params={"k": 0.003})
    sides = {o.side for o in out}
    assert sides == {"buy", "sell"}
    held: dict[str, int] = {}
    for o in out:  # long only: a sell never exceeds what was bought
        held[o.symbol] = held.get(o.symbol, 0) + (o.qty if o.side == "buy" else -o.qty)
        assert held[o.symbol] >= 0


class SmaCross(Strategy):
    """examples/strategies/sma_cross.jts in Python, on the language's own indicator states."""

    name = "sma_cross"
    default_params: ClassVar[Mapping[str, Any]] = {"fast": 5, "slow": 20, "qty": 10}

    def on_start(self, ctx: StrategyContext) -> None:
        self.state: dict[str, tuple[Sma, Sma, CrossesAbove, CrossesBelow]] = {}

    def on_bar(self, ctx: StrategyContext, bar: Bar) -> None:
        p, sym = ctx.params, bar.symbol
        if sym not in self.state:
            self.state[sym] = (Sma(p["fast"]), Sma(p["slow"]), CrossesAbove(), CrossesBelow())
        fast, slow, above, below = self.state[sym]
        f, s = fast.update(float(bar.close)), slow.update(float(bar.close))
        up, down = above.update(f, s), below.update(f, s)
        if ctx.position(sym) == 0 and up:
            ctx.buy(sym, p["qty"], reason="rule 0")
        elif ctx.position(sym) > 0 and down:
            ctx.close(sym, reason="rule 1")


@pytest.mark.parametrize(
    ("params", "cash"), [({}, 100_000_000), ({"fast": 3, "slow": 10, "qty": 50}, 1_000_000)]
)
def test_python_sma_cross_matches_the_language(params: dict[str, int], cash: int) -> None:
    program = compile_program((EXAMPLES / "sma_cross.jts").read_text(), params=params)
    expected = run_vectorized(program, _minutes(), initial_cash=cash)
    got = run_python(SmaCross(), _minutes(), params=params, initial_cash=cash)
    assert len(expected) > 10
    assert got == expected
