"""Reading user bar and tick files (CSV or Parquet) in bounded chunks of raw Arrow columns.

`read_layout` reads only the header (CSV) or the schema (Parquet): it finds the format, whether the
file holds bars or ticks, and which columns are used or ignored. `iter_raw` then streams the
file as `RawChunk`s: the used columns as Arrow arrays plus the 1-based data row of each
element, so every later problem can name the row a user sees. CSV columns are all read as
strings (codes keep their leading zeros; a bad cell becomes a reported problem instead of
failing the whole file); `jts.marketdata.decoding` turns the cells into typed NumPy columns.

Row numbers: `row` 1 is the first data row. In a CSV file that is line 2 (the header is line 1)
and blank lines count as rows, so `line = row + 1` (quoted line breaks are not supported).
"""

from __future__ import annotations

import codecs
import csv
import functools
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any, Final, Literal

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq

from jts.core.errors import InvalidInput

BAR_REQUIRED: Final = ("symbol", "ts", "open", "high", "low", "close", "volume")
BAR_OPTIONAL: Final = ("value",)
TICK_REQUIRED: Final = ("symbol", "ts", "price", "qty")
TICK_OPTIONAL: Final = ("side", "auction")
DEFAULT_CHUNK_ROWS: Final = 500_000
_HEADER_LIMIT = 1 << 20  # bytes searched for the end of the CSV header line
_BYTES_PER_ROW = 80  # CSV block size per requested chunk row (a bar line is ~60 bytes)
_MIN_BLOCK = 1 << 10
_MAX_BLOCK = 1 << 30
_PARQUET_MAGIC = b"PAR1"
_TEXT_ENCODINGS = ("utf-8-sig", "cp949")  # Korean HTS exports are often CP949


def _lenient_codec(name: str) -> codecs.CodecInfo | None:
    """Codecs that turn undecodable bytes into U+FFFD: a bad byte spoils one cell (reported as a
    bad value) instead of the whole file. Arrow transcodes CSV input through them."""
    base = _LENIENT_CODECS.get(name)
    if base is None:
        return None
    info = codecs.lookup(base)
    return codecs.CodecInfo(
        info.encode,
        info.decode,
        incrementalencoder=info.incrementalencoder,
        incrementaldecoder=functools.partial(info.incrementaldecoder, errors="replace"),
        name=name,
    )


_LENIENT_CODECS: Final = {"jtsutf8replace": "utf-8", "jtscp949replace": "cp949"}
codecs.register(_lenient_codec)


class FileFormat(StrEnum):
    CSV = "csv"
    PARQUET = "parquet"


class Kind(StrEnum):
    BARS = "bars"
    TICKS = "ticks"


_REQUIRED = {Kind.BARS: BAR_REQUIRED, Kind.TICKS: TICK_REQUIRED}
_OPTIONAL = {Kind.BARS: BAR_OPTIONAL, Kind.TICKS: TICK_OPTIONAL}


@dataclass(frozen=True)
class FileLayout:
    """What `read_layout` learned about a file before reading its rows."""

    path: Path
    format: FileFormat
    kind: Kind
    used: dict[str, str]  # our column name → the name as written in the file
    extra: tuple[str, ...]  # columns the file has that we ignore, as written
    header: tuple[str, ...]  # every column as written, in file order
    total_rows: int | None  # known for Parquet, None for CSV
    encoding: str = "jtsutf8replace"  # CSV only: one of the lenient codecs above


@dataclass(frozen=True)
class RawChunk:
    """One chunk of a file: used columns as Arrow arrays, and each element's data row."""

    rows: np.ndarray[Any, np.dtype[np.int64]]
    columns: dict[str, pa.Array[Any]]
    malformed: tuple[tuple[int, str], ...] = ()  # CSV rows with a wrong field count: (row, text)

    def __len__(self) -> int:
        return len(self.rows)


def normalize_name(name: str) -> str:
    """Column names match case-insensitively with surrounding whitespace trimmed."""
    return name.strip().lower()


