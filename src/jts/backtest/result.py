"""A finished backtest: its tables, its statistics, and the ways to look at them.

    result.stats        dict: the run's figures and every metric (JSON-safe)
    result.orders       polars DataFrame (`jts.backtest.orders.ORDER_SCHEMA`)
    result.fills        polars DataFrame (`jts.backtest.ledger.FILL_SCHEMA`)
    result.equity       polars DataFrame, one row per trading day (`marks.EQUITY_SCHEMA`)
    result.trades       polars DataFrame of round trips (`jts.backtest.trades`)
    result.plot()       a plotly figure of equity and drawdown (for notebooks)
    result.report(p)    the self-contained HTML report
    result.to_parquet(d)   orders, fills, equity and trades as Parquet, stats as JSON

`.to_pandas()` on any table gives pandas.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl

from jts.backtest.metrics import METRIC_KEYS
from jts.backtest.report import write_report
from jts.backtest.report_charts import figure_equity
from jts.marketdata.frames import BarFrame

__all__ = ["BacktestResult"]


@dataclass(frozen=True)
class BacktestResult:
    """See the module docstring."""

    strategy: str
    params: dict[str, Any]
    stats: dict[str, Any]
    orders: pl.DataFrame
    fills: pl.DataFrame
    equity: pl.DataFrame
    trades: pl.DataFrame
    initial_cash: int
    meta: dict[str, Any] = field(default_factory=dict)
    bars: BarFrame | None = field(default=None, repr=False)

    def plot(self) -> Any:
        """Equity and drawdown as a plotly figure."""
        return figure_equity(self.equity, self.initial_cash, title=self.strategy)

    def report(self, path: str | Path) -> Path:
        """Write the HTML report to `path`; the path written."""
        stats = self.stats
        run = {
            "engine": stats.get("engine"),
            "symbols": stats.get("symbols"),
            "bars": f"{stats.get('bars', 0):,}",
            "orders": f"{stats.get('orders', 0):,} ({stats.get('orders_rejected', 0):,} rejected)",
            "run time": f"{stats.get('seconds', 0.0):.2f} s",
        }
        meta = {k: v for k, v in self.meta.items() if v not in ([], None, "")}
        return write_report(
            path,
            title=self.strategy,
            stats={k: stats[k] for k in METRIC_KEYS if k in stats},
            equity=self.equity,
            fills=self.fills,
            trades=self.trades,
            initial_cash=self.initial_cash,
            bars=self.bars,
            params=self.params,
            meta={**run, **meta},
        )

    def to_parquet(self, folder: str | Path) -> Path:
        """Write orders, fills, equity and trades (Parquet) and stats.json into `folder`."""
        out = Path(folder)
        out.mkdir(parents=True, exist_ok=True)
        for name in ("orders", "fills", "equity", "trades"):
            table: pl.DataFrame = getattr(self, name)
            table.write_parquet(out / f"{name}.parquet")
        (out / "stats.json").write_text(json.dumps(self.summary(), indent=2, default=str) + "\n")
        return out

    def summary(self) -> dict[str, Any]:
        """One JSON-safe object: the stats, the params and what ran (the CLI's --json)."""
        return {"strategy": self.strategy, **self.stats, "params": self.params, **self.meta}
