"""Importing a user's bar or tick file: read → decode → validate → good rows + a report.

`import_file` returns the whole file's good rows as one frame; `iter_import` streams big
files chunk by chunk in bounded memory. Lenient (default): bad rows are dropped and reported,
good rows are returned. Strict: any error rejects the whole file (nothing is returned, the
report says why and `report.ok` is False, so the CLI exits non-zero); `iter_import` then
validates the whole file in a first pass before it yields anything.

Frames keep file order (call `.sorted()` for (symbol, ts) order). Bar timestamps are bar
starts. The bar interval is the caller's (default "1m"); `interval="auto"` infers it from the
first chunk: all timestamps at midnight KST → "1d", else the smallest step between two rows
of one symbol.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Final

import numpy as np

from jts.marketdata.decoding import DAY_NS, KST_OFFSET_NS, Decoded, decode
from jts.marketdata.frames import BarFrame, TickFrame
from jts.marketdata.readers import (
    DEFAULT_CHUNK_ROWS,
    FileFormat,
    FileLayout,
    Kind,
    RawChunk,
    iter_raw,
    read_layout,
)
from jts.marketdata.report import (
    DEFAULT_MAX_PER_RULE,
    FileReport,
    Problem,
    ValidationReport,
)
from jts.marketdata.schema import BAR_COLUMNS, TICK_COLUMNS, interval_name, interval_seconds
from jts.marketdata.validation import BasePrices, ChunkCheck, Rules, Validator

Frame = BarFrame | TickFrame
Progress = Callable[[int, int | None], None]
"""Called after each chunk with (data rows done, total rows or None when unknown: CSV)."""

AUTO: Final = "auto"
_MAX_TEXT = 120  # characters of a malformed CSV line kept in a problem


@dataclass(frozen=True)
class ImportResult:
    """The good rows of a file (none when a strict import rejected it) and the report."""

    kind: str  # "bars" or "ticks"
    frame: Frame
    report: ValidationReport
    interval: str | None = None  # bars only


@dataclass(frozen=True)
class _Options:
    kind: str
    interval: str
    strict: bool
    etf_symbols: frozenset[str]
    base_prices: BasePrices | None
    progress: Progress | None
    chunk_rows: int
    max_per_rule: int


def import_file(
    path: str | Path,
    *,
    kind: str = AUTO,
    interval: str = "1m",
    strict: bool = False,
    etf_symbols: frozenset[str] = frozenset(),
    base_prices: BasePrices | None = None,
    progress: Progress | None = None,
    chunk_rows: int = DEFAULT_CHUNK_ROWS,
    max_per_rule: int = DEFAULT_MAX_PER_RULE,
) -> ImportResult:
    """Read, validate and return the good rows of one file (strict: all rows or none).

    Raises `InvalidInput` (naming the file) when the file cannot be read at all: missing,
    empty, not CSV/Parquet, missing columns, unusable Parquet column types.
    """
    stream = iter_import(
        path, kind=kind, interval=interval, strict=False, etf_symbols=etf_symbols,
        base_prices=base_prices, progress=progress, chunk_rows=chunk_rows,
        max_per_rule=max_per_rule,
    )  # fmt: skip
    frames = [frame for frame, _ in stream]
    report = stream.report
    file_report = report.files[str(stream.layout.path)]
    file_report.strict = strict
    if strict and not report.ok:
        file_report.rejected = True
        frames = []
    return ImportResult(stream.kind.value, _concat(stream, frames), report, stream.interval)


def iter_import(
    path: str | Path,
    *,
    kind: str = AUTO,
    interval: str = "1m",
    strict: bool = False,
    etf_symbols: frozenset[str] = frozenset(),
    base_prices: BasePrices | None = None,
    progress: Progress | None = None,
    chunk_rows: int = DEFAULT_CHUNK_ROWS,
    max_per_rule: int = DEFAULT_MAX_PER_RULE,
) -> ImportStream:
    """A stream of (good rows of a chunk, that chunk's report); `.report` is the merged one.

    The header is read at once (bad files raise `InvalidInput` here); rows are read while
    iterating. `stream.report` is complete when the iteration ends. Strict streams read the
    file twice (validate all, then yield), so `progress` runs through the file twice.
    """
    options = _Options(
        kind, interval, strict, frozenset(etf_symbols), base_prices, progress, chunk_rows,
        max_per_rule,
    )  # fmt: skip
    return ImportStream(path, options)


class ImportStream:
    """Iterable of (frame, chunk report); see `iter_import`."""

    def __init__(self, path: str | Path, options: _Options) -> None:
        if options.interval != AUTO:
            interval_seconds(options.interval)  # raises InvalidInput for a bad name
        self.layout: FileLayout = read_layout(path, options.kind)
        self.kind: Kind = self.layout.kind
        self.interval: str | None = None
        if self.kind is Kind.BARS and options.interval != AUTO:
            self.interval = options.interval
        self.report = ValidationReport(options.max_per_rule)
        self._options = options

    def __iter__(self) -> Iterator[tuple[Frame, ValidationReport]]:
        if self._options.strict:
            first = ValidationReport(self._options.max_per_rule)
            for _ in self._chunks(first):
                pass
            if not first.ok:
                self.report = first
                self._file(first).rejected = True
                return
        self.report = ValidationReport(self._options.max_per_rule)
        yield from self._chunks(self.report)

    # -- one pass over the file -------------------------------------------------------------------

    def _file(self, report: ValidationReport) -> FileReport:
        layout = self.layout
        file_report = report.file(str(layout.path), layout.format.value, layout.kind.value)
        file_report.interval = self.interval
        file_report.strict = self._options.strict
        return file_report

    def _chunks(self, merged: ValidationReport) -> Iterator[tuple[Frame, ValidationReport]]:
        self._file(merged)
        if self.layout.extra:
            extra = ", ".join(repr(name) for name in self.layout.extra)
            merged.warn(str(self.layout.path), "columns", f"ignored columns: {extra}")
        validator: Validator | None = None
        done, started = 0, time.perf_counter()
        for raw in iter_raw(self.layout, self._options.chunk_rows):
            data = decode(raw, self.kind)
            if validator is None:
                validator = Validator(self._rules(data, merged))
            part = ValidationReport(self._options.max_per_rule)
            frame = self._check(part, raw, data, validator)
            self._file(part).elapsed_s = time.perf_counter() - started
            merged.merge(part)
            done += len(raw) + len(raw.malformed)
            if self._options.progress is not None:
                self._options.progress(done, self.layout.total_rows)
            yield frame, part
            started = time.perf_counter()  # the consumer's time is not ours
        if done == 0:
            problem = Problem(str(self.layout.path), 0, None, "", "", "file", "no data rows")
            merged.add_problems("file", 1, [problem])
            self._file(merged).counts.count("file")

    def _rules(self, data: Decoded, report: ValidationReport) -> Rules:
        if self.kind is Kind.BARS and self.interval is None:
            self.interval = infer_interval(data)
            if self.interval is None:
                self.interval = "1m"
                path = str(self.layout.path)
                report.warn(path, "interval", "could not infer the bar interval: using 1m")
        seconds = interval_seconds(self.interval) if self.interval else 0
        options = self._options
        return Rules(self.kind, seconds, options.etf_symbols, options.base_prices)

    def _check(
        self, part: ValidationReport, raw: RawChunk, data: Decoded, validator: Validator
    ) -> Frame:
        file_report = self._file(part)
        _record_malformed(part, file_report, raw, len(self.layout.header))
        check = validator.check(data)
        _record(part, file_report, data, check, self.layout.format is FileFormat.CSV)
        columns = BAR_COLUMNS if self.kind is Kind.BARS else TICK_COLUMNS
        good = {name: data.columns[name][check.good] for name in columns}
        if self.kind is Kind.BARS:
            return BarFrame(good, interval_seconds(self.interval or "1m"))
        return TickFrame(good)


def infer_interval(data: Decoded) -> str | None:
    """Daily ("1d") when every usable ts is midnight KST, else the smallest step between two
    bars of one symbol; None when the chunk cannot tell."""
    usable = ~data.bad["ts"] & ~data.bad["symbol"]
    ts, symbols = data.columns["ts"][usable], data.columns["symbol"][usable]
    if not len(ts):
        return None
    if np.all((ts + KST_OFFSET_NS) % DAY_NS == 0):
        return "1d"
    order = np.lexsort((ts, symbols))
    same = symbols[order][1:] == symbols[order][:-1]
    steps = np.diff(ts[order])[same]
    steps = steps[steps > 0]
    if not len(steps):
        return None
    step_s = int(steps.min()) // 1_000_000_000
    return interval_name(step_s) if step_s > 0 else None


def _concat(stream: ImportStream, frames: list[Frame]) -> Frame:
    if stream.kind is Kind.TICKS:
        ticks = [f for f in frames if isinstance(f, TickFrame)]
        return TickFrame.concat(ticks) if ticks else TickFrame.empty()
    bars = [f for f in frames if isinstance(f, BarFrame)]
    if bars:
        return BarFrame.concat(bars)
    return BarFrame.empty(interval_seconds(stream.interval or "1m"))


# -- recording a chunk into a report --------------------------------------------------------------


def _record(
    report: ValidationReport, file: FileReport, data: Decoded, check: ChunkCheck, csv: bool
) -> None:
    symbols = data.columns["symbol"]
    codes, inverse = np.unique(symbols, return_inverse=True)
    inverse = inverse.reshape(-1)
    totals = {
        "rows": np.bincount(inverse, minlength=len(codes)),
        "good": np.bincount(inverse, weights=check.good, minlength=len(codes)),
        "unchecked": np.bincount(inverse, weights=check.unchecked, minlength=len(codes)),
    }
    for k, code in enumerate(codes.tolist()):
        counts = file.symbol(str(code))
        counts.rows += int(totals["rows"][k])
        counts.good += int(totals["good"][k])
        counts.bad += int(totals["rows"][k] - totals["good"][k])
        counts.limit_unchecked += int(totals["unchecked"][k])
    file.counts.rows += len(data)
    file.counts.good += int(check.good.sum())
    file.counts.bad += int(len(data) - check.good.sum())
    file.counts.limit_unchecked += int(check.unchecked.sum())
    for finding in check.findings:
        if not len(finding.index):
            continue
        file.counts.count(finding.rule, len(finding.index))
        found, counts_of = np.unique(symbols[finding.index], return_counts=True)
        for code, n in zip(found.tolist(), counts_of.tolist(), strict=True):
            file.symbol(str(code)).count(finding.rule, int(n))
        kept = [
            _problem(file.path, data, finding.rule, finding.column, int(i), finding.message, csv)
            for i in finding.index[: report.wants(finding.rule)]
        ]
        report.add_problems(finding.rule, len(finding.index), kept)
    for code, gaps in check.gaps.items():
        file.gaps[code] = gaps


def _problem(
    path: str,
    data: Decoded,
    rule: str,
    column: str,
    i: int,
    message: Callable[[int], str],
    csv: bool,
) -> Problem:
    row = int(data.rows[i])
    symbol = str(data.columns["symbol"][i])
    return Problem(
        path, row, row + 1 if csv else None, column, data.cell(column, i), rule, message(i), symbol
    )


def _record_malformed(
    report: ValidationReport, file: FileReport, raw: RawChunk, fields: int
) -> None:
    if not raw.malformed:
        return
    n = len(raw.malformed)
    file.counts.rows += n
    file.counts.bad += n
    file.counts.count("schema", n)
    unknown = file.symbol("")
    unknown.rows += n
    unknown.bad += n
    unknown.count("schema", n)
    message = f"wrong number of fields (the header has {fields})"
    kept = [
        Problem(file.path, row, row + 1, "", text[:_MAX_TEXT], "schema", message)
        for row, text in raw.malformed[: report.wants("schema")]
    ]
    report.add_problems("schema", n, kept)
