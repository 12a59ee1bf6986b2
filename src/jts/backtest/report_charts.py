"""The report's plotly figures, also usable alone in a notebook (`figure_equity`).

Charts are built from daily points only: intraday bars are resampled to one candle per KST
trading day and fills to one marker per day and side, so a year of minute data for a dozen
symbols stays a few hundred kilobytes of HTML instead of tens of megabytes.

Colours are deliberately neutral: Korean platforms paint gains red, Western ones green, so a
red/green scale reads backwards to half the readers. Gains are blue and losses orange
everywhere, and the monthly heatmap prints every value on its cell.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import plotly.graph_objects as go
import polars as pl
from plotly.subplots import make_subplots

from jts.backtest.metrics import drawdown_series
from jts.marketdata.frames import BarFrame

GAIN = "#2166ac"
LOSS = "#d0731b"
INK = "#2b2b2b"
GRID = "#e6e6e6"
DIVERGING = [[0.0, LOSS], [0.5, "#f7f7f7"], [1.0, GAIN]]
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
CANDLES_UP_TO_DAYS = 500
"""Above this many days a price chart is a close line: candles too thin to read cost bytes."""

_WEEKENDS = [{"bounds": ["sat", "mon"]}]
_LAYOUT: dict[str, Any] = {
    "template": "none",  # plotly.js defaults; a named template would be embedded per figure
    "font": {"family": "system-ui, -apple-system, Segoe UI, sans-serif", "size": 12, "color": INK},
    "margin": {"l": 100, "r": 20, "t": 40, "b": 40},  # room for "100,000,000" and a title
    "hovermode": "x unified",
    "showlegend": False,
    "paper_bgcolor": "white",
    "plot_bgcolor": "white",
}


def _rangebreaks(dates: list[dt.date]) -> list[dict[str, Any]]:
    """Weekends plus the weekdays missing from `dates` (KRX holidays), so points sit evenly."""
    if not dates:
        return _WEEKENDS
    present = set(dates)
    missing = [
        day.isoformat()
        for offset in range((dates[-1] - dates[0]).days)
        if (day := dates[0] + dt.timedelta(days=offset)).weekday() < 5 and day not in present
    ]
    return [*_WEEKENDS, {"values": missing}] if missing else _WEEKENDS


def _axes(figure: Any, dates: list[dt.date]) -> None:
    breaks = _rangebreaks(dates)
    figure.update_xaxes(showgrid=True, gridcolor=GRID, zeroline=False, rangebreaks=breaks)
    figure.update_yaxes(showgrid=True, gridcolor=GRID, zeroline=False)


def figure_equity(equity: pl.DataFrame, initial_cash: int, *, title: str | None = None) -> Any:
    """Equity (KRW) over drawdown (%) on a shared date axis: `result.plot()` in a notebook."""
    ordered = equity.sort("date", maintain_order=True)
    dates = ordered["date"].to_list()
    figure = make_subplots(
        rows=2, cols=1, shared_xaxes=True, row_heights=[0.7, 0.3], vertical_spacing=0.04
    )
    figure.add_trace(
        go.Scatter(
            x=dates,
            y=ordered["equity"].to_numpy(),
            mode="lines",
            line={"color": GAIN, "width": 1.6},
            name="Equity",
            hovertemplate="%{y:,.0f} KRW<extra>equity</extra>",
        ),
        row=1,
        col=1,
    )
    figure.add_hline(y=initial_cash, line={"color": "#999", "dash": "dot", "width": 1}, row=1)
    drawdown = drawdown_series(ordered, initial_cash)["drawdown"].to_numpy() * -100.0
    figure.add_trace(
        go.Scatter(
            x=dates,
            y=drawdown,
            mode="lines",
            fill="tozeroy",
            line={"color": LOSS, "width": 1},
            name="Drawdown",
            hovertemplate="%{y:.2f}%<extra>drawdown</extra>",
        ),
        row=2,
        col=1,
    )
    figure.update_layout(_LAYOUT, height=480)
    if title:
        figure.update_layout(title={"text": title, "x": 0.01})
    _axes(figure, dates)
    figure.update_yaxes(title_text="KRW", tickformat=",.0f", row=1, col=1)
    figure.update_yaxes(title_text="drawdown %", ticksuffix="%", row=2, col=1)
    return figure


def figure_monthly(monthly: pl.DataFrame) -> Any:
    """Years × months heatmap of returns (%) plus a compounded year column, values printed.

    The colour range is set by the months alone; a year total beyond it saturates (its
    printed value stays exact).
    """
    years = sorted({int(year) for year in monthly["year"].to_list()})
    grid = np.full((len(years), 13), np.nan)
    for year, month, value in monthly.select("year", "month", "return").iter_rows():
        if value is not None:
            grid[years.index(int(year)), int(month) - 1] = value * 100.0
    growth = np.prod(1.0 + np.nan_to_num(grid[:, :12]) / 100.0, axis=1)
    grid[:, 12] = (growth - 1.0) * 100.0
    finite = np.abs(grid[:, :12][np.isfinite(grid[:, :12])])
    span = float(finite.max()) if len(finite) and finite.max() > 0 else 1.0
    text = [["" if np.isnan(v) else f"{v:+.1f}%" for v in row] for row in grid]
    cells: list[list[float | None]] = [
        [None if np.isnan(v) else float(v) for v in row] for row in grid
    ]
    figure = go.Figure(
        go.Heatmap(
            z=cells,
            x=[*MONTHS, "Year"],
            y=[str(year) for year in years],
            text=text,
            texttemplate="%{text}",
            colorscale=DIVERGING,
            zmin=-span,
            zmax=span,
            showscale=False,
            xgap=2,
            ygap=2,
            hovertemplate="%{y} %{x}: %{text}<extra></extra>",
        )
    )
    figure.update_layout(_LAYOUT, height=90 + 34 * len(years), hovermode="closest")
    figure.update_yaxes(autorange="reversed", type="category")
    figure.update_xaxes(side="top", type="category")
    return figure


def _int_ns(frame: pl.DataFrame) -> pl.DataFrame:
    """`ts` as int ns UTC whether it came as Int64 (runners) or a Datetime (Arrow, the store)."""
    if isinstance(frame.schema["ts"], pl.Datetime):  # naive datetimes are taken as UTC
        return frame.with_columns(pl.col("ts").dt.cast_time_unit("ns").cast(pl.Int64))
    return frame.with_columns(pl.col("ts").cast(pl.Int64))


def kst_date(ts: pl.Expr) -> pl.Expr:
    """Int ns UTC → the KST calendar date (the trading day), as a polars expression."""
    return pl.from_epoch(ts, time_unit="ns").dt.convert_time_zone("Asia/Seoul").dt.date()


def _bars_for(bars: BarFrame | pl.DataFrame, symbols: list[str]) -> pl.DataFrame:
    """Only the charted symbols' rows, before anything is converted (a store read is big)."""
    if isinstance(bars, BarFrame):
        if bars.is_sorted():
            picked = BarFrame.concat([bars.for_symbol(symbol) for symbol in symbols])
        else:
            picked = bars.take(np.isin(bars["symbol"], symbols))
        return picked.to_polars()
    return bars.filter(pl.col("symbol").is_in(symbols))


