"""Indicator kernels: batch bars/s over a (bars × symbols) panel, streaming updates/s per state.

    .venv/bin/python bench/strategy_indicators.py [--bars N] [--symbols S] [--updates U]
                                                  [--repeat R] [--json]

Data: synthetic random-walk minute bars made here with NumPy (integer KRW prices, 381 bars a
day, a new session every 381 bars): by default 100 symbols × 250 days × 381 bars = 9.5 M bars.

* batch: each `batch` function over the whole panel, best of R. The panel is column-major
  (each symbol's bars adjacent, the kernels' layout); a second figure gives the same call on a
  row-major copy, which pays a transposing copy of every input first.
* baseline (same run): `np.cumsum(close, axis=0)` over the same panel — one add per bar.
* stream: U updates of one state (`update(...)` in a plain loop), against a bare Python loop
  adding the same floats; and an `IndicatorSet` of five indicators fed symbol-bar by symbol-bar.
* compile: Numba compile time of all kernels into an empty cache, and load time from it, each in
  a fresh process (`batch.warm_up()`); excluded from every other figure.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from functools import partial
from typing import Any

import numba
import numpy as np

from jts.strategy.indicators import SPECS, IndicatorRequest, IndicatorSet, batch, new_state

DAY = 381
PARAMS: dict[str, dict[str, int | float]] = {
    "sma": {"n": 20},
    "ema": {"n": 20},
    "wma": {"n": 20},
    "rsi": {"n": 14},
    "macd": {},
    "bollinger": {},
    "atr": {"n": 14},
    "stochastic": {},
    "vwap": {},
    "highest": {"n": 20},
    "lowest": {"n": 20},
    "roc": {"n": 10},
    "stdev": {"n": 20},
    "obv": {},
    "crosses_above": {},
    "crosses_below": {},
    "rising": {"n": 3},
    "falling": {"n": 3},
}


def make_panel(bars: int, symbols: int, seed: int = 1) -> dict[str, np.ndarray]:
    """Column-major (bars × symbols) inputs: KRW random walks with ranges, volume, sessions."""
    rng = np.random.default_rng(seed)
    steps = rng.normal(0.0, 0.001, (bars, symbols))
    close = np.round(rng.integers(5_000, 200_000, symbols) * np.exp(np.cumsum(steps, axis=0)))
    wick = np.abs(rng.normal(0.0, 0.0005, (2, bars, symbols))) * close
    panel = {
        "close": close,
        "high": np.round(close + wick[0]),
        "low": np.round(close - wick[1]),
        "volume": rng.integers(0, 5_000, (bars, symbols)).astype(np.float64),
        "new_session": np.broadcast_to((np.arange(bars) % DAY == 0)[:, None], (bars, symbols)),
    }
    fast = batch.sma(close, 5)
    panel["a"] = fast
    panel["b"] = batch.sma(close, 20)
    panel["x"] = close
    return {k: np.asfortranarray(v) for k, v in panel.items()}


def inputs_of(name: str, panel: dict[str, np.ndarray]) -> list[np.ndarray]:
    return [panel[field] for field in SPECS[name].inputs]


def best_of(repeat: int, run: Callable[[], object]) -> float:
    times = []
    for _ in range(repeat):
        gc.collect()
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return min(times)


def measure_batch(panel: dict[str, np.ndarray], repeat: int) -> dict[str, Any]:
    close = panel["close"]
    total = close.size
    base = best_of(repeat, lambda: np.cumsum(close, axis=0))
    rows: dict[str, Any] = {}
    for name in SPECS:
        cols = inputs_of(name, panel)
        f_order = best_of(repeat, partial(batch.compute, name, cols, PARAMS[name]))
        c_cols = [np.ascontiguousarray(c) for c in cols]
        c_order = best_of(repeat, partial(batch.compute, name, c_cols, PARAMS[name]))
        del c_cols
        rows[name] = {
            "seconds": round(f_order, 4),
            "bars_per_s": round(total / f_order),
            "ratio_to_baseline": round(base / f_order, 3),
            "row_major_bars_per_s": round(total / c_order),
        }
    return {"bars": total, "baseline_cumsum_bars_per_s": round(total / base), "kernels": rows}


def _stream_loop(name: str, columns: list[list[Any]]) -> float:
    update = new_state(name, PARAMS[name]).update
    start = time.perf_counter()
    if len(columns) == 1:
        for x in columns[0]:
            update(x)
    else:
        for row in zip(*columns, strict=True):
            update(*row)
    return time.perf_counter() - start


def _bare_loop(values: list[float]) -> float:
    start = time.perf_counter()
    acc = 0.0
    for x in values:
        acc += x
    return time.perf_counter() - start


def measure_stream(panel: dict[str, np.ndarray], updates: int, repeat: int) -> dict[str, Any]:
    def series(field: str) -> list[Any]:
        values: list[Any] = panel[field].ravel(order="F")[:updates].tolist()
        return values

    lists = {field: series(field) for field in {f for s in SPECS.values() for f in s.inputs}}
    count = len(lists["close"])
    base = min(_bare_loop(lists["close"]) for _ in range(repeat))
    rows: dict[str, Any] = {}
    for name, spec in SPECS.items():
        columns = [lists[field] for field in spec.inputs]
        seconds = min(_stream_loop(name, columns) for _ in range(repeat))
        rows[name] = {
            "updates_per_s": round(count / seconds),
            "ns_per_update": round(seconds / count * 1e9),
            "ratio_to_baseline": round(base / seconds, 4),
        }
    return {"updates": count, "baseline_bare_loop_per_s": round(count / base), "states": rows}


SET_REQUESTS = [
    IndicatorRequest("sma", {"n": 5}),
    IndicatorRequest("sma", {"n": 20}),
    IndicatorRequest("rsi", {"n": 14}),
    IndicatorRequest("atr", {"n": 14}),
    IndicatorRequest("vwap"),
]


def measure_set(panel: dict[str, np.ndarray], updates: int, repeat: int) -> dict[str, Any]:
    symbols = panel["close"].shape[1]
    bars = max(1, updates // len(SET_REQUESTS) // symbols)

    def run() -> None:
        iset = IndicatorSet(SET_REQUESTS, symbols)
        data = [panel[c][:bars].tolist() for c in iset.columns]
        rows = [[0.0] * len(iset.columns) for _ in range(symbols)]
        start = time.perf_counter()
        for t in range(bars):
            for s, row in enumerate(rows):
                for c, column in enumerate(data):
                    row[c] = column[t][s]
            iset.update_all(rows)
        timings.append(time.perf_counter() - start)

    timings: list[float] = []
    for _ in range(repeat):
        run()
    seconds = min(timings)
    symbol_bars = bars * symbols
    return {
        "indicators": [r.name for r in SET_REQUESTS],
        "symbol_bars": symbol_bars,
        "symbol_bars_per_s": round(symbol_bars / seconds),
        "indicator_updates_per_s": round(symbol_bars * len(SET_REQUESTS) / seconds),
    }


def measure_compile() -> dict[str, float]:
    """Seconds for import + warm_up() in a fresh process: into an empty cache, then from it."""
    code = (
        "import time; t = time.perf_counter()\n"
        "from jts.strategy.indicators import batch; batch.warm_up()\n"
        "print(time.perf_counter() - t)"
    )
    with tempfile.TemporaryDirectory() as cache:
        env = {**os.environ, "NUMBA_CACHE_DIR": cache}

        def run() -> float:
            done = subprocess.run(
                [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
            )
            return float(done.stdout)

        cold = run()
        warm = run()
    return {"cold_compile_s": round(cold, 2), "load_from_cache_s": round(warm, 2)}


def machine() -> dict[str, str | int]:
    model = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as cpuinfo:
            model = next(ln.split(":", 1)[1].strip() for ln in cpuinfo if "model name" in ln)
    except (OSError, StopIteration):
        pass
    return {
        "cpu": model,
        "cores": os.cpu_count() or 0,
        "python": platform.python_version(),
        "numpy": np.__version__,
        "numba": numba.__version__,
    }


def print_report(result: dict[str, Any]) -> None:
    m = result["machine"]
    print(f"{result['date']}  {m['cpu']}, {m['cores']} cores, Python {m['python']}")
    print(f"numpy {m['numpy']}, numba {m['numba']}; compile: {result['compile']}")
    b = result["batch"]
    print(f"\nbatch over {b['bars']:,} bars; baseline cumsum {b['baseline_cumsum_bars_per_s']:,}/s")
    print(f"{'kernel':<15}{'bars/s':>14}{'x base':>8}{'row-major bars/s':>18}")
    for name, row in b["kernels"].items():
        print(
            f"{name:<15}{row['bars_per_s']:>14,}{row['ratio_to_baseline']:>8.3f}"
            f"{row['row_major_bars_per_s']:>18,}"
        )
    s = result["stream"]
    print(f"\nstream, {s['updates']:,} updates; bare loop {s['baseline_bare_loop_per_s']:,}/s")
    print(f"{'state':<15}{'updates/s':>14}{'ns':>7}{'x base':>8}")
    for name, row in s["states"].items():
        print(
            f"{name:<15}{row['updates_per_s']:>14,}{row['ns_per_update']:>7}"
            f"{row['ratio_to_baseline']:>8.3f}"
        )
    print(f"\nindicator set: {result['indicator_set']}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bars", type=int, default=250 * DAY, help="bars per symbol")
    parser.add_argument("--symbols", type=int, default=100)
    parser.add_argument("--updates", type=int, default=1_000_000, help="streaming updates")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args()
    compiled = measure_compile()
    batch.warm_up()
    panel = make_panel(args.bars, args.symbols)
    result = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": machine(),
        "compile": compiled,
        "batch": measure_batch(panel, args.repeat),
        "stream": measure_stream(panel, args.updates, args.repeat),
        "indicator_set": measure_set(panel, args.updates, args.repeat),
    }
    if args.json:
        print(json.dumps(result))
    else:
        print_report(result)


if __name__ == "__main__":
    main()
