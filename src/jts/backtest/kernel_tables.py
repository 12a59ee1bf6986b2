"""The inputs of the compiled loop, and the KRX rules it needs as tables.

Rules stay in `jts.krx`; this module only asks them once per KST day and instrument class
(ETF table or not, market), instead of once per fill:

* the tick table of limit prices, of the daily band and of the tick check (the instrument's),
  and of slippage (`Matcher._slipped` asks `tick_size` without a market: the KOSPI table);
* the daily band in percent (`limit_percent`; times the symbol's leverage in the loop, which
  then runs the band algorithm of `jts.krx.limits.price_limits` on the table: a test pins the
  two to each other);
* the sell tax as an integer ratio by settlement date (`KrxCosts`), unknown (0/0) on a day
  `settlement_date` cannot place — a taxed sell there sends the run back to Python, which
  raises as before;
* the start of the closing auction (`last_bar_of_day`, for `flat at end of day`).

Tick tables are rows of (upper bound, tick), padded with their last row; the unbounded last
bound becomes the largest int64.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import NamedTuple

import numpy as np
import numpy.typing as npt

from jts.backtest import kernel_core as kc
from jts.backtest.costs import CostModel, KrxCosts
from jts.core.models import Instrument
from jts.krx import limit_percent, sell_tax_rate, settlement_date
from jts.krx.costs import TAX_EXEMPT_KINDS
from jts.krx.ticks import TickTable, tick_table
from jts.strategy.evaluate.series import closing_auction_ns

__all__ = ["Classes", "Context", "DayTables", "Rows", "day_tables", "scan", "symbol_classes"]

I1 = npt.NDArray[np.int64]
I2 = npt.NDArray[np.int64]
I3 = npt.NDArray[np.int64]
F1 = npt.NDArray[np.float64]
B1 = npt.NDArray[np.bool_]

_INT64_MAX = 2**63 - 1
_EPOCH = dt.date(1970, 1, 1)


class Rows(NamedTuple):
    """The bars sorted by (symbol, ts), prices as stored (int64); the base price per row."""

    ts: I1
    open: I1
    high: I1
    low: I1
    close: I1
    volume: I1
    base: F1


class Context(NamedTuple):
    """What the loop's helpers read (columns and slots: `kernel_core`): the program
    (`kernel_program.Code`), tick tables [table, row, (upper bound, tick)], rules per day
    and instrument class [day - day0, class, D_*], closing auction starts per day, symbols
    [symbol, Y_*] in code order, the equity (registration) order, scalars (P_*), the fill
    model's volume cap (NaN: none), and the rows' ts and close (for equity)."""

    ops: I2
    consts: F1
    rules: I2
    conj: I1
    exits: I2
    ticks: I3
    days: I3
    auction: I1
    symbols: I2
    order: I1
    params: I1
    cap: float
    ts: I1
    close: I1


class Classes(NamedTuple):
    """The distinct (ETF ticks, market) of the symbols, and each symbol's index into them."""

    kinds: list[tuple[bool, str]]
    cls: I1
    leverage: I1
    exempt: I1


def symbol_classes(instruments: Sequence[Instrument], costs: CostModel) -> Classes:
    """Per symbol: class, leverage, and whether its sells pay no tax (always, without costs)."""
    kinds: dict[tuple[bool, str], int] = {}
    cls, leverage, exempt = [], [], []
    for ins in instruments:
        cls.append(kinds.setdefault((ins.uses_etf_ticks, ins.market.value), len(kinds)))
        leverage.append(ins.leverage)
        taxed = isinstance(costs, KrxCosts) and ins.kind not in TAX_EXEMPT_KINDS
        exempt.append(int(not taxed))
    return Classes(list(kinds), _ints(cls), _ints(leverage), _ints(exempt))


def _ints(values: list[int]) -> I1:
    return np.array(values, dtype=np.int64)


def _tax_ratio(day: dt.date, market: str) -> tuple[int, int]:
    """`KrxCosts._tax_ratio`; (0, 0) where the calendar cannot settle the day."""
    try:
        return sell_tax_rate(settlement_date(day), market).as_integer_ratio()
    except (ValueError, LookupError):
        return 0, 0


class DayTables(NamedTuple):
    """`Context.ticks`, `Context.days` and `Context.auction` of the days with bars."""

    ticks: I3
    days: I3
    auction: I1


def day_tables(day0: int, present: B1, kinds: list[tuple[bool, str]], auction: bool) -> DayTables:
    """The rules of every day with bars (`present[i]`: day `day0 + i`) for classes `kinds`."""
    tables: dict[TickTable, int] = {}
    days = np.zeros((len(present), max(len(kinds), 1), 5), np.int64)
    ends = np.zeros(len(present), np.int64)
    for i in np.flatnonzero(present).tolist():
        day = _EPOCH + dt.timedelta(days=day0 + i)
        for c, (etf, market) in enumerate(kinds):
            tick = tables.setdefault(tick_table(etf=etf, on=day, market=market), len(tables))
            slip = tables.setdefault(tick_table(etf=etf, on=day), len(tables))
            days[i, c] = (tick, slip, limit_percent(market, day), *_tax_ratio(day, market))
        if auction:
            ends[i] = closing_auction_ns(day0 + i)
    width = max((len(t) for t in tables), default=1)
    ticks = np.ones((max(len(tables), 1), width, 2), np.int64)
    for table, t in tables.items():
        for j in range(width):
            upper, tick = table[min(j, len(table) - 1)]
            ticks[t, j] = (min(upper, _INT64_MAX), tick)
    return DayTables(ticks, days, ends)


@kc.jit_nrt
def scan(ts: I1, first: I1, end: I1) -> tuple[int, B1, bool]:
    """(first KST day, which days from it have bars, whether ts rises strictly per symbol):
    a day at a time, by binary search for the next day's first bar."""
    gap, lo, hi = kc.NO_TS, kc.NO_TS, -kc.NO_TS
    for s in range(first.shape[0]):
        a, b = first[s], end[s]
        for r in range(a + 1, b):
            gap = min(gap, ts[r] - ts[r - 1])
        lo, hi = min(lo, ts[a]), max(hi, ts[b - 1])
    day0 = (lo + kc.KST_NS) // kc.DAY_NS
    days = np.zeros((hi + kc.KST_NS) // kc.DAY_NS - day0 + 1, np.bool_)
    for s in range(first.shape[0]):
        r = first[s]
        while r < end[s]:
            day = (ts[r] + kc.KST_NS) // kc.DAY_NS
            days[day - day0] = True
            r += np.searchsorted(ts[r : end[s]], (day + 1) * kc.DAY_NS - kc.KST_NS)
    return day0, days, gap > 0
