"""Each statistic against a case small enough to compute by hand (formulas: metrics docstring)."""

from __future__ import annotations

import datetime as dt
import json
import math

import polars as pl
import pytest

from jts.backtest.metrics import (
    METRIC_KEYS,
    compute_metrics,
    daily_returns,
    drawdown_series,
    monthly_returns,
    per_symbol,
)
from jts.backtest.trades import TRADE_SCHEMA, empty_fills, round_trips
from jts.core.errors import InvalidInput

S = 1_000_000_000
DAY0 = dt.date(2024, 1, 2)


def equity_frame(values: list[int], positions: list[int] | None = None) -> pl.DataFrame:
    """One mark per day from DAY0 (calendar days are enough: metrics count rows)."""
    held = positions if positions is not None else [0] * len(values)
    return pl.DataFrame(
        {
            "date": [DAY0 + dt.timedelta(days=i) for i in range(len(values))],
            "ts": [(i + 1) * 86_400 * S for i in range(len(values))],
            "cash": [v - p for v, p in zip(values, held, strict=True)],
            "positions_value": held,
            "equity": values,
        },
        schema={
            "date": pl.Date(),
            "ts": pl.Int64(),
            "cash": pl.Int64(),
            "positions_value": pl.Int64(),
            "equity": pl.Int64(),
        },
    )


def trades_frame(pnl: list[int], returns: list[float], held_s: list[int]) -> pl.DataFrame:
    n = len(pnl)
    return pl.DataFrame(
        {
            "symbol": ["A"] * n,
            "side": ["long"] * n,
            "entry_ts": [0] * n,
            "exit_ts": [h * S for h in held_s],
            "qty": [1] * n,
            "entry_price": [1.0] * n,
            "exit_price": [1.0] * n,
            "pnl": pnl,
            "costs": [0] * n,
            "return_pct": returns,
            "holding_seconds": held_s,
        },
        schema=TRADE_SCHEMA,
    )


NO_TRADES = trades_frame([], [], [])


def metrics(
    values: list[int], initial: int = 100, *, periods_per_year: int = 252, risk_free: float = 0.0
) -> dict[str, float | int | None]:
    return compute_metrics(
        equity_frame(values),
        empty_fills(),
        NO_TRADES,
        initial,
        periods_per_year=periods_per_year,
        risk_free=risk_free,
    )


def test_up_then_down_gives_return_drawdown_and_duration() -> None:
    stats = metrics([100, 110, 99])
    assert stats["total_return"] == pytest.approx(-0.01)
    assert stats["max_drawdown"] == pytest.approx(0.10)
    assert stats["max_drawdown_duration_days"] == 1
    # daily returns 0, +10 %, -10 %: sample stdev 0.1, mean 0
    assert stats["volatility"] == pytest.approx(0.1 * math.sqrt(252))
    assert stats["sharpe"] == pytest.approx(0.0, abs=1e-12)
    assert stats["sortino"] == pytest.approx(0.0, abs=1e-12)


def test_sharpe_and_sortino_annualize_by_square_root_of_periods() -> None:
    stats = metrics([1_100, 1_045], initial=1_000, periods_per_year=4)  # +10 %, -5 %
    stdev = math.sqrt(2 * 0.075**2)  # ddof = 1
    downside = math.sqrt(0.05**2 / 2)  # ddof = 0 over all days
    assert stats["volatility"] == pytest.approx(stdev * 2)
    assert stats["sharpe"] == pytest.approx(0.025 / stdev * 2)
    assert stats["sortino"] == pytest.approx(0.025 / downside * 2)


def test_risk_free_rate_is_compounded_to_a_daily_rate() -> None:
    annual = 1.01**4 - 1  # 1 % a period
    stats = metrics([1_100, 1_045], initial=1_000, periods_per_year=4, risk_free=annual)
    stdev = math.sqrt(2 * 0.075**2)
    assert stats["sharpe"] == pytest.approx(0.015 / stdev * 2)


def test_cagr_compounds_over_trading_days() -> None:
    assert metrics([110, 121], periods_per_year=2)["annualized_return"] == pytest.approx(0.21)
    assert metrics([200] * 252)["annualized_return"] == pytest.approx(1.0)


def test_zero_volatility_gives_none_not_inf() -> None:
    stats = metrics([110, 121], periods_per_year=2)  # +10 % twice
    assert stats["volatility"] == pytest.approx(0.0)
    assert stats["sharpe"] is None
    assert stats["sortino"] is None


def test_drawdown_duration_runs_from_peak_to_recovery() -> None:
    stats = metrics([120, 90, 100, 125, 110])
    assert stats["max_drawdown"] == pytest.approx(0.25)
    assert stats["max_drawdown_duration_days"] == 3  # day 1 peak → day 4 new high


def test_initial_cash_is_the_first_peak() -> None:
    stats = metrics([90, 95, 100])
    assert stats["max_drawdown"] == pytest.approx(0.10)
    assert stats["max_drawdown_duration_days"] == 3


