"""The chart curve of a backtest: equity and drawdown at bar instants, agreeing with the daily
marks where both exist."""

from __future__ import annotations

import datetime as dt

import numpy as np
import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from jts.backtest.curve import equity_curve, trade_rows
from jts.backtest.ledger import FILL_SCHEMA
from jts.backtest.marks import daily_equity

from ..strategy.engine import frame

MON, TUE = dt.date(2024, 3, 4), dt.date(2024, 3, 5)


def _fills(rows: list[tuple[int, str, str, int, int]]) -> pl.DataFrame:
    return pl.DataFrame(
        [(ts, sym, side, qty, price, 1, 0, f"bt-{i}", "r") for i, (ts, sym, side, qty, price) in
         enumerate(rows)],
        schema=FILL_SCHEMA, orient="row",
    )  # fmt: skip


def _two_days() -> tuple[object, np.ndarray]:
    days = [frame([("A", m, 1, 1, 1, 100 + 10 * m + 50 * k) for m in range(4)], day=d)
            for k, d in enumerate((MON, TUE))]  # fmt: skip
    bars = type(days[0]).concat(days).sorted()
    return bars, np.asarray(bars["ts"])


def test_the_curve_marks_cash_and_holdings_at_every_bar_and_meets_the_daily_marks() -> None:
    bars, ts = _two_days()
    fills = _fills([(int(ts[1]), "A", "buy", 10, 110), (int(ts[6]), "A", "sell", 10, 170)])
    curve = equity_curve(bars, fills, 10_000)  # type: ignore[arg-type]
    assert curve["ts_ns"] == ts.tolist()
    # before the buy: cash; then 10 shares at each close; after the sale: cash again
    assert curve["equity"] == [10_000, 9_999, 10_099, 10_199, 10_399, 10_499, 10_598, 10_598]
    daily = daily_equity(bars, fills, 10_000)  # type: ignore[arg-type]
    for at, value in zip(daily["ts"].to_list(), daily["equity"].to_list(), strict=True):
        assert curve["equity"][curve["ts_ns"].index(at)] == value
    assert curve["drawdown"][2:] == [0.0] * 6  # every later mark is a new peak
    assert curve["drawdown"][1] == round(1 - 9_999 / 10_000, 6)  # starting cash is a peak


def test_a_long_run_is_thinned_but_keeps_every_days_last_mark() -> None:
    bars, ts = _two_days()
    curve = equity_curve(bars, _fills([]), 1_000, max_points=4)  # type: ignore[arg-type]
    assert len(curve["ts_ns"]) <= 4
    assert {int(ts[3]), int(ts[7])} <= set(curve["ts_ns"])
    assert curve["ts_ns"] == sorted(set(curve["ts_ns"]))


@settings(max_examples=50, deadline=None)
@given(st.lists(st.integers(1, 10_000), min_size=1, max_size=30), st.integers(2, 40))
def test_drawdown_is_a_fraction_below_the_running_peak(closes: list[int], cap: int) -> None:
    bars = frame([("A", m, 1, 1, 1, c) for m, c in enumerate(closes)], day=MON)
    ts = np.asarray(bars["ts"])
    fills = _fills([(int(ts[0]), "A", "buy", 1, closes[0])])
    curve = equity_curve(bars, fills, 100_000, max_points=cap)  # type: ignore[arg-type]
    equity = np.asarray(curve["equity"], dtype=float)
    peak = np.maximum.accumulate(np.maximum(equity, 100_000.0))
    assert np.allclose(curve["drawdown"], 1 - equity / peak, atol=1e-6)
    assert all(0 <= d < 1 for d in curve["drawdown"])
    assert len(curve["ts_ns"]) <= max(cap, 1)


def test_no_bars_no_curve_and_trade_rows_are_json_safe() -> None:
    assert equity_curve(None, _fills([]), 1) == {"ts_ns": [], "equity": [], "drawdown": []}
    trades = pl.DataFrame(
        {"symbol": ["A", "B"], "exit_ts": [2, 1], "return_pct": [float("nan"), 0.5]}
    )
    assert trade_rows(trades) == [
        {"symbol": "B", "exit_ts": 1, "return_pct": 0.5},
        {"symbol": "A", "exit_ts": 2, "return_pct": None},
    ]
    assert trade_rows(trades, limit=1) == [{"symbol": "A", "exit_ts": 2, "return_pct": None}]
