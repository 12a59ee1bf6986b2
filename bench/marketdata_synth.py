"""Speed of the synthetic market generator, next to a NumPy baseline measured in the same run.

    .venv/bin/python bench/marketdata_synth.py [--symbols N] [--days D] [--seed S] [--json]
                                               [--profile]

Timed:

* ``minute bars``  `minute_bars` over N symbols x D trading days, every chunk built and dropped
                   (bars/s counts every bar, auction prints included)
* ``daily bars``   `daily_bars` over the same symbols and days
* ``baseline``     NumPy drawing as many random int64 values as there were minute bars
                   (`Generator.integers`), the yardstick for "ratio"

The goal: 100 million minute bars in well under a minute (2,600 symbols x 250 days is ~250 M).
`--profile` prints where the minute-bar time goes (cProfile, top functions by own time).
"""

from __future__ import annotations

import argparse
import cProfile
import datetime as dt
import json
import os
import platform
import pstats
import time
from typing import Any

import numpy as np

from jts.core.models import Instrument
from jts.marketdata.synth import daily_bars, make_universe, minute_bars

GOAL_SECONDS_PER_100M = 60.0
START = dt.date(2025, 11, 3)


def time_minutes(universe: list[Instrument], days: int, seed: int) -> tuple[int, int, float]:
    """(bars, frames, seconds) for generating and dropping every minute-bar chunk."""
    bars = frames = 0
    start = time.perf_counter()
    for frame in minute_bars(universe, START, days=days, seed=seed):
        bars += len(frame)
        frames += 1
    return bars, frames, time.perf_counter() - start


def time_daily(universe: list[Instrument], days: int, seed: int) -> tuple[int, float]:
    start = time.perf_counter()
    bars = len(daily_bars(universe, START, days=days, seed=seed))
    return bars, time.perf_counter() - start


def time_baseline(count: int) -> float:
    """Seconds NumPy takes to draw `count` random int64 values, in 10 M pieces."""
    rng = np.random.default_rng(0)
    start = time.perf_counter()
    left = count
    while left > 0:
        rng.integers(0, 2**62, size=min(left, 10_000_000), dtype=np.int64)
        left -= 10_000_000
    return time.perf_counter() - start


def run(symbols: int, days: int, seed: int) -> dict[str, Any]:
    universe = make_universe(symbols, seed=seed)
    list(minute_bars(universe, START, days=1, seed=seed))  # warm caches (calendar, sessions)
    bars, frames, seconds = time_minutes(universe, days, seed)
    daily, daily_seconds = time_daily(universe, days, seed)
    baseline = time_baseline(bars)
    per_100m = seconds / bars * 1e8
    return {
        "date": dt.datetime.now(dt.UTC).date().isoformat(),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, {platform.system()}",
        "python": platform.python_version(),
        "symbols": symbols,
        "days": days,
        "minute_bars": bars,
        "frames": frames,
        "minute_seconds": round(seconds, 3),
        "minute_bars_per_s": round(bars / seconds),
        "seconds_per_100m_bars": round(per_100m, 2),
        "daily_bars": daily,
        "daily_seconds": round(daily_seconds, 3),
        "baseline_seconds": round(baseline, 3),
        "baseline_values_per_s": round(bars / baseline),
        "ratio_to_baseline": round(baseline / seconds, 4),
        "goal_seconds_per_100m": GOAL_SECONDS_PER_100M,
        "goal_met": per_100m < GOAL_SECONDS_PER_100M,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--symbols", type=int, default=500)
    parser.add_argument("--days", type=int, default=20)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--profile", action="store_true", help="cProfile the minute bars")
    args = parser.parse_args()
    if args.profile:
        universe = make_universe(args.symbols, seed=args.seed)
        profiler = cProfile.Profile()
        profiler.runcall(time_minutes, universe, args.days, args.seed)
        pstats.Stats(profiler).sort_stats("tottime").print_stats(20)
        return
    result = run(args.symbols, args.days, args.seed)
    if args.json:
        print(json.dumps(result))
        return
    print(f"{result['symbols']} symbols x {result['days']} days on {result['machine']}")
    print(
        f"minute bars  {result['minute_bars']:>13,} in {result['minute_seconds']:8.2f} s"
        f"  = {result['minute_bars_per_s']:>12,} bars/s  ({result['frames']} frames)"
    )
    print(f"daily bars   {result['daily_bars']:>13,} in {result['daily_seconds']:8.2f} s")
    print(
        f"baseline     {result['minute_bars']:>13,} in {result['baseline_seconds']:8.2f} s"
        f"  = {result['baseline_values_per_s']:>12,} int64/s"
    )
    verdict = "met" if result["goal_met"] else "NOT met"
    print(
        f"ratio to baseline {result['ratio_to_baseline']:.3f}; "
        f"{result['seconds_per_100m_bars']:.1f} s per 100 M bars "
        f"(goal < {GOAL_SECONDS_PER_100M:.0f} s): {verdict}"
    )


if __name__ == "__main__":
    main()
