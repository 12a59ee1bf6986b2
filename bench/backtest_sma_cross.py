"""Benchmark the backtester on the issue's workload: `sma_cross.jts`, zero costs, next-open fills.

    .venv/bin/python bench/backtest_sma_cross.py [--symbols 100] [--days 250] [--sweep 8] [--json]

Data: the synthetic market's minute bars (100 symbols × 250 trading days ≈ 9.5 M bars by
default). Timed in the same run:
  baseline   a bare Python loop over the closes (the per-bar floor of any Python interpreter;
             ratios against it are what to compare across machines)
  vector     `jts.backtest.run(..., engine="vector")`: fills, costs, risk checks included
  event      `jts.backtest.run(..., engine="event")`: bar by bar through risk, OMS and venue
  sweep      `jts.backtest.sweep.sweep` over the first N (fast, slow) pairs on all cores,
             reported as bar·param/s
Both runners must give the same fills and final equity; the script checks it.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import time
from pathlib import Path

import numpy as np

from jts.backtest import BacktestConfig, LoadedBars, run_loaded
from jts.marketdata import BarFrame
from jts.marketdata.synth import make_universe, minute_bars
from jts.strategy.lang import compile_program

SMA_CROSS = Path(__file__).parents[1] / "examples" / "strategies" / "sma_cross.jts"


def _loaded(symbols: int, days: int) -> LoadedBars:
    universe = make_universe(symbols, seed=1)
    bars = BarFrame.concat(list(minute_bars(universe, dt.date(2025, 11, 3), days=days, seed=1)))
    bars = bars.sorted()
    return LoadedBars(bars, {}, "1m", bars.symbols(), "synthetic")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--symbols", type=int, default=100)
    parser.add_argument("--days", type=int, default=250)
    parser.add_argument("--skip-event", action="store_true")
    parser.add_argument("--sweep", type=int, default=0, help="parameter sets to sweep (0: none)")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    program = compile_program(SMA_CROSS.read_text(encoding="utf-8"))
    loaded = _loaded(args.symbols, args.days)
    n = len(loaded.bars)
    out: dict[str, float | int | bool | str] = {"bars": n, "symbols": args.symbols}

    closes = np.asarray(loaded.bars["close"], dtype=np.float64)
    started = time.perf_counter()
    total = 0.0
    for value in closes.tolist():
        total += value
    out["baseline_loop_s"] = time.perf_counter() - started

    config = BacktestConfig(engine="vector", costs="none")
    run_loaded(program, _loaded(3, 2), config)  # compile the kernels outside the timing
    vector = run_loaded(program, loaded, config)
    out["vector_s"] = vector.stats["seconds"]
    out["vector_bars_per_s"] = n / vector.stats["seconds"]
    out["vector_vs_baseline"] = out["baseline_loop_s"] / vector.stats["seconds"]
    out["fills"] = vector.stats["orders_filled"]
    out["final_equity"] = vector.stats["final_equity"]
    if not args.skip_event:
        event = run_loaded(program, loaded, BacktestConfig(engine="event", costs="none"))
        out["event_s"] = event.stats["seconds"]
        out["event_bars_per_s"] = n / event.stats["seconds"]
        out["event_vs_baseline"] = out["baseline_loop_s"] / event.stats["seconds"]
        out["same_fills_and_equity"] = bool(
            event.fills.equals(vector.fills)
            and event.stats["final_equity"] == vector.stats["final_equity"]
        )
    if args.sweep:
        from jts.backtest.sweep import sweep

        grid = [{"fast": f, "slow": s} for s in range(10, 61, 5) for f in range(3, 11)]
        grid = grid[: args.sweep]
        started = time.perf_counter()
        sweep(program, loaded, config, grid)
        seconds = time.perf_counter() - started
        out["sweep_sets"] = len(grid)
        out["sweep_s"] = seconds
        out["sweep_bar_params_per_s"] = n * len(grid) / seconds
    if args.json:
        print(json.dumps(out, indent=2))
        return
    for key, value in out.items():
        print(f"{key:26} {value:,.3f}" if isinstance(value, float) else f"{key:26} {value}")


if __name__ == "__main__":
    main()
