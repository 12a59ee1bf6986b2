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
import importlib.util
import inspect
import os
import time
from collections.abc import Mapping, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

from jts.backtest.config import BacktestConfig
from jts.backtest.data import DataSource, LoadedBars, load_bars
from jts.backtest.event import run_event, run_event_python
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
from jts.marketdata.frames import TickFrame
from jts.marketdata.store import ParquetStore
from jts.risk import RiskLimits
from jts.strategy.api import Strategy
from jts.strategy.lang import Program, compile_program

__all__ = [
    "Loaded",
    "StrategySource",
    "load_strategy",
    "load_ticks",
    "python_strategy",
    "run",
    "run_loaded",
    "strategy_source",
]

StrategySource = Program | Strategy | str | os.PathLike[str]
Loaded = Program | Strategy


def load_strategy(
    strategy: StrategySource, params: Mapping[str, object] | None = None
) -> tuple[Loaded, Path | None]:
    """The compiled program (params bound) or Python strategy, and the file it came from.

    A `.py` file must define one `jts.strategy.api.Strategy` subclass (or name it:
    `file.py:ClassName`); it is imported and instantiated without arguments. Python strategy
    params are checked and applied by the runtime when the backtest runs."""
    if isinstance(strategy, Program):
        return (strategy.bind(params) if params else strategy), None
    if isinstance(strategy, Strategy):
        return strategy, None
    text = os.fspath(strategy)
    name, _, cls = text.partition(":") if text.count(":") == 1 else (text, "", "")
    path = Path(name)
    if "\n" not in text and path.suffix in (".jts", ".py"):
        if not path.is_file():
            raise InvalidInput("strategy", f"{path} does not exist")
        if path.suffix == ".py":
            return python_strategy(path, cls or None), path
        return compile_program(path.read_text(encoding="utf-8"), params=params), path
    return compile_program(text, params=params), None


def python_strategy(path: Path, class_name: str | None = None) -> Strategy:
    """An instance of the `Strategy` subclass defined in the Python file `path`."""
    module_name = (
        f"jts_user_strategy_{hashlib.sha256(str(path.resolve()).encode()).hexdigest()[:12]}"
    )
    spec = importlib.util.spec_from_file_location(module_name, path)
    if spec is None or spec.loader is None:
        raise InvalidInput("strategy", f"{path} is not an importable Python file")
    module = importlib.util.module_from_spec(spec)
    try:
        spec.loader.exec_module(module)
    except Exception as exc:  # the user's file: say what broke, in one line
        raise InvalidInput(
            "strategy", f"{path} failed to import: {type(exc).__name__}: {exc}"
        ) from exc
    found = {
        obj.__name__: obj
        for obj in vars(module).values()
        if isinstance(obj, type) and issubclass(obj, Strategy) and obj.__module__ == module_name
    }
    if class_name is not None:
        if class_name not in found:
            raise InvalidInput("strategy", f"{path} defines no Strategy class {class_name!r}")
        return found[class_name]()
    if len(found) != 1:
        names = ", ".join(sorted(found)) or "none"
        raise InvalidInput(
            "strategy",
            f"{path} must define exactly one Strategy subclass (found: {names}); "
            "name one as FILE.py:ClassName",
        )
    return next(iter(found.values()))()


def run(
    strategy: StrategySource,
    data: DataSource,
    *,
    engine: str | None = None,
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
    ticks: TickFrame | bool = False,
) -> BacktestResult:
    """Backtest `strategy` on `data` (module docstring); options as in `jts backtest --help`.

    `engine` defaults to `vector` for a program and `event` for a Python strategy (which
    runs bar by bar only). `ticks` (event engine, programs with exits): the trade prints
    between bars, on which stops and targets trigger intrabar — a `TickFrame`, or True to read
    them from the store `data` names for the loaded symbols and dates."""
    program, path = load_strategy(strategy, params)
    python = isinstance(program, Strategy)
    if engine is None:
        engine = "event" if python else "vector"
    if python and engine != "event":
        raise InvalidInput("engine", "a Python strategy runs bar by bar: use engine='event'")
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
        program=None if isinstance(program, Strategy) else program,
        symbols=symbols,
        start=start,
        end=end,
        timeframe=timeframe,
        instruments=instruments,
        strategy_dir=None if path is None else path.parent,
    )
    python_params = params if python else None
    prints = load_ticks(ticks, data, loaded) if ticks is not False else None
    if prints is not None and (python or engine != "event"):
        raise InvalidInput("ticks", "tick exits run on the event engine, for .jts programs")
    return run_loaded(
        program, loaded, config, risk_limits, python_params=python_params, ticks=prints
    )


