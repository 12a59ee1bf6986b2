"""Fill models: prices, touches, slippage, daily limits, volume caps, cash cuts."""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jts.backtest.costs import KrxCosts, NoCosts, cost_model
from jts.backtest.fills import FillModel, Match, Matcher, kst_day
from jts.core.clock import kst_ns
from jts.core.enums import InstrumentKind, Market
from jts.core.errors import InvalidInput
from jts.core.models import Instrument
from jts.krx import trade_costs

TS = kst_ns(dt.date(2025, 3, 4), dt.time(9, 30))
DAY = dt.date(2025, 3, 4)


@dataclass(frozen=True)
class Bar:
    open: float
    high: float
    low: float
    close: float
    volume: float = 1_000_000.0
    base: float = math.nan
    symbol: str = "005930"


def _match(
    model: FillModel,
    side: str,
    qty: int,
    bar: Bar,
    *,
    limit: int | None = None,
    cash: float = 1e12,
    position: int = 1_000_000,
) -> Match | None:
    return Matcher(model, NoCosts()).match(TS, side, qty, limit, bar, cash, position)


BAR = Bar(50_000, 51_000, 49_500, 50_500)


def test_next_open_market_orders_fill_whole_at_the_open() -> None:
    assert _match(FillModel(), "buy", 10, BAR) == Match(10, 50_000, 0, 0)
    assert _match(FillModel(), "sell", 10, BAR) == Match(10, 50_000, 0, 0)


def test_close_model_fills_at_the_close() -> None:
    assert _match(FillModel("close"), "buy", 10, BAR) == Match(10, 50_500, 0, 0)


@pytest.mark.parametrize(
    ("side", "limit", "price"),
    [
        ("buy", 49_500, 49_500),  # low touches: at the limit
        ("buy", 49_450, None),  # below the low: no fill
        ("buy", 52_000, 50_000),  # above the open: the open is better
        ("sell", 51_000, 51_000),
        ("sell", 51_100, None),
        ("sell", 48_000, 50_000),
    ],
)
def test_limit_orders_fill_when_touched_at_the_better_price(
    side: str, limit: int, price: int | None
) -> None:
    got = _match(FillModel(), side, 5, BAR, limit=limit)
    assert (got.price if got else None) == price


def test_slippage_moves_the_price_against_the_order_by_ticks() -> None:
    model = FillModel(slippage_ticks=2)
    assert _match(model, "buy", 1, BAR).price == 50_200  # type: ignore[union-attr]
    assert _match(model, "sell", 1, BAR).price == 49_900  # type: ignore[union-attr]
    # a limit order never fills beyond its limit, slippage or not
    assert _match(model, "buy", 1, BAR, limit=50_100).price == 50_100  # type: ignore[union-attr]


def test_fill_prices_are_clamped_into_the_daily_band() -> None:
    # base 40,000: the band is 28,000 .. 52,000; an open of 53,000 is outside it
    bar = Bar(53_000, 53_000, 51_000, 52_000, base=40_000)
    assert _match(FillModel(), "buy", 1, bar).price == 52_000  # type: ignore[union-attr]


def test_a_bar_locked_limit_up_fills_buys_only_from_its_volume() -> None:
    locked = Bar(52_000, 52_000, 52_000, 52_000, volume=0, base=40_000)
    assert _match(FillModel(), "buy", 10, locked) is None
    traded = Bar(52_000, 52_000, 52_000, 52_000, volume=50, base=40_000)
    assert _match(FillModel(), "buy", 10, traded).qty == 5  # type: ignore[union-attr]
    assert _match(FillModel(), "sell", 10, locked).qty == 10  # type: ignore[union-attr]


def test_limit_touch_caps_an_order_at_its_share_of_the_volume() -> None:
    bar = Bar(50_000, 51_000, 49_500, 50_500, volume=1_234)
    assert _match(FillModel("limit_touch"), "buy", 1_000, bar).qty == 123  # type: ignore[union-attr]
    half = FillModel("limit_touch", participation=0.5)
    assert _match(half, "buy", 1_000, bar).qty == 617  # type: ignore[union-attr]
    assert _match(FillModel(), "buy", 1_000, bar).qty == 1_000  # type: ignore[union-attr]


def test_buys_are_cut_to_the_cash_with_commission_and_sells_to_the_position() -> None:
    matcher = Matcher(FillModel(), KrxCosts("0.001"))
    got = matcher.match(TS, "buy", 100, None, BAR, 500_000, 0)
    assert got is not None
    assert got.qty == 9  # 10 × 50,000 + 500 commission > 500,000
    assert got.qty * got.price + got.commission <= 500_000
    assert _match(FillModel(), "sell", 100, BAR, position=7).qty == 7  # type: ignore[union-attr]
    assert _match(FillModel(), "sell", 100, BAR, position=0) is None


def test_etf_slippage_uses_the_etf_tick_table() -> None:
    etf = Instrument(symbol="069500", name="ETF", market=Market.KOSPI, kind=InstrumentKind.ETF)
    matcher = Matcher(FillModel(slippage_ticks=1), NoCosts(), {"069500": etf})
    bar = Bar(30_000, 30_100, 29_900, 30_000, symbol="069500")
    assert matcher.match(TS, "buy", 1, None, bar, 1e9, 0).price == 30_005  # type: ignore[union-attr]


def test_bad_models_are_refused_by_name() -> None:
    with pytest.raises(InvalidInput, match="fill"):
        FillModel("vwap")
    with pytest.raises(InvalidInput, match="participation"):
        FillModel(participation=1.5)
    with pytest.raises(InvalidInput, match="costs"):
        cost_model("free")
    with pytest.raises(InvalidInput, match="commission_rate"):
        KrxCosts("-0.1")


def test_kst_day_turns_at_kst_midnight() -> None:
    assert kst_day(kst_ns(dt.date(2025, 3, 4), dt.time(0, 0))) == dt.date(2025, 3, 4)
    assert kst_day(kst_ns(dt.date(2025, 3, 4), dt.time(23, 59))) == dt.date(2025, 3, 4)


TRADING_DAYS = [dt.date(2023, 12, 26), dt.date(2024, 12, 27), dt.date(2025, 6, 2), DAY]


@given(
    side=st.sampled_from(["buy", "sell"]),
    qty=st.integers(1, 100_000),
    price=st.integers(1, 2_000_000),
    day=st.sampled_from(TRADING_DAYS),
    market=st.sampled_from([Market.KOSPI, Market.KOSDAQ]),
    kind=st.sampled_from([InstrumentKind.STOCK, InstrumentKind.ETF]),
    rate=st.sampled_from(["0.000140527", "0.00015", "0.0025", "0"]),
)
def test_krx_costs_equal_the_krx_rules(
    side: str,
    qty: int,
    price: int,
    day: dt.date,
    market: Market,
    kind: InstrumentKind,
    rate: str,
) -> None:
    ins = Instrument(symbol="005930", name="x", market=market, kind=kind)
    got = KrxCosts(rate).costs(side, qty, price, day, ins)
    want = trade_costs(side, qty, price, day, market, commission_rate=Decimal(rate), kind=kind)
    assert got == (want.commission, want.tax)
