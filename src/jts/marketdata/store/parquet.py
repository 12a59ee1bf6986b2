"""The embedded market-data store: Parquet files under the data directory, DuckDB for SQL.

See `layout.py` for where rows live and `files.py` for how writes stay atomic. Writes merge
into existing partitions (same symbol and ts: the new row wins), so an import can be re-run and a
killed import leaves every partition either as it was or fully updated.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TypeVar

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from jts.core.codes import validate_symbol
from jts.core.errors import InvalidInput
from jts.core.models import Instrument
from jts.marketdata.frames import Array, BarFrame, SymbolCodes, TickFrame
from jts.marketdata.schema import BAR_COLUMNS, TICK_COLUMNS, interval_seconds
from jts.marketdata.store.base import Coverage, TimeBound, WriteStats
from jts.marketdata.store.catalog import Catalog, FileEntry
from jts.marketdata.store.files import sweep_temp_files, write_lock, write_parquet_atomic
from jts.marketdata.store.instruments import read_instruments, write_instruments
from jts.marketdata.store.layout import (
    bars_dir,
    grain_of,
    labels_between,
    partition_keys,
    ticks_dir,
    to_bound_ns,
)
from jts.marketdata.store.reader import read_columns
from jts.marketdata.store.sql import SqlConsole

F = TypeVar("F", BarFrame, TickFrame)
_WRITERS = 4


class ParquetStore:
    """Market data in Parquet files under `root` (config `data_dir`, default ./var/data)."""

    def __init__(self, root: Path | str) -> None:
        self.root = Path(root)
        self._catalog = Catalog(self.root)

    # -- writes -----------------------------------------------------------------------------

    def write_bars(self, bars: BarFrame, *, interval: str) -> WriteStats:
        """Store bars of `interval` ("1m", "1d" ...), merging into existing partitions."""
        seconds = interval_seconds(interval)
        if len(bars) and bars.interval_s != seconds:
            raise InvalidInput(
                "interval", f"frame holds {bars.interval_s}-second bars, not {interval}"
            )
        return self._write(f"bars/{interval}", bars)

    def write_ticks(self, ticks: TickFrame) -> WriteStats:
        return self._write("ticks", ticks)

    def _write(self, dataset: str, frame: F) -> WriteStats:
        started = time.perf_counter()
        for symbol in frame.symbols():
            validate_symbol(symbol)
        frame = frame if frame.is_sorted() else frame.sorted()
        groups = list(_partitions(frame, grain_of(dataset)))
        folder = self._dataset_dir(dataset)
        with write_lock(self.root):
            sweep_temp_files(folder) if folder.exists() else None
            with ThreadPoolExecutor(_WRITERS) as pool:
                replaced = sum(
                    pool.map(
                        lambda g: _merge_write(folder / g[0] / f"{g[1]}.parquet", g[2]), groups
                    )
                )
            self._catalog.refresh(dataset)
        return WriteStats(
            rows=len(frame),
            partitions=len(groups),
            replaced=replaced,
            seconds=time.perf_counter() - started,
        )

    # -- reads ------------------------------------------------------------------------------

    def read_bars(
        self,
        symbols: Sequence[str] | None = None,
        start: TimeBound = None,
        end: TimeBound = None,
        interval: str = "1m",
    ) -> BarFrame:
        """Bars of `symbols` (all when None) in [start, end), sorted by (symbol, ts)."""
        columns = self._read(f"bars/{interval}", symbols, start, end, BAR_COLUMNS[1:])
        return _in_order(BarFrame(columns, interval_seconds(interval)))

    def iter_bars(
        self,
        symbols: Sequence[str] | None = None,
        start: TimeBound = None,
        end: TimeBound = None,
        interval: str = "1m",
        *,
        chunk_symbols: int = 100,
    ) -> Iterator[BarFrame]:
        """Like `read_bars`, one frame per `chunk_symbols` symbols: bounded memory for scans."""
        if chunk_symbols < 1:
            raise InvalidInput("chunk_symbols", "must be at least 1")
        names = sorted(symbols) if symbols is not None else self.symbols(f"bars/{interval}")
        for i in range(0, len(names), chunk_symbols):
            yield self.read_bars(names[i : i + chunk_symbols], start, end, interval)

    def read_ticks(
        self, symbols: Sequence[str] | None = None, start: TimeBound = None, end: TimeBound = None
    ) -> TickFrame:
        return _in_order(TickFrame(self._read("ticks", symbols, start, end, TICK_COLUMNS[1:])))

    def _read(
        self,
        dataset: str,
        symbols: Sequence[str] | None,
        start: TimeBound,
        end: TimeBound,
        columns: Sequence[str],
    ) -> dict[str, Array | SymbolCodes]:
        lo, hi = to_bound_ns(start, end=False), to_bound_ns(end, end=True)
        entries = self._entries(dataset, symbols, lo, hi)
        return read_columns(self._dataset_dir(dataset), entries, columns, lo, hi)

    def _entries(
        self, dataset: str, symbols: Sequence[str] | None, lo: int | None, hi: int | None
    ) -> list[FileEntry]:
        wanted = None if symbols is None else {validate_symbol(s) for s in symbols}
        labels = labels_between(lo, hi, grain_of(dataset))
        entries = self._catalog.entries(dataset)
        return [
            entry
            for entry in entries
            if (wanted is None or entry.symbol in wanted)
            and (labels is None or entry.label in labels)
            and (lo is None or entry.last_ts >= lo)
            and (hi is None or entry.first_ts < hi)
        ]

    # -- what is stored ---------------------------------------------------------------------

    def symbols(self, dataset: str = "bars/1m") -> list[str]:
        return sorted({entry.symbol for entry in self._catalog.entries(dataset)})

    def datasets(self) -> list[str]:
        """Datasets present: "bars/1m", "bars/1d", "ticks" ..."""
        return self._catalog.datasets()

    def coverage(self) -> list[Coverage]:
        return self._catalog.coverage()

    def previous_closes(self, symbols: Sequence[str], day: dt.date) -> dict[str, int]:
        """Last close before `day` per symbol (daily bars first, else minute bars): the base
        price from which that day's price limits follow."""
        closes: dict[str, int] = {}
        for interval in ("1d", "1m"):
            missing = [s for s in symbols if s not in closes]
            if not missing or f"bars/{interval}" not in self.datasets():
                continue
            frame = self.read_bars(missing, day - dt.timedelta(days=20), day, interval)
            before = frame.take(frame["ts"] < to_bound_ns(day, end=False))
            for symbol, rows in before.by_symbol():
                closes[symbol] = int(rows["close"][-1])
        return closes

    # -- instruments and SQL ----------------------------------------------------------------

    def write_instruments(self, instruments: Sequence[Instrument]) -> None:
        with write_lock(self.root):
            write_instruments(self.root / "instruments.parquet", instruments)

    def instruments(self) -> list[Instrument]:
        return read_instruments(self.root / "instruments.parquet")

    def sql(self, query: str) -> pa.Table:
        """Run SQL (DuckDB) over views of the stored data: bars_1m, bars_1d ..., ticks,
        instruments, coverage."""
        with SqlConsole(self.root, self.datasets()) as console:
            return console.query(query)

    def _dataset_dir(self, dataset: str) -> Path:
        if dataset == "ticks":
            return ticks_dir(self.root)
        kind, _, interval = dataset.partition("/")
        if kind != "bars":
            raise InvalidInput("dataset", f"{dataset!r} is not 'ticks' or 'bars/<interval>'")
        return bars_dir(self.root, interval)


