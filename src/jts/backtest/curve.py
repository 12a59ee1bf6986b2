"""The account's equity and drawdown through a backtest at up to a few thousand instants: what
a chart draws (the dashboard's results pane, `GET /jobs/{id}/result`).

`result.equity` has one mark per trading day, which draws a one-day run as a single dot. This
curve marks the account at bar instants instead: every distinct bar time when there are few,
else an even spread of them plus each day's last bar (so the daily figures stay on the curve).
Each mark is cash after the fills up to that instant plus the holdings at the last close at or
before it — the same book-keeping as `marks.daily_equity`, only at more instants.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt
import polars as pl

from jts.backtest.marks import kst_day_numbers
from jts.marketdata.frames import BarFrame

__all__ = ["MAX_POINTS", "equity_curve", "trade_rows"]

MAX_POINTS = 2_000
"""Marks a curve holds at most (a chart on a wide screen has no use for more)."""

Array = npt.NDArray[Any]


def equity_curve(
    bars: BarFrame | None,
    fills: pl.DataFrame,
    initial_cash: int,
    *,
    max_points: int = MAX_POINTS,
) -> dict[str, list[Any]]:
    """`{"ts_ns": [...], "equity": [...], "drawdown": [...]}`, oldest first; drawdown is a
    positive fraction below the running peak (the starting cash is the first peak). Empty
    lists when there are no bars."""
    if bars is None or not len(bars):
        return {"ts_ns": [], "equity": [], "drawdown": []}
    ts = np.asarray(bars["ts"], dtype=np.int64)
    instants = _instants(ts, max_points)
    cash = np.full(len(instants), int(initial_cash), dtype=np.int64)
    value = np.zeros(len(instants), dtype=np.int64)
    if len(fills):
        ordered = fills.sort("ts", maintain_order=True)
        fill_ts = ordered["ts"].to_numpy().astype(np.int64)
        upto = np.searchsorted(fill_ts, instants, side="right")  # fills at or before each mark
        sign = np.where(ordered["side"].to_numpy() == "buy", -1, 1)
        qty = ordered["qty"].to_numpy().astype(np.int64)
        net = sign * qty * ordered["price"].to_numpy().astype(np.int64)
        net -= ordered["commission"].to_numpy().astype(np.int64)
        net -= ordered["tax"].to_numpy().astype(np.int64)
        cash += np.r_[0, np.cumsum(net)][upto]
        symbols = ordered["symbol"].to_numpy()
        for code in np.unique(symbols):
            mine = symbols == code
            held = np.r_[0, np.cumsum(np.where(mine, -sign * qty, 0))][upto]
            value += held * _closes_at(bars, str(code), instants)
    equity = cash + value
    peak = np.maximum.accumulate(np.maximum(equity.astype(np.float64), float(initial_cash)))
    drawdown = np.where(peak > 0, 1.0 - equity / peak, 0.0)
    return {
        "ts_ns": instants.tolist(),
        "equity": equity.tolist(),
        "drawdown": [round(float(d), 6) for d in drawdown],
    }


def trade_rows(trades: pl.DataFrame, *, limit: int = 500) -> list[dict[str, Any]]:
    """The last `limit` round trips (by exit time) as JSON-safe rows, oldest first."""
    if not len(trades):
        return []
    rows = trades.sort("exit_ts", maintain_order=True).tail(limit).to_dicts()
    return [{k: _plain(v) for k, v in row.items()} for row in rows]


def _instants(ts: Array, max_points: int) -> npt.NDArray[np.int64]:
    """Every distinct bar time when they are few; else an even spread plus each day's last."""
    distinct = np.unique(ts)
    if len(distinct) <= max_points:
        return distinct
    days = kst_day_numbers(distinct)
    day_ends = distinct[np.r_[days[1:] != days[:-1], True]]
    if len(day_ends) >= max_points:
        picks = np.linspace(0, len(day_ends) - 1, max_points).round().astype(np.intp)
        return np.unique(day_ends[picks])
    spread = np.linspace(0, len(distinct) - 1, max_points - len(day_ends)).round()
    return np.unique(np.r_[distinct[spread.astype(np.intp)], day_ends])


def _closes_at(bars: BarFrame, code: str, instants: Array) -> npt.NDArray[np.int64]:
    """`code`'s last close at or before each instant (its first close before its first bar)."""
    rows = np.flatnonzero(np.asarray(bars["symbol"]) == code)
    if not len(rows):
        return np.zeros(len(instants), dtype=np.int64)
    ts = np.asarray(bars["ts"], dtype=np.int64)[rows]
    close = np.asarray(bars["close"], dtype=np.int64)[rows]
    order = np.argsort(ts, kind="stable")
    ts, close = ts[order], close[order]
    at = np.searchsorted(ts, instants, side="right") - 1
    return close[np.clip(at, 0, None)]


def _plain(value: Any) -> Any:
    """NaN/inf → None (JSON has neither); everything else as polars gave it."""
    if isinstance(value, float) and not np.isfinite(value):
        return None
    return value
