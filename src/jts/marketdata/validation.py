"""Validation rules for imported bars and ticks, vectorized over one decoded chunk at a time.

A `Validator` checks the chunks of one file in file order and carries across chunk borders
what the rules need: each symbol's latest timestamp (order and duplicates), recent closes
(the base of the next day's limits) and the last bar in the continuous session (gaps).

Rules (ids as in `jts.marketdata.report.ERROR_RULES`):
- schema: cells that cannot be decoded; prices < 1 KRW; negative volume, value or qty.
- ohlc: low <= open, close <= high and low <= high.
- tick: each price on its own tick for its KST date (ETF table for `etf_symbols`).
- limit: each price inside the daily limits of the base price: the caller's `base_prices`
  for (symbol, date) when it has one, else the symbol's close on the previous trading day
  taken from the file itself (the last row up to the closing auction; after-hours prices do
  not set the close). Rows with no known base are counted as "limit not checked".
- trading_day / session: the KST date is a KRX trading day and the timestamp lies in one of
  its sessions, from the pre-open closing-price session to after-hours; an auction session
  with a random end accepts 30 s past its scheduled end (KRX.md §6). Daily bars skip the
  session check and must be stamped at midnight KST (interval rule).
- interval: intraday bars start on a multiple of the bar interval.
- duplicate (bars): the same symbol and ts as an earlier row; every later copy is an error.
  Ticks may share a timestamp (several trades in one instant), so they are not checked.
- order: a row earlier than the latest earlier row of its symbol (in file order).
- gap (warning, intraday bars): missing bars between two good bars of the same day inside the
  continuous session.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Final

import numpy as np

from jts.core.clock import NS_PER_SECOND
from jts.krx import price_limits
from jts.krx.ticks import TickTable, tick_table
from jts.marketdata.days import (
    INT64_MAX,
    MarketDay,
    inside_sessions,
    kst_time,
    market_day,
    outside_message,
)
from jts.marketdata.decoding import DAY_NS, EXPECTED, EXPECTED_INT, KST_OFFSET_NS, Decoded
from jts.marketdata.readers import Kind
from jts.marketdata.report import Gaps

BasePrices = Mapping[tuple[str, dt.date], int] | Callable[[str, dt.date], int | None]
"""Base price (KRW) of a symbol on a date: usually the previous close, known to the store."""

IntArray = np.ndarray[Any, np.dtype[np.int64]]
Mask = np.ndarray[Any, np.dtype[np.bool_]]
PRICE_COLUMNS: Final = {Kind.BARS: ("open", "high", "low", "close"), Kind.TICKS: ("price",)}
COUNT_COLUMNS: Final = {Kind.BARS: ("volume", "value"), Kind.TICKS: ("qty",)}
CLOSE_COLUMN: Final = {Kind.BARS: "close", Kind.TICKS: "price"}
_CLOSES_KEPT = 3  # days of closes remembered per symbol
_NOT_MIDNIGHT = "a daily bar must be stamped with its date (midnight KST)"


@dataclass(frozen=True)
class Rules:
    """What to check: `interval_s` is the bar length (86,400 = daily bars; ignored for ticks)."""

    kind: Kind
    interval_s: int = 60
    etf_symbols: frozenset[str] = frozenset()
    base_prices: BasePrices | None = None

    @property
    def daily(self) -> bool:
        return self.kind is Kind.BARS and self.interval_s >= 86_400


@dataclass(frozen=True)
class Finding:
    """Rows of a chunk (positions) that break `rule` in `column`; `message(i)` explains row i."""

    rule: str
    column: str
    index: IntArray
    message: Callable[[int], str]


@dataclass
class ChunkCheck:
    findings: list[Finding]
    good: Mask
    unchecked: Mask  # rows whose limit check was skipped: no base price known
    gaps: dict[str, Gaps] = field(default_factory=dict)


def _groups(*keys: np.ndarray[Any, Any]) -> tuple[IntArray, IntArray]:
    """Stable order by `keys` (first key most significant) and the start of each group in it."""
    order = np.lexsort(tuple(reversed(keys)))
    change = np.zeros(len(order), np.bool_)
    if len(order):
        change[0] = True
        for key in keys:
            ordered = key[order]
            change[1:] |= ordered[1:] != ordered[:-1]
    return order.astype(np.int64), np.flatnonzero(change)


def _spans(starts: IntArray, total: int) -> list[tuple[int, int]]:
    """(start, end) of each group given the group starts in an ordering of `total` rows."""
    if not len(starts):
        return []
    ends = np.r_[starts[1:], total]
    return list(zip(starts.tolist(), ends.tolist(), strict=True))


def _ticks_of(table: TickTable, prices: IntArray) -> IntArray:
    bounds = np.asarray([min(upper, INT64_MAX) for upper, _ in table], np.int64)
    ticks = np.asarray([tick for _, tick in table], np.int64)
    return ticks[np.minimum(np.searchsorted(bounds, prices, side="right"), len(ticks) - 1)]


class Validator:
    """Checks the chunks of one file in order (see the module docstring for the rules)."""

    def __init__(self, rules: Rules) -> None:
        self.rules = rules
        self._days: dict[int, MarketDay] = {}
        self._last_ts: dict[str, int] = {}
        self._closes: dict[str, dict[int, tuple[int, int]]] = {}
        self._last_bar: dict[str, int] = {}

    def check(self, data: Decoded) -> ChunkCheck:
        findings = _schema(data, self.rules.kind)
        placeable = ~data.bad["symbol"] & ~data.bad["ts"]
        index, days = self._day_index(data.columns["ts"], placeable)
        calendar, timely = self._calendar(data, placeable, index, days)
        findings += calendar
        priced = {c: ~data.bad[c] & (data.columns[c] > 0) for c in PRICE_COLUMNS[data.kind]}
        if data.kind is Kind.BARS:
            findings += _ohlc(data, priced)
        findings += self._ticks(data, priced, index, days)
        findings += self._order(data, timely)
        clean = timely & ~_union(len(data), findings)
        self._remember_closes(data, clean & priced[CLOSE_COLUMN[data.kind]], index, days)
        all_priced = np.logical_and.reduce(list(priced.values()))
        limit, unchecked = self._limits(data, timely & all_priced, index, days)
        findings += limit
        good = ~_union(len(data), findings)
        return ChunkCheck(findings, good, unchecked, self._gaps(data, good, index, days))

    # -- calendar -----------------------------------------------------------------------------

    def _day(self, number: int) -> MarketDay:
        if number not in self._days:
            self._days[number] = market_day(number)
        return self._days[number]

    def _day_index(self, ts: IntArray, placeable: Mask) -> tuple[IntArray, list[MarketDay]]:
        """Per row, the position of its KST date in the returned list (-1: ts unusable)."""
        numbers = (ts + KST_OFFSET_NS) // DAY_NS
        unique, inverse = np.unique(numbers[placeable], return_inverse=True)
        index = np.full(len(ts), -1, np.int64)
        index[placeable] = inverse.reshape(-1)
        return index, [self._day(int(n)) for n in unique]

    def _calendar(
        self, data: Decoded, placeable: Mask, index: IntArray, days: list[MarketDay]
    ) -> tuple[list[Finding], Mask]:
        ts = data.columns["ts"]
        trading = np.asarray([not d.problem for d in days] + [False], np.bool_)[index]
        closed = placeable & ~trading
        findings = [_finding("trading_day", "ts", closed, lambda i: days[index[i]].problem)]
        if self.rules.daily:
            midnight = (ts + KST_OFFSET_NS) % DAY_NS != 0
            findings.append(_finding("interval", "ts", trading & midnight, _says(_NOT_MIDNIGHT)))
            return findings, trading
        outside = trading & ~inside_sessions(ts, index, days)
        findings.append(_finding("session", "ts", outside, outside_message(ts, index, days)))
        if self.rules.kind is Kind.BARS:
            step = self.rules.interval_s * NS_PER_SECOND
            off = trading & ((ts + KST_OFFSET_NS) % step != 0)
            findings.append(_finding("interval", "ts", off, self._off_grid(ts)))
        return findings, trading & ~outside

    def _off_grid(self, ts: IntArray) -> Callable[[int], str]:
        seconds = self.rules.interval_s
        return lambda i: f"{kst_time(int(ts[i]))} KST is not on a {seconds} s bar boundary"

    # -- prices -------------------------------------------------------------------------------

    def _ticks(
        self, data: Decoded, priced: dict[str, Mask], index: IntArray, days: list[MarketDay]
    ) -> list[Finding]:
        etf = np.isin(data.columns["symbol"], list(self.rules.etf_symbols))
        tables: list[TickTable] = []
        table_of = np.full((len(days) + 1, 2), -1, np.int64)
        for k, day in enumerate(days):
            for flag in (0, 1):
                table = tick_table(etf=bool(flag), on=day.date)
                if table not in tables:
                    tables.append(table)
                table_of[k, flag] = tables.index(table)
        row_table = table_of[index, etf.astype(np.int64)]
        findings = []
        for column, ok in priced.items():
            prices = data.columns[column]
            ticks = np.ones(len(prices), np.int64)
            for t, table in enumerate(tables):
                rows = ok & (row_table == t)
                ticks[rows] = _ticks_of(table, prices[rows])
            off = ok & (row_table >= 0) & (prices % ticks != 0)
            findings.append(_finding("tick", column, off, _tick_message(prices, ticks, etf)))
        return findings

    def _base(self, symbol: str, day: MarketDay) -> int | None:
        given = self.rules.base_prices
        if given is not None:
            if isinstance(given, Mapping):
                value = given.get((symbol, day.date))
            else:
                value = given(symbol, day.date)
            if value is not None and value > 0:
                return int(value)
        known = self._closes.get(symbol, {})
        entry = known.get(day.previous) if day.previous is not None else None
        return entry[1] if entry else None

    def _limits(
        self, data: Decoded, checkable: Mask, index: IntArray, days: list[MarketDay]
    ) -> tuple[list[Finding], Mask]:
        rows = np.flatnonzero(checkable)
        symbols = data.columns["symbol"]
        order, starts = _groups(symbols[rows], index[rows])
        base = np.zeros(len(data), np.int64)
        lower, upper = base.copy(), base.copy()
        for lo, hi in _spans(starts, len(rows)):
            members = rows[order[lo:hi]]
            symbol, day = str(symbols[members[0]]), days[index[members[0]]]
            found = self._base(symbol, day)
            if found is not None:
                etf = symbol in self.rules.etf_symbols
                base[members] = found
                lower[members], upper[members] = price_limits(found, etf=etf, on=day.date)
        known = checkable & (base > 0)
        findings = []
        for column in PRICE_COLUMNS[data.kind]:
            prices = data.columns[column]
            out = known & ((prices < lower) | (prices > upper))
            message = _limit_message(prices, lower, upper, base, index, days)
            findings.append(_finding("limit", column, out, message))
        return findings, checkable & ~known

    def _remember_closes(
        self, data: Decoded, usable: Mask, index: IntArray, days: list[MarketDay]
    ) -> None:
        """Keep each (symbol, day)'s last price up to the closing auction: the next base."""
        cutoff = np.asarray([d.close_cutoff for d in days] + [0], np.int64)[index]
        ts = data.columns["ts"]
        rows = np.flatnonzero(usable & (ts < cutoff))
        symbols, close = data.columns["symbol"][rows], data.columns[CLOSE_COLUMN[data.kind]]
        order = np.lexsort((ts[rows], index[rows], symbols))
        code, day = symbols[order], index[rows][order]
        last = np.r_[(code[1:] != code[:-1]) | (day[1:] != day[:-1]), True][: len(rows)]
        for i in rows[order][last].tolist():
            symbol = str(data.columns["symbol"][i])
            self._remember(symbol, days[index[i]].number, int(ts[i]), int(close[i]))

    def _remember(self, symbol: str, day: int, ts: int, close: int) -> None:
        known = self._closes.setdefault(symbol, {})
        if day not in known or ts >= known[day][0]:
            known[day] = (ts, close)
        while len(known) > _CLOSES_KEPT:
            del known[min(known)]

    # -- time order ---------------------------------------------------------------------------

    def _order(self, data: Decoded, timely: Mask) -> list[Finding]:
        rows = np.flatnonzero(timely)
        symbols, ts = data.columns["symbol"], data.columns["ts"]
        order, starts = _groups(symbols[rows])
        duplicate = np.zeros(len(data), np.bool_)
        behind = np.zeros(len(data), np.bool_)
        for lo, hi in _spans(starts, len(rows)):
            members = rows[order[lo:hi]]  # one symbol's rows in file order
            symbol = str(symbols[members[0]])
            times = ts[members]
            carried = self._last_ts.get(symbol, np.iinfo(np.int64).min)
            before = np.maximum.accumulate(np.r_[carried, times[:-1]])
            if data.kind is Kind.BARS:
                first = np.zeros(len(times), np.bool_)
                first[np.unique(times, return_index=True)[1]] = True
                duplicate[members] = ~first | (times == carried)
            behind[members] = (times < before) & ~duplicate[members]
            self._last_ts[symbol] = max(carried, int(times.max()))
        return [
            _finding("duplicate", "ts", duplicate, _says("same symbol and ts as an earlier row")),
            _finding("order", "ts", behind, _says("earlier than a previous row of this symbol")),
        ]

    def _gaps(
        self, data: Decoded, good: Mask, index: IntArray, days: list[MarketDay]
    ) -> dict[str, Gaps]:
        if self.rules.kind is not Kind.BARS or self.rules.daily:
            return {}
        ts, symbols = data.columns["ts"], data.columns["symbol"]
        bounds = np.asarray([d.continuous for d in days] + [(0, 0)], np.int64)[index]
        rows = np.flatnonzero(good & (ts >= bounds[:, 0]) & (ts < bounds[:, 1]))
        order, starts = _groups(symbols[rows])
        step = self.rules.interval_s * NS_PER_SECOND
        found: dict[str, Gaps] = {}
        for lo, hi in _spans(starts, len(rows)):
            members = rows[order[lo:hi]]
            symbol = str(symbols[members[0]])
            times = np.r_[self._last_bar.get(symbol, 0), ts[members]]
            self._last_bar[symbol] = int(times[-1])
            day = (times + KST_OFFSET_NS) // DAY_NS
            missing = np.where(day[1:] == day[:-1], np.diff(times) // step - 1, 0)
            if (missing > 0).any():
                found[symbol] = _gap_stats(times[:-1] + step, missing)
        return found


def _gap_stats(starts: IntArray, missing: IntArray) -> Gaps:
    where = np.flatnonzero(missing > 0)
    worst = where[np.argsort(-missing[where], kind="stable")[:3]]
    largest = [(int(starts[i]), int(missing[i])) for i in worst]
    return Gaps(int(missing[where].sum()), len(where), largest)


# -- row rules --------------------------------------------------------------------------------


def _finding(rule: str, column: str, mask: Mask, message: Callable[[int], str]) -> Finding:
    return Finding(rule, column, np.flatnonzero(mask).astype(np.int64), message)


def _says(text: str) -> Callable[[int], str]:
    """The same message for every row."""
    return lambda _: text


def _union(n: int, findings: list[Finding]) -> Mask:
    bad = np.zeros(n, np.bool_)
    for finding in findings:
        bad[finding.index] = True
    return bad


def _schema(data: Decoded, kind: Kind) -> list[Finding]:
    findings = []
    for column, bad in data.bad.items():
        expected = EXPECTED.get(column, EXPECTED_INT)
        findings.append(_finding("schema", column, bad, _says(f"not {expected}")))
    for column in PRICE_COLUMNS[kind]:
        low = ~data.bad[column] & (data.columns[column] < 1)
        findings.append(_finding("schema", column, low, _says("a price must be >= 1 KRW")))
    for column in COUNT_COLUMNS[kind]:
        negative = ~data.bad[column] & (data.columns[column] < 0)
        findings.append(_finding("schema", column, negative, _says("must not be negative")))
    return [f for f in findings if len(f.index)]


def _ohlc(data: Decoded, priced: dict[str, Mask]) -> list[Finding]:
    c = data.columns
    ok = np.logical_and.reduce(list(priced.values()))
    o, h, low, close = c["open"], c["high"], c["low"], c["close"]

    def explain(i: int) -> str:
        return f"open {o[i]:,} high {h[i]:,} low {low[i]:,} close {close[i]:,}"

    def outside(name: str) -> Callable[[int], str]:
        return lambda i: f"{name} not within low..high: {explain(i)}"

    return [
        _finding("ohlc", "high", ok & (h < low), lambda i: f"high below low: {explain(i)}"),
        _finding("ohlc", "open", ok & ((o < low) | (o > h)), outside("open")),
        _finding("ohlc", "close", ok & ((close < low) | (close > h)), outside("close")),
    ]


def _tick_message(prices: IntArray, ticks: IntArray, etf: Mask) -> Callable[[int], str]:
    def message(i: int) -> str:
        table = "ETF" if etf[i] else "stock"
        return f"{prices[i]:,} KRW is not on its {ticks[i]:,} KRW tick ({table} tick table)"

    return message


def _limit_message(
    prices: IntArray,
    lower: IntArray,
    upper: IntArray,
    base: IntArray,
    index: IntArray,
    days: list[MarketDay],
) -> Callable[[int], str]:
    def message(i: int) -> str:
        day = days[index[i]].date
        return (
            f"{prices[i]:,} KRW is outside the limits {lower[i]:,}..{upper[i]:,} of {day} "
            f"(base price {base[i]:,})"
        )

    return message
