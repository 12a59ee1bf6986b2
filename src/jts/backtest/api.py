"""`jts.backtest.run`: one call from a strategy and data to a `BacktestResult`.

    import jts.backtest
    result = jts.backtest.run("examples/strategies/sma_cross.jts", "var/data",
                              engine="vector", fill="next_open", costs="krx",
                              params={"fast": 8})
    result.stats["sharpe"], result.fills, result.report("report.html")

The CLI (`jts backtest`) only wraps this. `strategy` is a compiled `Program`, a path to a
`.jts` file or program text; `data` anything `jts.backtest.data.load_bars` reads (a store
folder or object, an import-format CSV/Parquet file or folder, a BarFrame, a polars or pandas
DataFrame). Both engines give the same orders, fills, cash and equity; `vector` is faster,
`event` runs the live trading path (risk checks, order manager, a venue) bar by bar.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import time
from collections.abc import Mapping, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

from jts.backtest.config import BacktestConfig
from jts.backtest.data import DataSource, LoadedBars, load_bars
from jts.backtest.event import run_event
from jts.backtest.fills import FillModel
from jts.backtest.marks import daily_equity
from jts.backtest.metrics import compute_metrics
from jts.backtest.result import BacktestResult
from jts.backtest.risk_context import BacktestRisk
from jts.backtest.runner import RunOutput, prepare
from jts.backtest.trades import round_trips
from jts.backtest.vector import run_vector
from jts.core.errors import InvalidInput
from jts.core.models import Instrument
from jts.risk import RiskLimits
from jts.strategy.lang import Program, compile_program

__all__ = ["StrategySource", "load_strategy", "run", "run_loaded"]

StrategySource = Program | str | os.PathLike[str]


def load_strategy(
    strategy: StrategySource, params: Mapping[str, object] | None = None
) -> tuple[Program, Path | None]:
    """The compiled program (params bound) and the file it came from, if any."""
    if isinstance(strategy, Program):
        return (strategy.bind(params) if params else strategy), None
    text = os.fspath(strategy)
    path = Path(text)
    if "\n" not in text and path.suffix == ".jts":
        if not path.is_file():
            raise InvalidInput("strategy", f"{path} does not exist")
        return compile_program(path.read_text(encoding="utf-8"), params=params), path
    return compile_program(text, params=params), None


def run(
    strategy: StrategySource,
    data: DataSource,
    *,
    engine: str = "vector",
    fill: str = "next_open",
    costs: str = "krx",
    cash: int = 100_000_000,
    params: Mapping[str, object] | None = None,
    symbols: Sequence[str] | None = None,
    start: dt.date | None = None,
    end: dt.date | None = None,
    timeframe: str | None = None,
    slippage_ticks: int = 0,
    participation: float | None = None,
    commission_rate: Decimal | float | str | None = None,
    settlement: bool = False,
    risk_limits: RiskLimits | None = None,
    instruments: Mapping[str, Instrument] | None = None,
) -> BacktestResult:
    """Backtest `strategy` on `data` (module docstring); options as in `jts backtest --help`."""
    program, path = load_strategy(strategy, params)
    config = BacktestConfig(
        engine=engine,
        fill=FillModel(fill, slippage_ticks, participation),
        costs=costs,
        commission_rate=None if commission_rate is None else Decimal(str(commission_rate)),
        cash=cash,
        settlement=settlement,
    )
    loaded = load_bars(
        data,
        program=program,
        symbols=symbols,
        start=start,
        end=end,
        timeframe=timeframe,
        instruments=instruments,
        strategy_dir=None if path is None else path.parent,
    )
    return run_loaded(program, loaded, config, risk_limits)


def run_loaded(
    program: Program,
    loaded: LoadedBars,
    config: BacktestConfig,
    risk_limits: RiskLimits | None = None,
) -> BacktestResult:
    """Backtest a compiled program on bars already loaded (sweeps load once, run many)."""
    prepared = prepare(loaded.bars, loaded.instruments, config)
    risk = BacktestRisk(risk_limits, prepared.matcher, prepared.ledger)
    runner = run_vector if config.engine == "vector" else run_event
    started = time.perf_counter()
    out = runner(program, prepared, risk)
    seconds = time.perf_counter() - started
    return _result(program, loaded, config, out, seconds)


def _result(
    program: Program,
    loaded: LoadedBars,
    config: BacktestConfig,
    out: RunOutput,
    seconds: float,
) -> BacktestResult:
    bars = loaded.bars
    equity = daily_equity(bars, out.fills, config.cash)
    trades = round_trips(out.fills)
    final_equity = int(equity["equity"][-1]) if equity.height else config.cash
    stats: dict[str, Any] = {
        "engine": config.engine,
        "symbols": len(loaded.symbols),
        "bars": len(bars),
        "seconds": round(seconds, 6),
        "bars_per_second": round(len(bars) / seconds) if seconds > 0 else None,
        "orders": out.orders.height,
        "orders_filled": out.fills.height,
        "orders_rejected": int((out.orders["status"] == "rejected").sum()),
        "round_trips": trades.height,
        "final_cash": out.final_cash,
        "final_equity": final_equity,
        "total_costs": out.commission + out.tax,
    }
    stats.update(compute_metrics(equity, out.fills, trades, config.cash))
    first = equity["date"][0] if equity.height else None
    last = equity["date"][-1] if equity.height else None
    meta = {
        "data": loaded.source,
        "timeframe": loaded.timeframe,
        "start": None if first is None else str(first),
        "end": None if last is None else str(last),
        "fill": config.fill.kind,
        "costs": config.costs,
        "cash": config.cash,
        "strategy_sha256": hashlib.sha256(program.source.encode()).hexdigest(),
        "warnings": list(loaded.warnings),
    }
    return BacktestResult(
        strategy=program.name,
        params=dict(program.param_values),
        stats=stats,
        orders=out.orders,
        fills=out.fills,
        equity=equity,
        trades=trades,
        initial_cash=config.cash,
        meta=meta,
        bars=bars,
    )
