"""Columnar bars and ticks: parallel NumPy arrays with Arrow, pandas and polars views.

`BarFrame` and `TickFrame` are what the store returns and the importer, the generator and the
aggregator produce. They are sorted by (symbol, ts) whenever they come out of the store, so one
symbol's rows are a contiguous slice (`for_symbol`, `by_symbol`). Columns are read-only views:
a frame never changes after it is built, like the domain Structs.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any, ClassVar, Self

import numpy as np
import pyarrow as pa

from jts.core.enums import Side
from jts.core.errors import InvalidInput
from jts.core.models import Bar, Tick
from jts.marketdata.schema import BAR_COLUMNS, BAR_SCHEMA, SYMBOL_DTYPE, TICK_COLUMNS, TICK_SCHEMA

if TYPE_CHECKING:
    import pandas as pd
    import polars as pl

Array = np.ndarray[Any, Any]


def keys_sorted(symbol: Array, ts: Array) -> bool:
    """Whether rows are ordered by (symbol, ts)."""
    if len(ts) < 2:
        return True
    same = symbol[1:] == symbol[:-1]
    return bool(np.all(symbol[1:] >= symbol[:-1]) and np.all(ts[1:][same] >= ts[:-1][same]))


def symbols_to_arrow(symbols: Array) -> pa.Array[Any]:
    """`<U6` codes → Arrow strings, fast: encode runs of equal codes as a dictionary first
    (converting each row's string costs ~100 ns; a frame is mostly long runs of one symbol)."""
    if not len(symbols):
        return pa.array([], pa.string())
    starts = np.flatnonzero(np.r_[True, symbols[1:] != symbols[:-1]])
    lengths = np.diff(np.r_[starts, len(symbols)])
    indices = pa.array(np.repeat(np.arange(len(starts), dtype=np.int32), lengths), pa.int32())
    values = pa.array(symbols[starts].tolist(), pa.string())
    return pa.DictionaryArray.from_arrays(indices, values, safe=False).cast(pa.string())


def symbols_from_arrow(column: pa.ChunkedArray[Any] | pa.Array[Any]) -> Array:
    """Arrow strings (plain or dictionary, chunked or not) → `<U6` codes.

    Goes through a dictionary per chunk: a store file holds one symbol, so each chunk is one
    dictionary value repeated, and the conversion is a cheap take instead of a string decode
    per row.
    """
    chunks = column.chunks if isinstance(column, pa.ChunkedArray) else [column]
    out = np.empty(sum(len(chunk) for chunk in chunks), SYMBOL_DTYPE)
    position = 0
    for chunk in chunks:
        encoded: Any = chunk if pa.types.is_dictionary(chunk.type) else chunk.dictionary_encode()
        values = np.asarray(encoded.dictionary.to_numpy(zero_copy_only=False), SYMBOL_DTYPE)
        indices = encoded.indices.to_numpy(zero_copy_only=False)
        out[position : position + len(chunk)] = values[indices]
        position += len(chunk)
    return out


class SymbolCodes:
    """A symbol column held as int32 codes into sorted, distinct `<U6` values.

    A store read of 100 symbols × a year is ~10 M rows: as `<U6` strings the column alone is
    240 MB of freshly touched memory, as codes 40 MB. Frames keep the codes and build the string
    column only when someone asks for `frame["symbol"]`.
    """

    __slots__ = ("codes", "values")

    def __init__(self, codes: Array, values: Array) -> None:
        self.codes = np.asarray(codes, np.int32)
        self.values = np.asarray(values, SYMBOL_DTYPE)
        self.codes.flags.writeable = False
        self.values.flags.writeable = False

    def __len__(self) -> int:
        return len(self.codes)

    def materialize(self) -> Array:
        array: Array = self.values[self.codes]
        array.flags.writeable = False
        return array


class _Frame:
    """Shared machinery: named columns of equal length."""

    COLUMNS: ClassVar[tuple[str, ...]]
    SCHEMA: ClassVar[pa.Schema]
    _INT_DTYPES: ClassVar[Mapping[str, Any]]

    __slots__ = ("_codes", "_columns")

    def __init__(self, columns: Mapping[str, Any]) -> None:
        missing = [name for name in self.COLUMNS if name not in columns]
        if missing:
            raise InvalidInput("columns", f"missing {', '.join(missing)}")
        built: dict[str, Array] = {}
        self._codes: SymbolCodes | None = None
        for name in self.COLUMNS:
            value = columns[name]
            if name == "symbol" and isinstance(value, SymbolCodes):
                self._codes = value
                continue
            dtype = SYMBOL_DTYPE if name == "symbol" else self._INT_DTYPES[name]
            array = np.asarray(value, dtype=dtype)
            array.flags.writeable = False
            built[name] = array
        lengths = {len(array) for array in built.values()}
        if self._codes is not None:
            lengths.add(len(self._codes))
        if len(lengths) > 1:
            raise InvalidInput("columns", f"columns differ in length: {sorted(lengths)}")
        self._columns = built

    # -- construction ---------------------------------------------------------------------

    @classmethod
    def empty(cls) -> Self:
        return cls({name: [] for name in cls.COLUMNS})

    @classmethod
    def from_arrow(cls, table: pa.Table) -> Self:
        """From an Arrow table with (at least) the schema's columns; timestamps become int64."""
        columns: dict[str, Array] = {}
        for name in cls.COLUMNS:
            column = table.column(name)
            if name == "symbol":
                columns[name] = symbols_from_arrow(column)
            elif pa.types.is_timestamp(column.type):
                columns[name] = column.cast(pa.int64()).to_numpy()
            else:
                columns[name] = column.to_numpy()
        return cls(columns)

    def like_from_arrow(self, table: pa.Table) -> Self:
        """A frame of this one's kind (and bar interval) from an Arrow table."""
        return type(self).from_arrow(table)

    def _rebuild(self, columns: Mapping[str, Any]) -> Self:
        """A frame of this kind (and bar interval) from new columns."""
        return type(self)(columns)

    @classmethod
    def concat(cls, frames: Sequence[Self]) -> Self:
        if not frames:
            return cls.empty()
        joined = {name: np.concatenate([f[name] for f in frames]) for name in cls.COLUMNS}
        return frames[0]._rebuild(joined)

    # -- access ---------------------------------------------------------------------------

    def __len__(self) -> int:
        return len(self._columns["ts"])

    def __getitem__(self, name: str) -> Array:
        if name == "symbol" and "symbol" not in self._columns:
            if self._codes is None:
                raise KeyError(name)
            self._columns["symbol"] = self._codes.materialize()
        return self._columns[name]

    def __eq__(self, other: object) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        assert isinstance(other, _Frame)
        return all(np.array_equal(self[n], other[n]) for n in self.COLUMNS)

    __hash__ = None  # type: ignore[assignment]

    def columns(self) -> dict[str, Array]:
        return {name: self[name] for name in self.COLUMNS}

    def _key(self) -> Array:
        """An array ordering rows like the symbol column: the codes when held as codes."""
        return self._codes.codes if self._codes is not None else self["symbol"]

    def _symbol_at(self, row: int) -> str:
        if self._codes is not None:
            return str(self._codes.values[self._codes.codes[row]])
        return str(self["symbol"][row])

    def symbols(self) -> list[str]:
        """Distinct symbols, sorted."""
        if self._codes is not None:
            return [str(s) for s in self._codes.values[np.unique(self._codes.codes)]]
        return [str(s) for s in np.unique(self["symbol"])]

    def take(self, index: Array) -> Self:
        """Rows selected by an integer index or a boolean mask."""
        columns: dict[str, Any] = {n: a[index] for n, a in self._columns.items() if n != "symbol"}
        if self._codes is not None:
            columns["symbol"] = SymbolCodes(self._codes.codes[index], self._codes.values)
        else:
            columns["symbol"] = self["symbol"][index]
        return self._rebuild(columns)

    def sorted(self) -> Self:
        """Sorted by (symbol, ts), stable: rows with equal keys keep their order."""
        order = np.lexsort((self._columns["ts"], self._key()))
        return self.take(order)

    def is_sorted(self) -> bool:
        return keys_sorted(self._key(), self._columns["ts"])

    def for_symbol(self, symbol: str) -> Self:
        """One symbol's rows; the frame must be sorted (frames from the store are)."""
        key: Any = symbol
        if self._codes is not None:
            position = int(np.searchsorted(self._codes.values, symbol))
            found = position < len(self._codes.values) and self._codes.values[position] == symbol
            key = position if found else -1
        column = self._key()
        lo = int(np.searchsorted(column, key, side="left"))
        hi = int(np.searchsorted(column, key, side="right"))
        return self.take(np.arange(lo, hi))

    def by_symbol(self) -> Iterator[tuple[str, Self]]:
        """(symbol, rows) for each symbol in order; the frame must be sorted."""
        column = self._key()
        if not len(column):
            return
        starts = np.flatnonzero(np.r_[True, column[1:] != column[:-1]])
        ends = np.r_[starts[1:], len(column)]
        for lo, hi in zip(starts.tolist(), ends.tolist(), strict=True):
            yield self._symbol_at(lo), self.take(np.arange(lo, hi))

    # -- conversion -----------------------------------------------------------------------

    def to_arrow(self) -> pa.Table:
        arrays: list[pa.Array[Any]] = []
        for field in self.SCHEMA:
            if field.name == "symbol" and self._codes is not None:
                codes = pa.array(self._codes.codes, pa.int32())
                names = pa.array(self._codes.values.tolist(), pa.string())
                dictionary = pa.DictionaryArray.from_arrays(codes, names, safe=False)
                arrays.append(dictionary.cast(pa.string()))
                continue
            values = self[field.name]
            if field.name == "symbol":
                arrays.append(symbols_to_arrow(values))
            else:
                arrays.append(pa.array(values).cast(field.type))
        return pa.Table.from_arrays(arrays, schema=self.SCHEMA)

    def to_pandas(self) -> pd.DataFrame:
        """A pandas DataFrame with `ts` as tz-aware UTC timestamps."""
        return self.to_arrow().to_pandas()

    def to_polars(self) -> pl.DataFrame:
        """A polars DataFrame (polars is optional: `pip install polars`)."""
        try:
            import polars as pl
        except ImportError as exc:  # pragma: no cover - depends on the environment
            raise InvalidInput("to_polars", "polars is not installed (pip install polars)") from exc
        frame = pl.from_arrow(self.to_arrow())
        assert isinstance(frame, pl.DataFrame)
        return frame


class BarFrame(_Frame):
    """OHLCV bars of one interval; `interval_s` is the bar length in seconds (86,400 = day)."""

    COLUMNS = BAR_COLUMNS
    SCHEMA = BAR_SCHEMA
    _INT_DTYPES = dict.fromkeys(BAR_COLUMNS[1:], np.int64)

    __slots__ = ("interval_s",)

    def __init__(self, columns: Mapping[str, Any], interval_s: int = 60) -> None:
        if "value" not in columns:
            columns = {**columns, "value": np.zeros(len(columns["ts"]), np.int64)}
        super().__init__(columns)
        self.interval_s = interval_s

    def _rebuild(self, columns: Mapping[str, Any]) -> Self:
        return type(self)(columns, self.interval_s)

    @classmethod
    def empty(cls, interval_s: int = 60) -> Self:
        return cls({name: [] for name in cls.COLUMNS}, interval_s)

    @classmethod
    def from_arrow(cls, table: pa.Table, interval_s: int = 60) -> Self:
        frame = super().from_arrow(table)
        frame.interval_s = interval_s
        return frame

    def like_from_arrow(self, table: pa.Table) -> Self:
        return type(self).from_arrow(table, self.interval_s)

    def bars(self) -> Iterator[Bar]:
        """Each row as a `jts.core.Bar` (convenient, slow: for tests and small sets)."""
        c = self.columns()
        for i in range(len(self)):
            yield Bar(
                symbol=str(c["symbol"][i]),
                ts_ns=int(c["ts"][i]),
                interval_s=self.interval_s,
                open=int(c["open"][i]),
                high=int(c["high"][i]),
                low=int(c["low"][i]),
                close=int(c["close"][i]),
                volume=int(c["volume"][i]),
                value=int(c["value"][i]),
            )

    @classmethod
    def from_bars(cls, bars: Sequence[Bar]) -> Self:
        interval = bars[0].interval_s if bars else 60
        return cls(
            {name: [getattr(b, _BAR_ATTR.get(name, name)) for b in bars] for name in BAR_COLUMNS},
            interval,
        )


_BAR_ATTR = {"ts": "ts_ns"}
_SIDE_OF_CODE = {1: Side.BUY, -1: Side.SELL, 0: None}


class TickFrame(_Frame):
    """Trades; `side` is the aggressor as +1 buy, -1 sell, 0 unknown; `auction` flags
    call-auction prints (optional on construction: defaults to False)."""

    COLUMNS = TICK_COLUMNS
    SCHEMA = TICK_SCHEMA
    _INT_DTYPES: ClassVar[Mapping[str, Any]] = {
        "ts": np.int64,
        "price": np.int64,
        "qty": np.int64,
        "side": np.int8,
        "auction": np.bool_,
    }

    __slots__ = ()

    def __init__(self, columns: Mapping[str, Any]) -> None:
        if "auction" not in columns:
            columns = {**columns, "auction": np.zeros(len(columns["ts"]), np.bool_)}
        super().__init__(columns)

    def ticks(self) -> Iterator[Tick]:
        c = self.columns()
        for i in range(len(self)):
            yield Tick(
                symbol=str(c["symbol"][i]),
                ts_ns=int(c["ts"][i]),
                price=int(c["price"][i]),
                qty=int(c["qty"][i]),
                side=_SIDE_OF_CODE[int(c["side"][i])],
                auction=bool(c["auction"][i]),
            )

    @classmethod
    def from_ticks(cls, ticks: Sequence[Tick]) -> Self:
        return cls(
            {
                "symbol": [t.symbol for t in ticks],
                "ts": [t.ts_ns for t in ticks],
                "price": [t.price for t in ticks],
                "qty": [t.qty for t in ticks],
                "side": [t.side.sign if t.side is not None else 0 for t in ticks],
                "auction": [t.auction for t in ticks],
            }
        )