def test_rising_curve_has_no_drawdown() -> None:
    stats = metrics([101, 102, 103])
    assert (stats["max_drawdown"], stats["max_drawdown_duration_days"]) == (0.0, 0)


def test_trade_statistics() -> None:
    trades = trades_frame([300, -100, -50, 150], [0.3, -0.1, -0.05, 0.15], [60, 120, 180, 240])
    stats = compute_metrics(equity_frame([100]), empty_fills(), trades, 100)
    assert stats["trades"] == 4
    assert stats["win_rate"] == pytest.approx(0.5)
    assert stats["profit_factor"] == pytest.approx(450 / 150)
    assert stats["avg_holding_seconds"] == pytest.approx(150.0)
    assert stats["best_trade_pct"] == pytest.approx(0.3)
    assert stats["worst_trade_pct"] == pytest.approx(-0.1)
    assert stats["avg_trade_pct"] == pytest.approx(0.075)


def test_profit_factor_is_none_without_losses_and_zero_without_wins() -> None:
    winners = trades_frame([10, 20], [0.1, 0.2], [1, 1])
    losers = trades_frame([-10], [-0.1], [1])
    equity = equity_frame([100])
    assert compute_metrics(equity, empty_fills(), winners, 100)["profit_factor"] is None
    assert compute_metrics(equity, empty_fills(), losers, 100)["profit_factor"] == 0.0


def test_exposure_turnover_and_costs_from_marks_and_fills() -> None:
    fills = pl.DataFrame(
        {
            "ts": [S, 2 * S],
            "symbol": ["A", "A"],
            "side": ["buy", "sell"],
            "qty": [10, 10],
            "price": [100, 110],
            "commission": [5, 6],
            "tax": [0, 20],
            "order_id": ["a", "b"],
            "reason": ["", ""],
        },
        schema=empty_fills().schema,
    )
    equity = equity_frame([1_000, 1_000, 1_000, 1_000], positions=[0, 500, 500, 0])
    stats = compute_metrics(equity, fills, round_trips(fills), 1_000)
    assert stats["exposure"] == pytest.approx(0.5)
    assert stats["turnover"] == pytest.approx(2_100 / 1_000 * 252 / 4)
    assert (stats["commission"], stats["tax"], stats["total_costs"]) == (11, 20, 31)
    assert stats["trades"] == 1


def test_keys_are_fixed_and_json_safe_when_everything_is_degenerate() -> None:
    for values in ([], [100], [0, 0], [-50, 10]):
        stats = metrics(values)
        assert tuple(stats) == METRIC_KEYS
        json.dumps(stats, allow_nan=False)


def test_wiped_out_account_has_cagr_of_minus_one() -> None:
    assert metrics([50, 0])["annualized_return"] == -1.0


def test_initial_cash_must_be_positive() -> None:
    with pytest.raises(InvalidInput, match="initial_cash"):
        metrics([100], initial=0)


def test_monthly_returns_chain_month_ends_from_initial_cash() -> None:
    month_ends = [dt.date(2024, 1, 31), dt.date(2024, 2, 1), dt.date(2024, 2, 29)]
    equity = equity_frame([105, 110, 99]).with_columns(pl.Series("date", month_ends))
    months = monthly_returns(equity, 100)
    assert months.select("year", "month").rows() == [(2024, 1), (2024, 2)]
    assert months["return"].to_list() == pytest.approx([0.05, 99 / 105 - 1])


def test_drawdown_series_starts_from_initial_cash_when_given() -> None:
    equity = equity_frame([90, 110, 99])
    assert drawdown_series(equity)["drawdown"].to_list() == pytest.approx([0.0, 0.0, 0.1])
    with_cash = drawdown_series(equity, 100)["drawdown"].to_list()
    assert with_cash == pytest.approx([0.1, 0.0, 0.1])


def test_daily_returns_measure_the_first_day_against_initial_cash() -> None:
    returns = daily_returns(equity_frame([110, 99]), 100)["return"].to_list()
    assert returns == pytest.approx([0.1, -0.1])


def test_per_symbol_counts_pnl_costs_and_exposure() -> None:
    fills = pl.DataFrame(
        {
            "ts": [1 * 86_400 * S, 2 * 86_400 * S, 3 * 86_400 * S],
            "symbol": ["A", "A", "B"],
            "side": ["buy", "sell", "buy"],
            "qty": [10, 10, 1],
            "price": [100, 110, 50],
            "commission": [1, 1, 1],
            "tax": [0, 2, 0],
            "order_id": ["1", "2", "3"],
            "reason": ["", "", ""],
        },
        schema=empty_fills().schema,
    )
    equity = equity_frame([1_000] * 4)  # marks at the end of days 1…4
    table = per_symbol(fills, round_trips(fills), equity)
    assert table.rows() == [
        ("A", 2, 1, 1.0, 100 - 4, 4, 2_100, 0.25),
        ("B", 1, 0, None, 0, 1, 50, 0.5),
    ]
