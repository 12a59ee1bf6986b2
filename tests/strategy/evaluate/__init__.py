"""Helpers of the evaluator tests: handmade bars, program text, the streaming run."""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import numpy.typing as npt

from jts.core.clock import kst_ns
from jts.marketdata.frames import BarFrame
from jts.strategy.evaluate import StreamEvaluator, evaluate_vector
from jts.strategy.lang import Program, compile_program

FIELDS = ("open", "high", "low", "close", "volume", "value")
Array = npt.NDArray[Any]


def program_text(lets: list[str], *, timeframe: str = "1m", extra: str = "") -> str:
    """A program whose lets are `let e0 = ...`, `let e1 = ...` and one trivial rule."""
    body = "\n".join(f"let e{i} = {text}" for i, text in enumerate(lets))
    return (
        f'strategy "t"\nuniverse all\ntimeframe {timeframe}\nparam p = 3\n{body}\n{extra}'
        "when position == 0: buy 1 shares at market\n"
    )


def compile_lets(lets: list[str], **kw: Any) -> Program:
    return compile_program(program_text(lets, **kw))


def make_bars(
    seed: int,
    symbols: int = 2,
    days: tuple[dt.date, ...] = (dt.date(2024, 3, 4), dt.date(2024, 3, 5)),
    per_day: int = 20,
    minutes: int = 1,
) -> BarFrame:
    """Random-walk KRW bars: per symbol and day, `per_day` bars at random distinct slots of
    the session (09:00 .. 15:20 on a `minutes` grid), zero volumes now and then."""
    rng = np.random.default_rng(seed)
    cols: dict[str, list[Any]] = {"symbol": [], "ts": [], **{f: [] for f in FIELDS}}
    slots = (15 * 60 + 20 - 9 * 60) // minutes + 1
    for k in range(symbols):
        price = int(rng.integers(1_000, 100_000))
        for day in days:
            count = min(per_day, slots)
            picks = np.sort(rng.choice(slots, size=count, replace=False))
            for slot in picks:
                start = kst_ns(day, dt.time(9, 0)) + int(slot) * minutes * 60 * 10**9
                moves = rng.integers(-3, 4, size=4) * 10
                path = np.maximum(10, price + np.cumsum(moves))
                volume = int(rng.integers(0, 4)) * int(rng.integers(0, 1000))
                cols["symbol"].append(f"{100000 + k:06d}")
                cols["ts"].append(start)
                cols["open"].append(int(path[0]))
                cols["high"].append(int(path.max()))
                cols["low"].append(int(path.min()))
                cols["close"].append(int(path[-1]))
                cols["volume"].append(volume)
                cols["value"].append(volume * int(path[-1]))
                price = int(path[-1])
    arrays = {
        "symbol": np.array(cols["symbol"], dtype="<U6"),
        **{k: np.array(cols[k], dtype=np.int64) for k in ("ts", *FIELDS)},
    }
    return BarFrame(arrays, interval_s=60 * minutes)


def run_stream(program: Program, bars: BarFrame) -> dict[str, list[Any]]:
    """Feed `bars` row by row to a `StreamEvaluator`; every id's value after each row."""
    ev = StreamEvaluator(program, bars.symbols())
    out: dict[str, list[Any]] = {i: [] for i in ev.ids}
    symbols, ts = bars["symbol"], bars["ts"]
    columns = [bars[f] for f in FIELDS]
    for row in range(len(bars)):
        symbol = str(symbols[row])
        ev.on_bar(symbol, int(ts[row]), *(int(c[row]) for c in columns))
        for key, values in out.items():
            values.append(ev.value(key, symbol))
    return out


def assert_same(vector: Array, stream: list[Any], label: str = "") -> None:
    """Bit-exact equality: same NaN positions, same float bits elsewhere; equal bools."""
    if vector.dtype == np.bool_:
        got = np.array(stream, dtype=object)
        assert all(isinstance(v, bool | np.bool_) for v in stream), label
        assert np.array_equal(vector, got.astype(np.bool_)), label
        return
    assert vector.dtype == np.float64, label
    assert all(isinstance(v, float) for v in stream), label
    got = np.array(stream, dtype=np.float64)
    nan = np.isnan(vector)
    assert np.array_equal(nan, np.isnan(got)), label
    assert np.array_equal(vector[~nan].view(np.int64), got[~nan].view(np.int64)), label


def check_parity(program: Program, bars: BarFrame) -> dict[str, Array]:
    vector = evaluate_vector(program, bars)
    stream = run_stream(program, bars)
    assert set(vector) == set(stream)
    for key, values in vector.items():
        assert values.shape == (len(bars),), key
        assert_same(values, stream[key], key)
    return vector
