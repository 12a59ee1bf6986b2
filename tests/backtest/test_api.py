"""`jts.backtest.run`: the Python API the CLI wraps."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import polars as pl
import pytest

import jts.backtest
from jts.backtest import BacktestResult
from jts.core.errors import InvalidInput
from jts.marketdata.frames import BarFrame
from jts.marketdata.synth import make_universe, minute_bars
from jts.strategy.lang import DslError

SMA = Path(__file__).parents[2] / "examples" / "strategies" / "sma_cross.jts"
REQUIRED = [
    *("engine", "symbols", "bars", "seconds", "bars_per_second", "orders_filled"),
    *("round_trips", "final_cash", "final_equity", "total_costs", "total_return"),
    *("annualized_return", "volatility", "sharpe", "sortino", "max_drawdown"),
    *("max_drawdown_duration_days", "win_rate", "profit_factor", "avg_holding_seconds"),
    *("exposure", "turnover", "commission", "tax"),
]


@pytest.fixture(scope="module")
def bars() -> BarFrame:
    universe = make_universe(4, seed=7)
    return BarFrame.concat(list(minute_bars(universe, dt.date(2025, 11, 3), days=4, seed=7)))


@pytest.fixture(scope="module")
def result(bars: BarFrame) -> BacktestResult:
    return jts.backtest.run(SMA, bars)


def test_stats_hold_every_figure_the_cli_promises(result: BacktestResult) -> None:
    assert set(REQUIRED) <= set(result.stats)
    stats = result.stats
    assert stats["orders_filled"] == result.fills.height > 0
    assert stats["final_equity"] == result.equity["equity"][-1]
    assert stats["final_cash"] == result.equity["cash"][-1]
    assert stats["total_costs"] == result.fills["commission"].sum() + result.fills["tax"].sum()
    json.dumps(result.summary())  # JSON-safe


def test_no_fill_happens_on_or_before_the_bar_that_decided_it(result: BacktestResult) -> None:
    joined = result.fills.join(result.orders, on="order_id", suffix="_order")
    assert joined.height == result.fills.height
    assert (joined["ts"] > joined["ts_order"]).all()


def test_orders_decided_on_a_symbols_last_bar_expire(bars: BarFrame) -> None:
    text = 'strategy "last"\nuniverse all\ntimeframe 1m\nwhen last_bar_of_day: buy 1 shares\n'
    result = jts.backtest.run(text, bars)
    expired = result.orders.filter(pl.col("status") == "expired")
    assert expired.height == len(bars.symbols())  # the last day's orders have no next bar
    assert result.fills.height == result.orders.height - expired.height


def test_params_bind_and_outputs_write(
    result: BacktestResult, bars: BarFrame, tmp_path: Path
) -> None:
    other = jts.backtest.run(SMA, bars, params={"fast": 3}, costs="none", engine="event")
    assert other.params["fast"] == 3
    assert other.stats["total_costs"] == 0
    page = result.report(tmp_path / "r.html").read_text()
    assert "sma_cross" in page
    folder = result.to_parquet(tmp_path / "out")
    assert pl.read_parquet(folder / "fills.parquet").equals(result.fills)
    assert (
        json.loads((folder / "stats.json").read_text())["final_equity"]
        == result.stats["final_equity"]
    )


def test_bad_strategies_and_options_say_what_is_wrong(bars: BarFrame, tmp_path: Path) -> None:
    with pytest.raises(InvalidInput, match="does not exist"):
        jts.backtest.run(tmp_path / "missing.jts", bars)
    with pytest.raises(DslError):
        jts.backtest.run(SMA, bars, params={"fast": 99})
    with pytest.raises(InvalidInput, match="engine"):
        jts.backtest.run(SMA, bars, engine="fast")
    with pytest.raises(InvalidInput, match="cash"):
        jts.backtest.run(SMA, bars, cash=0)


PYTHON = SMA.parent / "python_mean_reversion.py"


def test_python_strategies_run_on_the_event_engine_with_costs(bars: BarFrame) -> None:
    free = jts.backtest.run(PYTHON, bars, costs="none")
    assert free.stats["engine"] == "event"
    assert free.strategy == "python_mean_reversion"
    from jts.backtest.api import python_strategy
    from jts.strategy.python_runtime import run_python

    intents = run_python(python_strategy(PYTHON), bars)
    assert free.orders["ts"].to_list() == [o.ts_ns for o in intents]
    assert free.orders["qty"].to_list() == [o.qty for o in intents]
    paid = jts.backtest.run(PYTHON, bars, params={"qty": 5})
    assert paid.params["qty"] == 5
    assert paid.stats["total_costs"] > 0
    assert paid.stats["final_cash"] == paid.equity["cash"][-1]


def test_python_strategy_files_are_checked(bars: BarFrame, tmp_path: Path) -> None:
    with pytest.raises(InvalidInput, match="use engine='event'"):
        jts.backtest.run(PYTHON, bars, engine="vector")
    empty = tmp_path / "none.py"
    empty.write_text("x = 1\n")
    with pytest.raises(InvalidInput, match="exactly one Strategy subclass"):
        jts.backtest.run(empty, bars)
    broken = tmp_path / "broken.py"
    broken.write_text("import no_such_module_here\n")
    with pytest.raises(InvalidInput, match="failed to import: ModuleNotFoundError"):
        jts.backtest.run(broken, bars)
    with pytest.raises(InvalidInput, match="no Strategy class 'Nope'"):
        jts.backtest.run(f"{PYTHON}:Nope", bars)


def test_stats_say_how_the_orders_were_computed(bars: BarFrame) -> None:
    assert jts.backtest.run(SMA, bars).stats["path"] == "compiled"
    assert jts.backtest.run(SMA, bars, engine="event").stats["path"] == "event"
    text = (
        'strategy "rotate"\nuniverse all\ntimeframe 1m\n'
        "select top 1 by roc(close, 5) rebalance every 30 bars\n"
        "when selected and position == 0: buy 1 shares\nwhen not selected: sell all\n"
    )
    slow = jts.backtest.run(text, bars)
    assert slow.stats["path"] == "python"
    assert "select" in slow.stats["fallback"]
