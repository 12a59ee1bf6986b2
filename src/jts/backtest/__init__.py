"""Backtests: a strategy program over historical bars, with KRX fills, costs and risk checks.

    import jts.backtest
    result = jts.backtest.run("examples/strategies/sma_cross.jts", "var/data")
    result.stats, result.fills, result.report("report.html")

Two runners with one meaning: `vector` (the strategy's vectorized executor, compiled where
`jts.backtest.kernel` supports the program) and `event` (bar by bar, and tick by tick for
exits, through `jts.risk`, `jts.oms` and a simulated venue: the live path); both give the
same orders, fills, cash and equity. Python-API strategies run on `event`. Fill models and
costs: `jts.backtest.fills`, `jts.backtest.costs`; statistics: `jts.backtest.metrics`; the
report: `jts.backtest.report`; parameter sweeps: `jts.backtest.sweep`; walk-forward:
`jts.backtest.walkforward`; recorded runs: `jts.backtest.runs`. User guide: docs/backtest.md.
"""

from jts.backtest.api import load_strategy, run, run_loaded
from jts.backtest.config import BacktestConfig
from jts.backtest.data import LoadedBars, load_bars
from jts.backtest.fills import FILL_MODELS, FillModel
from jts.backtest.result import BacktestResult
from jts.backtest.sweep import parse_sweep, sweep
from jts.backtest.walkforward import walk_forward

__all__ = [
    "FILL_MODELS",
    "BacktestConfig",
    "BacktestResult",
    "FillModel",
    "LoadedBars",
    "load_bars",
    "load_strategy",
    "parse_sweep",
    "run",
    "run_loaded",
    "sweep",
    "walk_forward",
]
