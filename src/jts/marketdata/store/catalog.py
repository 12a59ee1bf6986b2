"""An index of the store's files: which symbol and time span each holds, for fast planning.

The catalog is a cache, never the truth: it is rebuilt from the files themselves (names and
Parquet footers) whenever a folder changed since it was last read, so files written by another
process, or a catalog lost in a crash, only cost a rescan. A folder's mtime changes whenever a
file in it is created, replaced or removed, so checking the (few) folder mtimes is enough to know
what to rescan.
"""

from __future__ import annotations

import os
from pathlib import Path

import msgspec
import pyarrow.parquet as pq

from jts.marketdata.store.base import Coverage
from jts.marketdata.store.files import TMP_SUFFIX


class FileEntry(msgspec.Struct, frozen=True):
    """One Parquet file: `path` relative to its dataset folder, e.g. "2026-03/005930.parquet"."""

    path: str
    label: str
    symbol: str
    first_ts: int
    last_ts: int
    rows: int


class _DatasetIndex(msgspec.Struct):
    folders: dict[str, int] = msgspec.field(default_factory=dict)
    """Partition folder → mtime_ns when it was scanned."""
    files: dict[str, list[FileEntry]] = msgspec.field(default_factory=dict)
    """Partition folder → its files."""


class Catalog:
    """Per-dataset file index, kept in memory and refreshed from folder mtimes."""

    def __init__(self, root: Path) -> None:
        self._root = root
        self._indexes: dict[str, _DatasetIndex] = {}

    def datasets(self) -> list[str]:
        found = []
        bars = self._root / "bars"
        if bars.is_dir():
            found += [f"bars/{d.name}" for d in sorted(bars.iterdir()) if d.is_dir()]
        if (self._root / "ticks").is_dir():
            found.append("ticks")
        return found

    def entries(self, dataset: str) -> list[FileEntry]:
        """All files of `dataset`, ordered by (symbol, partition)."""
        index = self.refresh(dataset)
        every = [entry for files in index.files.values() for entry in files]
        return sorted(every, key=lambda e: (e.symbol, e.label))

    def refresh(self, dataset: str) -> _DatasetIndex:
        index = self._indexes.get(dataset) or self._load(dataset)
        self._indexes[dataset] = index
        folder = self._root / dataset
        current = _folder_mtimes(folder)
        changed = False
        for gone in set(index.folders) - set(current):
            index.folders.pop(gone)
            index.files.pop(gone, None)
            changed = True
        for label, mtime in current.items():
            if index.folders.get(label) != mtime:
                index.files[label] = _scan(folder / label, label)
                index.folders[label] = mtime
                changed = True
        if changed:
            self._save(dataset, index)
        return index

    def _cache_path(self, dataset: str) -> Path:
        return self._root / ".catalog" / (dataset.replace("/", "_") + ".msgpack")

    def _load(self, dataset: str) -> _DatasetIndex:
        try:
            return msgspec.msgpack.decode(
                self._cache_path(dataset).read_bytes(), type=_DatasetIndex
            )
        except (OSError, msgspec.DecodeError):
            return _DatasetIndex()  # no cache yet, or a damaged one: rescan

    def _save(self, dataset: str, index: _DatasetIndex) -> None:
        path = self._cache_path(dataset)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_name(f".{path.name}.{os.getpid()}{TMP_SUFFIX}")
            tmp.write_bytes(msgspec.msgpack.encode(index))
            os.replace(tmp, path)
        except OSError:
            pass  # a read-only store still works, it just rescans next time

    def coverage(self) -> list[Coverage]:
        result = []
        for dataset in self.datasets():
            by_symbol: dict[str, list[FileEntry]] = {}
            for entry in self.entries(dataset):
                by_symbol.setdefault(entry.symbol, []).append(entry)
            for symbol, files in by_symbol.items():
                result.append(
                    Coverage(
                        dataset=dataset,
                        symbol=symbol,
                        first_ts=min(f.first_ts for f in files),
                        last_ts=max(f.last_ts for f in files),
                        rows=sum(f.rows for f in files),
                        partitions=len(files),
                    )
                )
        return result


def _folder_mtimes(folder: Path) -> dict[str, int]:
    if not folder.is_dir():
        return {}
    with os.scandir(folder) as it:
        return {
            e.name: e.stat().st_mtime_ns for e in it if e.is_dir() and not e.name.startswith(".")
        }


def _scan(folder: Path, label: str) -> list[FileEntry]:
    entries = []
    with os.scandir(folder) as it:
        names = sorted(
            e.name
            for e in it
            if e.name.endswith(".parquet")
            and not e.name.startswith(".")
            and not e.name.endswith(TMP_SUFFIX)
        )
    for name in names:
        entry = _entry(folder / name, label)
        if entry is not None:
            entries.append(entry)
    return entries


def _entry(path: Path, label: str) -> FileEntry | None:
    """Read a file's footer; a file that vanished or is not Parquet is skipped (logged later)."""
    try:
        meta = pq.read_metadata(path)
    except (OSError, ValueError):
        return None
    column = meta.schema.names.index("ts")
    first, last = None, None
    for i in range(meta.num_row_groups):
        stats = meta.row_group(i).column(column).statistics
        if stats is None or not stats.has_min_max or stats.min_raw is None:
            continue
        lo, hi = int(stats.min_raw), int(stats.max_raw)  # type: ignore[arg-type]
        first = lo if first is None else min(first, lo)
        last = hi if last is None else max(last, hi)
    if first is None or last is None:
        return None
    return FileEntry(
        path=f"{label}/{path.name}",
        label=label,
        symbol=path.name.removesuffix(".parquet"),
        first_ts=first,
        last_ts=last,
        rows=meta.num_rows,
    )
