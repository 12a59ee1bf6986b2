"""Benchmark the benchmark strategy: `sma_cross.jts` signal generation, vectorized and streaming.

    .venv/bin/python bench/strategy_sma_cross.py [--symbols 100] [--days 250] [--json]

Data: the synthetic market's minute bars (100 symbols × 250 trading days ≈ 9.5 M bars by
default). Timed, each in the same run:
  indicators  the two SMAs alone with the batch kernels (the floor for any executor)
  vectorized  `run_vectorized(program, bars)`: all orders of the whole period
  streaming   `run_streaming(program, bars)`: the same orders, bar by bar
  baseline    a bare Python loop over the same number of bars (the per-bar ceiling of any
              interpreter written in Python)
Both executors must produce the same orders; the script checks it.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import time
from pathlib import Path

import numpy as np

from jts.marketdata import BarFrame
from jts.marketdata.synth import make_universe, minute_bars
from jts.strategy.execute import run_streaming, run_vectorized
from jts.strategy.indicators import batch
from jts.strategy.lang import compile_program

SMA_CROSS = Path(__file__).parents[1] / "examples" / "strategies" / "sma_cross.jts"


def _bars(symbols: int, days: int) -> BarFrame:
    universe = make_universe(symbols, seed=1)
    chunks = list(minute_bars(universe, dt.date(2025, 11, 3), days=days, seed=1))
    return BarFrame.concat(chunks).sorted()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--symbols", type=int, default=100)
    parser.add_argument("--days", type=int, default=250)
    parser.add_argument("--skip-streaming", action="store_true")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    program = compile_program(SMA_CROSS.read_text(encoding="utf-8"))
    bars = _bars(args.symbols, args.days)
    closes = bars["close"].astype(np.float64)
    batch.warm_up()
    result: dict[str, float | int | bool] = {"bars": len(bars), "symbols": args.symbols}

    started = time.perf_counter()
    batch.sma(closes, 5)
    batch.sma(closes, 20)
    result["indicators_s"] = time.perf_counter() - started

    started = time.perf_counter()
    vector_orders = run_vectorized(program, bars)
    result["vectorized_s"] = time.perf_counter() - started
    result["vectorized_bars_per_s"] = len(bars) / result["vectorized_s"]
    result["orders"] = len(vector_orders)

    started = time.perf_counter()
    total = 0.0
    for value in closes.tolist():
        total += value
    result["baseline_loop_s"] = time.perf_counter() - started

    if not args.skip_streaming:
        started = time.perf_counter()
        stream_orders = run_streaming(program, bars)
        result["streaming_s"] = time.perf_counter() - started
        result["streaming_bars_per_s"] = len(bars) / result["streaming_s"]
        result["streaming_vs_baseline_loop"] = result["baseline_loop_s"] / result["streaming_s"]
        result["same_orders"] = stream_orders == vector_orders
    if args.json:
        print(json.dumps(result, indent=2))
        return
    for key, value in result.items():
        print(f"{key:28} {value:,.3f}" if isinstance(value, float) else f"{key:28} {value}")


if __name__ == "__main__":
    main()