def load_ticks(ticks: TickFrame | bool, data: DataSource, loaded: LoadedBars) -> TickFrame:
    """The prints for a tick backtest: as given, or read from the store `data` names."""
    if isinstance(ticks, TickFrame):
        return ticks
    store = data if isinstance(data, ParquetStore) else None
    if store is None and isinstance(data, str | os.PathLike) and Path(data).is_dir():
        store = ParquetStore(Path(data))
    if store is None or "ticks" not in store.datasets():
        raise InvalidInput("ticks", f"{loaded.source} holds no ticks (import them into a store)")
    stamps = loaded.bars["ts"]
    first, last = int(stamps.min()), int(stamps.max())
    return store.read_ticks(loaded.symbols, first, last + loaded.bars.interval_s * 10**9)


def run_loaded(
    program: Loaded,
    loaded: LoadedBars,
    config: BacktestConfig,
    risk_limits: RiskLimits | None = None,
    *,
    python_params: Mapping[str, object] | None = None,
    ticks: TickFrame | None = None,
) -> BacktestResult:
    """Backtest a compiled program (or a Python strategy, event engine) on bars already
    loaded (sweeps load once, run many)."""
    prepared = prepare(loaded.bars, loaded.instruments, config)
    risk = BacktestRisk(risk_limits, prepared.matcher, prepared.ledger)
    started = time.perf_counter()
    errors: list[str] = []
    if isinstance(program, Strategy):
        out, failed = run_event_python(program, prepared, risk, python_params)
        errors = [str(e) for e in failed]
    elif config.engine == "vector":
        out = run_vector(program, prepared, risk)
    else:
        out = run_event(program, prepared, risk, ticks)
    seconds = time.perf_counter() - started
    result = _result(program, loaded, config, out, seconds, python_params)
    if errors:
        result.meta["strategy_errors"] = errors[:20] + (
            [f"... {len(errors) - 20} more"] if len(errors) > 20 else []
        )
    return result


def _result(
    program: Loaded,
    loaded: LoadedBars,
    config: BacktestConfig,
    out: RunOutput,
    seconds: float,
    python_params: Mapping[str, object] | None = None,
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
        "path": out.path,
    }
    if out.fallback is not None:
        stats["fallback"] = out.fallback
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
        "strategy_sha256": _fingerprint(program),
        "warnings": list(loaded.warnings),
    }
    if isinstance(program, Strategy):
        name, params = program.strategy_name, {**program.default_params, **(python_params or {})}
    else:
        name, params = program.name, dict(program.param_values)
    return BacktestResult(
        strategy=name,
        params=params,
        stats=stats,
        orders=out.orders,
        fills=out.fills,
        equity=equity,
        trades=trades,
        initial_cash=config.cash,
        meta=meta,
        bars=bars,
    )


def strategy_source(program: Loaded) -> tuple[str, str]:
    """(name, source text) of a program, or of a Python strategy (its class's source when
    readable): what a recorded run keeps."""
    if isinstance(program, Program):
        return program.name, program.source
    try:
        text = inspect.getsource(type(program))
    except (OSError, TypeError):
        text = type(program).__qualname__
    return program.strategy_name, text


def _fingerprint(program: Loaded) -> str:
    """sha256 of the program text or of the Python strategy's source."""
    return hashlib.sha256(strategy_source(program)[1].encode()).hexdigest()
