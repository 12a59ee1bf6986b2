"""One self-contained HTML file per backtest, written for the trader who has to judge it.

The file embeds plotly.js once, inline, and loads nothing else, so it opens offline, can be
mailed and archived, and still renders in ten years. Every piece of text that comes from outside
(the strategy title, parameters, meta data, symbols) is HTML-escaped here; figure data goes
through plotly's JSON encoder, which escapes `<` itself. The output is deterministic for the
same inputs (no clock reads, fixed element ids), so reports can be diffed.

Layout, top to bottom: header (title, data range, meta, parameters), metrics grid, equity with
drawdown, monthly returns, trades on daily price charts for the most-traded symbols, a
per-symbol table, positions still open at the end, and the trade list.
"""

from __future__ import annotations

import html
import json
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import polars as pl
from plotly.offline import get_plotlyjs

from jts.backtest.metrics import METRIC_KEYS, monthly_returns, per_symbol
from jts.backtest.report_charts import (
    daily_bars,
    figure_equity,
    figure_monthly,
    figure_symbol,
    fill_markers,
)
from jts.backtest.trades import open_positions
from jts.core.clock import to_kst
from jts.marketdata.frames import BarFrame

__all__ = ["MAX_TABLE_ROWS", "figure_equity", "write_report"]

MAX_TABLE_ROWS = 500
"""Rows shown in the trade list and the per-symbol table; the rest are counted, not listed."""

Formatter = Callable[[Any], str]
Cell = tuple[str, object]  # (text shown, value sorted by)
_PLOT_CONFIG = {"displaylogo": False, "responsive": True}
_DASH = "–"


# -- formatting --------------------------------------------------------------------------------


def _pct(value: Any) -> str:
    return _DASH if value is None else f"{value * 100:.2f}%"


def _signed_pct(value: Any) -> str:
    return _DASH if value is None else f"{value * 100:+.2f}%"


def _krw(value: Any) -> str:
    if value is None:
        return _DASH
    return f"-₩{-value:,.0f}" if value < 0 else f"₩{value:,.0f}"


def _ratio(value: Any) -> str:
    return _DASH if value is None else f"{value:.2f}"


def _count(value: Any) -> str:
    return _DASH if value is None else f"{value:,}"


def _days(value: Any) -> str:
    return _DASH if value is None else f"{value:,} trading days"


def _per_year(value: Any) -> str:
    return _DASH if value is None else f"{value:.2f}× / yr"


def _duration(seconds: Any) -> str:
    """Seconds as the two largest units ("3d 4h", "2h 15m", "45s")."""
    if seconds is None:
        return _DASH
    total = round(seconds)
    days, rest = divmod(total, 86_400)
    hours, rest = divmod(rest, 3_600)
    minutes, secs = divmod(rest, 60)
    if days:
        return f"{days}d {hours}h"
    if hours:
        return f"{hours}h {minutes}m"
    return f"{minutes}m {secs}s" if minutes else f"{secs}s"


def _price(value: Any) -> str:
    if value is None:
        return _DASH
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.2f}"


def _time(ts_ns: int | None) -> str:
    return _DASH if ts_ns is None else to_kst(ts_ns).strftime("%Y-%m-%d %H:%M")


def _plain(value: Any) -> str:
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    if isinstance(value, float):
        return f"{value:,.2f}" if abs(value) >= 10_000 else f"{value:.6g}"
    if isinstance(value, Mapping | list | tuple):
        return json.dumps(value, default=str, ensure_ascii=False)
    return str(value)


def _tone(value: Any) -> str:
    """CSS class for a signed value: gains blue, losses orange (see report_charts)."""
    if not isinstance(value, int | float) or value == 0:
        return ""
    return "gain" if value > 0 else "loss"


