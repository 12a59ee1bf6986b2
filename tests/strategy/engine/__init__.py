"""Helpers of the engine tests: handmade bars, small programs, both executors at once."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

import numpy as np

from jts.core.clock import kst_ns
from jts.marketdata.frames import BarFrame
from jts.strategy.engine import OrderIntent
from jts.strategy.execute import run_streaming, run_vectorized
from jts.strategy.lang import Program, compile_program

DAY = dt.date(2024, 3, 4)
Row = tuple[str, int, int, int, int, int]
"""symbol, minute index from 09:00 (or day index for daily bars), open, high, low, close."""


def ts_of(index: int, *, daily: bool = False, day: dt.date = DAY) -> int:
    if daily:
        return kst_ns(day + dt.timedelta(days=index), dt.time(0))
    return kst_ns(day, dt.time(9, 0)) + index * 60 * 10**9


def frame(rows: Sequence[Row], *, daily: bool = False, day: dt.date = DAY) -> BarFrame:
    """Bars from rows; volume 1,000 and value volume × close."""
    cols: dict[str, list[Any]] = {k: [] for k in ("symbol", "ts", "open", "high", "low", "close")}
    for symbol, index, o, h, low, c in rows:
        cols["symbol"].append(symbol)
        cols["ts"].append(ts_of(index, daily=daily, day=day))
        for key, v in zip(("open", "high", "low", "close"), (o, h, low, c), strict=True):
            cols[key].append(v)
    arrays: dict[str, Any] = {"symbol": np.array(cols["symbol"], dtype="<U6")}
    for key in ("ts", "open", "high", "low", "close"):
        arrays[key] = np.array(cols[key], dtype=np.int64)
    arrays["volume"] = np.full(len(rows), 1_000, dtype=np.int64)
    arrays["value"] = arrays["volume"] * arrays["close"]
    return BarFrame(arrays, interval_s=86_400 if daily else 60).sorted()


def flat_rows(symbol: str, closes: Sequence[int], start: int = 0) -> list[Row]:
    """Bars whose open, high, low and close all equal the given price."""
    return [(symbol, start + i, c, c, c, c) for i, c in enumerate(closes)]


def program(body: str, *, timeframe: str = "1m", head: str = "") -> Program:
    return compile_program(f'strategy "t"\nuniverse all\ntimeframe {timeframe}\n{head}\n{body}\n')


def run_both(prog: Program, bars: BarFrame, **kw: Any) -> list[OrderIntent]:
    """The orders of both executors, asserted identical."""
    vector = run_vectorized(prog, bars, **kw)
    stream = run_streaming(prog, bars, **kw)
    assert vector == stream
    return vector


def brief(intents: Sequence[OrderIntent], *, daily: bool = False) -> list[tuple[Any, ...]]:
    """(bar index, symbol, side, qty, limit, reason) of each intent."""
    starts = {ts_of(i, daily=daily): i for i in range(400)}
    return [
        (starts.get(o.ts_ns, o.ts_ns), o.symbol, o.side, o.qty, o.limit_price, o.reason)
        for o in intents
    ]
