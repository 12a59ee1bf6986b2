"""Import user files into the store: read and validate everything first, then write.

A file's rows reach the store only after the whole file was read and validated, so a file that
turns out to be bad (strict mode), unreadable halfway or interrupted leaves the store as it was.
Files too large for memory are first collected in a private staging store under
`<data_dir>/.staging/` and merged into the real store at the end; each partition's merge is
atomic and idempotent, so an import killed during the merge is completed by running it again.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from jts.core.enums import InstrumentKind
from jts.marketdata.frames import BarFrame, TickFrame
from jts.marketdata.importer import AUTO, ImportStream, Progress, iter_import
from jts.marketdata.report import ValidationReport
from jts.marketdata.schema import interval_name
from jts.marketdata.store import ParquetStore, WriteStats

DEFAULT_SPILL_ROWS = 10_000_000
"""Rows kept in memory before spilling to the staging store (~1 GB of bars)."""

Frame = BarFrame | TickFrame


@dataclass
class IngestOutcome:
    """What importing one file did."""

    path: Path
    kind: str
    interval: str | None
    report: ValidationReport
    rejected: bool
    rows_written: int = 0
    writes: list[WriteStats] = field(default_factory=list)


def ingest_file(
    store: ParquetStore,
    path: str | Path,
    *,
    kind: str = AUTO,
    interval: str = "1m",
    strict: bool = False,
    progress: Progress | None = None,
    spill_rows: int = DEFAULT_SPILL_ROWS,
) -> IngestOutcome:
    """Validate `path` and store its good rows (strict: all rows or none)."""
    stream = iter_import(
        path,
        kind=kind,
        interval=interval,
        strict=strict,
        etf_symbols=_etf_symbols(store),
        base_prices=_StoredBasePrices(store),
        progress=progress,
    )
    with _Collector(store, spill_rows) as collector:
        for frame, _ in stream:
            collector.add(frame)
        outcome = IngestOutcome(
            path=Path(path),
            kind=stream.kind.value,
            interval=stream.interval,
            report=stream.report,
            rejected=strict and not stream.report.ok,
        )
        if not outcome.rejected:
            outcome.writes = collector.commit(_dataset_writer(store, stream))
            outcome.rows_written = sum(w.rows for w in outcome.writes)
    return outcome


def _dataset_writer(store: ParquetStore, stream: ImportStream) -> Callable[[Frame], WriteStats]:
    def write(frame: Frame) -> WriteStats:
        if isinstance(frame, TickFrame):
            return store.write_ticks(frame)
        return store.write_bars(frame, interval=stream.interval or "1m")

    return write


def _etf_symbols(store: ParquetStore) -> frozenset[str]:
    etf_kinds = (InstrumentKind.ETF, InstrumentKind.ETN)
    return frozenset(i.symbol for i in store.instruments() if i.kind in etf_kinds)


class _StoredBasePrices:
    """Base price of (symbol, day) from the store's previous close, looked up once each."""

    def __init__(self, store: ParquetStore) -> None:
        self._store = store
        self._known: dict[tuple[str, dt.date], int | None] = {}

    def __call__(self, symbol: str, day: dt.date) -> int | None:
        key = (symbol, day)
        if key not in self._known:
            self._known[key] = self._store.previous_closes([symbol], day).get(symbol)
        return self._known[key]


class _Collector:
    """Holds validated chunks in memory, spilling to a staging store past `spill_rows`."""

    def __init__(self, store: ParquetStore, spill_rows: int) -> None:
        self._store = store
        self._spill_rows = spill_rows
        self._frames: list[Frame] = []
        self._rows = 0
        self._staging: ParquetStore | None = None
        self._interval_s = 60

    def __enter__(self) -> _Collector:
        _sweep_dead_staging(self._store.root / ".staging")
        return self

    def __exit__(self, *exc: object) -> None:
        if self._staging is not None:
            shutil.rmtree(self._staging.root, ignore_errors=True)

    def add(self, frame: Frame) -> None:
        if not len(frame):
            return
        if isinstance(frame, BarFrame):
            self._interval_s = frame.interval_s
        self._frames.append(frame)
        self._rows += len(frame)
        if self._rows >= self._spill_rows:
            self._spill()

    def _spill(self) -> None:
        if self._staging is None:
            token = f"{os.getpid()}-{os.urandom(4).hex()}"
            self._staging = ParquetStore(self._store.root / ".staging" / token)
        _write_to(self._staging, _joined(self._frames))
        self._frames, self._rows = [], 0

    def commit(self, write: Callable[[Frame], WriteStats]) -> list[WriteStats]:
        """Write everything collected into the real store."""
        if self._staging is None:
            return [write(_joined(self._frames))] if self._frames else []
        if self._frames:
            self._spill()
        return [write(frame) for frame in _staged_frames(self._staging, self._interval_s)]


def _joined(frames: list[Frame]) -> Frame:
    first = frames[0]
    if isinstance(first, BarFrame):
        return BarFrame.concat([f for f in frames if isinstance(f, BarFrame)])
    return TickFrame.concat([f for f in frames if isinstance(f, TickFrame)])


def _write_to(staging: ParquetStore, frame: Frame) -> None:
    if isinstance(frame, TickFrame):
        staging.write_ticks(frame)
    else:
        staging.write_bars(frame, interval=_name(frame.interval_s))


def _staged_frames(staging: ParquetStore, interval_s: int) -> list[Frame]:
    if "ticks" in staging.datasets():
        return [staging.read_ticks([s]) for s in staging.symbols("ticks")]
    interval = _name(interval_s)
    return list(staging.iter_bars(interval=interval, chunk_symbols=50))


def _name(interval_s: int) -> str:
    return interval_name(interval_s)


def _sweep_dead_staging(folder: Path) -> None:
    """Remove staging folders of imports whose process is gone (killed imports)."""
    if not folder.is_dir():
        return
    for entry in folder.iterdir():
        pid = entry.name.split("-", 1)[0]
        if pid.isdigit() and not _alive(int(pid)):
            shutil.rmtree(entry, ignore_errors=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # exists, owned by someone else
    return True
