"""A whole simulated KRX day with background agents: wall and CPU time for many symbols.

    .venv/bin/python bench/sim_day.py [--symbols 500] [--seed 0] [--date 2026-11-27]
    .venv/bin/python bench/sim_day.py --symbols 100 --profile     where the time goes

The issue's goal: a day of 500 symbols with agents in <= 60 s compressed, on one core. One
`jts.venues.sim.day.run_day` call is timed end to end — synthetic market, agents' schedule,
the whole day from 08:29 to 18:02 (matching, auctions, VIs, conflated book publication) and
writing trades.parquet and books.parquet to a temporary directory. CPU time of the process is
reported beside wall time: on a busy shared machine it is the steadier figure. `orders_per_s`
counts every order message the agents sent (new orders, modifies and cancels). Prints one
JSON line.
"""

from __future__ import annotations

import argparse
import cProfile
import datetime as dt
import json
import pstats
import tempfile
import time
from pathlib import Path
from typing import Any

from jts.venues.sim.day import DaySummary, run_day
from machine_info import machine

GOAL_S = 60.0


def run(symbols: int, seed: int, day: dt.date) -> tuple[DaySummary, float, float]:
    """One day into a temporary directory; (summary, wall s, CPU s)."""
    with tempfile.TemporaryDirectory(prefix="jts-sim-day-") as tmp:
        started, started_cpu = time.perf_counter(), time.process_time()
        summary = run_day(symbols, seed, day, Path(tmp))
        return summary, time.perf_counter() - started, time.process_time() - started_cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--symbols", type=int, default=500)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--date", type=dt.date.fromisoformat, default=dt.date(2026, 11, 27))
    parser.add_argument("--profile", action="store_true", help="cProfile the run instead")
    args = parser.parse_args()
    if args.profile:
        profiler = cProfile.Profile()
        profiler.runcall(run, args.symbols, args.seed, args.date)
        pstats.Stats(profiler).sort_stats("tottime").print_stats(25)
        return
    summary, wall, cpu = run(args.symbols, args.seed, args.date)
    messages = summary.orders + summary.modifies + summary.cancels
    result: dict[str, Any] = {
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "machine": machine(),
        "symbols": args.symbols,
        "sim_date": args.date.isoformat(),
        "seconds": round(wall, 2),
        "cpu_seconds": round(cpu, 2),
        "trades": summary.trades,
        "orders": summary.orders,
        "modifies": summary.modifies,
        "cancels": summary.cancels,
        "rejects": summary.rejects,
        "vi_triggers": summary.vi_triggers,
        "book_snapshots": summary.book_snapshots,
        "orders_per_s": round(messages / wall),
        "goal_s": GOAL_S,
        "goal_met": wall <= GOAL_S,
        "goal_met_cpu": cpu <= GOAL_S,
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
