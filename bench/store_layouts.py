"""Measure candidate Parquet partitionings for minute bars, to choose the store's layout.

Layouts compared (S symbols × D days of 381 minute bars each):
  month-symbol  bars/1m/<YYYY-MM>/<symbol>.parquet   (the store's choice)
  day           bars/1m/<YYYY-MM-DD>.parquet, all symbols, sorted by symbol, ts
  symbol-year   bars/1m/<YYYY>/<symbol>.parquet
Access patterns: one symbol over all days; 100 symbols over all days; all symbols on one day;
appending one new day for all symbols (rewriting or adding files atomically).

    .venv/bin/python bench/store_layouts.py --symbols 600 --days 120 [--json]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shutil
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

BARS_PER_DAY = 381
MINUTE_NS = 60_000_000_000


def make_day(symbols: list[str], day: dt.date, rng: np.random.Generator) -> pa.Table:
    n = len(symbols) * BARS_PER_DAY
    base = int(dt.datetime.combine(day, dt.time(0, 0), tzinfo=dt.UTC).timestamp()) * 10**9
    ts = np.tile(base + np.arange(BARS_PER_DAY, dtype=np.int64) * MINUTE_NS, len(symbols))
    close = rng.integers(1_000, 500_000, n)
    return pa.table(
        {
            "symbol": pa.array(np.repeat(symbols, BARS_PER_DAY).tolist(), pa.string()),
            "ts": pa.array(ts).cast(pa.timestamp("ns", tz="UTC")),
            "open": close,
            "high": close + 10,
            "low": close - 10,
            "close": close,
            "volume": rng.integers(0, 10_000, n),
            "value": close * 100,
        }
    )


def write_atomic(table: pa.Table, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    pq.write_table(table, tmp, compression="zstd", row_group_size=128 * 1024)
    os.replace(tmp, path)


class Layout:
    def __init__(self, root: Path) -> None:
        self.root = root

    def append_day(self, table: pa.Table, day: dt.date) -> None:
        raise NotImplementedError

    def read_symbols(self, symbols: list[str], days: list[dt.date]) -> int:
        raise NotImplementedError

    def read_day(self, day: dt.date) -> int:
        raise NotImplementedError


class MonthSymbol(Layout):
    def _path(self, day: dt.date, symbol: str) -> Path:
        return self.root / f"{day:%Y-%m}" / f"{symbol}.parquet"

    def append_day(self, table: pa.Table, day: dt.date) -> None:
        for symbol, part in _split_by_symbol(table):
            path = self._path(day, symbol)
            if path.exists():
                part = pa.concat_tables([pq.read_table(path), part])
            write_atomic(part, path)

    def read_symbols(self, symbols: list[str], days: list[dt.date]) -> int:
        months = sorted({(d.year, d.month) for d in days})
        paths = [
            self.root / f"{y:04d}-{m:02d}" / f"{s}.parquet" for s in symbols for y, m in months
        ]
        return sum(pq.read_table(p).num_rows for p in paths if p.exists())

    def read_day(self, day: dt.date) -> int:
        lo, hi = _day_bounds(day)
        total = 0
        for path in sorted((self.root / f"{day:%Y-%m}").glob("*.parquet")):
            table = pq.read_table(path, filters=[("ts", ">=", lo), ("ts", "<", hi)])
            total += table.num_rows
        return total


class DayFiles(Layout):
    def append_day(self, table: pa.Table, day: dt.date) -> None:
        write_atomic(table, self.root / f"{day:%Y-%m-%d}.parquet")

    def read_symbols(self, symbols: list[str], days: list[dt.date]) -> int:
        wanted = pa.array(symbols)
        total = 0
        for day in days:
            table = pq.read_table(
                self.root / f"{day:%Y-%m-%d}.parquet", filters=pc.field("symbol").isin(wanted)
            )
            total += table.num_rows
        return total

    def read_day(self, day: dt.date) -> int:
        return int(pq.read_table(self.root / f"{day:%Y-%m-%d}.parquet").num_rows)


class SymbolYear(Layout):
    def append_day(self, table: pa.Table, day: dt.date) -> None:
        for symbol, part in _split_by_symbol(table):
            path = self.root / f"{day:%Y}" / f"{symbol}.parquet"
            if path.exists():
                part = pa.concat_tables([pq.read_table(path), part])
            write_atomic(part, path)

    def read_symbols(self, symbols: list[str], days: list[dt.date]) -> int:
        years = sorted({d.year for d in days})
        paths = [self.root / f"{y}" / f"{s}.parquet" for s in symbols for y in years]
        return sum(pq.read_table(p).num_rows for p in paths if p.exists())

    def read_day(self, day: dt.date) -> int:
        lo, hi = _day_bounds(day)
        return sum(
            pq.read_table(p, filters=[("ts", ">=", lo), ("ts", "<", hi)]).num_rows
            for p in sorted((self.root / f"{day:%Y}").glob("*.parquet"))
        )


def _split_by_symbol(table: pa.Table) -> list[tuple[str, pa.Table]]:
    symbols = table.column("symbol").to_numpy(zero_copy_only=False)
    starts = np.flatnonzero(np.r_[True, symbols[1:] != symbols[:-1]])
    ends = np.r_[starts[1:], len(symbols)]
    return [(str(symbols[a]), table.slice(a, b - a)) for a, b in zip(starts, ends, strict=True)]


def _day_bounds(day: dt.date) -> tuple[Any, Any]:
    lo = dt.datetime.combine(day, dt.time(0, 0), tzinfo=dt.UTC)
    return lo, lo + dt.timedelta(days=1)


def timed(fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def measure(
    layout: Layout, symbols: list[str], days: list[dt.date], rng: np.random.Generator
) -> dict[str, float]:
    """Load `days[:-1]` day by day, then time one more append and the three read patterns."""
    load = 0.0
    for day in days[:-1]:
        table = make_day(symbols, day, rng)
        started = time.perf_counter()
        layout.append_day(table, day)
        load += time.perf_counter() - started
    last = make_day(symbols, days[-1], rng)
    sample = symbols[:: max(1, len(symbols) // 100)][:100]
    return {
        "load_s": load,
        "append_one_day_s": timed(lambda: layout.append_day(last, days[-1])),
        "read_1_symbol_all_days_s": timed(lambda: layout.read_symbols(symbols[:1], days)),
        "read_100_symbols_all_days_s": timed(lambda: layout.read_symbols(sample, days)),
        "read_all_symbols_1_day_s": timed(lambda: layout.read_day(days[len(days) // 2])),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--symbols", type=int, default=600)
    parser.add_argument("--days", type=int, default=120)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    rng = np.random.default_rng(7)
    symbols = [f"{i:06d}" for i in range(args.symbols)]
    days = [dt.date(2025, 1, 1) + dt.timedelta(days=i) for i in range(args.days)]
    results: dict[str, dict[str, float]] = {}
    workdir = Path(tempfile.mkdtemp(prefix="jts-layouts-"))
    try:
        layouts: list[tuple[str, type[Layout]]] = [
            ("month-symbol", MonthSymbol),
            ("day", DayFiles),
            ("symbol-year", SymbolYear),
        ]
        for name, cls in layouts:
            results[name] = measure(cls(workdir / name), symbols, days, rng)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    if args.json:
        print(
            json.dumps({"symbols": args.symbols, "days": args.days, "results": results}, indent=2)
        )
        return
    print(f"{args.symbols} symbols × {args.days} days × {BARS_PER_DAY} bars")
    for name, row in results.items():
        print(name.ljust(14), "  ".join(f"{k}={v:.3f}" for k, v in row.items()))


if __name__ == "__main__":
    main()
