"""Reading many small partition files fast, straight into preallocated NumPy columns.

A store read touches up to thousands of one-symbol files. Reading them as one Arrow dataset and
converting the chunked result costs a string decode per row for the symbol column and one more
full copy for the concatenation. Here each file is decoded on a worker thread (pyarrow releases
the GIL) and its columns copied once into their slice of the output; the symbol column is filled
from the file name. Files wholly inside the time bounds have a known row count (the catalog), so
only the boundary files, filtered by time, are read before the output is allocated.
"""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from jts.marketdata.frames import Array, SymbolCodes
from jts.marketdata.schema import SYMBOL_DTYPE
from jts.marketdata.store.catalog import FileEntry

READ_THREADS = 4
_BOOL_COLUMNS = frozenset({"auction"})
_SMALL_COLUMNS = {"side": np.int8}


def read_columns(
    folder: Path,
    entries: Sequence[FileEntry],
    columns: Sequence[str],
    lo: int | None,
    hi: int | None,
) -> dict[str, Array | SymbolCodes]:
    """The rows of `entries` (ordered by symbol) in [lo, hi) as NumPy columns; `symbol` as
    `SymbolCodes` (int32 codes into the sorted distinct symbols)."""
    inside = [_inside(entry, lo, hi) for entry in entries]
    partial: dict[int, pa.Table] = {}
    boundary = [i for i, whole in enumerate(inside) if not whole]
    with ThreadPoolExecutor(READ_THREADS) as pool:
        for i, table in zip(
            boundary,
            pool.map(lambda i: _read_filtered(folder / entries[i].path, columns, lo, hi), boundary),
            strict=True,
        ):
            partial[i] = table
        counts = [partial[i].num_rows if i in partial else e.rows for i, e in enumerate(entries)]
        offsets = np.concatenate([[0], np.cumsum(counts, dtype=np.int64)])
        out = _allocate(columns, int(offsets[-1]))
        values = sorted({entry.symbol for entry in entries})
        code_of = {symbol: code for code, symbol in enumerate(values)}
        codes = np.empty(int(offsets[-1]), np.int32)
        for i, entry in enumerate(entries):
            codes[offsets[i] : offsets[i + 1]] = code_of[entry.symbol]
        list(
            pool.map(
                lambda i: _fill(out, int(offsets[i]), entries[i], partial.get(i), folder, columns),
                range(len(entries)),
            )
        )
    result: dict[str, Array | SymbolCodes] = dict(out)
    result["symbol"] = SymbolCodes(codes, np.array(values, SYMBOL_DTYPE))
    return result


def _inside(entry: FileEntry, lo: int | None, hi: int | None) -> bool:
    return (lo is None or entry.first_ts >= lo) and (hi is None or entry.last_ts < hi)


def _read_filtered(path: Path, columns: Sequence[str], lo: int | None, hi: int | None) -> pa.Table:
    table = pq.read_table(path, columns=list(columns), use_threads=False)
    ts = table.column("ts").cast(pa.int64()).to_numpy()
    keep = np.ones(len(ts), np.bool_)
    if lo is not None:
        keep &= ts >= lo
    if hi is not None:
        keep &= ts < hi
    return table.filter(pa.array(keep))


def _allocate(columns: Sequence[str], rows: int) -> dict[str, Array]:
    out: dict[str, Array] = {}
    for name in columns:
        dtype: Any = np.bool_ if name in _BOOL_COLUMNS else _SMALL_COLUMNS.get(name, np.int64)
        out[name] = np.empty(rows, dtype)
    return out


def _fill(
    out: dict[str, Array],
    start: int,
    entry: FileEntry,
    table: pa.Table | None,
    folder: Path,
    columns: Sequence[str],
) -> None:
    if table is None:
        table = pq.read_table(folder / entry.path, columns=list(columns), use_threads=False)
    end = start + table.num_rows
    for name in columns:
        column = table.column(name)
        if name == "ts":
            column = column.cast(pa.int64())
        out[name][start:end] = column.to_numpy()