_CARDS: tuple[tuple[str, str, str, Formatter], ...] = (
    ("Return", "total_return", "Total return", _signed_pct),
    ("Return", "annualized_return", "CAGR", _signed_pct),
    ("Return", "volatility", "Volatility (ann.)", _pct),
    ("Return", "sharpe", "Sharpe", _ratio),
    ("Return", "sortino", "Sortino", _ratio),
    ("Risk", "max_drawdown", "Max drawdown", _pct),
    ("Risk", "max_drawdown_duration_days", "Longest drawdown", _days),
    ("Risk", "exposure", "Exposure", _pct),
    ("Risk", "turnover", "Turnover", _per_year),
    ("Trades", "trades", "Round trips", _count),
    ("Trades", "win_rate", "Win rate", _pct),
    ("Trades", "profit_factor", "Profit factor", _ratio),
    ("Trades", "avg_trade_pct", "Average trade", _signed_pct),
    ("Trades", "best_trade_pct", "Best trade", _signed_pct),
    ("Trades", "worst_trade_pct", "Worst trade", _signed_pct),
    ("Trades", "avg_holding_seconds", "Average holding", _duration),
    ("Costs", "total_costs", "Total costs", _krw),
    ("Costs", "commission", "Commission", _krw),
    ("Costs", "tax", "Tax", _krw),
)
"""(group, stats key, label, format) of each metric card, in the order shown."""
_SIGNED = {"total_return", "annualized_return", "avg_trade_pct", "best_trade_pct"}
_SIGNED |= {"worst_trade_pct", "sharpe", "sortino"}


# -- HTML pieces -------------------------------------------------------------------------------


def _e(value: object) -> str:
    return html.escape(str(value), quote=True)


def _card(label: str, text: str, tone: str = "") -> str:
    return (
        f'<div class="card"><div class="label">{_e(label)}</div>'
        f'<div class="value {tone}">{_e(text)}</div></div>'
    )


def _metrics_grid(stats: Mapping[str, Any], equity: pl.DataFrame, initial_cash: int) -> str:
    final = int(equity.sort("date")["equity"][-1]) if equity.height else initial_cash
    groups = [
        (
            "Capital",
            [
                _card("Initial cash", _krw(initial_cash)),
                _card("Final equity", _krw(final)),
                _card("Net P&L", _krw(final - initial_cash), _tone(final - initial_cash)),
            ],
        )
    ]
    for name in dict.fromkeys(group for group, *_ in _CARDS):
        cards = [
            _card(label, fmt(stats[key]), _tone(stats[key]) if key in _SIGNED else "")
            for group, key, label, fmt in _CARDS
            if group == name and key in stats
        ]
        groups.append((name, cards))
    extra = [_card(key, _plain(value)) for key, value in stats.items() if key not in METRIC_KEYS]
    if extra:
        groups.append(("Other", extra))
    return "".join(
        f'<div class="group"><h3>{_e(name)}</h3><div class="cards">{"".join(cards)}</div></div>'
        for name, cards in groups
        if cards
    )


def _table(headers: list[str], rows: list[list[Cell]], *, numeric_from: int = 1) -> str:
    """A sortable table: click a header to sort by the cells' `data-v` values."""
    head = "".join(
        f'<th class="{"num" if i >= numeric_from else ""}">{_e(h)}</th>'
        for i, h in enumerate(headers)
    )
    body = []
    for row in rows:
        cells = "".join(
            f'<td class="{"num" if i >= numeric_from else ""}" data-v="{_e(_sort_key(v))}">'
            f"{_e(text)}</td>"
            for i, (text, v) in enumerate(row)
        )
        body.append(f"<tr>{cells}</tr>")
    return (
        f'<div class="scroll"><table class="sortable"><thead><tr>{head}</tr></thead>'
        f"<tbody>{''.join(body)}</tbody></table></div>"
    )


def _sort_key(value: object) -> str:
    return "" if value is None else str(value)


def _chart(figure: Any, div_id: str) -> str:
    return str(
        figure.to_html(full_html=False, include_plotlyjs=False, div_id=div_id, config=_PLOT_CONFIG)
    )


def _note(text: str) -> str:
    return f'<p class="note">{_e(text)}</p>'


def _section(anchor: str, heading: str, body: str) -> str:
    return f'<section id="{anchor}"><h2>{_e(heading)}</h2>{body}</section>'


