"""The workload on JTS, in the project's virtualenv: the side every peer is compared with.

    .venv/bin/python bench/peers/run_jts.py --bars BARS.parquet --out FILLS.parquet \
        --engine vector|event [--path api|executors] [--cash KRW]

Runs examples/strategies/sma_cross.jts through the public backtest API with
`fill="next_open"`, `costs="none"`: `jts.backtest.load_bars` reads the bars (data loading,
not timed), then `jts.backtest.run_loaded` — what `jts.backtest.run(strategy, data, ...)`
does after loading — is timed whole: preparing the fill model and ledger, the engine, and the
result (fills, orders, daily equity, trades, statistics: more than any peer computes).
`engine_seconds` is JTS's own figure for the engine alone (`stats["seconds"]`).

`--path executors` (also the FALLBACK when `jts.backtest.run_loaded` is not importable, as
before the API landed) runs the strategy executors directly — `run_vectorized` for `vector`,
`run_streaming` for `event` — which return the orders decided at each bar's close; this
script fills each at the open of its symbol's next bar (none after the symbol's last bar;
a cut by cash at the fill is not re-applied here, the engine's own equity would show it).
That is the strategy engine's own fill assumption: whole orders at the next open, no KRX
price-limit rules. The backtest API's `next_open` model differs on bars locked at a daily
limit (README.md), so compare.py checks every peer against this path and attributes each
difference of the API runs. The engine's own equity (`library_equity`) checks the fills.
Either way the Numba kernels are warmed up on a few bars first (compilation is not the run).
"""

from __future__ import annotations

import importlib
import time
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow.parquet as pq
from common import Bars, Fills, parse_args, report

from jts.marketdata import BarFrame
from jts.strategy.engine import Engine
from jts.strategy.execute import run_streaming, run_vectorized
from jts.strategy.indicators import batch
from jts.strategy.lang import compile_program

STRATEGY = Path(__file__).parents[2] / "examples" / "strategies" / "sma_cross.jts"


def public_api() -> Any | None:
    """`jts.backtest` when it has `run_loaded`, else None (then the fallback runs)."""
    try:
        module = importlib.import_module("jts.backtest")
    except ImportError:
        return None
    return module if hasattr(module, "run_loaded") else None


def load(path: Path) -> tuple[BarFrame, Bars]:
    """The bar file as a JTS frame and as the arrays every runner reads (same rows)."""
    frame = BarFrame.from_arrow(pq.read_table(path)).sorted()
    bars = Bars(*(np.asarray(frame[name]) for name in Bars.__dataclass_fields__))
    return frame, bars


def via_api(api: Any, loaded: Any, engine: str, cash: int) -> tuple[Fills, dict[str, Any]]:
    config = api.BacktestConfig(
        engine=engine, fill=api.FillModel("next_open"), costs="none", cash=cash
    )
    result = api.run_loaded(loaded.program, loaded.bars, config)
    fills = Fills.empty()
    for ts, symbol, side, qty, price in result.fills.select(
        ["ts", "symbol", "side", "qty", "price"]
    ).iter_rows():
        fills.add(ts, symbol, side, qty, price)
    stats = result.stats
    return fills, {
        "library_equity": stats["final_equity"],
        "engine_seconds": stats["seconds"],
        "orders_rejected": stats["orders_rejected"],
    }


class _Loaded:
    """What `via_api` needs: the compiled program and `load_bars`'s result."""

    def __init__(self, api: Any, text: str, frame: BarFrame) -> None:
        self.program = api.load_strategy(text)[0]
        self.bars = api.load_bars(frame, program=self.program)


# -- FALLBACK: the executors' orders, filled here at the next bar's open ------------------


def via_executors(text: str, frame: BarFrame, engine: str, cash: int) -> tuple[Fills, dict]:
    program = compile_program(text)
    state: Engine | None = Engine(program, initial_cash=cash)
    if engine == "vector":
        intents = run_vectorized(program, frame, engine=state)
    else:
        intents = run_streaming(program, frame, initial_cash=cash)
        state = None
    fills = next_open_fills(intents, frame)
    extra: dict[str, Any] = {"path": "jts.strategy.execute orders, filled by run_jts.py"}
    if state is not None:
        extra["library_equity"] = state.equity()
    return fills, extra


def next_open_fills(intents: list[Any], frame: BarFrame) -> Fills:
    """Each order at the open of its symbol's next bar; none after the symbol's last bar."""
    ts, opens, symbols = frame["ts"], frame["open"], frame["symbol"]
    starts = np.flatnonzero(np.r_[True, symbols[1:] != symbols[:-1]])
    ends = [*starts[1:].tolist(), len(symbols)]
    rows = {str(symbols[lo]): (lo, hi) for lo, hi in zip(starts.tolist(), ends, strict=True)}
    fills = Fills.empty()
    for intent in intents:
        lo, hi = rows[intent.symbol]
        row = lo + int(np.searchsorted(ts[lo:hi], intent.ts_ns)) + 1
        if row < hi:
            fills.add(int(ts[row]), intent.symbol, intent.side, intent.qty, int(opens[row]))
    return fills


# -----------------------------------------------------------------------------------------


def main() -> None:
    args = parse_args(
        __doc__.splitlines()[0],
        [
            ("--engine", {"choices": ["vector", "event"], "default": "vector"}),
            ("--path", {"choices": ["api", "executors"], "default": "api"}),
        ],
    )
    text = STRATEGY.read_text(encoding="utf-8")
    frame, bars = load(args.bars)
    api = public_api() if args.path == "api" else None
    batch.warm_up()
    warm = frame.take(np.arange(min(len(frame), 2_000)))
    if api is None:
        via_executors(text, warm, args.engine, args.cash)
        started = time.perf_counter()
        fills, extra = via_executors(text, frame, args.engine, args.cash)
    else:
        via_api(api, _Loaded(api, text, warm), args.engine, args.cash)
        loaded = _Loaded(api, text, frame)
        started = time.perf_counter()
        fills, extra = via_api(api, loaded, args.engine, args.cash)
    seconds = time.perf_counter() - started
    name = f"JTS {args.engine}" if api is not None else f"JTS engine ({args.engine})"
    report(args, name, seconds, bars, fills, **extra)


if __name__ == "__main__":
    main()
