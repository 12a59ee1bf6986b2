"""Column layouts of bars and ticks, shared by the store, the importer and the generator.

In memory a column is a NumPy array: symbols as fixed-width `<U6` strings (codes may hold
letters, so never integers), timestamps as int64 ns UTC, prices and cash as int64 KRW,
quantities as int64 shares. On disk (Parquet) timestamps are `timestamp[ns, UTC]`, so DuckDB
and other tools show real times while the in-memory value is the same int64.
"""

from __future__ import annotations

from typing import Any, Final

import numpy as np
import pyarrow as pa

from jts.core.errors import InvalidInput

SYMBOL_DTYPE: Final = np.dtype("<U6")
TS_TYPE: Final = pa.timestamp("ns", tz="UTC")

BAR_PRICE_COLUMNS: Final = ("open", "high", "low", "close")
BAR_COLUMNS: Final = ("symbol", "ts", "open", "high", "low", "close", "volume", "value")
TICK_COLUMNS: Final = ("symbol", "ts", "price", "qty", "side", "auction")

_BAR_FIELDS: list[pa.Field[Any]] = [
    pa.field("symbol", pa.string(), nullable=False),
    pa.field("ts", TS_TYPE, nullable=False),
    pa.field("open", pa.int64(), nullable=False),
    pa.field("high", pa.int64(), nullable=False),
    pa.field("low", pa.int64(), nullable=False),
    pa.field("close", pa.int64(), nullable=False),
    pa.field("volume", pa.int64(), nullable=False),
    pa.field("value", pa.int64(), nullable=False),
]
BAR_SCHEMA: Final = pa.schema(_BAR_FIELDS)
"""Bars: `ts` is the bar's start; `value` is traded KRW (0 when the source lacks it)."""

_TICK_FIELDS: list[pa.Field[Any]] = [
    pa.field("symbol", pa.string(), nullable=False),
    pa.field("ts", TS_TYPE, nullable=False),
    pa.field("price", pa.int64(), nullable=False),
    pa.field("qty", pa.int64(), nullable=False),
    pa.field("side", pa.int8(), nullable=False),
    pa.field("auction", pa.bool_(), nullable=False),
]
TICK_SCHEMA: Final = pa.schema(_TICK_FIELDS)
"""Trades: `side` is the aggressor (+1 buy, -1 sell, 0 unknown); `auction` marks auction prints."""

SIDE_CODES: Final = {"buy": 1, "b": 1, "sell": -1, "s": -1, "": 0, "unknown": 0}
"""Spellings accepted for `side` in tick files (case-insensitive), and their codes."""

INTERVALS: Final = {"1s": 1, "1m": 60, "5m": 300, "10m": 600, "15m": 900, "30m": 1_800}
INTERVALS_DAY: Final = "1d"


def interval_seconds(name: str) -> int:
    """Seconds in a bar interval name ("1m" → 60; "1d" → 86,400 for one trading day)."""
    if name == INTERVALS_DAY:
        return 86_400
    if name in INTERVALS:
        return INTERVALS[name]
    unit, count = name[-1:], name[:-1]
    if count.isdigit() and int(count) > 0 and unit in ("s", "m"):
        return int(count) * (60 if unit == "m" else 1)
    raise InvalidInput("interval", f"{name!r} is not an interval like 1s, 1m, 5m or 1d")


def interval_name(seconds: int) -> str:
    """Inverse of `interval_seconds` ("1d" for 86,400)."""
    if seconds == 86_400:
        return INTERVALS_DAY
    if seconds % 60 == 0:
        return f"{seconds // 60}m"
    return f"{seconds}s"