# -- sections ----------------------------------------------------------------------------------


def _header(
    title: str,
    equity: pl.DataFrame,
    params: Mapping[str, Any] | None,
    meta: Mapping[str, Any] | None,
) -> str:
    if equity.height:
        first, last = equity["date"][0], equity["date"][-1]  # sorted by the caller
        span = f"{first} → {last} · {equity.height:,} trading days (KST)"
    else:
        span = "no equity marks"
    meta_items = "".join(
        f"<div><dt>{_e(k)}</dt><dd>{_e(_plain(v))}</dd></div>" for k, v in (meta or {}).items()
    )
    if params:
        rows = "".join(
            f"<tr><th>{_e(k)}</th><td>{_e(_plain(v))}</td></tr>" for k, v in params.items()
        )
        params_html = f'<table class="kv">{rows}</table>'
    else:
        params_html = _note("No parameters.")
    return (
        f'<header><div class="kicker">JTS backtest report</div><h1>{_e(title)}</h1>'
        f'<p class="range">Data: {_e(span)}</p><dl class="meta">{meta_items}</dl>'
        f"<h3>Parameters</h3>{params_html}</header>"
    )


def _equity_section(equity: pl.DataFrame, initial_cash: int) -> str:
    if not equity.height:
        return _section("equity", "Equity and drawdown", _note("No equity marks."))
    return _section(
        "equity", "Equity and drawdown", _chart(figure_equity(equity, initial_cash), "chart-equity")
    )


def _monthly_section(equity: pl.DataFrame, initial_cash: int) -> str:
    if not equity.height:
        return _section("monthly", "Monthly returns", _note("No equity marks."))
    body = _chart(figure_monthly(monthly_returns(equity, initial_cash)), "chart-monthly") + _note(
        "Month-end equity over the previous month-end (the initial cash for the first month); "
        "Year compounds the months. Blue is a gain, orange a loss."
    )
    return _section("monthly", "Monthly returns", body)


def _charts_section(
    fills: pl.DataFrame,
    symbols: list[str],
    bars: BarFrame | pl.DataFrame | None,
    max_symbols: int,
) -> str:
    if not fills.height:
        return _section("charts", "Trades on price", _note("No trades: nothing to mark."))
    shown = symbols[:max_symbols]
    daily = daily_bars(bars, shown) if bars is not None else None
    charts = []
    for i, symbol in enumerate(shown):
        own = daily.filter(pl.col("symbol") == symbol) if daily is not None else None
        figure = figure_symbol(symbol, own, fill_markers(fills, symbol))
        charts.append(_chart(figure, f"chart-price-{i}"))
    source = "daily candles per KST trading day" if bars is not None else "no bars given"
    note = _note(
        f"{len(shown)} of {len(symbols)} traded symbols, most round trips first; {source}. "
        "▲ buys and ▼ sells: one marker per day and side at the volume-weighted fill price."
    )
    return _section("charts", "Trades on price", note + "".join(charts))


def _symbols_section(table: pl.DataFrame) -> str:
    if not table.height:
        return _section("symbols", "By symbol", _note("No trades."))
    rows: list[list[Cell]] = [
        [
            (r["symbol"], r["symbol"]),
            (_count(r["fills"]), r["fills"]),
            (_count(r["trades"]), r["trades"]),
            (_pct(r["win_rate"]), r["win_rate"]),
            (_krw(r["pnl"]), r["pnl"]),
            (_krw(r["costs"]), r["costs"]),
            (_krw(r["traded_value"]), r["traded_value"]),
            (_pct(r["exposure"]), r["exposure"]),
        ]
        for r in table.head(MAX_TABLE_ROWS).iter_rows(named=True)
    ]
    headers = ["Symbol", "Fills", "Round trips", "Win rate", "P&L (realized)", "Costs"]
    body = _table([*headers, "Traded value", "Exposure"], rows)
    if table.height > MAX_TABLE_ROWS:
        body += _note(f"Showing {MAX_TABLE_ROWS} of {table.height:,} symbols.")
    return _section("symbols", "By symbol", body)