def read_layout(path: str | Path, kind: str = "auto") -> FileLayout:
    """Format, kind and columns of the file at `path`; raises `InvalidInput` naming the file."""
    source = Path(path)
    if not source.is_file():
        raise InvalidInput(str(source), "no such file")
    if _is_parquet(source):
        return _inspect_parquet(source, kind)
    return _inspect_csv(source, kind)


def iter_raw(layout: FileLayout, chunk_rows: int = DEFAULT_CHUNK_ROWS) -> Iterator[RawChunk]:
    """The file's rows in chunks: Parquet batches of `chunk_rows` rows, CSV blocks of about
    80 bytes per row (a little more or fewer rows, depending on line length)."""
    if chunk_rows < 1:
        raise InvalidInput("chunk_rows", f"{chunk_rows} is not a positive row count")
    if layout.format is FileFormat.PARQUET:
        return _iter_parquet(layout, chunk_rows)
    return _iter_csv(layout, chunk_rows)


# -- format and kind ------------------------------------------------------------------------------


def _is_parquet(path: Path) -> bool:
    if path.suffix.lower() in (".parquet", ".pq"):
        return True
    with path.open("rb") as handle:
        return handle.read(4) == _PARQUET_MAGIC


def _layout_kind(path: Path, header: Sequence[str], kind: str) -> tuple[Kind, dict[str, str]]:
    """Decide bars or ticks from the header; map our column names to the file's."""
    by_name: dict[str, str] = {}
    for name in header:
        key = normalize_name(name)
        if key in by_name:
            raise InvalidInput(str(path), f"column {key!r} appears twice in the header")
        by_name[key] = name
    chosen = _choose_kind(path, set(by_name), kind, header)
    wanted = _REQUIRED[chosen] + _OPTIONAL[chosen]
    return chosen, {name: by_name[name] for name in wanted if name in by_name}


def _choose_kind(path: Path, names: set[str], kind: str, header: Sequence[str]) -> Kind:
    if kind not in ("auto", "bars", "ticks"):
        raise InvalidInput("kind", f"{kind!r} is not one of auto, bars, ticks")
    candidates = [Kind(kind)] if kind != "auto" else [Kind.BARS, Kind.TICKS]
    complete = [k for k in candidates if set(_REQUIRED[k]) <= names]
    if len(complete) == 1:
        return complete[0]
    if complete:
        raise InvalidInput(str(path), "the columns fit both bars and ticks: pass kind explicitly")
    missing = "; ".join(
        f"for {k.value}: {', '.join(c for c in _REQUIRED[k] if c not in names)}" for k in candidates
    )
    raise InvalidInput(str(path), f"missing columns ({missing}){_delimiter_hint(header)}")


def _delimiter_hint(header: Sequence[str]) -> str:
    if len(header) == 1:
        for mark, name in ((";", "semicolons"), ("\t", "tabs"), ("|", "pipes")):
            if mark in header[0]:
                return f"; the header is one column containing {name}: columns must be commas"
    return ""


# -- CSV ------------------------------------------------------------------------------------------


def _read_header_line(path: Path) -> bytes:
    with pa.input_stream(str(path), compression="detect") as stream:
        head = stream.read(_HEADER_LIMIT)
    if not head.strip():
        raise InvalidInput(str(path), "the file is empty")
    end = head.find(b"\n")
    if end < 0 and len(head) == _HEADER_LIMIT:
        raise InvalidInput(str(path), "no header line in the first 1 MiB: not a CSV file?")
    line = head if end < 0 else head[:end]
    if b"\x00" in line:
        raise InvalidInput(str(path), "binary data where a CSV header was expected")
    return line.rstrip(b"\r")


def _decode_header(path: Path, line: bytes) -> tuple[list[str], str]:
    for encoding in _TEXT_ENCODINGS:
        try:
            text = line.decode(encoding)
        except UnicodeDecodeError:
            continue
        lenient = "jtsutf8replace" if encoding == "utf-8-sig" else "jtscp949replace"
        return next(csv.reader([text])), lenient
    raise InvalidInput(str(path), "the header is neither UTF-8 nor CP949 text: not a CSV file?")


