"""Exits on the prints between bars: the event runner with ticks."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

import jts.backtest
from jts.core.errors import InvalidInput
from jts.marketdata.frames import BarFrame, TickFrame
from jts.marketdata.store import ParquetStore
from jts.marketdata.synth import make_universe, minute_bars, tick_stream

DAYS = [dt.date(2025, 11, 3), dt.date(2025, 11, 4)]
PROGRAM = """strategy "stops"
universe all
timeframe 1m
when position == 0 and rising(close, 2): buy 10 shares
stop loss 0.4%
take profit 0.4%
"""


@pytest.fixture(scope="module")
def market() -> tuple[BarFrame, TickFrame]:
    universe = make_universe(3, seed=11)
    bars = BarFrame.concat(list(minute_bars(universe, DAYS[0], days=2, seed=11)))
    ticks = TickFrame.concat([tick_stream(universe, d, seed=11) for d in DAYS])
    return bars, ticks


def _prints(ticks: TickFrame) -> pl.DataFrame:
    columns = {"symbol": ticks["symbol"], "ts": ticks["ts"].astype("int64")}
    return pl.DataFrame({**columns, "price": ticks["price"]})


def test_tick_exits_fill_at_their_print_when_it_traded(market: tuple[BarFrame, TickFrame]) -> None:
    bars, ticks = market
    result = jts.backtest.run(PROGRAM, bars, engine="event", ticks=ticks, costs="none")
    exits = result.fills.filter(pl.col("reason").is_in(["stop_loss", "take_profit"]))
    joined = exits.join(_prints(ticks), on=["symbol", "ts"], how="left", suffix="_print")
    on_print = joined.filter(pl.col("price_print").is_not_null())
    assert on_print.height > 20
    same = on_print.group_by("order_id").agg((pl.col("price") == pl.col("price_print")).any())
    assert same["price"].all()  # filled at the price of the print that triggered it
    # the rest are bar exits: on the entry bar (the fill is known when that bar closes) or on
    # a bar without prints (the opening auction bar after an overnight gap)
    entries = result.fills.filter(pl.col("side") == "buy").select("symbol", "ts")
    orders = result.orders.select("order_id", pl.col("ts").alias("decided"))
    rest = joined.filter(pl.col("price_print").is_null()).join(orders, on="order_id")
    on_entry_bar = rest.join(entries, left_on=["symbol", "decided"], right_on=["symbol", "ts"])
    others = rest.join(on_entry_bar.select("order_id"), on="order_id", how="anti")
    prints = _prints(ticks)
    for row in others.iter_rows(named=True):
        start, symbol = row["decided"], row["symbol"]
        inside = prints.filter(
            (pl.col("symbol") == symbol) & pl.col("ts").is_between(start, start + 59_999_999_999)
        )
        assert inside.height == 0


def test_tick_exits_trigger_at_the_levels(market: tuple[BarFrame, TickFrame]) -> None:
    bars, ticks = market
    result = jts.backtest.run(PROGRAM, bars, engine="event", ticks=ticks, costs="none")
    orders = result.orders.select("order_id", pl.col("ts").alias("decided"))
    fills = result.fills.join(orders, on="order_id").sort("ts", "order_id")
    entry: dict[str, int] = {}
    checked = 0
    for row in fills.iter_rows(named=True):
        if row["side"] == "buy":
            entry[row["symbol"]] = row["price"]
            continue
        if row["ts"] != row["decided"]:
            continue  # a bar exit: sold at the next bar's open
        checked += 1
        if row["reason"] == "stop_loss":
            assert row["price"] <= entry[row["symbol"]] * (1 - 0.004)
        else:
            assert row["price"] >= entry[row["symbol"]] * (1 + 0.004)
    assert checked > 20


def test_ticks_from_the_store_and_their_misuse(
    market: tuple[BarFrame, TickFrame], tmp_path: object
) -> None:
    bars, ticks = market
    store = ParquetStore(tmp_path)  # type: ignore[arg-type]
    store.write_bars(bars, interval="1m")
    store.write_ticks(ticks)
    got = jts.backtest.run(PROGRAM, store, engine="event", ticks=True, costs="none")
    given = jts.backtest.run(PROGRAM, bars, engine="event", ticks=ticks, costs="none")
    assert got.fills.equals(given.fills)
    with pytest.raises(InvalidInput, match="event engine"):
        jts.backtest.run(PROGRAM, bars, ticks=ticks)
    with pytest.raises(InvalidInput, match="holds no ticks"):
        jts.backtest.run(PROGRAM, bars, engine="event", ticks=True)