def _open_section(fills: pl.DataFrame) -> str:
    positions = open_positions(fills)
    if not positions.height:
        return _section("open", "Open positions at the end", _note("None: the book ends flat."))
    rows: list[list[Cell]] = [
        [
            (r["symbol"], r["symbol"]),
            (r["side"], r["side"]),
            (_count(r["qty"]), r["qty"]),
            (_time(r["entry_ts"]), r["entry_ts"]),
            (_price(r["entry_price"]), r["entry_price"]),
            (_krw(r["cost_basis"]), r["cost_basis"]),
            (_krw(r["costs"]), r["costs"]),
        ]
        for r in positions.iter_rows(named=True)
    ]
    headers = ["Symbol", "Side", "Shares", "Since (KST)", "Avg price", "Cost basis", "Costs"]
    return _section("open", "Open positions at the end", _table(headers, rows, numeric_from=2))


def _trades_section(trades: pl.DataFrame) -> str:
    if not trades.height:
        return _section("trades", "Trade list", _note("No trades."))
    rows: list[list[Cell]] = [
        [
            (str(n), n),
            (r["symbol"], r["symbol"]),
            (r["side"], r["side"]),
            (_time(r["entry_ts"]), r["entry_ts"]),
            (_time(r["exit_ts"]), r["exit_ts"]),
            (_count(r["qty"]), r["qty"]),
            (_price(r["entry_price"]), r["entry_price"]),
            (_price(r["exit_price"]), r["exit_price"]),
            (_krw(r["pnl"]), r["pnl"]),
            (_signed_pct(r["return_pct"]), r["return_pct"]),
            (_krw(r["costs"]), r["costs"]),
            (_duration(r["holding_seconds"]), r["holding_seconds"]),
        ]
        for n, r in enumerate(trades.head(MAX_TABLE_ROWS).iter_rows(named=True), 1)
    ]
    headers = ["#", "Symbol", "Side", "Entry (KST)", "Exit (KST)", "Shares", "Entry price"]
    headers += ["Exit price", "P&L", "Return", "Costs", "Held"]
    body = _table(headers, rows, numeric_from=5)
    if trades.height > MAX_TABLE_ROWS:
        body += _note(f"Showing the first {MAX_TABLE_ROWS} of {trades.height:,} round trips.")
    return _section("trades", "Trade list", body)


# -- the page ----------------------------------------------------------------------------------

_NAV = (
    ("summary", "Summary"),
    ("equity", "Equity"),
    ("monthly", "Monthly"),
    ("charts", "Charts"),
    ("symbols", "Symbols"),
    ("open", "Open"),
    ("trades", "Trades"),
)


def write_report(
    path: str | Path,
    *,
    title: str,
    stats: Mapping[str, Any],
    equity: pl.DataFrame,
    fills: pl.DataFrame,
    trades: pl.DataFrame,
    initial_cash: int,
    bars: BarFrame | pl.DataFrame | None = None,
    params: Mapping[str, Any] | None = None,
    meta: Mapping[str, Any] | None = None,
    max_chart_symbols: int = 12,
) -> Path:
    """Write the HTML report to `path` (parents created) and return it.

    `stats` is `compute_metrics(...)` (extra keys are listed under "Other"); `meta` is shown as
    given in the header (the runner passes e.g. engine, run time, data source); `bars` (any
    interval, `BarFrame` or polars) only feed the price charts.
    """
    equity = equity.sort("date", maintain_order=True)
    table = per_symbol(fills, trades, equity)
    symbols = table["symbol"].to_list()
    nav = "".join(f'<a href="#{a}">{_e(label)}</a>' for a, label in _NAV)
    body = "".join(
        [
            _header(title, equity, params, meta),
            f"<nav>{nav}</nav>",
            _section("summary", "Summary", _metrics_grid(stats, equity, initial_cash)),
            _equity_section(equity, initial_cash),
            _monthly_section(equity, initial_cash),
            _charts_section(fills, symbols, bars, max_chart_symbols),
            _symbols_section(table),
            _open_section(fills),
            _trades_section(trades),
        ]
    )
    page = (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{_e(title)}</title><style>{_CSS}</style>"
        "<script>window.PlotlyConfig = {MathJaxConfig: 'local'};</script>"
        f"<script>{get_plotlyjs()}</script></head><body><main>{body}"
        "<footer>Times are KST; money is KRW. Generated by JTS.</footer>"
        f"</main><script>{_SORT_JS}</script></body></html>"
    )
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(page, encoding="utf-8")
    return target


