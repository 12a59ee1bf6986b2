"""Where each row lives on disk, and time-bound helpers.

    <root>/bars/<interval>/<YYYY-MM>/<symbol>.parquet   intraday bars (1s, 1m, 5m ...)
    <root>/bars/1d/<YYYY>/<symbol>.parquet              daily bars
    <root>/ticks/<YYYY-MM-DD>/<symbol>.parquet          trades
    <root>/instruments.parquet                          the instrument master

Partitions follow the KST calendar (the trading day a row belongs to), not UTC. The choice of
symbol-month files for minute bars was made by measurement (bench/store_layouts.py; the numbers
and the reasoning are in docs/data.md): a backtest reads few files per symbol and year, a
one-day read of the whole market reads one folder, and a day's append rewrites small files only.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np

from jts.core.clock import KST, kst_ns, to_ns
from jts.core.errors import InvalidInput
from jts.marketdata.frames import Array
from jts.marketdata.schema import INTERVALS_DAY, interval_seconds

KST_OFFSET_NS = 9 * 3_600 * 1_000_000_000
_NS_PER_DAY = 86_400 * 1_000_000_000


def bars_dir(root: Path, interval: str) -> Path:
    interval_seconds(interval)  # validates the name
    return root / "bars" / interval


def ticks_dir(root: Path) -> Path:
    return root / "ticks"


def kst_days(ts: Array) -> Array:
    """int ns UTC → KST calendar day numbers (days since 1970-01-01), vectorized."""
    days: Array = np.floor_divide(ts + KST_OFFSET_NS, _NS_PER_DAY)
    return days


def partition_keys(ts: Array, grain: str) -> Array:
    """Partition label per row ("2026-03", "2026", "2026-03-05") as a NumPy string array."""
    days = kst_days(ts).astype("datetime64[D]")
    if grain == "month":
        return days.astype("datetime64[M]").astype(str)
    if grain == "year":
        return days.astype("datetime64[Y]").astype(str)
    return days.astype(str)


def grain_of(dataset: str) -> str:
    """Partition grain of a dataset: month for intraday bars, year for daily, day for ticks."""
    if dataset == "ticks":
        return "day"
    return "year" if dataset == f"bars/{INTERVALS_DAY}" else "month"


def labels_between(start_ns: int | None, end_ns: int | None, grain: str) -> set[str] | None:
    """Partition labels that can hold rows in [start, end); None means no bound (all)."""
    if start_ns is None or end_ns is None:
        return None
    first = int(kst_days(np.array([start_ns]))[0])
    last = int(kst_days(np.array([max(start_ns, end_ns - 1)]))[0])
    if last - first > 366 * 100:
        return None
    days = np.arange(first, last + 1).astype("datetime64[D]")
    if grain == "month":
        return set(days.astype("datetime64[M]").astype(str).tolist())
    if grain == "year":
        return set(days.astype("datetime64[Y]").astype(str).tolist())
    return set(days.astype(str).tolist())


def to_bound_ns(value: dt.date | dt.datetime | int | None, *, end: bool) -> int | None:
    """A time bound as int ns UTC. A date means the whole KST day: its start for `start`, the
    next day's start for `end` (so `end=date` is inclusive of that day)."""
    if value is None:
        return None
    if isinstance(value, bool):
        raise InvalidInput("start/end", f"{value!r} is not a date, datetime or ns timestamp")
    if isinstance(value, int):
        return value
    if isinstance(value, dt.datetime):
        return to_ns(value if value.tzinfo else value.replace(tzinfo=KST))
    if isinstance(value, dt.date):
        day = value + dt.timedelta(days=1) if end else value
        return kst_ns(day, dt.time(0, 0))
    raise InvalidInput("start/end", f"{value!r} is not a date, datetime or ns timestamp")
