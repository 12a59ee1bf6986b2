from __future__ import annotations

import datetime as dt

import numpy as np

from jts.core.clock import kst_ns
from jts.marketdata import BarFrame, TickFrame

MINUTE_NS = 60_000_000_000


def minute_bars(symbols: list[str], days: list[dt.date], *, close: int = 10_000) -> BarFrame:
    """Simple valid minute bars 09:00-15:19 for each symbol and day (close varies by minute)."""
    stamps = np.concatenate(
        [kst_ns(day, dt.time(9, 0)) + np.arange(380, dtype=np.int64) * MINUTE_NS for day in days]
    )
    n = len(stamps)
    closes = close + (np.arange(n) % 7) * 10
    return BarFrame(
        {
            "symbol": np.repeat(np.array(symbols), n),
            "ts": np.tile(stamps, len(symbols)),
            "open": np.tile(closes, len(symbols)),
            "high": np.tile(closes + 10, len(symbols)),
            "low": np.tile(closes - 10, len(symbols)),
            "close": np.tile(closes, len(symbols)),
            "volume": np.full(n * len(symbols), 5),
            "value": np.tile(closes * 5, len(symbols)),
        },
        60,
    )


def ticks(symbol: str, day: dt.date, count: int) -> TickFrame:
    start = kst_ns(day, dt.time(9, 0))
    return TickFrame(
        {
            "symbol": [symbol] * count,
            "ts": start + np.arange(count, dtype=np.int64) * 1_000_000_000,
            "price": np.full(count, 71_500),
            "qty": np.arange(1, count + 1),
            "side": np.where(np.arange(count) % 2 == 0, 1, -1),
        }
    )