_CSS = """
:root{--ink:#2b2b2b;--muted:#6b6b6b;--line:#e3e3e3;--gain:#2166ac;--loss:#c0631a;--bg:#fafafa}
*{box-sizing:border-box}body{margin:0;background:var(--bg);color:var(--ink);
font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif}
main{max-width:1180px;margin:0 auto;padding:24px 20px 48px}
header{background:#fff;border:1px solid var(--line);border-radius:8px;padding:18px 22px}
.kicker{color:var(--muted);font-size:12px;text-transform:uppercase;letter-spacing:.08em}
h1{margin:4px 0 6px;font-size:24px;word-break:break-word}.range{margin:0 0 10px;color:var(--muted)}
h2{font-size:18px;margin:0 0 12px}h3{font-size:13px;margin:14px 0 6px;color:var(--muted);
text-transform:uppercase;letter-spacing:.06em}
dl.meta{display:flex;flex-wrap:wrap;gap:6px 18px;margin:0}dl.meta div{display:flex;gap:6px}
dt{color:var(--muted)}dd{margin:0;font-weight:600}
table.kv{border-collapse:collapse}table.kv th{text-align:left;color:var(--muted);font-weight:400;
padding:2px 16px 2px 0;vertical-align:top}table.kv td{font-family:ui-monospace,monospace}
nav{position:sticky;top:0;z-index:5;background:var(--bg);padding:10px 0;display:flex;gap:16px}
nav a{color:var(--gain);text-decoration:none}
section{background:#fff;border:1px solid var(--line);border-radius:8px;padding:18px 22px;
margin-top:16px}
.cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(160px,1fr));gap:8px}
.card{border:1px solid var(--line);border-radius:6px;padding:8px 10px}
.label{color:var(--muted);font-size:12px}.value{font-size:18px;font-weight:600;
font-variant-numeric:tabular-nums}.gain{color:var(--gain)}.loss{color:var(--loss)}
.note{color:var(--muted);font-size:12.5px;margin:6px 0}
.scroll{overflow-x:auto;max-height:640px;overflow-y:auto}
table.sortable{border-collapse:collapse;width:100%;font-variant-numeric:tabular-nums}
table.sortable th{position:sticky;top:0;background:#f3f3f3;cursor:pointer;user-select:none;
text-align:left;padding:6px 8px;border-bottom:1px solid var(--line);white-space:nowrap}
table.sortable td{padding:4px 8px;border-bottom:1px solid #f0f0f0;white-space:nowrap}
.num{text-align:right}table.sortable th.num{text-align:right}
th[data-dir=asc]::after{content:" ▲"}th[data-dir=desc]::after{content:" ▼"}
footer{color:var(--muted);font-size:12px;margin-top:18px;text-align:center}
"""

_SORT_JS = """
document.querySelectorAll("table.sortable").forEach(function (table) {
  table.querySelectorAll("th").forEach(function (th) {
    th.addEventListener("click", function () {
      var col = th.cellIndex, asc = th.dataset.dir !== "asc", body = table.tBodies[0];
      table.querySelectorAll("th").forEach(function (h) { delete h.dataset.dir; });
      th.dataset.dir = asc ? "asc" : "desc";
      var key = function (row) {
        var v = row.cells[col].dataset.v, n = parseFloat(v);
        return v === "" ? -Infinity : (isNaN(n) ? v : n);
      };
      Array.from(body.rows).sort(function (a, b) {
        var x = key(a), y = key(b);
        return (x < y ? -1 : x > y ? 1 : 0) * (asc ? 1 : -1);
      }).forEach(function (row) { body.appendChild(row); });
    });
  });
});
"""
