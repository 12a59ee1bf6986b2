"""The validation report of an import: counts per file and symbol, problems, warnings.

Each `Problem` names the file, the row and the column. `row` 1 is the first data row; for CSV
files `line` is the line in the file (the header is line 1, so `line = row + 1`), for Parquet
`line` is None. The report keeps at most `max_per_rule` problems of each rule and counts all of
them. `render()` is for people (a Rich `Text`: printing it never interprets markup inside file
values), `to_dict()` for `--json`. Partial reports of the chunks of a file `merge` into one.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Final

from rich.text import Text

from jts.core.clock import to_kst

ERROR_RULES: Final = {
    "file": "the file as a whole (no data rows, unreadable)",
    "schema": "a value that cannot be read or is out of range (price < 1, negative volume)",
    "ohlc": "low <= open, close <= high violated",
    "tick": "price not on the KRX tick grid of its date",
    "limit": "price outside the day's limits around the previous close",
    "trading_day": "timestamp not on a KRX trading day",
    "session": "timestamp outside the day's sessions",
    "interval": "bar timestamp not on the bar interval (daily bars: not midnight KST)",
    "duplicate": "same symbol and timestamp as an earlier bar",
    "order": "timestamp earlier than an earlier row of the same symbol",
}
"""Rules whose problems make a row bad; the key is the rule id used in reports."""

WARNING_RULES: Final = {
    "columns": "columns the importer does not use (ignored)",
    "interval": "the bar interval could not be inferred (the default was used)",
    "gap": "missing bars inside the continuous session (many names skip quiet minutes)",
}
DEFAULT_MAX_PER_RULE: Final = 100
_LARGEST_GAPS = 3
_SYMBOL_LINES = 20
UNKNOWN_SYMBOL: Final = "?"


@dataclass(frozen=True, slots=True)
class Problem:
    """One bad cell or row. `row` is 1-based over data rows; `line` is the CSV file line."""

    file: str
    row: int
    line: int | None
    column: str
    value: str
    rule: str
    message: str
    symbol: str = ""

    def where(self) -> str:
        return f"line {self.line}" if self.line is not None else f"row {self.row}"


@dataclass(frozen=True, slots=True)
class Notice:
    """A warning: nothing is dropped because of it."""

    file: str
    rule: str
    message: str


@dataclass
class Counts:
    """Rows read, good and bad; problems by rule; rows whose limit check had no base price."""

    rows: int = 0
    good: int = 0
    bad: int = 0
    by_rule: dict[str, int] = field(default_factory=dict)
    limit_unchecked: int = 0

    def add(self, other: Counts) -> None:
        self.rows += other.rows
        self.good += other.good
        self.bad += other.bad
        self.limit_unchecked += other.limit_unchecked
        for rule, count in other.by_rule.items():
            self.count(rule, count)

    def count(self, rule: str, n: int = 1) -> None:
        self.by_rule[rule] = self.by_rule.get(rule, 0) + n


@dataclass
class Gaps:
    """Missing bars of one symbol inside continuous sessions (a warning, not an error)."""

    missing: int = 0
    gaps: int = 0
    largest: list[tuple[int, int]] = field(default_factory=list)  # (first missing ts ns, bars)

    def add(self, other: Gaps) -> None:
        self.missing += other.missing
        self.gaps += other.gaps
        merged = sorted([*self.largest, *other.largest], key=lambda g: (-g[1], g[0]))
        self.largest = merged[:_LARGEST_GAPS]


@dataclass
class FileReport:
    path: str
    format: str
    kind: str
    interval: str | None = None
    strict: bool = False
    rejected: bool = False
    counts: Counts = field(default_factory=Counts)
    symbols: dict[str, Counts] = field(default_factory=dict)
    gaps: dict[str, Gaps] = field(default_factory=dict)
    elapsed_s: float = 0.0

    @property
    def rows_per_s(self) -> float:
        return self.counts.rows / self.elapsed_s if self.elapsed_s > 0 else 0.0

    def symbol(self, code: str) -> Counts:
        return self.symbols.setdefault(code or UNKNOWN_SYMBOL, Counts())

    def add(self, other: FileReport) -> None:
        self.interval = self.interval or other.interval
        self.rejected = self.rejected or other.rejected
        self.elapsed_s += other.elapsed_s
        self.counts.add(other.counts)
        for code, counts in other.symbols.items():
            self.symbol(code).add(counts)
        for code, gaps in other.gaps.items():
            self.gaps.setdefault(code, Gaps()).add(gaps)


class ValidationReport:
    """Everything found while importing one or more files."""

    def __init__(self, max_per_rule: int = DEFAULT_MAX_PER_RULE) -> None:
        self.max_per_rule = max_per_rule
        self.files: dict[str, FileReport] = {}
        self.problems: list[Problem] = []
        self.rule_totals: dict[str, int] = {}
        self.warnings: list[Notice] = []
        self._kept: dict[str, int] = {}

    # -- recording ------------------------------------------------------------------------------

    def file(self, path: str, format: str = "", kind: str = "") -> FileReport:
        return self.files.setdefault(path, FileReport(path, format, kind))

    def wants(self, rule: str) -> int:
        """How many more problems of `rule` the report keeps."""
        return max(self.max_per_rule - self._kept.get(rule, 0), 0)

    def kept(self, rule: str) -> int:
        """How many problems of `rule` the report holds (at most `max_per_rule`)."""
        return self._kept.get(rule, 0)

    def add_problems(self, rule: str, total: int, kept: list[Problem]) -> None:
        """Count `total` problems of `rule`, keeping `kept` (the caller formats at most `wants`)."""
        self.rule_totals[rule] = self.rule_totals.get(rule, 0) + total
        keep = kept[: self.wants(rule)]
        self._kept[rule] = self._kept.get(rule, 0) + len(keep)
        self.problems.extend(keep)

    def warn(self, file: str, rule: str, message: str) -> None:
        notice = Notice(file, rule, message)
        if notice not in self.warnings:
            self.warnings.append(notice)

    def merge(self, other: ValidationReport) -> ValidationReport:
        """Add `other` (e.g. the next chunk of the same file) into this report; returns self."""
        for path, part in other.files.items():
            self.file(path, part.format, part.kind).add(part)
            self.files[path].strict = part.strict
        by_rule: dict[str, list[Problem]] = {}
        for problem in other.problems:
            by_rule.setdefault(problem.rule, []).append(problem)
        for rule, total in other.rule_totals.items():
            self.add_problems(rule, total, by_rule.get(rule, []))
        for notice in other.warnings:
            self.warn(notice.file, notice.rule, notice.message)
        return self

    # -- reading --------------------------------------------------------------------------------

    @property
    def error_count(self) -> int:
        return sum(self.rule_totals.values())

    @property
    def warning_count(self) -> int:
        gaps = sum(g.gaps for f in self.files.values() for g in f.gaps.values())
        return len(self.warnings) + gaps

    @property
    def ok(self) -> bool:
        """No errors (warnings allowed): strict imports need this."""
        return self.error_count == 0

    def summary(self) -> str:
        rows = sum(f.counts.rows for f in self.files.values())
        good = sum(f.counts.good for f in self.files.values())
        elapsed = sum(f.elapsed_s for f in self.files.values())
        speed = f", {rows / elapsed:,.0f} rows/s" if elapsed > 0 else ""
        return (
            f"{len(self.files)} file(s): {rows:,} rows, {good:,} good, {rows - good:,} bad; "
            f"{self.error_count:,} errors, {self.warning_count:,} warnings{speed}"
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "summary": self.summary(),
            "errors": self.error_count,
            "warnings_count": self.warning_count,
            "rule_totals": dict(self.rule_totals),
            "max_per_rule": self.max_per_rule,
            "files": [_file_dict(f) for f in self.files.values()],
            "problems": [asdict(p) for p in self.problems],
            "warnings": [asdict(n) for n in self.warnings],
        }

    def render(self) -> Text:
        text = Text()
        text.append(self.summary() + "\n", style="bold")
        for report in self.files.values():
            _render_file(text, report)
        _render_problems(text, self)
        for notice in self.warnings:
            text.append(f"warning [{notice.rule}] {notice.file}: {notice.message}\n", "yellow")
        return text

    def __rich__(self) -> Text:
        return self.render()


def _file_dict(report: FileReport) -> dict[str, Any]:
    data = asdict(report)
    data["rows_per_s"] = round(report.rows_per_s, 1)
    data["gaps"] = {
        code: {
            "missing": g.missing,
            "gaps": g.gaps,
            "largest": [{"after": _kst_text(ts), "ts": ts, "bars": n} for ts, n in g.largest],
        }
        for code, g in report.gaps.items()
    }
    return data


def _kst_text(ts_ns: int) -> str:
    return to_kst(ts_ns).isoformat(timespec="seconds")


def _rules_text(by_rule: dict[str, int]) -> str:
    return ", ".join(f"{rule} {n:,}" for rule, n in sorted(by_rule.items()))


def _render_file(text: Text, report: FileReport) -> None:
    c = report.counts
    status = "  REJECTED (strict)" if report.rejected else ""
    interval = f" {report.interval}" if report.interval and report.kind == "bars" else ""
    text.append(f"\n{report.path}", "bold")
    text.append(f"  {report.format} {report.kind}{interval}{status}\n", "red" if status else "")
    text.append(
        f"  rows {c.rows:,}  good {c.good:,}  bad {c.bad:,}  "
        f"{report.elapsed_s:.2f} s ({report.rows_per_s:,.0f} rows/s)\n"
    )
    if c.by_rule:
        text.append(f"  errors by rule: {_rules_text(c.by_rule)}\n", "red")
    if c.limit_unchecked:
        text.append(f"  limits not checked (no base price): {c.limit_unchecked:,} rows\n")
    bad_symbols = sorted((code for code, s in report.symbols.items() if s.bad), key=str)
    for code in bad_symbols[:_SYMBOL_LINES]:
        s = report.symbols[code]
        text.append(f"    {code}  rows {s.rows:,}  bad {s.bad:,}  ({_rules_text(s.by_rule)})\n")
    if len(bad_symbols) > _SYMBOL_LINES:
        text.append(f"    ... {len(bad_symbols) - _SYMBOL_LINES} more symbols with bad rows\n")
    _render_gaps(text, report)


def _render_gaps(text: Text, report: FileReport) -> None:
    if not report.gaps:
        return
    missing = sum(g.missing for g in report.gaps.values())
    text.append(
        f"  gaps: {len(report.gaps)} symbols, {missing:,} missing bars (warning)\n", "yellow"
    )
    worst = sorted(
        ((n, ts, code) for code, g in report.gaps.items() for ts, n in g.largest),
        key=lambda item: (-item[0], item[1], item[2]),
    )
    for n, ts, code in worst[:_LARGEST_GAPS]:
        text.append(f"    {code} {n:,} bars missing from {_kst_text(ts)}\n", "yellow")


def _render_problems(text: Text, report: ValidationReport) -> None:
    if not report.problems:
        return
    text.append(f"\nProblems (showing {len(report.problems):,} of {report.error_count:,}):\n")
    for p in report.problems:
        column = f" {p.column}={p.value!r}" if p.column else f" {p.value!r}"
        text.append(f"  {p.file} {p.where()}{column} [{p.rule}] {p.message}\n")
    for rule, total in report.rule_totals.items():
        shown = report.kept(rule)
        if total > shown:
            text.append(f"  ... and {total - shown:,} more {rule} problems\n")
