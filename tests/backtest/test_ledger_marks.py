"""The ledger (cash, settlement) and the per-row and per-day marks."""

from __future__ import annotations

import datetime as dt

import numpy as np
import polars as pl
import pytest

from jts.backtest.ledger import FILL_SCHEMA, Ledger
from jts.backtest.marks import base_prices, daily_equity
from jts.core.errors import JtsError

from ..strategy.engine import frame

MON, TUE, WED, THU = (dt.date(2024, 3, d) for d in (4, 5, 6, 7))


def test_settlement_holds_sale_proceeds_until_t_plus_2() -> None:
    ledger = Ledger(1_000_000, settlement=True)
    ledger.apply(1, "005930", "buy", 10, 50_000, 0, 0, "bt-1", "rule 0", MON)
    assert ledger.available(MON) == 500_000
    ledger.apply(2, "005930", "sell", 10, 60_000, 100, 900, "bt-2", "rule 1", MON)
    assert ledger.cash == 1_099_000
    assert ledger.available(TUE) == 500_000  # 599,000 of proceeds settle on Wednesday
    assert ledger.available(WED) == 1_099_000
    free = Ledger(1_000_000)
    free.apply(2, "005930", "buy", 1, 50_000, 0, 0, "bt-1", "r", MON)
    assert free.available(MON) == free.cash == 950_000


def test_the_ledger_refuses_to_sell_what_it_does_not_hold() -> None:
    ledger = Ledger(1_000_000)
    with pytest.raises(JtsError, match="sell of 1 005930 with 0 held"):
        ledger.apply(1, "005930", "sell", 1, 50_000, 0, 0, "bt-1", "r", MON)


def test_fills_come_out_in_booking_order_with_the_schema() -> None:
    ledger = Ledger(1_000_000)
    ledger.apply(5, "000660", "buy", 2, 100_000, 14, 0, "bt-1", "rule 0", MON)
    fills = ledger.fills()
    assert fills.schema == pl.Schema(FILL_SCHEMA)
    assert fills.row(0) == (5, "000660", "buy", 2, 100_000, 14, 0, "bt-1", "rule 0")
    assert ledger.commission == 14


def test_base_price_is_the_last_close_of_an_earlier_day() -> None:
    bars = frame([("A", 0, 1, 1, 1, 10), ("A", 1, 1, 1, 1, 11), ("B", 0, 1, 1, 1, 7)], day=MON)
    more = frame([("A", 0, 1, 1, 1, 12), ("A", 1, 1, 1, 1, 13)], day=WED)
    both = type(bars).concat([bars, more]).sorted()
    base = base_prices(
        np.asarray(both["symbol"]), np.asarray(both["ts"]), np.asarray(both["close"])
    )
    assert np.isnan(base[:2]).all()
    assert base[2:4].tolist() == [11.0, 11.0]
    assert np.isnan(base[4])


def test_daily_equity_marks_cash_and_positions_at_each_days_last_close() -> None:
    days = [frame([("A", 0, 1, 1, 1, c0), ("A", 5, 1, 1, 1, c1)], day=d) for d, c0, c1 in
            ((MON, 100, 110), (TUE, 120, 130), (THU, 90, 95))]  # fmt: skip
    bars = type(days[0]).concat(days).sorted()
    ts = np.asarray(bars["ts"])
    fills = pl.DataFrame(
        {
            "ts": [int(ts[1]), int(ts[5])],
            "symbol": ["A", "A"],
            "side": ["buy", "sell"],
            "qty": [10, 4],
            "price": [110, 95],
            "commission": [1, 1],
            "tax": [0, 2],
            "order_id": ["bt-1", "bt-2"],
            "reason": ["rule 0", "rule 1"],
        },
        schema=FILL_SCHEMA,
    )
    equity = daily_equity(bars, fills, 10_000)
    assert equity["date"].to_list() == [MON, TUE, THU]
    assert equity["cash"].to_list() == [8_899, 8_899, 9_276]
    assert equity["positions_value"].to_list() == [1_100, 1_300, 570]
    assert equity["equity"].to_list() == [9_999, 10_199, 9_846]
    assert equity["ts"].to_list() == [int(ts[1]), int(ts[3]), int(ts[5])]


def test_daily_equity_of_nothing_is_empty() -> None:
    empty = daily_equity(type(frame([("A", 0, 1, 1, 1, 1)])).empty(), pl.DataFrame(), 1)
    assert empty.height == 0
