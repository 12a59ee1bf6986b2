"""Per-row and per-day numbers both runners derive from the bars the same way.

* `base_prices`: each bar's base price for the daily limits — the close of the symbol's last
  bar on an earlier day (KRX's 기준가격 is the previous close; corporate actions are not in
  bar data, so adjusted bases are out of scope). NaN on the symbol's first day.
* `daily_equity`: the account marked at each trading day's last bar: cash after the day's
  fills plus every position at its symbol's last close on or before that day. Metrics and
  reports work on this daily curve.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt
import polars as pl

from jts.marketdata.frames import BarFrame

__all__ = ["EQUITY_SCHEMA", "base_prices", "daily_equity", "kst_day_numbers"]

Array = npt.NDArray[Any]
_DAY_NS = 86_400_000_000_000
_KST_NS = 9 * 3_600_000_000_000

EQUITY_SCHEMA: dict[str, type[pl.DataType]] = {
    "date": pl.Date,
    "ts": pl.Int64,
    "cash": pl.Int64,
    "positions_value": pl.Int64,
    "equity": pl.Int64,
}


def kst_day_numbers(ts: Array) -> npt.NDArray[np.int64]:
    """Days since 1970-01-01 of each instant's KST date."""
    return (np.asarray(ts, dtype=np.int64) + _KST_NS) // _DAY_NS


def base_prices(symbols: Array, ts: Array, close: Array) -> npt.NDArray[np.float64]:
    """Per row of a (symbol, ts)-sorted frame: the symbol's last close of an earlier day."""
    n = len(ts)
    out = np.full(n, np.nan)
    if not n:
        return out
    day = kst_day_numbers(ts)
    new_symbol = np.r_[True, symbols[1:] != symbols[:-1]]
    new_day = new_symbol | np.r_[True, day[1:] != day[:-1]]
    rows = np.arange(n)
    day_start = np.maximum.accumulate(np.where(new_day, rows, 0))
    known = ~new_symbol[day_start]
    prev_close = np.asarray(close, dtype=np.float64)[np.maximum(day_start - 1, 0)]
    out[known] = prev_close[known]
    return out


def daily_equity(bars: BarFrame, fills: pl.DataFrame, initial_cash: int) -> pl.DataFrame:
    """The account at each trading day's last bar (module docstring), schema `EQUITY_SCHEMA`."""
    if not len(bars):
        return pl.DataFrame(schema=EQUITY_SCHEMA)
    ts = np.asarray(bars["ts"], dtype=np.int64)
    bar_day = kst_day_numbers(ts)
    ends = _day_ends(bars, bar_day)  # a few rows per symbol and day: sort those, not all bars
    days, inverse = np.unique(bar_day[ends], return_inverse=True)
    last_ts = np.full(len(days), np.iinfo(np.int64).min)
    np.maximum.at(last_ts, inverse, ts[ends])
    cash = np.full(len(days), int(initial_cash), dtype=np.int64)
    value = np.zeros(len(days), dtype=np.int64)
    if len(fills):
        fill_day = np.searchsorted(days, kst_day_numbers(fills["ts"].to_numpy()))
        sign = np.where(fills["side"].to_numpy() == "buy", -1, 1)
        qty = fills["qty"].to_numpy().astype(np.int64)
        net = sign * qty * fills["price"].to_numpy().astype(np.int64)
        net -= fills["commission"].to_numpy().astype(np.int64)
        net -= fills["tax"].to_numpy().astype(np.int64)
        cash += np.cumsum(_sum_by(fill_day, net, len(days)))
        codes, code_of_fill = np.unique(fills["symbol"].to_numpy(), return_inverse=True)
        held = np.zeros((len(codes), len(days)), dtype=np.int64)
        np.add.at(held, (code_of_fill, fill_day), -sign * qty)
        held = np.cumsum(held, axis=1)
        value = (held * _daily_closes(bars, bar_day, ends, codes, days)).sum(axis=0)
    return pl.DataFrame(
        {
            "date": (days.astype("datetime64[D]")),
            "ts": last_ts,
            "cash": cash,
            "positions_value": value,
            "equity": cash + value,
        },
        schema=EQUITY_SCHEMA,
    )


def _sum_by(index: Array, weights: Array, n: int) -> npt.NDArray[np.int64]:
    """Exact integer sums of `weights` per `index` in [0, n)."""
    out = np.zeros(n, dtype=np.int64)
    np.add.at(out, index, np.asarray(weights, dtype=np.int64))
    return out


def _day_ends(bars: BarFrame, bar_day: Array) -> npt.NDArray[np.intp]:
    """The last row of each (symbol, day) in `bars` (sorted by (symbol, ts)): where the next
    row is another symbol or another day."""
    symbols = np.asarray(bars["symbol"])
    change = (symbols[1:] != symbols[:-1]) | (bar_day[1:] != bar_day[:-1])
    return np.flatnonzero(np.r_[change, True])


def _daily_closes(
    bars: BarFrame, bar_day: Array, ends: Array, codes: Array, days: Array
) -> npt.NDArray[np.int64]:
    """(codes × days): each code's last close on or before each day (0 before its first bar);
    `ends` are the (symbol, day) last rows (`_day_ends`)."""
    symbols = np.asarray(bars["symbol"])
    end_symbols = symbols[ends]
    wanted = np.isin(end_symbols, codes)
    ends = ends[wanted]
    row = np.searchsorted(codes, end_symbols[wanted])
    col = np.searchsorted(days, bar_day[ends])
    closes = np.zeros((len(codes), len(days)), dtype=np.int64)
    seen = np.zeros((len(codes), len(days)), dtype=bool)
    closes[row, col] = np.rint(np.asarray(bars["close"], dtype=np.float64)[ends]).astype(np.int64)
    seen[row, col] = True
    index = np.where(seen, np.arange(len(days)), 0)
    np.maximum.accumulate(index, axis=1, out=index)
    filled = np.take_along_axis(closes, index, axis=1)
    started = np.maximum.accumulate(seen, axis=1)
    return np.where(started, filled, 0)
