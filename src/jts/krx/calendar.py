"""KRX trading days: exchange_calendars' XKRX calendar plus our own corrections table.

Why not XKRX alone: its holidays arrive late through user pull requests (4.13.2 still misses
2026-06-03 and 2026-07-17), it lists CSAT days only up to 2020 and reports no late opens.
So the bulk of history comes from XKRX, and `data/calendar.toml` (shipped with the package)
adds, pins, names or removes closures and lists late-open days. Two rules are code, not data:
the last weekday of each year is closed (Dec 31, or the business day before it when Dec 31
falls on a weekend: KRX rule text), and the first trading day of each year opens at 10:00.

Supported range: 2000-01-01..2027-12-31 (the `[range]` of the data file). Dates outside raise
`InvalidInput` instead of being guessed. Closures up to `verified_through()` (2026-12-31) were
checked against KRX notices; 2027 comes from XKRX's rules and is provisional (no CSAT date yet).

Temporary holidays are declared at short notice: put them in an override file of the same
format and call `load_overrides(path)`. Everything is computed once (about a second, mostly
XKRX) and then answered from a dict or a sorted tuple, so the lookups suit hot loops.
"""

from __future__ import annotations

import functools
import importlib.metadata
import os
import threading
import tomllib
import warnings
from bisect import bisect_left, bisect_right
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from importlib import resources
from pathlib import Path

import msgspec

from jts.core.errors import ConfigError, InvalidInput

REGULAR_OPEN = time(9, 0)  # KST; the open a late open is measured from
SETTLEMENT_LAG = 2  # KRX trading days between trade and settlement (T+2; T+1 is only planned)
NEW_YEAR_OPEN = time(10, 0)  # KST, first trading day of every year (opening ceremony)
_DATA_FILE = "jts/krx/data/calendar.toml"
_UNNAMED = "KRX closure (from exchange_calendars, unnamed)"
_YEAR_END = "Year-end closure (연말 휴장일)"
_NEW_YEAR = "First trading day of the year, opening ceremony (개장식)"


class LateOpenKind(StrEnum):
    """How a late open moves the day: decides which sessions shift (see jts.krx.sessions)."""

    NEW_YEAR = "new_year"  # only the opening moves; the close stays 15:30
    CSAT = "csat"  # 수능: the whole day moves by the same amount


