"""The four example programs on synthetic KRX data: both executors give identical orders."""

from __future__ import annotations

import datetime as dt
import functools
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from jts.marketdata.frames import BarFrame
from jts.marketdata.synth import daily_bars, make_universe, minute_bars
from jts.strategy.engine import Engine, OrderIntent
from jts.strategy.engine_skip import quiet_rows
from jts.strategy.evaluate import evaluate_vector
from jts.strategy.execute import StreamingExecutor, run_streaming, run_vectorized
from jts.strategy.lang import Program, compile_program

EXAMPLES = Path(__file__).parents[3] / "examples" / "strategies"


@functools.cache
def _minutes() -> BarFrame:
    """3 days of 1-minute bars of 6 symbols, volume spikes added so that breakouts happen."""
    universe = make_universe(6, seed=2)
    bars = BarFrame.concat(list(minute_bars(universe, dt.date(2024, 3, 4), days=3, seed=5)))
    cols = bars.sorted().columns()
    rng = np.random.default_rng(0)
    cols["volume"] = cols["volume"] * rng.choice([1, 1, 1, 8], size=len(cols["volume"]))
    return BarFrame(cols, interval_s=60)


def _five_minutes(bars: BarFrame) -> BarFrame:
    """1-minute bars aggregated to 5-minute bars (rows sorted by (symbol, ts))."""
    symbol, ts = np.asarray(bars["symbol"]), np.asarray(bars["ts"])
    bucket = ts - ts % (300 * 10**9)
    keys = np.ones(len(ts), dtype=np.bool_)
    keys[1:] = (symbol[1:] != symbol[:-1]) | (bucket[1:] != bucket[:-1])
    starts = np.flatnonzero(keys)
    ends = np.r_[starts[1:], len(ts)] - 1
    cols: dict[str, Any] = {"symbol": symbol[starts], "ts": bucket[starts]}
    cols["open"] = np.asarray(bars["open"])[starts]
    cols["close"] = np.asarray(bars["close"])[ends]
    cols["high"] = np.maximum.reduceat(np.asarray(bars["high"]), starts)
    cols["low"] = np.minimum.reduceat(np.asarray(bars["low"]), starts)
    cols["volume"] = np.add.reduceat(np.asarray(bars["volume"]), starts)
    cols["value"] = np.add.reduceat(np.asarray(bars["value"]), starts)
    return BarFrame(cols, interval_s=300)


@functools.cache
def _days() -> BarFrame:
    universe = make_universe(12, seed=1)
    return daily_bars(universe, dt.date(2023, 1, 2), days=160, seed=3).sorted()


def _example(name: str, **params: Any) -> Program:
    return compile_program((EXAMPLES / f"{name}.jts").read_text(), params=params)


def _check(program: Program, bars: BarFrame) -> list[OrderIntent]:
    vector = run_vectorized(program, bars)
    stream = run_streaming(program, bars)
    assert vector == stream
    keys = [(o.ts_ns, o.symbol) for o in vector]
    assert keys == sorted(keys)
    assert len(set(keys)) == len(keys)  # at most one order per symbol and bar
    return vector


def _reasons(intents: list[OrderIntent]) -> set[str]:
    return {o.reason for o in intents}


def test_sma_cross() -> None:
    got = _check(_example("sma_cross"), _minutes())
    assert _reasons(got) == {"rule 0", "rule 1"}
    assert {o.qty for o in got if o.side == "buy"} == {10}


def test_rsi_reversion_on_five_minute_bars() -> None:
    bars = _five_minutes(_minutes())
    got = _check(_example("rsi_reversion", period=7, entry_level=35), bars)
    assert any(o.order_type == "limit" for o in got)
    assert "rule 0" in _reasons(got)


def test_opening_range_breakout() -> None:
    got = _check(_example("opening_range_breakout", range_bars=15), _minutes())
    assert {"rule 0", "trailing_stop"} <= _reasons(got)


def test_opening_range_breakout_flat_at_end_of_day() -> None:
    text = (EXAMPLES / "opening_range_breakout.jts").read_text()
    text = text.replace("trailing stop atr_mult * atr(14)\n", "").replace("14:30", "15:17")
    got = _check(compile_program(text, params={"range_bars": 15}), _minutes())
    assert "flat" in _reasons(got)


def test_momentum_topn() -> None:
    got = _check(_example("momentum_topn", lookback=20, n=5), _days())
    assert {"rule 0", "rule 1"} <= _reasons(got)
    first = got[0].ts_ns
    assert len({o.symbol for o in got if o.ts_ns == first and o.side == "buy"}) == 5


@pytest.mark.parametrize("cash", [1_000_000, 100_000_000])
def test_streaming_with_explicit_timestamp_ends(cash: int) -> None:
    """Calling `end_of_timestamp` after each timestamp gives the same orders as run_streaming."""
    program, bars = _example("sma_cross", fast=3, slow=10), _minutes()
    executor = StreamingExecutor(program, bars.symbols(), initial_cash=cash)
    symbols, ts = np.asarray(bars["symbol"]), np.asarray(bars["ts"])
    fields = [np.asarray(bars[f]) for f in ("open", "high", "low", "close", "volume", "value")]
    order = np.lexsort((symbols, ts)).tolist()
    got: list[OrderIntent] = []
    for k, row in enumerate(order):
        got += executor.on_bar(str(symbols[row]), int(ts[row]), *(float(f[row]) for f in fields))
        if k + 1 == len(order) or ts[order[k + 1]] != ts[row]:
            got += executor.end_of_timestamp()
    assert got == run_vectorized(program, bars, initial_cash=cash)
    assert got


def test_empty_frame() -> None:
    program = _example("sma_cross")
    assert run_vectorized(program, BarFrame.empty()) == run_streaming(program, BarFrame.empty())


def _quiet_share(program: Program, bars: BarFrame) -> float:
    """The share of rows `run_vectorized` may leave out of the engine (engine_skip)."""
    quiet = quiet_rows(Engine(program), evaluate_vector(program, bars), len(bars))
    return float(quiet.mean())


SKIPPING = """strategy "skip"
universe all
timeframe 1m
let fast = sma(close, 3)
let slow = sma(close, 12)
when position == 0 and crosses_above(fast, slow) and volume > 0: buy 7% of equity at market
when bars_since_entry >= 30 and crosses_below(fast, slow): sell all at market
when position > 0 and crosses_above(fast, slow): target 12% of equity at limit close
"""


@pytest.mark.parametrize("cash", [3_000_000, 100_000_000])
def test_skipped_bars_of_held_symbols(cash: int) -> None:
    """No exits nor flat: held symbols' quiet bars are skipped; bars_since_entry and the
    equity of `% of equity` sizes (every held symbol's last close) must still agree."""
    program, bars = compile_program(SKIPPING), _minutes()
    assert _quiet_share(program, bars) > 0.5
    got = run_vectorized(program, bars, initial_cash=cash)
    assert got == run_streaming(program, bars, initial_cash=cash)
    assert {"rule 0", "rule 1", "rule 2"} <= _reasons(got)


def test_skipped_bars_with_exits_flat_and_selection() -> None:
    """Held symbols are fed every bar when exits or flat exist; re-ranks feed every symbol."""
    text = SKIPPING.replace(
        "let fast", "select top 2 by roc(close, 5) rebalance every 7 bars\nlet fast"
    )
    text = text.replace("volume > 0", "selected")
    text += "trailing stop 1%\nflat at 14:00\n"
    program, bars = compile_program(text), _minutes()
    assert _quiet_share(program, bars) > 0.5
    got = _check(program, bars)
    assert {"rule 0", "flat"} <= _reasons(got)