def _partitions(frame: F, grain: str) -> Iterator[tuple[str, str, F]]:
    """(partition label, symbol, rows) for each file the sorted frame writes to."""
    if not len(frame):
        return
    labels = partition_keys(frame["ts"], grain)
    symbols = frame["symbol"]
    change = np.r_[True, (symbols[1:] != symbols[:-1]) | (labels[1:] != labels[:-1])]
    starts = np.flatnonzero(change)
    ends = np.r_[starts[1:], len(symbols)]
    for lo, hi in zip(starts.tolist(), ends.tolist(), strict=True):
        yield str(labels[lo]), str(symbols[lo]), frame.take(np.arange(lo, hi))


def _merge_write(path: Path, rows: F) -> int:
    """Merge `rows` into the file at `path` (new rows win on equal ts); returns rows replaced."""
    replaced = 0
    if path.exists():
        stored = rows.like_from_arrow(pq.read_table(path))
        merged = type(rows).concat([stored, rows])
        order = np.argsort(merged["ts"], kind="stable")
        ts = merged["ts"][order]
        keep = np.r_[ts[1:] != ts[:-1], True]  # last of each equal-ts run: the newest row
        replaced = len(ts) - int(keep.sum())
        rows = merged.take(order[keep])
    write_parquet_atomic(rows.to_arrow(), path)
    return replaced


def _in_order(frame: F) -> F:
    """Files are read in (symbol, partition) order, so this is nearly always a no-op check."""
    return frame if frame.is_sorted() else frame.sorted()
