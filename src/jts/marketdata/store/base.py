"""The market-data store contract, shared by the embedded Parquet store and (later) ClickHouse.

A store holds bars per interval ("1m", "5m", "1d" ...), trades (ticks) and the instrument
master. Reads return columnar frames sorted by (symbol, ts); writes are idempotent (rows with
the same symbol and ts replace the stored ones), so re-running an import never duplicates.
Time bounds accept dates (whole KST trading days, inclusive), aware datetimes or int ns UTC
(`start` inclusive, `end` exclusive).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from typing import Protocol

import msgspec
import pyarrow as pa

from jts.core.models import Instrument
from jts.marketdata.frames import BarFrame, TickFrame

TimeBound = dt.date | dt.datetime | int | None


class WriteStats(msgspec.Struct, frozen=True, kw_only=True):
    """What one write did: rows given, rows now stored for them, partitions touched, seconds."""

    rows: int
    partitions: int
    replaced: int
    """Rows that replaced stored rows with the same symbol and ts."""
    seconds: float


class Coverage(msgspec.Struct, frozen=True, kw_only=True):
    """What the store holds for one dataset ("bars/1m", "ticks") and symbol."""

    dataset: str
    symbol: str
    first_ts: int
    last_ts: int
    rows: int
    partitions: int


class MarketDataStore(Protocol):
    def write_bars(self, bars: BarFrame, *, interval: str) -> WriteStats: ...

    def write_ticks(self, ticks: TickFrame) -> WriteStats: ...

    def read_bars(
        self,
        symbols: Sequence[str] | None = None,
        start: TimeBound = None,
        end: TimeBound = None,
        interval: str = "1m",
    ) -> BarFrame: ...

    def iter_bars(
        self,
        symbols: Sequence[str] | None = None,
        start: TimeBound = None,
        end: TimeBound = None,
        interval: str = "1m",
        *,
        chunk_symbols: int = 100,
    ) -> Iterator[BarFrame]: ...

    def read_ticks(
        self, symbols: Sequence[str] | None = None, start: TimeBound = None, end: TimeBound = None
    ) -> TickFrame: ...

    def symbols(self, dataset: str = "bars/1m") -> list[str]: ...

    def coverage(self) -> list[Coverage]: ...

    def write_instruments(self, instruments: Sequence[Instrument]) -> None: ...

    def instruments(self) -> list[Instrument]: ...

    def sql(self, query: str) -> pa.Table: ...
