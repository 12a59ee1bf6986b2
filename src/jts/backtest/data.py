"""The bars a backtest runs on: read from a store, a user's files or a DataFrame, cut to the
strategy's universe, dates and timeframe.

`load_bars(source, program=...)` is the one door: the backtest never reads data any other way,
so every run sees the same validation, the same bar convention and the same errors.

- A data directory holding a JTS store (`bars/` or `ticks/` folders, as `ParquetStore` finds
  its datasets, or an instrument master) or a `MarketDataStore`: only the symbols and
  partitions needed are read.
- A CSV/Parquet file, or a folder of them, in the import format of docs/data.md: read
  directly, never written to a store, and validated like `jts data import --strict`: any bad
  row refuses the source with an error naming file, row or line, column and rule.
- A polars or pandas DataFrame (symbol, ts or datetime, open, high, low, close, volume,
  optional value): validated the same way. A `BarFrame` is taken as is (already typed).
- Tick files and tick-only stores become bars through `aggregate_ticks`.

The timeframe is the program's unless `timeframe=` overrides it (neither: the source's own).
Finer bars are combined on KRX session-aligned buckets (`resample_bars`); data coarser than
wanted is an error, never an interpolation. `start`/`end` are inclusive KST trading dates.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, TypeAlias, cast

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from jts.backtest.data_universe import (
    Wanted,
    default_index_dirs,
    etf_symbols,
    instruments_for,
    listed,
    wanted_symbols,
)
from jts.core.errors import InvalidInput
from jts.core.models import Instrument
from jts.marketdata.aggregate import aggregate_ticks
from jts.marketdata.bar_grid import DAY_NS, DAY_S, KST_OFFSET_NS, day_plan
from jts.marketdata.frames import Array, BarFrame, TickFrame
from jts.marketdata.importer import ImportResult, import_file
from jts.marketdata.report import ValidationReport
from jts.marketdata.schema import SYMBOL_DTYPE, interval_name, interval_seconds
from jts.marketdata.store import MarketDataStore, ParquetStore
from jts.marketdata.store.layout import to_bound_ns
from jts.strategy.lang.ast import Program

if TYPE_CHECKING:
    import pandas as pd
    import polars as pl

__all__ = ["DataSource", "LoadedBars", "load_bars", "resample_bars"]

DataSource: TypeAlias = (
    "str | os.PathLike[str] | BarFrame | pl.DataFrame | pd.DataFrame | MarketDataStore"
)
"""Anything `load_bars` reads bars from (see the module docstring)."""

Frame: TypeAlias = BarFrame | TickFrame
_NS_PER_SECOND: Final = 1_000_000_000
_FILE_SUFFIXES: Final = (".csv", ".csv.gz", ".parquet", ".pq")
_PROBLEMS_SHOWN: Final = 5
_DAY_WORDS: Final = frozenset({"day", "1d", "d", "daily"})


@dataclass(frozen=True)
class LoadedBars:
    """Bars ready for a backtest and what the report should say about them.

    `bars` are sorted by (symbol, ts) at `timeframe` ("5m", "1d"); `symbols` are the codes
    that have bars, sorted; `instruments` holds one per symbol; `defaulted` lists the symbols
    whose instrument was assumed (KOSPI stock: no master entry); `warnings` are things a
    report should show (ignored columns, requested codes without bars in the date range).
    """

    bars: BarFrame
    instruments: dict[str, Instrument]
    timeframe: str
    symbols: list[str]
    source: str
    defaulted: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True)
class _Request:
    program: Program | None
    symbols: Sequence[str] | None
    start: dt.date | None
    end: dt.date | None
    timeframe_s: int | None
    instruments: dict[str, Instrument]
    strategy_dir: str | os.PathLike[str] | None


@dataclass(frozen=True)
class _Opened:
    """A source read into memory: bars (or ticks) of one interval, before any filtering."""

    frame: Frame
    label: str
    folder: Path | None = None
    warnings: tuple[str, ...] = ()


def load_bars(
    source: DataSource,
    *,
    program: Program | None = None,
    symbols: Sequence[str] | None = None,
    start: dt.date | None = None,
    end: dt.date | None = None,
    timeframe: str | None = None,
    instruments: Mapping[str, Instrument] | None = None,
    strategy_dir: str | os.PathLike[str] | None = None,
) -> LoadedBars:
    """The bars of `program`'s universe and timeframe from `source`, ready for a backtest.

    `symbols` (the CLI's --symbols) replaces the program's universe; `timeframe` ("1m", "5m",
    "day") replaces its timeframe; `instruments` adds to (and wins over) the store's master;
    `strategy_dir` is searched first for a `universe index` file. Raises `InvalidInput` for
    every problem a user can fix: bad files, missing codes, too coarse data, nothing left.
    """
    if start is not None and end is not None and start > end:
        raise InvalidInput("start", f"{start} is after end {end}")
    seconds, master = _wanted_seconds(program, timeframe), dict(instruments or {})
    request = _Request(program, symbols, start, end, seconds, master, strategy_dir)
    store = _as_store(source)
    if store is not None:
        return _from_store(store, request)
    return _from_memory(_open(source, etf_symbols(request.instruments)), request)


def resample_bars(bars: BarFrame, interval_s: int) -> BarFrame:
    """`bars` (sorted by (symbol, ts)) combined into bars of `interval_s` seconds.

    The buckets are `jts.marketdata.bar_grid`'s: intraday cells anchored at the day's
    continuous-session start (09:00 KST, 10:00 on late-open days) and cut at every session
    boundary, so the 08:30 opening and 15:20 closing auction bars stay bars of their own and
    a 5m bar never spans 15:20; a bar's stamp is max(cell start, session start). Day buckets
    are KST calendar days stamped 00:00 KST. Halts are not known from bars, so a VI auction
    bar joins its cell. Open is the first bar's, close the last's, high/low the extremes,
    volume and value the sums. Only whole multiples of the source interval are possible.
    """
    _check_resample(bars.interval_s, interval_s)
    if interval_s == bars.interval_s or not len(bars):
        return bars if interval_s == bars.interval_s else BarFrame.empty(interval_s)
    ts = bars["ts"]
    if interval_s == DAY_S:
        stamp = (ts + KST_OFFSET_NS) // DAY_NS * DAY_NS - KST_OFFSET_NS
    else:
        stamp = _intraday_stamps(ts, interval_s)
    symbol = bars["symbol"]
    change = np.ones(len(ts), np.bool_)
    change[1:] = (stamp[1:] != stamp[:-1]) | (symbol[1:] != symbol[:-1])
    starts = np.flatnonzero(change)
    ends = np.r_[starts[1:], len(ts)]
    columns = {
        "symbol": symbol[starts],
        "ts": stamp[starts],
        "open": bars["open"][starts],
        "high": np.maximum.reduceat(bars["high"], starts),
        "low": np.minimum.reduceat(bars["low"], starts),
        "close": bars["close"][ends - 1],
        "volume": np.add.reduceat(bars["volume"], starts),
        "value": np.add.reduceat(bars["value"], starts),
    }
    return BarFrame(columns, interval_s)


# -- the store --------------------------------------------------------------------------------


def _as_store(source: object) -> MarketDataStore | None:
    """The store behind `source`, or None when it is a file, a folder of files or a frame."""
    if isinstance(source, str | os.PathLike):
        path = Path(source)
        return ParquetStore(path) if path.is_dir() and _is_store(path) else None
    duck = all(hasattr(source, name) for name in ("read_bars", "symbols", "instruments"))
    return cast("MarketDataStore", source) if duck else None


def _is_store(path: Path) -> bool:
    return bool(ParquetStore(path).datasets()) or (path / "instruments.parquet").is_file()


def _from_store(store: MarketDataStore, request: _Request) -> LoadedBars:
    root = getattr(store, "root", None)
    root = root if isinstance(root, Path) else None
    master = {i.symbol: i for i in store.instruments()} | request.instruments
    dirs = default_index_dirs(request.strategy_dir, root)
    wanted = wanted_symbols(request.program, request.symbols, master, dirs)
    label = f"store {root}" if root is not None else f"store {type(store).__name__}"
    dataset, target_s = _pick_dataset(_datasets(store), request.timeframe_s, label)
    names = wanted.pick(store.symbols(dataset), master)
    read_names = None if wanted.codes is None and wanted.markets is None else names
    if dataset == "ticks":
        ticks = store.read_ticks(read_names, request.start, request.end)
        bars = aggregate_ticks(ticks, target_s)
        source_label = f"{label} (ticks → {interval_name(target_s)})"
    else:
        interval = dataset.removeprefix("bars/")
        bars = resample_bars(
            store.read_bars(read_names, request.start, request.end, interval), target_s
        )
        source_label = f"{label} ({dataset}{_arrow(interval_seconds(interval), target_s)})"
    return _finish(bars, names, wanted, master, request, source_label, ())


def _datasets(store: MarketDataStore) -> list[str]:
    """Datasets the store holds ("bars/1m", "ticks" ...): `ParquetStore.datasets` when the
    store has it, else what its coverage lists (the Protocol's portable form)."""
    listed = getattr(store, "datasets", None)
    if callable(listed):
        return [str(name) for name in listed()]
    return sorted({c.dataset for c in store.coverage()})


def _pick_dataset(datasets: Sequence[str], wanted_s: int | None, label: str) -> tuple[str, int]:
    """The dataset to read and the interval to produce: the wanted interval itself when stored,
    else the coarsest stored one that divides it (least to read), else ticks. Without a wanted
    interval: the finest stored one."""
    stored = sorted(
        (interval_seconds(d.removeprefix("bars/")), d) for d in datasets if d.startswith("bars/")
    )
    if wanted_s is None:
        wanted_s = stored[0][0] if stored else 60
    usable = [(s, d) for s, d in stored if s == wanted_s or _divides(s, wanted_s)]
    if usable:
        return max(usable)[1], wanted_s
    if "ticks" in datasets:
        return "ticks", wanted_s
    if not stored:
        raise InvalidInput("source", f"{label} holds no bars")
    _check_resample(stored[0][0], wanted_s)
    raise AssertionError("unreachable: the finest stored interval was usable")


# -- files, folders and frames ----------------------------------------------------------------


def _open(source: object, etf: frozenset[str]) -> _Opened:
    if isinstance(source, BarFrame):
        return _Opened(source if source.is_sorted() else source.sorted(), "BarFrame")
    kind = _dataframe_kind(source)
    if kind:
        return _open_dataframe(source, kind, etf)
    if not isinstance(source, str | os.PathLike):
        raise InvalidInput("source", f"cannot read bars from a {type(source).__name__}")
    path = Path(source)
    if path.is_dir():
        files = _data_files(path)
        if not files:
            raise InvalidInput(str(path), "neither a JTS store nor a folder of CSV/Parquet files")
        results = [_import(f, etf, str(f)) for f in files]
        label = f"{len(files)} file(s) in {path}" if len(files) > 1 else str(files[0])
        return _joined(results, [str(f) for f in files], label, path)
    if not path.exists():
        raise InvalidInput(str(path), "no such file or directory")
    return _joined([_import(path, etf, str(path))], [str(path)], str(path), path.parent)


def _data_files(folder: Path) -> list[Path]:
    """CSV/Parquet files under `folder` (subfolders too, hidden ones skipped), sorted."""
    found = []
    for path in folder.rglob("*"):
        hidden = any(part.startswith(".") for part in path.relative_to(folder).parts)
        if path.is_file() and not hidden and path.name.lower().endswith(_FILE_SUFFIXES):
            found.append(path)
    return sorted(found)


def _dataframe_kind(source: object) -> str:
    """ "polars" or "pandas" when `source` is such a DataFrame; neither library is imported
    here, so a run without them costs nothing."""
    for name in ("polars", "pandas"):
        module = sys.modules.get(name)
        if module is not None and isinstance(source, module.DataFrame):
            return name
    return ""


def _open_dataframe(source: Any, kind: str, etf: frozenset[str]) -> _Opened:
    """Validate a DataFrame by writing it to a private Parquet file and importing that: the
    importer's checks are defined on files, and this keeps them the very same checks."""
    if kind == "polars":
        table: pa.Table = source.to_arrow()
    else:  # keep a named index (a DatetimeIndex "datetime"), drop a plain row number
        table = pa.Table.from_pandas(source, preserve_index=any(source.index.names))
    names = [str(name).strip().lower() for name in table.column_names]
    if "ts" not in names and "datetime" in names:
        names[names.index("datetime")] = "ts"
    table = table.rename_columns(names)
    label = f"{kind} DataFrame"
    with tempfile.TemporaryDirectory(prefix="jts-bars-") as folder:
        path = Path(folder) / "frame.parquet"
        pq.write_table(table, path)
        return _joined([_import(path, etf, label)], [label], label, None)


def _import(path: Path, etf: frozenset[str], shown: str) -> ImportResult:
    """One file through the importer; any error row refuses it (as --strict would)."""
    try:
        result = import_file(path, kind="auto", interval="auto", etf_symbols=etf)
    except InvalidInput as exc:
        raise InvalidInput(shown, exc.problem.replace(str(path), shown)) from None
    _refuse_problems(result.report, shown)
    return result


def _refuse_problems(report: ValidationReport, shown: str) -> None:
    if report.ok:
        return
    lines = []
    for p in report.problems[:_PROBLEMS_SHOWN]:
        where = p.where() if p.row else "file"
        column = f", column {p.column} ({p.value!r})" if p.column else ""
        lines.append(f"  {shown} {where}{column}: {p.message} [{p.rule}]")
    more = report.error_count - len(lines)
    if more > 0:
        lines.append(f"  ... and {more:,} more")
    head = f"{report.error_count:,} problem(s); bars must pass `jts data import --strict`"
    raise InvalidInput(shown, "\n".join([head, *lines]))


def _joined(
    results: Sequence[ImportResult], shown: Sequence[str], label: str, folder: Path | None
) -> _Opened:
    """One frame from the files of a source: all bars of one interval, or all ticks."""
    pairs = zip(shown, results, strict=True)
    warnings = tuple(f"{name}: {n.message}" for name, r in pairs for n in r.report.warnings)
    kinds = {r.kind for r in results}
    if len(kinds) > 1:
        raise InvalidInput(label, "mixes bar files and tick files")
    if kinds == {"ticks"}:
        ticks = [r.frame for r in results if isinstance(r.frame, TickFrame)]
        return _Opened(TickFrame.concat(ticks), label, folder, warnings)
    intervals = {r.interval for r in results}
    if len(intervals) > 1:
        found = ", ".join(f"{name} {r.interval}" for name, r in zip(shown, results, strict=True))
        raise InvalidInput(label, f"files hold bars of different intervals: {found}")
    frames = [r.frame for r in results if isinstance(r.frame, BarFrame)]
    return _Opened(_sorted_unique(frames, shown, label), label, folder, warnings)


def _sorted_unique(frames: Sequence[BarFrame], shown: Sequence[str], label: str) -> BarFrame:
    """The frames as one, sorted; the same bar in two files is an error naming both (each
    file was checked for duplicates on its own)."""
    if len(frames) == 1:
        return frames[0].sorted()
    joined = BarFrame.concat(frames)
    origin = np.repeat(np.arange(len(frames)), [len(f) for f in frames])
    order = np.lexsort((joined["ts"], joined["symbol"]))
    joined, origin = joined.take(order), origin[order]
    symbol, ts = joined["symbol"], joined["ts"]
    twice = np.flatnonzero((symbol[1:] == symbol[:-1]) & (ts[1:] == ts[:-1]))
    if len(twice):
        i = int(twice[0])
        first, second = shown[int(origin[i])], shown[int(origin[i + 1])]
        raise InvalidInput(
            label,
            f"{len(twice):,} bar(s) appear in two files, e.g. {symbol[i]} at ts {int(ts[i])}"
            f" in {first} and {second}",
        )
    return joined


def _from_memory(opened: _Opened, request: _Request) -> LoadedBars:
    frame = opened.frame
    dirs = default_index_dirs(request.strategy_dir, opened.folder)
    wanted = wanted_symbols(request.program, request.symbols, request.instruments, dirs)
    available = frame.symbols()
    names = wanted.pick(available, request.instruments)
    frame = _filtered(frame, None if names == available else names, request)
    if isinstance(frame, TickFrame):
        target_s = request.timeframe_s or 60
        bars = aggregate_ticks(frame, target_s)
        label = f"{opened.label} (ticks → {interval_name(target_s)})"
    else:
        target_s = request.timeframe_s or frame.interval_s
        bars = resample_bars(frame, target_s)
        label = f"{opened.label} ({interval_name(frame.interval_s)} bars"
        label += f"{_arrow(frame.interval_s, target_s)})"
    return _finish(bars, names, wanted, request.instruments, request, label, opened.warnings)


def _filtered(frame: Frame, names: list[str] | None, request: _Request) -> Frame:
    """Rows of `names` (None: all) inside the request's dates (a date is a whole KST day)."""
    keep = np.ones(len(frame), np.bool_)
    if names is not None:
        keep &= np.isin(frame["symbol"], np.asarray(names, SYMBOL_DTYPE))
    lo, hi = to_bound_ns(request.start, end=False), to_bound_ns(request.end, end=True)
    if lo is not None:
        keep &= frame["ts"] >= lo
    if hi is not None:
        keep &= frame["ts"] < hi
    return frame if keep.all() else frame.take(keep)


# -- shared -----------------------------------------------------------------------------------


def _finish(
    bars: BarFrame,
    names: Sequence[str],
    wanted: Wanted,
    master: Mapping[str, Instrument],
    request: _Request,
    label: str,
    warnings: tuple[str, ...],
) -> LoadedBars:
    if not len(bars):
        raise InvalidInput(
            "data",
            f"no bars left for {wanted.label}{_dates_text(request)} at"
            f" {interval_name(bars.interval_s)} in {label}",
        )
    present = bars.symbols()
    if without := sorted(set(names) - set(present)):
        note = f"{len(without)} symbol(s) without bars{_dates_text(request)}: {listed(without)}"
        warnings += (note,)
    instruments, defaulted = instruments_for(present, master)
    return LoadedBars(
        bars=bars,
        instruments=instruments,
        timeframe=interval_name(bars.interval_s),
        symbols=present,
        source=label,
        defaulted=defaulted,
        warnings=warnings,
    )


def _wanted_seconds(program: Program | None, timeframe: str | None) -> int | None:
    """The bar length asked for, in seconds: `timeframe` wins over the program's."""
    name = timeframe if timeframe is not None else program.timeframe if program else None
    if name is None:
        return None
    text = name.strip().lower()
    seconds = DAY_S if text in _DAY_WORDS else interval_seconds(text)
    if seconds > DAY_S:
        raise InvalidInput("timeframe", f"{name!r} is longer than a day")
    return seconds


def _divides(source_s: int, wanted_s: int) -> bool:
    return source_s < wanted_s and (wanted_s == DAY_S or wanted_s % source_s == 0)


def _check_resample(source_s: int, wanted_s: int) -> None:
    have, want = interval_name(source_s), interval_name(wanted_s)
    if source_s > wanted_s:
        raise InvalidInput("timeframe", f"data has {have} bars; strategy wants {want}")
    if source_s != wanted_s and not _divides(source_s, wanted_s):
        raise InvalidInput(
            "timeframe", f"{have} bars cannot make {want} bars: {want} is not a multiple of {have}"
        )


def _arrow(source_s: int, target_s: int) -> str:
    return "" if source_s == target_s else f" → {interval_name(target_s)}"


def _dates_text(request: _Request) -> str:
    if request.start is None and request.end is None:
        return ""
    return f" from {request.start or 'the first bar'} to {request.end or 'the last bar'}"


def _intraday_stamps(ts: Array, interval_s: int) -> Array:
    """Each bar's bucket start: max(grid cell start, last session boundary), per KST day.

    Python runs once per distinct day (`day_plan`), never per bar: 10 M bars take ~0.4 s.
    """
    days = (ts + KST_OFFSET_NS) // DAY_NS
    first = int(days.min())
    seen = np.zeros(int(days.max()) - first + 1, np.bool_)
    seen[days - first] = True
    anchors = np.zeros(len(seen), np.int64)
    bounds: list[int] = []
    for k in np.flatnonzero(seen).tolist():
        plan = day_plan(first + k)
        anchors[k] = plan.anchor_ns
        bounds.extend(plan.bounds)
    anchor = anchors[days - first]
    step = interval_s * _NS_PER_SECOND
    cell = anchor + (ts - anchor) // step * step
    edges = np.asarray(sorted(bounds), np.int64)
    floor = edges[np.searchsorted(edges, ts, side="right") - 1]
    stamps: Array = np.maximum(cell, floor)
    return stamps
