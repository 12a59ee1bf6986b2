"""The built-in names of the strategy language: series, indicators and functions.

This table is the contract between the language and the executors: the checker types calls
from it, and both executors must implement every row with exactly the meaning in its `doc`
(indicator rows agree with `jts.strategy.indicators.spec`, which holds the kernels' own table;
a test keeps the two in step). NaN means "not defined yet" (warm-up, a flat position); any
arithmetic with NaN is NaN and any comparison with NaN is false.

Argument kinds
    series  a numeric series (`close`, `sma(close, 5)`); a constant is refused
    condition  a condition (bool), series or constant
    value   a number of any shape; constants are broadcast over bars and symbols
    period  a whole-number literal or an int param, from `minimum` to `limits.MAX_LOOKBACK`
    const   a number literal or a param, at least `minimum`

`unit` None means "the unit of the first argument" (an average of prices is a price).
`warmup(periods)` is the number of leading bars on which the result is undefined (for the
largest output), given the period arguments by name.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Final

from jts.strategy.lang.limits import MAX_LOOKBACK
from jts.strategy.lang.typesys import Kind, Shape, Type, Unit, boolean, number, time_of_day

Periods = Mapping[str, int | float]


class ArgKind(StrEnum):
    SERIES = "series"
    CONDITION = "condition"
    VALUE = "value"
    PERIOD = "period"
    CONST = "const"


@dataclass(frozen=True, slots=True)
class Arg:
    name: str
    kind: ArgKind
    default: int | float | None = None
    minimum: int | float = 1
    maximum: int | float = MAX_LOOKBACK


@dataclass(frozen=True, slots=True)
class Function:
    """One callable name; `fields` are bar fields it reads by itself (`atr` reads h, l, c)."""

    name: str
    args: tuple[Arg, ...]
    result: Kind
    unit: Unit | None
    warmup: Callable[[Periods], int]
    doc: str
    outputs: tuple[str, ...] = ()
    fields: tuple[str, ...] = ()
    category: str = "indicator"

    def signature(self) -> str:
        """`macd(x, fast=12, slow=26, signal=9) -> line | signal | hist`."""
        shown = [a.name if a.default is None else f"{a.name}={a.default}" for a in self.args]
        outputs = " | ".join(self.outputs) if self.outputs else self.result.value
        return f"{self.name}({', '.join(shown)}) -> {outputs}"


@dataclass(frozen=True, slots=True)
class Series:
    """A built-in series; `requires` is "select" or "intraday" when it needs one."""

    name: str
    type: Type
    doc: str
    requires: str | None = None


def _x(default: int | None = None) -> tuple[Arg, Arg]:
    return Arg("x", ArgKind.SERIES), Arg("n", ArgKind.PERIOD, default)


def _p(periods: Periods, name: str) -> int:
    return int(periods[name])


def _window(p: Periods) -> int:
    return _p(p, "n") - 1


def _after_n(p: Periods) -> int:
    return _p(p, "n")


def _none(p: Periods) -> int:
    return 0


def _one(p: Periods) -> int:
    return 1


def _macd(p: Periods) -> int:
    return max(_p(p, "fast"), _p(p, "slow")) - 1 + _p(p, "signal") - 1


def _stochastic(p: Periods) -> int:
    return _p(p, "n") - 1 + _p(p, "smooth") - 1 + _p(p, "d") - 1


_HLC = ("high", "low", "close")
_NUM, _BOOL = Kind.NUMBER, Kind.BOOL
_V = ArgKind.VALUE

_FUNCTION_ROWS: Final = (
    Function("sma", _x(), _NUM, None, _window, "Mean of the last n values."),
    Function(
        "ema",
        _x(),
        _NUM,
        None,
        _window,
        "Exponential average, alpha = 2/(n+1), seeded with the sma of the first n values.",
    ),
    Function("wma", _x(), _NUM, None, _window, "Weights 1..n, newest heaviest."),
    Function(
        "rsi",
        _x(14),
        _NUM,
        Unit.POINTS,
        _after_n,
        "Wilder RSI, 0-100: 100 with no losses, 0 with no gains, 50 on a flat window.",
    ),
    Function(
        "macd",
        (
            Arg("x", ArgKind.SERIES),
            Arg("fast", ArgKind.PERIOD, 12),
            Arg("slow", ArgKind.PERIOD, 26),
            Arg("signal", ArgKind.PERIOD, 9),
        ),
        _NUM,
        None,
        _macd,
        "line = ema(x, fast) - ema(x, slow); signal = ema(line, signal); hist = line - signal.",
        outputs=("line", "signal", "hist"),
    ),
    Function(
        "bollinger",
        (*_x(20), Arg("k", ArgKind.CONST, 2.0, minimum=0)),
        _NUM,
        None,
        _window,
        "mid = sma(x, n); upper/lower = mid ± k × population stdev(x, n).",
        outputs=("upper", "mid", "lower"),
    ),
    Function(
        "atr",
        (Arg("n", ArgKind.PERIOD, 14),),
        _NUM,
        Unit.KRW,
        _window,
        "Wilder average of the true range max(h-l, |h-prev c|, |l-prev c|), in KRW.",
        fields=_HLC,
    ),
    Function(
        "stochastic",
        (
            Arg("n", ArgKind.PERIOD, 14),
            Arg("smooth", ArgKind.PERIOD, 3),
            Arg("d", ArgKind.PERIOD, 3),
        ),
        _NUM,
        Unit.POINTS,
        _stochastic,
        "raw %K = 100 × (c - lowest low n)/(highest high n - lowest low n), 50 on a zero range;"
        " k = sma(raw, smooth); d = sma(k, d).",
        outputs=("k", "d"),
        fields=_HLC,
    ),
    Function(
        "vwap",
        (),
        _NUM,
        Unit.KRW,
        _none,
        "Session VWAP of the typical price (h+l+c)/3 weighted by volume, reset on the first bar"
        " of each day; NaN while the day has no volume.",
        fields=(*_HLC, "volume"),
    ),
    Function("highest", _x(), _NUM, None, _window, "Largest of the last n values."),
    Function("lowest", _x(), _NUM, None, _window, "Smallest of the last n values."),
    Function(
        "roc",
        _x(),
        _NUM,
        Unit.POINTS,
        _after_n,
        "Rate of change in percent points: (x - x[n]) / x[n] × 100 (5 means +5 %).",
    ),
    Function("stdev", _x(), _NUM, None, _window, "Population standard deviation of n values."),
    Function(
        "obv",
        (),
        _NUM,
        Unit.PLAIN,
        _none,
        "On-balance volume: 0 on the first bar, then ± volume as close rises or falls.",
        fields=("close", "volume"),
    ),
    Function(
        "crosses_above",
        (Arg("a", ArgKind.SERIES), Arg("b", _V)),
        _BOOL,
        None,
        _one,
        "a > b on this bar and a <= b on the previous bar, all four values defined.",
        category="condition",
    ),
    Function(
        "crosses_below",
        (Arg("a", ArgKind.SERIES), Arg("b", _V)),
        _BOOL,
        None,
        _one,
        "a < b on this bar and a >= b on the previous bar, all four values defined.",
        category="condition",
    ),
    Function(
        "rising",
        _x(),
        _BOOL,
        None,
        _after_n,
        "x > x[1] > ... > x[n]: strictly up on each of the last n bars, all defined.",
        category="condition",
    ),
    Function(
        "falling",
        _x(),
        _BOOL,
        None,
        _after_n,
        "x < x[1] < ... < x[n]: strictly down on each of the last n bars, all defined.",
        category="condition",
    ),
    Function(
        "value_when",
        (Arg("condition", ArgKind.CONDITION), Arg("x", ArgKind.SERIES)),
        _NUM,
        None,
        _none,
        "x on the latest bar where condition was true (this bar included); NaN before the"
        " first such bar. Freezes a value, e.g. the opening range once it is complete.",
        category="state",
    ),
    Function("abs", (Arg("x", _V),), _NUM, None, _none, "|x|.", category="math"),
    Function(
        "min", (Arg("a", _V), Arg("b", _V)), _NUM, None, _none, "The smaller.", category="math"
    ),
    Function(
        "max", (Arg("a", _V), Arg("b", _V)), _NUM, None, _none, "The larger.", category="math"
    ),
)

FUNCTIONS: Final[Mapping[str, Function]] = {f.name: f for f in _FUNCTION_ROWS}

_S, _KRW, _PCT = Shape.SERIES, Unit.KRW, Unit.PERCENT
_PRICE = number(_S, _KRW, integer=True)
_COUNT = number(_S, integer=True)

_SERIES_ROWS: Final = (
    Series("open", _PRICE, "First trade price of the bar, KRW."),
    Series("high", _PRICE, "Highest trade price of the bar, KRW."),
    Series("low", _PRICE, "Lowest trade price of the bar, KRW."),
    Series("close", _PRICE, "Last trade price of the bar, KRW."),
    Series("volume", _COUNT, "Shares traded in the bar."),
    Series("value", number(_S, _KRW, integer=True), "KRW traded in the bar (0 if unknown)."),
    Series(
        "time",
        time_of_day(_S),
        "Start of the bar as a KST time of day (09:00 for the first minute bar).",
        requires="intraday",
    ),
    Series("first_bar_of_day", boolean(_S), "True on the first bar of each trading day."),
    Series("bar_of_day", _COUNT, "0 on the first bar of each trading day, then 1, 2, ..."),
    Series("last_bar_of_day", boolean(_S), "True on the last bar of each trading day."),
    Series("day_of_week", _COUNT, "1 (Monday) to 7 (Sunday) for the bar's KST date."),
    Series(
        "days_to_year_end",
        _COUNT,
        "Trading days after today until the year's last trading day (0 on it), KRX calendar.",
    ),
    Series("position", _COUNT, "Shares held (long only: >= 0)."),
    Series(
        "entry_price",
        number(_S, _KRW),
        "Average price paid for the shares held, KRW; NaN when flat.",
    ),
    Series("bars_since_entry", _COUNT, "Bars since the entry fill (0 on it); NaN when flat."),
    Series(
        "unrealized_pnl_pct",
        number(_S, _PCT),
        "close / entry_price - 1 as a fraction (compare with 3%); NaN when flat.",
    ),
    Series(
        "selected",
        boolean(_S),
        "True while the symbol is in the latest selection.",
        requires="select",
    ),
    Series(
        "rank",
        _COUNT,
        "Place in the latest ranking (1 = first chosen); NaN when the ranked value was NaN.",
        requires="select",
    ),
    Series(
        "rebalancing",
        boolean(_S),
        "True on the bars where the selection is re-ranked.",
        requires="select",
    ),
)

SERIES: Final[Mapping[str, Series]] = {s.name: s for s in _SERIES_ROWS}

SELECTION_SERIES: Final = frozenset(s.name for s in _SERIES_ROWS if s.requires == "select")
POSITION_SERIES: Final = frozenset(
    ("position", "entry_price", "bars_since_entry", "unrealized_pnl_pct")
)
