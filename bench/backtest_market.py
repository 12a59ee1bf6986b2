"""Whole-market backtest: time and peak memory of a vectorized `sma_cross` run over many symbols.

    .venv/bin/python bench/backtest_market.py [--symbols 2600] [--days 20] [--json]

The issue's goal is 2,600 symbols × 250 days in ≤ 3 minutes with peak memory ≤ 4 GB. The
synthetic market is generated in memory (outside the timing), then `run_loaded` runs the
vectorized engine with KRX costs; peak resident memory (`ru_maxrss`) is read after the run
and after generation, so the run's own share is the difference. Run at a smaller `--days`
and scale: time and memory grow linearly in bars (the frame and every per-row array are
O(bars)).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import resource
import time
from pathlib import Path

from jts.backtest import BacktestConfig, LoadedBars, run_loaded
from jts.marketdata import BarFrame
from jts.marketdata.synth import make_universe, minute_bars
from jts.strategy.lang import compile_program

SMA_CROSS = Path(__file__).parents[1] / "examples" / "strategies" / "sma_cross.jts"


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--symbols", type=int, default=2600)
    parser.add_argument("--days", type=int, default=20)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    program = compile_program(SMA_CROSS.read_text(encoding="utf-8"))
    universe = make_universe(args.symbols, seed=1)
    started = time.perf_counter()
    bars = BarFrame.concat(
        list(minute_bars(universe, dt.date(2025, 11, 3), days=args.days, seed=1))
    )
    bars = bars.sorted()
    generate_s = time.perf_counter() - started
    loaded = LoadedBars(bars, {i.symbol: i for i in universe}, "1m", bars.symbols(), "synthetic")
    after_data = _peak_mb()
    started = time.perf_counter()
    result = run_loaded(program, loaded, BacktestConfig(engine="vector"))
    total_s = time.perf_counter() - started
    peak = _peak_mb()
    n = len(bars)
    out = {
        "symbols": args.symbols,
        "days": args.days,
        "bars": n,
        "generate_s": round(generate_s, 2),
        "run_s": round(total_s, 2),
        "engine_s": result.stats["seconds"],
        "bars_per_s": round(n / total_s),
        "peak_rss_mb_after_data": round(after_data),
        "peak_rss_mb": round(peak),
        "bytes_per_bar_peak": round(peak * 2**20 / n, 1),
        "fills": result.stats["orders_filled"],
        "scaled_to_250_days_run_s": round(total_s * 250 / args.days, 1),
        "scaled_to_250_days_peak_gb": round(peak / 1024 * 250 / args.days, 1),
    }
    if args.json:
        print(json.dumps(out, indent=2))
        return
    for key, value in out.items():
        print(f"{key:28} {value:,}" if isinstance(value, int | float) else f"{key:28} {value}")


if __name__ == "__main__":
    main()
