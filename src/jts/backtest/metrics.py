"""Backtest statistics from the daily equity marks, the fills and the round trips.

Every number a report or a golden test pins is defined here, once. Notation: `E_0` is the
initial cash, `E_1 … E_n` the equity at each trading day's mark (one row of `equity` per
trading day), `P` is `periods_per_year` (252), `rf` the annual risk-free rate.

- daily return `r_i = E_i / E_{i-1} - 1` for i = 1…n, so the first day is measured against the
  initial cash. A day whose previous equity is ≤ 0 has no defined return and is left out.
- `total_return = E_n / E_0 - 1`.
- `annualized_return` (CAGR over trading days) `= (E_n / E_0) ** (P / n) - 1`; −1.0 when
  `E_n ≤ 0`.
- `volatility = stdev(r) * sqrt(P)`, sample stdev (ddof = 1); needs two returns.
- `sharpe = mean(r - rf_d) / stdev(r) * sqrt(P)`, with the daily risk-free rate
  `rf_d = (1 + rf) ** (1 / P) - 1` (ddof = 1).
- `sortino = mean(r - rf_d) / DD * sqrt(P)`, downside deviation
  `DD = sqrt(mean(min(0, r - rf_d) ** 2))` over all days (ddof = 0: days above the target count
  as zero, the usual target-semideviation form).
- `max_drawdown = max_t (1 - E_t / peak_t)`, `peak_t = max(E_0 … E_t)`: a positive fraction,
  with the initial cash as the first peak.
- `max_drawdown_duration_days`: the longest run, in trading days, from a peak to the first day
  back at or above it (or to the last day when it never recovers). The initial cash counts as
  day 0, so 100 → 110 → 99 is a one-day drawdown.
- `win_rate`: round trips with `pnl > 0` over all round trips.
- `profit_factor`: sum of winning `pnl` over the absolute sum of losing `pnl`.
- `avg_holding_seconds`: mean `holding_seconds` of the round trips.
- `exposure`: share of trading days whose mark has `positions_value != 0`.
- `turnover`: traded value `sum(qty * price)` over all fills (buys and sells, so a full
  in-and-out of the book counts 2.0) divided by mean equity, times `P / n` (per year).
- `total_costs = commission + tax` (KRW, from the fills); `trades` counts round trips.
- `best_trade_pct`, `worst_trade_pct`, `avg_trade_pct`: max, min and mean `return_pct`.

JSON-safe by construction: a statistic that is undefined (no trades, no losses, fewer than two
returns, zero volatility or downside, a non-finite intermediate) is None, never NaN or inf.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import polars as pl

from jts.core.errors import InvalidInput

Stats = dict[str, float | int | None]
FloatArray = np.ndarray[Any, np.dtype[np.float64]]

METRIC_KEYS: tuple[str, ...] = (
    "total_return",
    "annualized_return",
    "volatility",
    "sharpe",
    "sortino",
    "max_drawdown",
    "max_drawdown_duration_days",
    "win_rate",
    "profit_factor",
    "avg_holding_seconds",
    "exposure",
    "turnover",
    "total_costs",
    "commission",
    "tax",
    "trades",
    "best_trade_pct",
    "worst_trade_pct",
    "avg_trade_pct",
)
"""The keys of `compute_metrics`, in the order a report lists them."""

_ZERO = 1e-12  # a stdev below this is zero volatility (float noise of a flat curve)


def _finite(value: float | None) -> float | None:
    if value is None or not math.isfinite(value):
        return None
    return float(value)


def _equity_values(equity: pl.DataFrame) -> FloatArray:
    if "equity" not in equity.columns:
        raise InvalidInput("equity", "missing column equity")
    return equity.sort("date", maintain_order=True)["equity"].cast(pl.Float64).to_numpy()


def _check_cash(initial_cash: int) -> None:
    if initial_cash <= 0:
        raise InvalidInput("initial_cash", f"must be positive KRW (got {initial_cash})")


def _returns(values: FloatArray, initial_cash: int) -> FloatArray:
    """Daily returns against the previous mark (the initial cash for the first day)."""
    previous = np.r_[float(initial_cash), values][:-1]
    defined = previous > 0
    out: FloatArray = values[defined] / previous[defined] - 1.0
    return out


def _underwater(curve: FloatArray) -> tuple[FloatArray, FloatArray]:
    """(running peak, drawdown fraction) along an equity curve; no drawdown below a peak ≤ 0."""
    peaks: FloatArray = np.maximum.accumulate(curve)
    with np.errstate(divide="ignore", invalid="ignore"):
        drawdown: FloatArray = np.where(peaks > 0, 1.0 - curve / peaks, 0.0)
    return peaks, np.maximum(drawdown, 0.0)


def drawdown_series(equity: pl.DataFrame, initial_cash: int | None = None) -> pl.DataFrame:
    """(date, drawdown) per trading day: `1 - equity / running peak`, a positive fraction.

    With `initial_cash` the starting cash is the first peak (as in `compute_metrics`); without,
    the first mark is.
    """
    ordered = equity.sort("date", maintain_order=True)
    values = _equity_values(ordered)
    curve = values if initial_cash is None else np.r_[float(initial_cash), values]
    _, drawdown = _underwater(curve)
    return pl.DataFrame(
        {"date": ordered["date"], "drawdown": drawdown[len(curve) - len(values) :]},
        schema={"date": pl.Date(), "drawdown": pl.Float64()},
    )


def daily_returns(equity: pl.DataFrame, initial_cash: int) -> pl.DataFrame:
    """(date, return) per trading day, the first against the initial cash."""
    _check_cash(initial_cash)
    ordered = equity.sort("date", maintain_order=True)
    values = _equity_values(ordered)
    previous = np.r_[float(initial_cash), values][:-1]
    with np.errstate(divide="ignore", invalid="ignore"):
        returns = np.where(previous > 0, values / previous - 1.0, np.nan)
    frame = pl.DataFrame({"date": ordered["date"], "return": returns})
    return frame.with_columns(pl.col("return").fill_nan(None))


def monthly_returns(equity: pl.DataFrame, initial_cash: int) -> pl.DataFrame:
    """(year, month, return): each month's last mark against the previous month's last mark
    (the initial cash for the first month). None when the previous mark is ≤ 0."""
    _check_cash(initial_cash)
    month_end = (
        equity.sort("date", maintain_order=True)
        .group_by(
            pl.col("date").dt.year().cast(pl.Int32).alias("year"),
            pl.col("date").dt.month().cast(pl.Int32).alias("month"),
            maintain_order=True,
        )
        .agg(pl.col("equity").last().cast(pl.Float64))
    )
    previous = pl.col("equity").shift(1, fill_value=float(initial_cash))
    ret = pl.when(previous > 0).then(pl.col("equity") / previous - 1.0).otherwise(None)
    return month_end.select("year", "month", ret.alias("return"))


def _drawdown_stats(values: FloatArray, initial_cash: int) -> tuple[float, int]:
    """(max drawdown fraction, longest peak-to-recovery run in trading days)."""
    if not len(values):
        return 0.0, 0
    curve = np.r_[float(initial_cash), values]
    peaks, drawdown = _underwater(curve)
    peak_days = np.flatnonzero(curve >= peaks)  # day 0 is always one
    gaps = np.diff(peak_days)
    recovered = gaps[gaps > 1]  # a gap of one day is a new high right after the last
    under_water_at_end = len(curve) - 1 - peak_days[-1]
    longest = max(int(recovered.max()) if len(recovered) else 0, int(under_water_at_end))
    return float(drawdown.max()), longest


def _return_stats(returns: FloatArray, periods: int, risk_free: float) -> Stats:
    if len(returns) < 2:
        return {"volatility": None, "sharpe": None, "sortino": None}
    rf_daily = (1.0 + risk_free) ** (1.0 / periods) - 1.0
    excess = returns - rf_daily
    stdev = float(np.std(returns, ddof=1))
    downside = float(np.sqrt(np.mean(np.minimum(excess, 0.0) ** 2)))
    scale = math.sqrt(periods)
    mean = float(np.mean(excess))
    return {
        "volatility": _finite(stdev * scale),
        "sharpe": _finite(mean / stdev * scale) if stdev > _ZERO else None,
        "sortino": _finite(mean / downside * scale) if downside > _ZERO else None,
    }


def _growth_stats(values: FloatArray, initial_cash: int, periods: int) -> Stats:
    if not len(values):
        return {"total_return": 0.0, "annualized_return": None}
    growth = values[-1] / initial_cash
    if growth <= 0:
        annualized: float | None = -1.0
    else:
        try:
            annualized = _finite(growth ** (periods / len(values)) - 1.0)
        except OverflowError:
            annualized = None
    return {"total_return": _finite(growth - 1.0), "annualized_return": annualized}


def _trade_stats(trades: pl.DataFrame) -> Stats:
    count = trades.height
    if not count:
        none = dict.fromkeys(("win_rate", "profit_factor", "avg_holding_seconds"), None)
        return {**none, "best_trade_pct": None, "worst_trade_pct": None, "avg_trade_pct": None}
    pnl = trades["pnl"].to_numpy()
    wins = int(pnl[pnl > 0].sum())
    losses = -int(pnl[pnl < 0].sum())
    returns = trades["return_pct"].drop_nulls().cast(pl.Float64).to_numpy()
    has_returns = bool(len(returns))
    return {
        "win_rate": float((pnl > 0).sum() / count),
        "profit_factor": _finite(wins / losses) if losses else None,
        "avg_holding_seconds": _finite(float(np.mean(trades["holding_seconds"].to_numpy()))),
        "best_trade_pct": _finite(float(returns.max())) if has_returns else None,
        "worst_trade_pct": _finite(float(returns.min())) if has_returns else None,
        "avg_trade_pct": _finite(float(returns.mean())) if has_returns else None,
    }


def _activity_stats(equity: pl.DataFrame, fills: pl.DataFrame, periods: int) -> Stats:
    days = equity.height
    commission = int(fills["commission"].sum()) if fills.height else 0
    tax = int(fills["tax"].sum()) if fills.height else 0
    traded = float((fills["qty"] * fills["price"]).abs().sum()) if fills.height else 0.0
    mean_equity = float(np.mean(equity["equity"].to_numpy())) if days else 0.0
    exposed = int((equity["positions_value"] != 0).sum()) if days else 0
    return {
        "exposure": exposed / days if days else None,
        "turnover": _finite(traded / mean_equity * periods / days) if mean_equity > 0 else None,
        "total_costs": commission + tax,
        "commission": commission,
        "tax": tax,
    }


def compute_metrics(
    equity: pl.DataFrame,
    fills: pl.DataFrame,
    trades: pl.DataFrame,
    initial_cash: int,
    *,
    periods_per_year: int = 252,
    risk_free: float = 0.0,
) -> dict[str, float | int | None]:
    """Every statistic of the module docstring, keyed as in `METRIC_KEYS`; JSON-safe."""
    _check_cash(initial_cash)
    if periods_per_year <= 0:
        raise InvalidInput("periods_per_year", f"must be positive (got {periods_per_year})")
    values = _equity_values(equity)
    max_drawdown, duration = _drawdown_stats(values, initial_cash)
    stats: Stats = {
        **_growth_stats(values, initial_cash, periods_per_year),
        **_return_stats(_returns(values, initial_cash), periods_per_year, risk_free),
        "max_drawdown": max_drawdown,
        "max_drawdown_duration_days": duration,
        **_trade_stats(trades),
        **_activity_stats(equity, fills, periods_per_year),
        "trades": trades.height,
    }
    return {key: stats[key] for key in METRIC_KEYS}


def per_symbol(fills: pl.DataFrame, trades: pl.DataFrame, equity: pl.DataFrame) -> pl.DataFrame:
    """One row per traded symbol, most round trips first: what a trader scans to see where the
    result came from.

    Columns: symbol, fills, trades (round trips), win_rate (None without round trips), pnl
    (realized round-trip KRW, net of costs), costs (commission + tax of all the symbol's fills,
    open positions included), traded_value (KRW), exposure (share of trading-day marks at which
    the symbol's position is not flat).
    """
    if not fills.height:
        return pl.DataFrame(schema=_PER_SYMBOL_SCHEMA)
    from_fills = fills.group_by("symbol").agg(
        pl.len().cast(pl.Int64).alias("fills"),
        (pl.col("commission") + pl.col("tax")).sum().cast(pl.Int64).alias("costs"),
        (pl.col("qty") * pl.col("price")).sum().cast(pl.Int64).alias("traded_value"),
    )
    from_trades = trades.group_by("symbol").agg(
        pl.len().cast(pl.Int64).alias("trades"),
        (pl.col("pnl") > 0).mean().alias("win_rate"),
        pl.col("pnl").sum().cast(pl.Int64).alias("pnl"),
    )
    exposure = _symbol_exposure(fills, equity)
    joined = (
        from_fills.join(from_trades, on="symbol", how="left")
        .join(exposure, on="symbol", how="left")
        .with_columns(pl.col("trades", "pnl").fill_null(0))
    )
    ordered = joined.sort(["trades", "fills", "symbol"], descending=[True, True, False])
    return ordered.select(list(_PER_SYMBOL_SCHEMA)).cast(pl.Schema(_PER_SYMBOL_SCHEMA))


_PER_SYMBOL_SCHEMA: dict[str, pl.DataType] = {
    "symbol": pl.String(),
    "fills": pl.Int64(),
    "trades": pl.Int64(),
    "win_rate": pl.Float64(),
    "pnl": pl.Int64(),
    "costs": pl.Int64(),
    "traded_value": pl.Int64(),
    "exposure": pl.Float64(),
}


def _symbol_exposure(fills: pl.DataFrame, equity: pl.DataFrame) -> pl.DataFrame:
    """Share of the daily marks (equity `ts`) at which each symbol's net position is non-zero."""
    marks = np.sort(equity["ts"].to_numpy()) if equity.height else np.empty(0, np.int64)
    signed = pl.when(pl.col("side") == "buy").then(pl.col("qty")).otherwise(-pl.col("qty"))
    rows: list[tuple[str, float | None]] = []
    ordered = fills.sort("ts", maintain_order=True).with_columns(signed.alias("signed"))
    for (symbol,), group in ordered.group_by("symbol", maintain_order=True):
        ts = group["ts"].to_numpy()
        position = np.r_[0, np.cumsum(group["signed"].to_numpy())]
        at_mark = position[np.searchsorted(ts, marks, side="right")]
        rows.append((str(symbol), float(np.mean(at_mark != 0)) if len(marks) else None))
    return pl.DataFrame(
        rows, schema={"symbol": pl.String(), "exposure": pl.Float64()}, orient="row"
    )