def _inspect_csv(path: Path, kind: str) -> FileLayout:
    header, encoding = _decode_header(path, _read_header_line(path))
    chosen, used = _layout_kind(path, header, kind)
    extra = tuple(name for name in header if normalize_name(name) not in used)
    return FileLayout(path, FileFormat.CSV, chosen, used, extra, tuple(header), None, encoding)


def _iter_csv(layout: FileLayout, chunk_rows: int) -> Iterator[RawChunk]:
    skipped: list[tuple[int, str]] = []

    def on_invalid(row: pa_csv.InvalidRow) -> Literal["skip", "error"]:
        skipped.append(((row.number or 0) - 1, str(row.text)))  # known: serial parsing
        return "skip"

    names = [f"c{i}" for i in range(len(layout.header))]  # header names may repeat or be blank
    position = {normalize_name(n): names[i] for i, n in enumerate(layout.header)}
    wanted = {ours: position[ours] for ours in layout.used}
    read = pa_csv.ReadOptions(
        column_names=names,
        skip_rows=1,
        use_threads=False,  # serial parsing reports the line of each malformed row
        block_size=min(max(chunk_rows * _BYTES_PER_ROW, _MIN_BLOCK), _MAX_BLOCK),
        encoding=layout.encoding,
    )
    parse = pa_csv.ParseOptions(invalid_row_handler=on_invalid, ignore_empty_lines=False)
    convert = pa_csv.ConvertOptions(
        column_types=dict.fromkeys(wanted.values(), pa.string()),
        include_columns=list(wanted.values()),
        strings_can_be_null=False,
    )
    try:
        reader = pa_csv.open_csv(
            str(layout.path), read_options=read, parse_options=parse, convert_options=convert
        )
    except (pa.ArrowInvalid, OSError, UnicodeDecodeError) as exc:
        raise _csv_error(layout.path, exc) from exc
    yield from _csv_chunks(layout, reader, wanted, skipped)


def _csv_chunks(
    layout: FileLayout,
    reader: pa_csv.CSVStreamingReader,
    wanted: dict[str, str],
    skipped: list[tuple[int, str]],
) -> Iterator[RawChunk]:
    done, reported = 0, 0
    while True:
        try:
            batch = reader.read_next_batch()
        except StopIteration:
            break
        except (pa.ArrowInvalid, OSError, UnicodeDecodeError) as exc:
            raise _csv_error(layout.path, exc, after_row=done) from exc
        rows = _rows_around_skipped(done, batch.num_rows, [r for r, _ in skipped])
        done += batch.num_rows
        columns = {ours: batch.column(theirs) for ours, theirs in wanted.items()}
        chunk = _drop_blank(RawChunk(rows, columns, tuple(skipped[reported:])))
        reported = len(skipped)
        yield chunk
    if reported < len(skipped):
        yield RawChunk(np.zeros(0, np.int64), _empty_columns(wanted), tuple(skipped[reported:]))


def _rows_around_skipped(
    start: int, count: int, skipped: list[int]
) -> np.ndarray[Any, np.dtype[np.int64]]:
    """Data rows of parsed positions start..start+count when the rows `skipped` were dropped.

    A kept position k follows skipped row s_i (sorted, i from 0) exactly when k >= s_i - 1 - i,
    so its row is k + 1 + (number of such i).
    """
    positions = np.arange(start, start + count, dtype=np.int64)
    if not skipped:
        return positions + 1
    ordered = np.sort(np.asarray(skipped, np.int64))
    thresholds = ordered - 1 - np.arange(len(ordered), dtype=np.int64)
    return positions + 1 + np.searchsorted(thresholds, positions, side="right")


