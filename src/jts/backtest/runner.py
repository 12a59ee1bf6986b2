"""What both runners share: their inputs, their output, and the start of every run.

A run is prepared once (`Prepared`: the sorted bars, each row's base price, the fill matcher,
the ledger), then one runner drives the strategy engine over it and returns a `RunOutput`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import polars as pl

from jts.backtest.config import BacktestConfig
from jts.backtest.fills import Matcher
from jts.backtest.ledger import Ledger
from jts.backtest.marks import base_prices
from jts.core.models import Instrument
from jts.marketdata.frames import BarFrame

__all__ = ["Prepared", "RunOutput", "output", "prepare"]


@dataclass(frozen=True, slots=True)
class Prepared:
    bars: BarFrame
    base: npt.NDArray[np.float64]
    matcher: Matcher
    ledger: Ledger
    config: BacktestConfig


@dataclass(frozen=True, slots=True)
class RunOutput:
    """What a runner produced; `jts.backtest.result` turns it into a `BacktestResult`."""

    orders: pl.DataFrame
    fills: pl.DataFrame
    final_cash: int
    engine_cash: float
    positions: dict[str, int]
    commission: int
    tax: int
    path: str = "python"
    """How the orders were computed: `compiled` (the vectorized kernel), `python` (the
    strategy engine; then `fallback` says why the kernel did not run it), or `event`."""
    fallback: str | None = None


def prepare(
    bars: BarFrame, instruments: Mapping[str, Instrument], config: BacktestConfig
) -> Prepared:
    """Sort the bars and set up the matcher and the ledger for one run."""
    if not bars.is_sorted():
        bars = bars.sorted()
    symbols: Any = np.asarray(bars["symbol"])
    base = base_prices(symbols, np.asarray(bars["ts"]), np.asarray(bars["close"]))
    matcher = Matcher(config.fill, config.cost_model(), instruments)
    ledger = Ledger(config.cash, settlement=config.settlement)
    return Prepared(bars, base, matcher, ledger, config)


def output(prepared: Prepared, orders: pl.DataFrame, engine_cash: float) -> RunOutput:
    ledger = prepared.ledger
    return RunOutput(
        orders=orders,
        fills=ledger.fills(),
        final_cash=ledger.cash,
        engine_cash=engine_cash,
        positions={k: v for k, v in ledger.positions.items() if v},
        commission=ledger.commission,
        tax=ledger.tax,
    )
