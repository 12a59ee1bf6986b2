"""Writing frames in the import format, so `jts data export` output imports back unchanged.

CSV: the columns of the import format in schema order; symbols as written (leading zeros
kept); `ts` as ISO 8601 in KST with an explicit "+09:00" (fractional seconds only when some
timestamp has them), or the bare date for daily bars; tick `side` as buy/sell/empty and
`auction` as true/false. Parquet: the frame's Arrow schema (`ts` as timestamp[ns, UTC]).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq

from jts.core.errors import InvalidInput
from jts.marketdata.decoding import KST_OFFSET_NS
from jts.marketdata.frames import BarFrame, TickFrame, symbols_to_arrow

_DAY_S = 86_400
_NS_PER_SECOND = 1_000_000_000


def write_bars_csv(frame: BarFrame, path: str | Path) -> Path:
    """Bars as CSV in the import format; returns the path written."""
    if not isinstance(frame, BarFrame):
        raise InvalidInput("frame", f"expected a BarFrame, got {type(frame).__name__}")
    return write_csv(frame, path)


def write_ticks_csv(frame: TickFrame, path: str | Path) -> Path:
    """Ticks as CSV in the import format; returns the path written."""
    if not isinstance(frame, TickFrame):
        raise InvalidInput("frame", f"expected a TickFrame, got {type(frame).__name__}")
    return write_csv(frame, path)


def write_csv(frame: BarFrame | TickFrame, path: str | Path) -> Path:
    """Bars or ticks as CSV in the import format; returns the path written."""
    target = Path(path)
    options = pa_csv.WriteOptions(quoting_style="none")
    pa_csv.write_csv(csv_table(frame), str(target), write_options=options)
    return target


class FrameFileWriter:
    """Streams frames into one file in the import format (.csv or .parquet, by suffix), so a
    large data set never has to be in memory at once. Use as a context manager."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.rows = 0
        suffix = self.path.suffix.lower()
        if suffix not in (".csv", ".parquet"):
            raise InvalidInput("out", f"{self.path.name}: use a .csv or .parquet file name")
        self._csv = suffix == ".csv"
        self._writer: pq.ParquetWriter | pa_csv.CSVWriter | None = None

    def write(self, frame: BarFrame | TickFrame) -> None:
        table = csv_table(frame) if self._csv else frame.to_arrow()
        if self._writer is None:
            self._writer = (
                pa_csv.CSVWriter(
                    str(self.path),
                    table.schema,
                    write_options=pa_csv.WriteOptions(quoting_style="none"),
                )
                if self._csv
                else pq.ParquetWriter(str(self.path), table.schema, compression="zstd")
            )
        self._writer.write_table(table)
        self.rows += len(frame)

    def __enter__(self) -> FrameFileWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        if self._writer is not None:
            self._writer.close()


def csv_table(frame: BarFrame | TickFrame) -> pa.Table:
    """The frame as the text/int columns of the CSV import format."""
    daily = isinstance(frame, BarFrame) and frame.interval_s >= _DAY_S
    columns: dict[str, pa.Array[Any]] = {}
    for name in frame.COLUMNS:
        values = frame[name]
        if name == "symbol":
            columns[name] = symbols_to_arrow(values)
        elif name == "ts":
            columns[name] = _kst_text(values, daily)
        elif name == "side":
            columns[name] = pa.array(np.where(values > 0, "buy", np.where(values < 0, "sell", "")))
        elif name == "auction":
            columns[name] = pa.array(np.where(values, "true", "false"))
        else:
            columns[name] = pa.array(values, pa.int64())
    return pa.table(columns)


def write_parquet(frame: BarFrame | TickFrame, path: str | Path) -> Path:
    """Bars or ticks as Parquet with the frame's schema; returns the path written."""
    target = Path(path)
    pq.write_table(frame.to_arrow(), str(target))
    return target


def _kst_text(ts: np.ndarray[Any, Any], daily: bool) -> pa.Array[Any]:
    """int ns UTC → KST wall-clock text (no time-zone database needed: KST has no DST)."""
    # Any: pyarrow-stubs type strftime's input narrower than the naive timestamps it accepts
    wall: Any = pa.array(np.asarray(ts, np.int64) + KST_OFFSET_NS, pa.timestamp("ns"))
    if daily:
        text: pa.Array[Any] = pc.strftime(wall, format="%Y-%m-%d")
        return text
    whole = not len(ts) or bool(np.all(np.asarray(ts) % _NS_PER_SECOND == 0))
    if whole:
        wall = pc.cast(wall, pa.timestamp("s"))
    text = pc.strftime(wall, format="%Y-%m-%dT%H:%M:%S+09:00")
    return text