def _drop_blank(chunk: RawChunk) -> RawChunk:
    """Blank CSV lines arrive as rows of empty strings: they are not data."""
    if not chunk.columns or not len(chunk):
        return chunk
    empty = np.ones(len(chunk), np.bool_)
    for array in chunk.columns.values():
        empty &= np.asarray(pc.equal(array, pa.scalar("")).to_numpy(zero_copy_only=False), np.bool_)
    if not empty.any():
        return chunk
    keep = pa.array(~empty)
    columns = {name: pc.filter(array, keep) for name, array in chunk.columns.items()}
    return RawChunk(chunk.rows[~empty], columns, chunk.malformed)


def _empty_columns(wanted: dict[str, str]) -> dict[str, pa.Array[Any]]:
    return {name: pa.array([], pa.string()) for name in wanted}


def _csv_error(path: Path, exc: Exception, after_row: int | None = None) -> InvalidInput:
    where = f" after data row {after_row}" if after_row else ""
    text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    if "straddl" in text:  # Arrow's wording when one line exceeds the read block
        text = "a line is longer than the read block: pass a larger chunk_rows"
    elif isinstance(exc, UnicodeDecodeError):
        text = "a malformed line is not UTF-8 text"
    return InvalidInput(str(path), f"cannot read the CSV{where}: {text}")


# -- Parquet --------------------------------------------------------------------------------------

_ACCEPTED: Final = {
    "symbol": ("string", "integer"),
    "ts": ("string", "integer", "timestamp", "date"),
    "side": ("string", "integer"),
    "auction": ("string", "integer", "boolean"),
}
_NUMBER_KINDS: Final = ("string", "integer", "floating")


def type_family(data_type: pa.DataType) -> str:
    """A coarse family name for a Parquet column's Arrow type."""
    if pa.types.is_dictionary(data_type):
        return type_family(data_type.value_type)
    checks = (
        ("string", pa.types.is_string),
        ("string", pa.types.is_large_string),
        ("string", pa.types.is_null),
        ("integer", pa.types.is_integer),
        ("floating", pa.types.is_floating),
        ("timestamp", pa.types.is_timestamp),
        ("date", pa.types.is_date),
        ("boolean", pa.types.is_boolean),
    )
    for family, check in checks:
        if check(data_type):
            return family
    return str(data_type)


def _inspect_parquet(path: Path, kind: str) -> FileLayout:
    try:
        parquet = pq.ParquetFile(str(path))
    except (pa.ArrowException, OSError) as exc:
        raise InvalidInput(str(path), f"not a readable Parquet file: {exc}") from exc
    schema = parquet.schema_arrow
    header = tuple(schema.names)
    chosen, used = _layout_kind(path, header, kind)
    types = {ours: schema.field(theirs).type for ours, theirs in used.items()}
    for ours, data_type in types.items():
        accepted = _ACCEPTED.get(ours, _NUMBER_KINDS)
        if type_family(data_type) not in accepted:
            raise InvalidInput(
                str(path),
                f"column {used[ours]!r} has type {data_type}; expected {' or '.join(accepted)}",
            )
    extra = tuple(name for name in header if normalize_name(name) not in used)
    rows = parquet.metadata.num_rows
    return FileLayout(path, FileFormat.PARQUET, chosen, used, extra, header, rows, "")


def _iter_parquet(layout: FileLayout, chunk_rows: int) -> Iterator[RawChunk]:
    done = 0
    try:
        parquet = pq.ParquetFile(str(layout.path))
        batches = parquet.iter_batches(batch_size=chunk_rows, columns=list(layout.used.values()))
        for batch in batches:
            columns = {ours: batch.column(theirs) for ours, theirs in layout.used.items()}
            rows = np.arange(done + 1, done + batch.num_rows + 1, dtype=np.int64)
            done += batch.num_rows
            yield RawChunk(rows, columns)
    except (pa.ArrowException, OSError) as exc:
        where = f" after data row {done}" if done else ""
        raise InvalidInput(str(layout.path), f"cannot read the Parquet file{where}: {exc}") from exc