def daily_bars(bars: BarFrame | pl.DataFrame, symbols: list[str]) -> pl.DataFrame:
    """One OHLCV row per symbol and KST trading day, from bars of any interval."""
    picked = _int_ns(_bars_for(bars, symbols)).sort(["symbol", "ts"])
    return (
        picked.group_by("symbol", kst_date(pl.col("ts")).alias("date"), maintain_order=True)
        .agg(
            pl.col("open").first(),
            pl.col("high").max(),
            pl.col("low").min(),
            pl.col("close").last(),
            pl.col("volume").sum(),
        )
        .sort(["symbol", "date"])
    )


def fill_markers(fills: pl.DataFrame, symbol: str) -> pl.DataFrame:
    """One marker per day and side: total shares at their volume-weighted price."""
    return (
        fills.filter(pl.col("symbol") == symbol)
        .group_by(kst_date(pl.col("ts")).alias("date"), "side", maintain_order=True)
        .agg(
            pl.col("qty").sum().alias("qty"),
            ((pl.col("qty") * pl.col("price")).sum() / pl.col("qty").sum()).alias("price"),
            pl.len().alias("fills"),
        )
        .sort("date")
    )


def _price_trace(daily: pl.DataFrame) -> Any:
    dates = daily["date"].to_list()
    if daily.height > CANDLES_UP_TO_DAYS:
        return go.Scatter(
            x=dates,
            y=daily["close"].to_numpy(),
            mode="lines",
            line={"color": "#777", "width": 1.2},
            name="close",
            hovertemplate="close %{y:,.0f}<extra></extra>",
        )
    return go.Candlestick(
        x=dates,
        open=daily["open"].to_numpy(),
        high=daily["high"].to_numpy(),
        low=daily["low"].to_numpy(),
        close=daily["close"].to_numpy(),
        increasing={"line": {"color": "#8c8c8c", "width": 1}, "fillcolor": "white"},
        decreasing={"line": {"color": "#4d4d4d", "width": 1}, "fillcolor": "#4d4d4d"},
        name="price",
    )


def _marker_trace(markers: pl.DataFrame, side: str) -> Any:
    rows = markers.filter(pl.col("side") == side)
    buy = side == "buy"
    return go.Scatter(
        x=rows["date"].to_list(),
        y=rows["price"].to_numpy(),
        customdata=np.column_stack([rows["qty"].to_numpy(), rows["fills"].to_numpy()]),
        mode="markers",
        marker={
            "symbol": "triangle-up" if buy else "triangle-down",
            "size": 11,
            "color": GAIN if buy else LOSS,
            "line": {"color": "white", "width": 1},
        },
        name=side,
        hovertemplate=f"{side} %{{customdata[0]:,}} sh @ %{{y:,.1f}}"
        " (%{customdata[1]} fills)<extra></extra>",
    )


def figure_symbol(symbol: str, daily: pl.DataFrame | None, markers: pl.DataFrame) -> Any:
    """Daily candles (or a close line) of one symbol with its buy ▲ and sell ▼ markers."""
    figure = go.Figure()
    dates: list[dt.date] = []  # without bars only weekends are cut: fills alone are sparse
    if daily is not None and daily.height:
        figure.add_trace(_price_trace(daily))
        dates = daily["date"].to_list()
    for side in ("buy", "sell"):
        figure.add_trace(_marker_trace(markers, side))
    figure.update_layout(
        _LAYOUT,
        height=340,
        title={"text": symbol, "x": 0.01, "font": {"size": 14}},
        hovermode="closest",
        xaxis_rangeslider_visible=False,
    )
    _axes(figure, dates)
    figure.update_yaxes(tickformat=",.0f")
    return figure