class Closure(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """One weekday with no KRX trading (or, in `opened`, one wrongly marked closed)."""

    day: date = msgspec.field(name="date")
    reason: str


class LateOpen(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """A trading day whose regular session opens at `open` (KST) instead of 09:00."""

    day: date = msgspec.field(name="date")
    kind: LateOpenKind
    open: time
    reason: str

    @property
    def shift(self) -> timedelta:
        """How much later than 09:00 the day opens (one hour for every known case)."""
        return datetime.combine(self.day, self.open) - datetime.combine(self.day, REGULAR_OPEN)


class Corrections(msgspec.Struct, frozen=True):
    """One parsed corrections file: the packaged one or a user override."""

    source: str
    closed: tuple[Closure, ...] = ()
    opened: tuple[Closure, ...] = ()
    late_opens: tuple[LateOpen, ...] = ()
    first: date | None = None
    last: date | None = None
    verified_through: date | None = None
    apply_planned: bool | None = None


# ---- parsing: msgspec checks the shape, _check_entries the meaning ---------------------------


class _Range(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    first: date | None = None
    last: date | None = None
    verified_through: date | None = None


class _Schedule(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    apply_planned: bool | None = None


class _File(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    range: _Range = msgspec.field(default_factory=_Range)
    closed: tuple[Closure, ...] = ()
    opened: tuple[Closure, ...] = ()
    late_open: tuple[LateOpen, ...] = ()
    schedule: _Schedule = msgspec.field(default_factory=_Schedule)


def _entry_problem(entry: Closure | LateOpen) -> tuple[str, str] | None:
    """(key, problem) for an entry that parses but makes no sense, else None."""
    if entry.day.weekday() >= 5:
        return "date", f"{entry.day} is a weekend day; only weekdays can be listed"
    if not entry.reason.strip():
        return "reason", "must not be empty"
    if isinstance(entry, LateOpen) and not REGULAR_OPEN < entry.open <= time(12, 0):
        return "open", f"{entry.open} is not a late open (after 09:00, by 12:00)"
    return None


def _check_entries(source: str, file: _File) -> None:
    closed_days = {c.day for c in file.closed}
    groups: tuple[tuple[str, Sequence[Closure | LateOpen]], ...] = (
        ("closed", file.closed),
        ("opened", file.opened),
        ("late_open", file.late_open),
    )
    for section, entries in groups:
        seen: set[date] = set()
        for i, entry in enumerate(entries):
            problem = _entry_problem(entry)
            if problem is None and entry.day in seen:
                problem = "date", f"{entry.day} is listed twice"
            if problem is None and section == "opened" and entry.day in closed_days:
                problem = "date", f"{entry.day} is also listed under [[closed]]"
            if problem is not None:
                raise ConfigError(f"{source}: {section}[{i}].{problem[0]}", problem[1])
            seen.add(entry.day)


def parse_corrections(text: str, source: str) -> Corrections:
    """Parse a corrections file (TOML text); `source` names the file in error messages."""
    try:
        file = msgspec.convert(tomllib.loads(text), _File, strict=True)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{source}: (syntax)", f"not valid TOML: {exc}") from exc
    except msgspec.ValidationError as exc:  # "Expected `date`, got `str` - at `$.closed[0].date`"
        problem, _, where = str(exc).partition(" - at `$")
        key = where.rstrip("`").lstrip(".") or "(top level)"
        raise ConfigError(f"{source}: {key}", problem) from exc
    _check_entries(source, file)
    return Corrections(
        source=source,
        closed=file.closed,
        opened=file.opened,
        late_opens=file.late_open,
        first=file.range.first,
        last=file.range.last,
        verified_through=file.range.verified_through,
        apply_planned=file.schedule.apply_planned,
    )


# ---- building the table ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Table:
    """Everything the public functions answer from; rebuilt only when corrections change."""

    first: date
    last: date
    verified_through: date
    days: tuple[date, ...]  # trading days, ascending
    index: Mapping[date, int]  # trading day -> position in `days`
    by_year: Mapping[int, tuple[tuple[date, str], ...]]  # weekday closures with names
    late_opens: Mapping[date, LateOpen]
    apply_planned: bool


def _weekdays(first: date, last: date) -> Iterator[date]:
    day = first
    while day <= last:
        if day.weekday() < 5:
            yield day
        day += timedelta(days=1)


@functools.lru_cache(maxsize=4)
def _xkrx_closures(first: date, last: date) -> Mapping[date, str]:
    """Weekday closures by XKRX in [first, last], named where XKRX's holiday rules name them.

    Building the XKRX calendar takes ~1.5 s (pandas), which every `jts` command would pay; the
    answer depends only on the library's version and the range, so it is kept in a small cache
    file (`$XDG_CACHE_HOME/jts`, else ~/.cache/jts) and rebuilt when either changes.
    """
    cache = _cache_file(first, last)
    cached = _read_cache(cache)
    if cached is not None:
        return cached
    closures = _compute_xkrx_closures(first, last)
    _write_cache(cache, closures)
    return closures


def _compute_xkrx_closures(first: date, last: date) -> dict[date, str]:
    import exchange_calendars  # deferred: importing it costs ~0.3 s

    with warnings.catch_warnings():  # pandas deprecation noise from inside exchange_calendars
        warnings.simplefilter("ignore", DeprecationWarning)
        cal = exchange_calendars.get_calendar("XKRX", start=first.isoformat(), end=last.isoformat())
        open_days = set(cal.sessions.date)
        named = cal.regular_holidays.holidays(first.isoformat(), last.isoformat(), return_name=True)
    names: dict[date, str] = {}
    for stamp, name in named.items():
        day = stamp.date()
        names[day] = f"{names[day]} / {name}" if day in names else str(name)
    return {d: names.get(d, _UNNAMED) for d in _weekdays(first, last) if d not in open_days}


def _cache_file(first: date, last: date) -> Path | None:
    try:
        version = importlib.metadata.version("exchange_calendars")
    except importlib.metadata.PackageNotFoundError:
        return None
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "jts"
    return base / f"xkrx-{version}-{first}-{last}.json"


def _read_cache(path: Path | None) -> dict[date, str] | None:
    if path is None:
        return None
    try:
        raw = msgspec.json.decode(path.read_bytes(), type=dict[str, str])
        return {date.fromisoformat(day): name for day, name in raw.items()}
    except (OSError, ValueError, msgspec.DecodeError):
        return None  # missing or damaged: rebuild


def _write_cache(path: Path | None, closures: Mapping[date, str]) -> None:
    if path is None:
        return
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        tmp.write_bytes(msgspec.json.encode({d.isoformat(): n for d, n in closures.items()}))
        os.replace(tmp, path)
    except OSError:
        pass  # a read-only home only costs the rebuild next time


def _settings(layers: Sequence[Corrections]) -> tuple[date, date, date, bool]:
    """Range and verified-through date (packaged file only) and the planned-regime switch."""
    base = layers[0]
    if base.first is None or base.last is None or base.verified_through is None:
        raise ConfigError(f"{base.source}: range", "first, last and verified_through are required")
    planned = bool(base.apply_planned)
    for layer in layers[1:]:
        if (layer.first, layer.last, layer.verified_through) != (None, None, None):
            raise ConfigError(f"{layer.source}: range", "only the packaged calendar sets the range")
        planned = planned if layer.apply_planned is None else layer.apply_planned
    return base.first, base.last, base.verified_through, planned


def _apply_closures(layer: Corrections, closures: dict[date, str], first: date, last: date) -> None:
    for section, entries in (("closed", layer.closed), ("opened", layer.opened)):
        for i, entry in enumerate(entries):
            if not first <= entry.day <= last:
                raise ConfigError(
                    f"{layer.source}: {section}[{i}].date",
                    f"{entry.day} is outside the supported range {first}..{last}",
                )
            if section == "closed":
                closures[entry.day] = entry.reason
            else:
                closures.pop(entry.day, None)


def _apply_year_end_rule(closures: dict[date, str], first: date, last: date) -> None:
    """Close the last weekday of each year: Dec 31, or the business day before a weekend Dec 31."""
    for year in range(first.year, last.year + 1):
        day = date(year, 12, 31)
        while day.weekday() >= 5:
            day -= timedelta(days=1)
        if first <= day <= last:
            closures[day] = _YEAR_END


def _late_opens(
    days: Sequence[date], first: date, layers: Sequence[Corrections]
) -> dict[date, LateOpen]:
    """The first trading day of each whole year in range, then the listed days (later wins)."""
    result: dict[date, LateOpen] = {}
    for year in range(first.year + (first > date(first.year, 1, 1)), days[-1].year + 1):
        i = bisect_left(days, date(year, 1, 1))
        if i < len(days) and days[i].year == year:
            result[days[i]] = LateOpen(days[i], LateOpenKind.NEW_YEAR, NEW_YEAR_OPEN, _NEW_YEAR)
    trading = set(days)
    for layer in layers:
        for i, entry in enumerate(layer.late_opens):
            if entry.day not in trading:
                raise ConfigError(
                    f"{layer.source}: late_open[{i}].date", f"{entry.day} is not a trading day"
                )
            result[entry.day] = entry
    return result


def _build(layers: Sequence[Corrections]) -> _Table:
    first, last, verified, planned = _settings(layers)
    closures = dict(_xkrx_closures(first, last))
    _apply_year_end_rule(closures, first, last)
    for layer in layers:
        _apply_closures(layer, closures, first, last)
    days = tuple(d for d in _weekdays(first, last) if d not in closures)
    by_year: dict[int, list[tuple[date, str]]] = {}
    for day in sorted(closures):
        by_year.setdefault(day.year, []).append((day, closures[day]))
    return _Table(
        first=first,
        last=last,
        verified_through=verified,
        days=days,
        index={d: i for i, d in enumerate(days)},
        by_year={year: tuple(rows) for year, rows in by_year.items()},
        late_opens=_late_opens(days, first, layers),
        apply_planned=planned,
    )


# ---- state: the packaged corrections, an optional override, the built table ----------------


class _State:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.base: Corrections | None = None
        self.override: Corrections | None = None
        self.table: _Table | None = None


_STATE = _State()


def _base() -> Corrections:
    if _STATE.base is None:
        text = resources.files("jts.krx").joinpath("data/calendar.toml").read_text("utf-8")
        _STATE.base = parse_corrections(text, _DATA_FILE)
    return _STATE.base


def _table() -> _Table:
    table = _STATE.table
    if table is None:
        with _STATE.lock:
            if _STATE.table is None:
                layers = [_base()] + ([_STATE.override] if _STATE.override else [])
                _STATE.table = _build(layers)
            table = _STATE.table
    return table


def set_overrides(overrides: Corrections | None) -> None:
    """Apply `overrides` on top of the packaged corrections (None: packaged only).

    The new table is built and checked first, so a bad override leaves the calendar unchanged.
    """
    with _STATE.lock:
        table = _build([_base()] + ([overrides] if overrides else []))
        _STATE.override, _STATE.table = overrides, table


def load_overrides(path: str | os.PathLike[str]) -> Corrections:
    """Read a user corrections file (format of data/calendar.toml), apply it and return it."""
    source = os.fspath(path)
    try:
        with open(source, "rb") as handle:
            text = handle.read().decode("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(source, f"cannot read the calendar override file: {exc}") from exc
    overrides = parse_corrections(text, source)
    set_overrides(overrides)
    return overrides


# ---- public queries -------------------------------------------------------------------------


def _checked(day: date, field: str = "date") -> _Table:
    table = _table()
    if type(day) is not date:  # a datetime or pandas Timestamp would never match a session
        raise InvalidInput(field, f"expected a datetime.date, got {type(day).__name__} {day!r}")
    if not table.first <= day <= table.last:
        raise InvalidInput(
            field, f"{day} is outside the supported calendar range {table.first}..{table.last}"
        )
    return table


def supported_range() -> tuple[date, date]:
    """First and last date (inclusive) the calendar answers for."""
    table = _table()
    return table.first, table.last


def verified_through() -> date:
    """Closures up to this date were checked against KRX notices; later ones are provisional."""
    return _table().verified_through


def planned_regimes_enabled() -> bool:
    """Whether the corrections files switch on planned, unconfirmed session regimes."""
    return _table().apply_planned


def is_trading_day(day: date) -> bool:
    """True when KRX trades on `day` (KST calendar date); O(1) after the first call."""
    return day in _checked(day).index


def trading_days(start: date, end: date) -> list[date]:
    """Trading days from `start` to `end`, both inclusive, ascending (empty if end < start)."""
    table = _checked(start, "start")
    _checked(end, "end")
    return list(table.days[bisect_left(table.days, start) : bisect_right(table.days, end)])


def next_trading_day(day: date) -> date:
    """The first trading day strictly after `day`."""
    table = _checked(day)
    i = bisect_right(table.days, day)
    if i == len(table.days):
        raise InvalidInput("date", f"no trading day after {day} up to {table.last}")
    return table.days[i]


def previous_trading_day(day: date) -> date:
    """The last trading day strictly before `day`."""
    table = _checked(day)
    i = bisect_left(table.days, day) - 1
    if i < 0:
        raise InvalidInput("date", f"no trading day before {day} from {table.first}")
    return table.days[i]


def holidays(year: int) -> list[tuple[date, str]]:
    """Weekday closures of `year` with their names, ascending (weekends are not listed)."""
    table = _table()
    if not table.first.year <= year <= table.last.year:
        raise InvalidInput(
            "year", f"{year} is outside the supported calendar range {table.first}..{table.last}"
        )
    return list(table.by_year.get(year, ()))


def settlement_date(trade_date: date) -> date:
    """Settlement day of a trade on `trade_date`: T+2 KRX trading days (Dec 31 never counts).

    The tax rate of a sell is chosen by this date (KRX.md §9), so a sell on 2024-12-27
    settles 2025-01-02 and pays the 2025 rate.
    """
    table = _checked(trade_date, "trade_date")
    i = table.index.get(trade_date)
    if i is None:
        raise InvalidInput("trade_date", f"{trade_date} is not a KRX trading day")
    if i + SETTLEMENT_LAG >= len(table.days):
        raise InvalidInput("trade_date", f"settlement of {trade_date} falls after {table.last}")
    return table.days[i + SETTLEMENT_LAG]


def late_open(day: date) -> LateOpen | None:
    """The late open on `day` (first trading day of the year, CSAT), or None for a normal day."""
    return _checked(day).late_opens.get(day)


def is_late_open(day: date) -> bool:
    """True when the regular session on `day` opens after 09:00."""
    return day in _checked(day).late_opens
